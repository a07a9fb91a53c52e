/**
 * Loading a scenario: bytes → text → plain value → schema-checked file → core `Scenario`.
 * `compileScenarioBytes` / `compileScenarioText` are pure (no disk), for tests and the CLI's
 * `validate`; `loadScenario` adds the file system at the edge, in Effect.
 */
import { createHash } from "node:crypto"
import { readFile, stat } from "node:fs/promises"
import { Effect, Result, SchemaParser } from "effect"
import { Document, isScalar, parseDocument } from "yaml"
import type { Scenario } from "@devosim/core"
import { compileFile } from "./compile.ts"
import { makeScenarioError, renderFound, formatPath, type ScenarioError } from "./errors.ts"
import { problemsOf, type Problem } from "./issues.ts"
import { formatOf, parseSource, type Locator, type Position } from "./source.ts"
import { ScenarioFile } from "./schema.ts"

/** Larger files are refused before they are read. */
export const MAX_SCENARIO_BYTES = 256 * 1024 * 1024

export interface LoadOptions {
  /** Overrides the file's seed (the `--seed` flag); the as-run text then records it. */
  readonly seed?: number
  /** The size guard; tests inject a small one. Defaults to `MAX_SCENARIO_BYTES`. */
  readonly maxBytes?: number
}

export interface LoadedScenario {
  readonly scenario: Scenario
  /** The scenario text as run: the input unchanged, or with `seed` replaced when overridden (YAML). */
  readonly asRunText: string
  /** Hex SHA-256 of the original file bytes. */
  readonly inputSha256: string
  readonly file: string
}

/** A plain result, so callers need no Effect runtime: `{ ok: true, value }` or `{ ok: false, error }`. */
export type CompileOutcome = { readonly ok: true; readonly value: LoadedScenario } | { readonly ok: false; readonly error: ScenarioError }

const decodeFile = SchemaParser.decodeUnknownResult(ScenarioFile)

const sizeError = (file: string, size: number, limit: number): ScenarioError =>
  makeScenarioError({ file, path: "", expected: `a scenario file of at most ${limit} bytes`, found: `a file of ${size} bytes` })

/** The problem that comes first in the document (ties: the order found); located, as an error. */
const firstError = (file: string, problems: ReadonlyArray<Problem>, locator: Locator): ScenarioError => {
  const located = problems.map((p, i) => ({ p, i, pos: locator.locate(p.path, p.anchor) }))
  const offset = (pos: Position | undefined) => pos?.offset ?? Number.POSITIVE_INFINITY
  located.sort((a, b) => offset(a.pos) - offset(b.pos) || a.i - b.i)
  const { p, pos } = located[0]!
  return makeScenarioError({
    file,
    path: formatPath(p.path),
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    expected: p.expected,
    found: p.found
  })
}

/**
 * The text to store as the run's `scenario.yaml`. Unchanged unless `seed` overrides the file's;
 * then YAML gets just the seed scalar replaced in place (comments and layout survive), JSON is
 * re-emitted as YAML.
 */
const asRunTextOf = (text: string, format: "json" | "yaml", value: Record<string, unknown>, seed: number | undefined): string => {
  if (seed === undefined || seed === value["seed"]) return text
  text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text // offsets below are past any BOM
  if (format === "yaml") {
    const doc = parseDocument(text, { version: "1.2" })
    const node = doc.get("seed", true)
    if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + String(seed) + text.slice(node.range[1])
    // An aliased seed (`seed: *s`): rewrite through the document model instead.
    doc.set("seed", seed)
    return doc.toString()
  }
  return new Document({ ...value, seed }).toString()
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** Compiles a scenario from the file's bytes. Pure: no disk, no Effect. */
export const compileScenarioBytes = (bytes: Uint8Array, file: string, options: LoadOptions = {}): CompileOutcome => {
  const fail = (error: ScenarioError): CompileOutcome => ({ ok: false, error })
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
  const format = formatOf(file)
  let parsed: ReturnType<typeof parseSource>
  try {
    parsed = parseSource(text, format)
  } catch (e) {
    // Parsers recurse: pathological nesting can exhaust the stack. Still a user error, not a crash.
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
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
  const decoded = decodeFile(value, { errors: "all", onExcessProperty: "error" })
  if (Result.isFailure(decoded)) return fail(firstError(file, problemsOf(decoded.failure, value), locator))
  const compiled = compileFile(decoded.success, options.seed)
  if (!compiled.ok) return fail(firstError(file, compiled.problems, locator))
  return {
    ok: true,
    value: {
      scenario: compiled.scenario,
      asRunText: asRunTextOf(text, format, value as Record<string, unknown>, options.seed),
      inputSha256: createHash("sha256").update(bytes).digest("hex"),
      file
    }
  }
}

/** Compiles scenario text (hashed as UTF-8). `file` names the source in errors and picks JSON or YAML by extension. */
export const compileScenarioText = (text: string, file: string, options: LoadOptions = {}): CompileOutcome =>
  compileScenarioBytes(Buffer.from(text, "utf8"), file, options)

const ioError = (file: string, err: unknown): ScenarioError => {
  const code = (err as { code?: unknown } | null)?.code
  const found =
    code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "a file we may not read" : code === "EISDIR" ? "a directory" : `an unreadable file (${String(code ?? err)})`
  return makeScenarioError({ file, path: "", expected: "a readable scenario file", found })
}

/** Reads and compiles a scenario file; refuses files over the size limit before reading them. */
export const loadScenario = (file: string, options: LoadOptions = {}): Effect.Effect<LoadedScenario, ScenarioError> =>
  Effect.gen(function* () {
    const limit = options.maxBytes ?? MAX_SCENARIO_BYTES
    const info = yield* Effect.tryPromise({ try: () => stat(file), catch: (e) => ioError(file, e) })
    if (!info.isFile()) {
      return yield* Effect.fail(
        makeScenarioError({ file, path: "", expected: "a scenario file", found: info.isDirectory() ? "a directory" : "not a regular file" })
      )
    }
    if (info.size > limit) return yield* Effect.fail(sizeError(file, info.size, limit))
    const bytes = yield* Effect.tryPromise({ try: () => readFile(file), catch: (e) => ioError(file, e) })
    const outcome = compileScenarioBytes(bytes, file, options)
    return outcome.ok ? outcome.value : yield* Effect.fail(outcome.error)
  })
