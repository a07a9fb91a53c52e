/**
 * Loading a scenario: bytes → text → plain value → schema-checked file → core `Scenario`.
 * `compileScenarioBytes` / `compileScenarioText` are pure (no disk), for tests and the CLI's
 * `validate`; `loadScenario` adds the file system at the edge, in Effect. A file may hold named
 * variants (`variants.ts`): `loadScenario` compiles the base (or one variant by name),
 * `loadScenarioVariants` / `compileScenarioVariantsText` the base and then every variant.
 */
import { createHash } from "node:crypto"
import { readFile, stat } from "node:fs/promises"
import { Effect, Result, SchemaParser } from "effect"
import { Document, isScalar, visit } from "yaml"
import type { InputDraw, Scenario } from "@devosim/core"
import { resolveInputs } from "./uncertain.ts"
import { compileFile } from "./compile.ts"
import { makeScenarioError, renderFound, formatPath, type PathSegment, type ScenarioError } from "./errors.ts"
import { problemsOf, type Problem } from "./issues.ts"
import { formatCount, MAX_COMPILED_LOCALITIES, MAX_SCENARIO_BYTES } from "./limits.ts"
import { formatOf, parseSource, parseYaml, type Anchor, type Locator, type Position, type SourceFormat } from "./source.ts"
import { fastDecode } from "./fast.ts"
import { ScenarioFile } from "./schema.ts"
import { isPlainObject, mergedLocator, mergeVariant } from "./variants.ts"

/** Larger files are refused before they are read (`limits.ts` says why 64 MiB). */
export { MAX_SCENARIO_BYTES }

export interface LoadOptions {
  /** Overrides the file's seed (the `--seed` flag); the as-run text then records it. */
  readonly seed?: number
  /** The size guard; tests inject a small one. Defaults to `MAX_SCENARIO_BYTES`. */
  readonly maxBytes?: number
  /** Compile this variant (by name) instead of the base; an unknown name is a `ScenarioError`. */
  readonly variant?: string
  /**
   * Read the text as this format instead of by the file's extension: a run's scenario.yaml holds the
   * input as run, JSON text when the input was JSON (see `runScenarioFormat`).
   */
  readonly format?: SourceFormat
}

/** Options for loading the base and all variants at once. */
export type VariantsLoadOptions = Omit<LoadOptions, "variant">

export interface LoadedScenario {
  readonly scenario: Scenario
  /** The scenario text as run: the input unchanged, or with `seed` replaced when overridden (YAML). */
  readonly asRunText: string
  /** Hex SHA-256 of the original file bytes. */
  readonly inputSha256: string
  readonly file: string
}

/**
 * One scenario of a file with variants. `variant` is null for the base, else the variant's name
 * (the scenario is then named "<base name> / <variant name>" and `asRunText` is the merged
 * document as YAML). `inputSha256` is always the hash of the whole file.
 */
export interface LoadedVariant extends LoadedScenario {
  readonly variant: string | null
  /** The variant's `description` in the file (null for the base, or a variant without one). */
  readonly description: string | null
}

/** A plain result, so callers need no Effect runtime: `{ ok: true, value }` or `{ ok: false, error }`. */
export type CompileOutcome = { readonly ok: true; readonly value: LoadedVariant } | { readonly ok: false; readonly error: ScenarioError }

/** The base and its variants, in file order, or the first error. */
export type CompileVariantsOutcome =
  | { readonly ok: true; readonly value: ReadonlyArray<LoadedVariant> }
  | { readonly ok: false; readonly error: ScenarioError }

const decodeWithSchema = SchemaParser.decodeUnknownResult(ScenarioFile)

/**
 * Schema validation: the fast path (`fast.ts`) for a valid document, else the schema itself, which
 * words the problems. Both give the same decoded value (tested in `test/fast.test.ts`).
 */
const decodeFile = (value: unknown): { readonly ok: true; readonly value: ScenarioFile } | { readonly ok: false; readonly problems: Array<Problem> } => {
  const fast = fastDecode(value)
  if (fast !== undefined) return { ok: true, value: fast }
  const decoded = decodeWithSchema(value, { errors: "all", onExcessProperty: "error" })
  return Result.isSuccess(decoded) ? { ok: true, value: decoded.success } : { ok: false, problems: problemsOf(decoded.failure, value) }
}

const sizeError = (file: string, size: number, limit: number): ScenarioError =>
  makeScenarioError({
    file,
    path: "",
    expected: `a scenario file of at most ${limit} bytes${limit === MAX_SCENARIO_BYTES ? " (64 MiB)" : ""}`,
    found: `a file of ${size} bytes`
  })

/** Problems located exactly; beyond this many, the first few in the parsed value's order are. */
const MAX_LOCATED = 32

/** Index of each key of a mapping in the parsed value (parse order, which is document order). */
const keyOrders = new WeakMap<object, Map<string, number>>()

/** Where `path` is in `root`, as indices at each level; a missing key sorts after its mapping's keys. */
const orderOf = (root: unknown, path: ReadonlyArray<PathSegment>, anchor: Anchor): Array<number> => {
  const out: Array<number> = []
  let v = root
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === "number") {
      out.push(seg)
      v = v[seg]
    } else if (isPlainObject(v)) {
      let order = keyOrders.get(v)
      if (order === undefined) {
        order = new Map(Object.keys(v).map((k, i) => [k, i]))
        keyOrders.set(v, order)
      }
      const i = order.get(String(seg))
      if (i === undefined) {
        out.push(Number.POSITIVE_INFINITY)
        return out
      }
      out.push(i)
      v = v[String(seg)]
    } else return out
  }
  if (anchor === "missing") out.push(Number.POSITIVE_INFINITY)
  return out
}

const compareOrders = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  return a.length - b.length
}

/**
 * The problem that comes first in the document (ties: the order found); located, as an error.
 * Locating costs a walk down the path (a scan of the text for JSON), so of many problems (a file
 * with a million bad localities) only the first MAX_LOCATED in `root`'s order are located.
 */
const firstError = (file: string, problems: ReadonlyArray<Problem>, locator: Locator, root: unknown, prefix = ""): ScenarioError => {
  let candidates = problems
  if (problems.length > MAX_LOCATED) {
    candidates = problems
      .map((p, i) => ({ p, i, order: orderOf(root, p.path, p.anchor) }))
      .sort((a, b) => compareOrders(a.order, b.order) || a.i - b.i)
      .slice(0, MAX_LOCATED)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.p)
  }
  const located = candidates.map((p, i) => ({ p, i, pos: locator.locate(p.path, p.anchor) }))
  const offset = (pos: Position | undefined) => pos?.offset ?? Number.POSITIVE_INFINITY
  located.sort((a, b) => offset(a.pos) - offset(b.pos) || a.i - b.i)
  const { p, pos } = located[0]!
  const first = p.related === undefined ? undefined : locator.locate(p.related, "value")
  return makeScenarioError({
    file,
    path: prefix === "" ? formatPath(p.path) : p.path.length === 0 ? prefix : `${prefix}: ${formatPath(p.path)}`,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    expected: p.expected,
    found: p.found,
    ...(first ? { firstAt: { line: first.line, column: first.column } } : {})
  })
}

/**
 * The text to store as the run's `scenario.yaml`. Unchanged unless `seed` overrides the file's;
 * then YAML gets just the seed scalar replaced in place (comments and layout survive), JSON is
 * written again as JSON: a large scenario is JSON because YAML's token limit would refuse it, and
 * the run's copy must read back (verify, fork) as the input did.
 */
const asRunTextOf = (text: string, format: SourceFormat, value: Record<string, unknown>, seed: number | undefined): string => {
  if (seed === undefined || seed === value["seed"]) return text
  text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // offsets below are past any BOM
  if (format === "yaml") {
    const { doc } = parseYaml(text) // it parsed once already: within the limits
    const node = doc.get("seed", true)
    if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + String(seed) + text.slice(node.range[1])
    // An aliased seed (`seed: *s`): rewrite through the document model instead.
    doc.set("seed", seed)
    return doc.toString()
  }
  return `${JSON.stringify({ ...value, seed })}\n`
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The format of a run's scenario.yaml: the input as run is JSON text when the input was JSON (it starts with "{"). */
export const runScenarioFormat = (text: string): SourceFormat => (/^\uFEFF?\s*\{/.test(text) ? "json" : "yaml")

/** A file read, parsed and schema-checked (the base and the variants' names), not yet compiled. */
interface Prepared {
  readonly file: string
  readonly text: string
  readonly format: SourceFormat
  readonly value: Record<string, unknown>
  readonly locator: Locator
  readonly decoded: ScenarioFile
  /** The base's uncertain inputs, drawn with the run's seed (empty: none). */
  readonly inputs: ReadonlyArray<InputDraw>
  readonly inputSha256: string
}

/** The compiled scenario with its draws recorded (only when there are any: other scenarios stay as they were). */
const withInputs = (scenario: Scenario, inputs: ReadonlyArray<InputDraw>): Scenario => (inputs.length === 0 ? scenario : { ...scenario, inputs })

type Step<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: ScenarioError }

const prepare = (bytes: Uint8Array, file: string, options: LoadOptions): Step<Prepared> => {
  const fail = (error: ScenarioError): Step<Prepared> => ({ ok: false, error })
  const limit = options.maxBytes ?? MAX_SCENARIO_BYTES
  if (bytes.length > limit) return fail(sizeError(file, bytes.length, limit))
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    return fail(makeScenarioError({ file, path: "seed", expected: "a --seed that is a safe integer", found: renderFound(options.seed) }))
  }
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return fail(makeScenarioError({ file, path: "", expected: "UTF-8 text", found: "bytes that are not valid UTF-8" }))
  }
  const format = options.format ?? formatOf(file)
  let parsed: ReturnType<typeof parseSource>
  try {
    parsed = parseSource(text, format)
  } catch (e) {
    // Parsers recurse: pathological nesting can exhaust the stack. Still a user error, not a crash.
    const why = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n", 1)[0]!.slice(0, 200)
    return fail(makeScenarioError({ file, path: "", expected: `a ${format.toUpperCase()} document the parser can read`, found: `one it cannot (${why})` }))
  }
  if (!parsed.ok) {
    const { problem } = parsed
    const pos = problem.position
    return fail(
      makeScenarioError({
        file,
        path: formatPath(problem.path),
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        expected: problem.expected,
        found: problem.found
      })
    )
  }
  const { value, locator } = parsed.source
  const resolved = resolveInputs(value, options.seed ?? (isPlainObject(value) ? value["seed"] : undefined))
  if (!resolved.ok) return fail(firstError(file, resolved.problems, locator, value))
  const decoded = decodeFile(resolved.value)
  if (!decoded.ok) return fail(firstError(file, decoded.problems, locator, value))
  return {
    ok: true,
    value: {
      file,
      text,
      format,
      value: value as Record<string, unknown>,
      locator,
      decoded: decoded.value,
      inputs: resolved.inputs,
      inputSha256: createHash("sha256").update(bytes).digest("hex")
    }
  }
}

/** The base scenario: the document as it stands (its `variants` only checked for names). */
const compileBase = (p: Prepared, options: LoadOptions): Step<LoadedVariant> => {
  const compiled = compileFile(p.decoded, options.seed)
  if (!compiled.ok) return { ok: false, error: firstError(p.file, compiled.problems, p.locator, p.value) }
  return {
    ok: true,
    value: {
      scenario: withInputs(compiled.scenario, p.inputs),
      asRunText: asRunTextOf(p.text, p.format, p.value, options.seed),
      inputSha256: p.inputSha256,
      file: p.file,
      variant: null,
      description: null
    }
  }
}

/** `variants[2] (largest-first)`: the prefix of every error path inside a variant. */
const variantPrefix = (index: number, name: string): string => `variants[${index}] (${name})`

/**
 * The merged document of a variant as YAML: a standalone scenario (no `variants`, the combined
 * name, the seed it ran with) that compiles to the same `Scenario`.
 */
const renderVariant = (merged: Record<string, unknown>, format: SourceFormat, baseName: string, name: string, description: string | undefined): string => {
  // JSON stays JSON (see asRunTextOf); what it is of is in the run's manifest and fork.json.
  if (format === "json") return `${JSON.stringify(merged)}\n`
  const doc = new Document(merged, { aliasDuplicateObjects: false })
  // Lists of scalars (`[4, 5, 7]`, `[care, health]`) read better on one line.
  visit(doc, {
    Seq: (_key, node) => {
      if (node.items.every((item) => isScalar(item))) node.flow = true
    }
  })
  const about = `Variant ${JSON.stringify(name)} of ${JSON.stringify(baseName)}, merged into the base scenario.`
  doc.commentBefore = description === undefined ? ` ${about}` : ` ${about}\n ${description.split(/\r?\n/).join("\n ")}`
  return doc.toString()
}

/**
 * Variant `index`: merged into the base, then validated and compiled like a base document. Errors
 * point into the variant where it supplied the value (else into the base), paths prefixed.
 */
const compileVariant = (p: Prepared, index: number, options: LoadOptions): Step<LoadedVariant> => {
  const merged = mergedVariant(p, withoutVariants(p), index, options.seed)
  if (!merged.ok) return merged
  const { value, locator, header } = merged.value
  const prefix = variantPrefix(index, header.name)
  return compileMerged(p, value, (problems) => firstError(p.file, problems, locator, value, prefix), () => renderVariant(value, p.format, p.decoded.name, header.name, header.description), header.name, header.description ?? null)
}

/** The document without its variants: what every variant and amendment merges into (a shallow copy, own keys defined). */
const withoutVariants = (p: Prepared): Record<string, unknown> => {
  const base: Record<string, unknown> = {}
  for (const key of Object.keys(p.value)) {
    if (key !== "variants") Object.defineProperty(base, key, { value: p.value[key], enumerable: true, writable: true, configurable: true })
  }
  return base
}

/** Variant `index` merged into `base`, named "<name> / <variant>", with --seed unless the variant sets its own; or its error. */
const mergedVariant = (p: Prepared, base: Record<string, unknown>, index: number, seed: number | undefined) => {
  const header = p.decoded.variants![index]!
  const raw = (p.value["variants"] as ReadonlyArray<Record<string, unknown>>)[index]!
  const merged = mergeVariant(base, raw, index)
  if (!merged.ok) {
    const error = firstError(p.file, merged.problems, { locate: (path, anchor) => p.locator.locate(["variants", index, ...path], anchor) }, raw, variantPrefix(index, header.name))
    return { ok: false as const, error }
  }
  const value = merged.value
  value["name"] = `${p.decoded.name} / ${header.name}`
  // --seed replaces the base's seed, which the variants share; a variant's own seed still wins.
  if (seed !== undefined && !Object.hasOwn(raw, "seed")) value["seed"] = seed
  return { ok: true as const, value: { value, locator: mergedLocator(p.locator, merged.origin), header } }
}

/**
 * A merged document (a variant, an amendment) compiled: its uncertain inputs drawn with its own
 * seed (the base's unless it sets one: the same draws as the base's at each path), validated and
 * compiled; `located` words a problem. Its text is rendered when first asked for: printing a large
 * merged document as YAML costs far more than compiling it, and `validate`, `compare` and `sweep`
 * never ask.
 */
const compileMerged = (
  p: Prepared,
  value: Record<string, unknown>,
  located: (problems: ReadonlyArray<Problem>) => ScenarioError,
  render: () => string,
  variant: string,
  description: string | null
): Step<LoadedVariant> => {
  const fail = (problems: ReadonlyArray<Problem>): Step<LoadedVariant> => ({ ok: false, error: located(problems) })
  const resolved = resolveInputs(value, value["seed"])
  if (!resolved.ok) return fail(resolved.problems)
  const decoded = decodeFile(resolved.value)
  if (!decoded.ok) return fail(decoded.problems)
  const compiled = compileFile(decoded.value)
  if (!compiled.ok) return fail(compiled.problems)
  let asRunText: string | undefined
  return {
    ok: true,
    value: {
      scenario: withInputs(compiled.scenario, resolved.inputs),
      get asRunText() {
        return (asRunText ??= render())
      },
      inputSha256: p.inputSha256,
      file: p.file,
      variant,
      description
    }
  }
}

const listNames = (names: ReadonlyArray<string>): string => {
  const shown = names.slice(0, 8).map((n) => renderFound(n))
  return `(${shown.join(", ")}${names.length > 8 ? `, … ${names.length - 8} more` : ""})`
}

const UNKNOWN_VARIANT = ["a variant of that name, but the file has no variants", "one of the variant names "] as const

/** Whether `error` is `selectVariant`'s: the file has no variant of the name asked for (a mistake on the command line). */
export const isUnknownVariant = (error: ScenarioError): boolean =>
  error.path === "variants" && (error.expected === UNKNOWN_VARIANT[0] || error.expected.startsWith(UNKNOWN_VARIANT[1]))

/** The variant called `name`, or an error listing the names the file has. */
const selectVariant = (p: Prepared, name: string, options: LoadOptions): Step<LoadedVariant> => {
  const names = (p.decoded.variants ?? []).map((v) => v.name)
  const index = names.indexOf(name)
  if (index >= 0) return compileVariant(p, index, options)
  const pos = names.length === 0 ? undefined : p.locator.locate(["variants"], "value")
  return {
    ok: false,
    error: makeScenarioError({
      file: p.file,
      path: "variants",
      ...(pos ? { line: pos.line, column: pos.column } : {}),
      expected: names.length === 0 ? UNKNOWN_VARIANT[0] : `${UNKNOWN_VARIANT[1]}${listNames(names)}`,
      found: renderFound(name)
    })
  }
}

/** Localities of the base plus, for each variant, its own list or else the base's. */
const compiledLocalities = (p: Prepared): number => {
  const base = p.decoded.localities.length
  let total = base
  for (const raw of (p.value["variants"] as ReadonlyArray<Record<string, unknown>> | undefined) ?? []) {
    const own = raw["localities"]
    total += Array.isArray(own) ? own.length : base
  }
  return total
}

/**
 * Compiles a scenario from the file's bytes: the base, or with `options.variant` that variant.
 * Pure: no disk, no Effect.
 */
export const compileScenarioBytes = (bytes: Uint8Array, file: string, options: LoadOptions = {}): CompileOutcome => {
  const prepared = prepare(bytes, file, options)
  if (!prepared.ok) return prepared
  const base = compileBase(prepared.value, options)
  if (!base.ok) return base
  const chosen = options.variant === undefined ? base : selectVariant(prepared.value, options.variant, options)
  if (!chosen.ok) return chosen
  const { scenario, asRunText, inputSha256, file: source, variant, description } = chosen.value
  return { ok: true, value: { scenario, asRunText, inputSha256, file: source, variant, description } }
}

/** Compiles scenario text (hashed as UTF-8). `file` names the source in errors and picks JSON or YAML by extension. */
export const compileScenarioText = (text: string, file: string, options: LoadOptions = {}): CompileOutcome =>
  compileScenarioBytes(Buffer.from(text, "utf8"), file, options)

/**
 * The base and then every variant, in file order; the first error (the base's, else the first
 * failing variant's) fails the whole file. Pure: no disk, no Effect.
 */
export const compileScenarioVariantsBytes = (bytes: Uint8Array, file: string, options: VariantsLoadOptions = {}): CompileVariantsOutcome => {
  const prepared = prepare(bytes, file, options)
  if (!prepared.ok) return prepared
  const total = compiledLocalities(prepared.value)
  if (total > MAX_COMPILED_LOCALITIES) {
    const pos = prepared.value.locator.locate(["variants"], "value")
    return {
      ok: false,
      error: makeScenarioError({
        file,
        path: "variants",
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        expected: `at most ${formatCount(MAX_COMPILED_LOCALITIES)} localities over the base and its variants together`,
        found: `${formatCount(total)} in ${formatCount(1 + (prepared.value.decoded.variants ?? []).length)} scenarios`
      })
    }
  }
  const base = compileBase(prepared.value, options)
  if (!base.ok) return base
  const out: Array<LoadedVariant> = [base.value]
  for (let i = 0; i < (prepared.value.decoded.variants ?? []).length; i++) {
    const v = compileVariant(prepared.value, i, options)
    if (!v.ok) return v
    out.push(v.value)
  }
  return { ok: true, value: out }
}

/**
 * A scenario read, parsed and checked once, then amended many times: `devosim sweep` compiles
 * thousands of experiments of one file, and parsing the text again for each cost most of a sweep.
 * `amend` merges the file's variant `variant` (if named) and then `override` (the settings as one
 * nested mapping, `overrideOf`) into the base exactly as a variant merges, draws the uncertain
 * inputs with `seed` (else the document's), and compiles; the result is the scenario that the
 * amended text compiles to, named "<name> / what-if" like every amendment.
 */
export interface ScenarioAmender {
  /** The base as the file states it (its variants only checked for names). */
  readonly base: LoadedVariant
  readonly variants: ReadonlyArray<string>
  readonly amend: (override: Record<string, unknown>, options?: { readonly variant?: string | undefined; readonly seed?: number | undefined }) => CompileOutcome
}

/** The variant an amendment is merged as (its name, in the scenario's name and the errors' prefix stripped). */
export const AMENDMENT_VARIANT = "what-if"

/** An amendment's error: named by the setting's path ("--set"), not a place in the file. */
const amendmentError = (e: ScenarioError): ScenarioError => {
  const { path, expected, found } = e
  return makeScenarioError({ file: "--set", path: path.replace(/^variants\[-?\d+\] \([^)]*\)(: )?/, ""), expected, found })
}

export const scenarioAmender = (text: string, file: string, options: VariantsLoadOptions = {}): { readonly ok: true; readonly value: ScenarioAmender } | { readonly ok: false; readonly error: ScenarioError } => {
  const prepared = prepare(Buffer.from(text, "utf8"), file, options)
  if (!prepared.ok) return prepared
  const p = prepared.value
  const base = compileBase(p, options)
  if (!base.ok) return base
  const names = (p.decoded.variants ?? []).map((v) => v.name)
  const documentBase = withoutVariants(p)
  const amend: ScenarioAmender["amend"] = (override, at = {}) => {
    let value = documentBase
    let locator = p.locator
    let name = p.decoded.name
    const seed = at.seed ?? options.seed
    if (at.variant !== undefined) {
      const index = names.indexOf(at.variant)
      if (index < 0) return selectVariant(p, at.variant, options)
      const merged = mergedVariant(p, value, index, seed)
      if (!merged.ok) return merged
      ;({ value, locator } = merged.value)
      name = value["name"] as string
    } else if (seed !== undefined) value = { ...value, seed }
    // The override is merged as a variant at no index of the file: its paths locate nowhere in it.
    const merged = mergeVariant(value, override, -1)
    if (!merged.ok) return { ok: false, error: amendmentError(firstError(p.file, merged.problems, { locate: () => undefined }, override)) }
    const amended = merged.value
    amended["name"] = `${name} / ${AMENDMENT_VARIANT}`
    const where = mergedLocator(locator, merged.origin)
    return compileMerged(p, amended, (problems) => amendmentError(firstError(p.file, problems, where, amended)), () => renderVariant(amended, p.format, name, AMENDMENT_VARIANT, undefined), AMENDMENT_VARIANT, null)
  }
  return { ok: true, value: { base: base.value, variants: names, amend } }
}

/** `compileScenarioVariantsBytes` for text (hashed as UTF-8). */
export const compileScenarioVariantsText = (text: string, file: string, options: VariantsLoadOptions = {}): CompileVariantsOutcome =>
  compileScenarioVariantsBytes(Buffer.from(text, "utf8"), file, options)

const ioError = (file: string, err: unknown): ScenarioError => {
  const code = (err as { code?: unknown } | null)?.code
  const found =
    code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "a file we may not read" : code === "EISDIR" ? "a directory" : `an unreadable file (${String(code ?? err)})`
  return makeScenarioError({ file, path: "", expected: "a readable scenario file", found })
}

/** Reads a scenario file's bytes; refuses files over the size limit before reading them. */
const readScenarioBytes = (file: string, limit: number): Effect.Effect<Uint8Array, ScenarioError> =>
  Effect.gen(function* () {
    const info = yield* Effect.tryPromise({ try: () => stat(file), catch: (e) => ioError(file, e) })
    if (!info.isFile()) {
      return yield* Effect.fail(
        makeScenarioError({ file, path: "", expected: "a scenario file", found: info.isDirectory() ? "a directory" : "not a regular file" })
      )
    }
    if (info.size > limit) return yield* Effect.fail(sizeError(file, info.size, limit))
    return yield* Effect.tryPromise({ try: () => readFile(file), catch: (e) => ioError(file, e) })
  })

/** Reads and compiles a scenario file (the base, or `options.variant`); refuses files over the size limit before reading them. */
export const loadScenario = (file: string, options: LoadOptions = {}): Effect.Effect<LoadedVariant, ScenarioError> =>
  Effect.gen(function* () {
    const bytes = yield* readScenarioBytes(file, options.maxBytes ?? MAX_SCENARIO_BYTES)
    const outcome = compileScenarioBytes(bytes, file, options)
    return outcome.ok ? outcome.value : yield* Effect.fail(outcome.error)
  })

/** Reads a scenario file and compiles the base and then each variant (for `devosim compare`). */
export const loadScenarioVariants = (file: string, options: VariantsLoadOptions = {}): Effect.Effect<ReadonlyArray<LoadedVariant>, ScenarioError> =>
  Effect.gen(function* () {
    const bytes = yield* readScenarioBytes(file, options.maxBytes ?? MAX_SCENARIO_BYTES)
    const outcome = compileScenarioVariantsBytes(bytes, file, options)
    return outcome.ok ? outcome.value : yield* Effect.fail(outcome.error)
  })
