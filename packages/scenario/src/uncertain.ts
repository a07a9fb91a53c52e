/**
 * Uncertain inputs (issue 15): a numeric scenario field may be a distribution instead of a number.
 * Each is drawn ONCE per run, before the schema check, from its own stream keyed by
 * (seed, "input", field path) — core's `streamFor`, with the field path named by ids, not indices
 * (`programmes[reablement].effects[0].reduction_pct`), so a draw depends neither on file order nor
 * on any other field. Variants share the base's seed, so a field draws the same value in every
 * variant of a replication (common random numbers). The engine sees numbers only; the draws are
 * listed in the compiled scenario's `inputs` and so in the log's RunStarted.
 *
 * Rounding after the draw, by the field's kind: whole numbers (capacity, lag and ramp months) to the
 * nearest integer (halves up); percentages held as basis points to 0.01; pounds to whole pence
 * (drawn in pence); others as drawn. The rounded value is then checked by the field's own schema.
 */
import { draw, streamFor, type Distribution, type InputDraw } from "@devosim/core"
import { renderFound, type PathSegment } from "./errors.ts"
import type { Problem } from "./issues.ts"
import { isPlainObject } from "./variants.ts"
import { amountToPence } from "./compile.ts"
import { Result, Schema, SchemaParser } from "effect"
import { problemsOf } from "./issues.ts"
import { MAX_NUMBER } from "./limits.ts"
import { Agency, Amount, CapacityChange, Centre, Deal, Investment, Locality, LocalityDeal, Negotiation, Power, Programme, ProgrammeEffect, ScenarioFile, scenarioFileJsonSchema, SpendingReview, Transfer, UnitCost } from "./schema.ts"

export const DISTRIBUTION_FORMS = ["uniform", "triangular", "normal", "lognormal", "discrete"] as const

export const UNCERTAIN_EXPECTED =
  "a distribution { uniform: [a, b] }, { triangular: [min, mode, max] }, { normal: { mean, sd, min?, max? } }, { lognormal: { median, sigma, min?, max? } } or { discrete: [v1, …] | { values, weights } }"

type Kind = "integer" | "hundredths" | "pounds" | "real"

/** Is `v` written as a distribution (a mapping with exactly one of the forms' keys)? */
export const isDistributionValue = (v: unknown): v is Record<string, unknown> => {
  if (!isPlainObject(v)) return false
  const keys = Object.keys(v)
  return keys.length === 1 && (DISTRIBUTION_FORMS as ReadonlyArray<string>).includes(keys[0]!)
}

/** Whether the field's own schema takes `v`: undefined if so, else what it expects. */
type Check = (v: number) => string | undefined

const checks = new WeakMap<Schema.Struct.Fields, Map<string, Check>>()

/** The check of field `key` of a struct: its schema is the definition of what a draw may be. */
const checkOf = (fields: Schema.Struct.Fields, key: string): Check => {
  let byKey = checks.get(fields)
  if (byKey === undefined) checks.set(fields, (byKey = new Map()))
  let check = byKey.get(key)
  if (check === undefined) {
    const decode = SchemaParser.decodeUnknownResult(Schema.Struct({ [key]: fields[key]! }) as unknown as Schema.Decoder<unknown>)
    check = (v) => {
      const r = decode({ [key]: v }, { errors: "first" })
      return Result.isSuccess(r) ? undefined : (problemsOf(r.failure, { [key]: v })[0]?.expected ?? "a value the field takes")
    }
    byKey.set(key, check)
  }
  return check
}

const BASELINE_FIELDS = { amount: Amount }
/** A spending review's change of one agency's envelope: the value schema of its `changes` mapping. */
const CHANGE_FIELDS = { change: SpendingReview.fields.changes.value }

interface Site {
  readonly at: ReadonlyArray<PathSegment>
  readonly name: string
  readonly kind: Kind
  readonly check: Check
}

const label = (el: unknown, i: number): string => {
  const id = isPlainObject(el) ? el["id"] : undefined
  return typeof id === "string" ? `[${id}]` : `[${i}]`
}

/**
 * The fields that may be uncertain, as patterns over the document: a key, `[]` (each element of a
 * list, named by its id, else its index) or `{}` (each value of a mapping, named by its key); with
 * how a draw is rounded and the struct whose field schema says what a draw may be. One table for
 * drawing, checking and the published JSON Schema (`uncertainJsonSchema`).
 */
export const UNCERTAIN_FIELDS: ReadonlyArray<{
  readonly pattern: ReadonlyArray<string>
  readonly kind: Kind
  readonly fields: Schema.Struct.Fields
  readonly fieldKey?: string
}> = [
  { pattern: ["centre", "capacity"], kind: "integer", fields: Centre.fields },
  { pattern: ["centre", "schedule", "[]", "capacity"], kind: "integer", fields: CapacityChange.fields },
  { pattern: ["localities", "[]", "readiness_pct"], kind: "real", fields: Locality.fields },
  { pattern: ["powers", "[]", "weight_months"], kind: "real", fields: Power.fields },
  { pattern: ["discount_rate_pct"], kind: "hundredths", fields: ScenarioFile.fields },
  { pattern: ["deal", "reduction_pct"], kind: "hundredths", fields: Deal.fields },
  { pattern: ["deal", "gainshare_pct"], kind: "hundredths", fields: Deal.fields },
  { pattern: ["agencies", "[]", "trend_pct"], kind: "hundredths", fields: Agency.fields },
  { pattern: ["localities", "[]", "deal", "reduction_pct"], kind: "hundredths", fields: LocalityDeal.fields },
  { pattern: ["localities", "[]", "deal", "gainshare_pct"], kind: "hundredths", fields: LocalityDeal.fields },
  { pattern: ["localities", "[]", "negotiation", "fail_probability"], kind: "real", fields: Negotiation.fields },
  { pattern: ["localities", "[]", "population"], kind: "real", fields: Locality.fields },
  { pattern: ["localities", "[]", "baseline", "{}"], kind: "pounds", fields: BASELINE_FIELDS, fieldKey: "amount" },
  { pattern: ["programmes", "[]", "cohort"], kind: "real", fields: Programme.fields },
  { pattern: ["programmes", "[]", "investment", "upfront"], kind: "pounds", fields: Investment.fields },
  { pattern: ["programmes", "[]", "investment", "monthly"], kind: "pounds", fields: Investment.fields },
  { pattern: ["programmes", "[]", "investment", "optimism_bias_pct"], kind: "hundredths", fields: Investment.fields },
  ...(["reduction_pct", "baseline_demand", "deadweight_pct", "optimism_bias_pct", "decay_pct_per_year"] as const).map((k) => ({
    pattern: ["programmes", "[]", "effects", "[]", k],
    kind: "real" as const,
    fields: ProgrammeEffect.fields
  })),
  { pattern: ["programmes", "[]", "effects", "[]", "lag_months"], kind: "integer", fields: ProgrammeEffect.fields },
  { pattern: ["programmes", "[]", "effects", "[]", "ramp_months"], kind: "integer", fields: ProgrammeEffect.fields },
  { pattern: ["programmes", "[]", "effects", "[]", "unit_cost", "amount"], kind: "pounds", fields: UnitCost.fields },
  { pattern: ["transfers", "[]", "amount"], kind: "pounds", fields: Transfer.fields },
  { pattern: ["spending_reviews", "[]", "changes", "{}"], kind: "hundredths", fields: CHANGE_FIELDS, fieldKey: "change" }
]

/** Every place in the document that holds a distribution, with its path name (ids, not indices). */
const sitesOf = (doc: Record<string, unknown>): Array<Site> => {
  const sites: Array<Site> = []
  for (const f of UNCERTAIN_FIELDS) {
    const check = checkOf(f.fields, f.fieldKey ?? f.pattern[f.pattern.length - 1]!)
    // One path stack, copied only where a distribution is found: a large file (400,000 localities)
    // without any costs a walk, not an array per element.
    const at: Array<PathSegment> = []
    const nameOf = (): string => {
      let name = ""
      for (let k = 0; k < at.length; k++) {
        const seg = at[k]!
        if (typeof seg === "number") name += label(getAt(doc, at.slice(0, k + 1)), seg)
        else name += name === "" ? seg : `.${seg}`
      }
      return name
    }
    const walk = (v: unknown, i: number): void => {
      if (i === f.pattern.length) {
        if (isDistributionValue(v)) sites.push({ at: at.slice(), name: nameOf(), kind: f.kind, check })
        return
      }
      const seg = f.pattern[i]!
      if (seg === "[]") {
        if (!Array.isArray(v)) return
        for (let k = 0; k < v.length; k++) {
          at.push(k)
          walk(v[k], i + 1)
          at.pop()
        }
      } else if (isPlainObject(v)) {
        if (seg !== "{}") {
          if (!Object.hasOwn(v, seg)) return
          at.push(seg)
          walk(v[seg], i + 1)
          at.pop()
          return
        }
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue
          at.push(key)
          walk(v[key], i + 1)
          at.pop()
        }
      }
    }
    walk(doc, 0)
  }
  return sites
}

const getAt = (doc: unknown, at: ReadonlyArray<PathSegment>): unknown => {
  let v: unknown = doc
  for (const s of at) v = (v as Record<PathSegment, unknown>)[s]
  return v
}

/**
 * `doc` with the value at `at` replaced, copying each node on the way once (`fresh` holds the
 * copies, which later replacements change in place): the source document stays as written, and
 * a thousand draws in a large file copy its lists once, not a thousand times.
 */
const setAt = (doc: unknown, at: ReadonlyArray<PathSegment>, value: unknown, fresh: WeakSet<object>): unknown => {
  if (at.length === 0) return value
  const [head, ...rest] = at
  const node = doc as Record<PathSegment, unknown>
  let copy: Record<PathSegment, unknown>
  if (fresh.has(node)) copy = node
  else if (Array.isArray(doc)) copy = doc.slice() as unknown as Record<PathSegment, unknown>
  else {
    copy = {}
    for (const k of Object.keys(node)) Object.defineProperty(copy, k, { value: node[k], enumerable: true, writable: true, configurable: true })
  }
  fresh.add(copy)
  // defineProperty, not assignment: a key like "__proto__" stays a key.
  Object.defineProperty(copy, head!, { value: setAt(node[head!], rest, value, fresh), enumerable: true, writable: true, configurable: true })
  return copy
}

type Parsed = { readonly ok: true; readonly d: Distribution } | { readonly ok: false; readonly at: ReadonlyArray<PathSegment>; readonly expected: string; readonly found: unknown }

/**
 * The distribution written at a site, in the field's unit (pence for pounds, so amounts like
 * "1.9bn" are exact). Shapes only: whether the draws fit the field is the field's own check.
 */
export const parseDistribution = (v: Record<string, unknown>, pounds: boolean): Parsed => {
  const form = Object.keys(v)[0]!
  const body = v[form]
  const at: ReadonlyArray<PathSegment> = [form]
  const bad = (expected: string, found: unknown, where: ReadonlyArray<PathSegment> = at): Parsed => ({ ok: false, at: where, expected, found })
  const number = (x: unknown): number | undefined => {
    if (pounds) {
      if (typeof x === "number" && !(Number.isFinite(x) && x >= 0)) return undefined
      return typeof x === "number" || typeof x === "string" ? amountToPence(x) : undefined
    }
    return typeof x === "number" && Number.isFinite(x) ? x : undefined
  }
  const what = pounds ? "amounts of pounds >= 0" : "finite numbers"
  const numbers = (a: unknown, n: number | undefined): Array<number> | undefined => {
    if (!Array.isArray(a) || (n !== undefined && a.length !== n) || a.length === 0) return undefined
    const out = a.map(number)
    return out.every((x) => x !== undefined) ? (out as Array<number>) : undefined
  }
  switch (form) {
    case "uniform": {
      const t = numbers(body, 2)
      if (t === undefined || t[0]! > t[1]!) return bad(`[a, b], ${what}, a <= b`, body)
      return { ok: true, d: { kind: "uniform", min: t[0]!, max: t[1]! } }
    }
    case "triangular": {
      const t = numbers(body, 3)
      if (t === undefined || t[0]! > t[1]! || t[1]! > t[2]!) return bad(`[min, mode, max], ${what}, min <= mode <= max`, body)
      return { ok: true, d: { kind: "triangular", min: t[0]!, mode: t[1]!, max: t[2]! } }
    }
    case "normal":
    case "lognormal": {
      const centre = form === "normal" ? "mean" : "median"
      const spread = form === "normal" ? "sd" : "sigma"
      const expected = `{ ${centre}, ${spread} >= 0, min?, max? } of ${what}${form === "lognormal" ? ", median > 0" : ""}, min < max`
      if (!isPlainObject(body)) return bad(expected, body)
      for (const k of Object.keys(body)) if (![centre, spread, "min", "max"].includes(k)) return bad(expected, k, [form, k])
      const c = number(body[centre])
      const s = typeof body[spread] === "number" && Number.isFinite(body[spread]) ? (body[spread] as number) : undefined
      const lo = body["min"] === undefined ? undefined : number(body["min"])
      const hi = body["max"] === undefined ? undefined : number(body["max"])
      if (c === undefined || (form === "lognormal" && c <= 0)) return bad(expected, body[centre], [form, centre])
      if (s === undefined || s < 0 || (form === "lognormal" && s > 10)) return bad(`${spread} >= 0${form === "lognormal" ? " and <= 10" : ""}`, body[spread], [form, spread])
      if ((body["min"] !== undefined && lo === undefined) || (body["max"] !== undefined && hi === undefined)) return bad(expected, body)
      if (lo !== undefined && hi !== undefined && !(lo < hi)) return bad(expected, body)
      const bounds = { ...(lo === undefined ? {} : { min: lo }), ...(hi === undefined ? {} : { max: hi }) }
      return { ok: true, d: form === "normal" ? { kind: "normal", mean: c, sd: s, ...bounds } : { kind: "lognormal", median: c, sigma: s, ...bounds } }
    }
    default: {
      // discrete: a list (equal weights) or { values, weights }
      const expected = `[v1, v2, …] or { values: [...], weights: [...] } (non-empty ${what}; weights >= 0, as many, not all 0)`
      if (Array.isArray(body)) {
        const values = numbers(body, undefined)
        if (values === undefined) return bad(expected, body)
        return { ok: true, d: { kind: "discrete", values, weights: values.map(() => 1) } }
      }
      if (!isPlainObject(body) || Object.keys(body).some((k) => k !== "values" && k !== "weights")) return bad(expected, body)
      const values = numbers(body["values"], undefined)
      if (values === undefined) return bad(expected, body["values"], [form, "values"])
      const w = body["weights"]
      const weights = Array.isArray(w) && w.length === values.length && w.every((x) => typeof x === "number" && Number.isFinite(x) && x >= 0) ? (w as Array<number>) : undefined
      if (weights === undefined || !weights.some((x) => x > 0)) return bad(expected, w, [form, "weights"])
      return { ok: true, d: { kind: "discrete", values, weights } }
    }
  }
}

const roundFor = (kind: Kind, x: number): number => {
  switch (kind) {
    case "integer":
    case "pounds": // drawn in pence: whole pence
      return Math.round(x)
    case "hundredths":
      return Math.round(x * 100) / 100
    case "real":
      return x
  }
}

/** The ends of what a distribution can draw, in the field's unit (unbounded: ±Infinity). */
const supportOf = (d: Distribution): ReadonlyArray<number> => {
  switch (d.kind) {
    case "fixed":
      return [d.value]
    case "uniform":
    case "triangular":
      return [d.min, d.max]
    case "normal":
      // sd 0 draws the mean and nothing else (see `draw`).
      return d.sd === 0 ? [d.mean] : [d.min ?? -Infinity, d.max ?? Infinity]
    case "lognormal":
      // Every draw is > 0 (but may round to 0).
      return d.sigma === 0 ? [d.median] : [d.min ?? Number.MIN_VALUE, d.max ?? Infinity]
    case "discrete":
      return d.values
  }
}

/**
 * Whether some draw could be refused by the field's own check (a percentage over 100, a capacity
 * of 0): the ends of the support, rounded as a draw is, must be values the field takes, so a file
 * is valid or not whatever the seed. An unbounded side must be given a bound if the field has one.
 */
const outsideField = (d: Distribution, site: Site): { readonly expected: string; readonly found: string } | undefined => {
  const toFile = (x: number) => (site.kind === "pounds" ? roundFor(site.kind, x) / 100 : roundFor(site.kind, x))
  for (const end of supportOf(d)) {
    if (!Number.isFinite(end)) {
      const refused = site.check(end > 0 ? MAX_NUMBER : -MAX_NUMBER)
      if (refused !== undefined) return { expected: `a ${end > 0 ? "max" : "min"} for the draws: the field takes ${refused}`, found: `no ${end > 0 ? "max" : "min"}` }
      continue
    }
    const v = toFile(end)
    const refused = site.check(v)
    if (refused !== undefined) return { expected: `every draw to be ${refused}`, found: `a distribution that can draw ${renderFound(v)}` }
  }
  return undefined
}

const WIDE: readonly [number, number] = [-Number.MAX_VALUE, Number.MAX_VALUE]

export type ResolvedInputs =
  | { readonly ok: true; readonly value: unknown; readonly inputs: ReadonlyArray<InputDraw> }
  | { readonly ok: false; readonly problems: ReadonlyArray<Problem> }

/**
 * Draws every uncertain field of a parsed document with `seed` (the run's, or a replication's):
 * the document with numbers in their place (a copy; `doc` is untouched) and the draws sorted by
 * path. A document without distributions is returned as it is, with no draws.
 */
export const resolveInputs = (doc: unknown, seed: unknown): ResolvedInputs => {
  if (!isPlainObject(doc) || typeof seed !== "number" || !Number.isSafeInteger(seed)) return { ok: true, value: doc, inputs: [] }
  let value: unknown = doc
  const fresh = new WeakSet<object>()
  const inputs: Array<InputDraw> = []
  const problems: Array<Problem> = []
  for (const site of sitesOf(doc)) {
    const written = getAt(doc, site.at) as Record<string, unknown>
    const parsed = parseDistribution(written, site.kind === "pounds")
    if (!parsed.ok) {
      problems.push({ path: [...site.at, ...parsed.at], anchor: "value", expected: parsed.expected, found: renderFound(parsed.found) })
      continue
    }
    const outside = outsideField(parsed.d, site)
    if (outside !== undefined) {
      problems.push({ path: [...site.at, Object.keys(written)[0]!], anchor: "value", ...outside })
      continue
    }
    const drawn = roundFor(site.kind, drawInput(parsed.d, seed, site.name))
    const fileValue = site.kind === "pounds" ? drawn / 100 : drawn
    value = setAt(value, site.at, fileValue, fresh)
    inputs.push({ path: site.name, value: fileValue })
  }
  if (problems.length > 0) return { ok: false, problems }
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { ok: true, value, inputs }
}

/** One uncertain input's draw: its own stream (seed, "input", path), core's one `draw`. */
export const drawInput = (d: Distribution, seed: number, path: string): number => draw(d, streamFor(seed, "input", path), WIDE)


/** A distribution's shape for the JSON Schema: endpoints are numbers, or (for pounds) amounts too. */
const distributionSchema = (endpoint: Schema.Top) => {
  const spread = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))
  const bounds = { min: Schema.optionalKey(endpoint), max: Schema.optionalKey(endpoint) }
  return Schema.Union([
    Schema.Struct({ uniform: Schema.Tuple([endpoint, endpoint]) }).annotate({ description: "Uniform on [a, b]." }),
    Schema.Struct({ triangular: Schema.Tuple([endpoint, endpoint, endpoint]) }).annotate({ description: "Triangular [min, mode, max]." }),
    Schema.Struct({ normal: Schema.Struct({ mean: endpoint, sd: spread, ...bounds }) }).annotate({
      description: "Normal; with min/max, truncated: a draw outside is drawn again."
    }),
    Schema.Struct({ lognormal: Schema.Struct({ median: endpoint, sigma: spread, ...bounds }) }).annotate({
      description: "Lognormal (median × e^(sigma × z)); with min/max, truncated: a draw outside is drawn again."
    }),
    Schema.Struct({
      discrete: Schema.Union([
        Schema.Array(endpoint),
        Schema.Struct({ values: Schema.Array(endpoint), weights: Schema.Array(spread) })
      ])
    }).annotate({ description: "One of the values, with equal weights or the given ones." })
  ]).annotate({
    description:
      'An uncertain input: drawn once per run (replication) from its own stream keyed by (seed, "input", the field path), rounded as the field is, and recorded in the log\'s RunStarted.'
  })
}

const jsonOf = (schema: Schema.Top): Record<string, unknown> =>
  JSON.parse(JSON.stringify(Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" }).schema)) as Record<string, unknown>

/**
 * JSON Schema (draft 2020-12) of the scenario file format, for editors and `devosim schema`: the
 * point-value schema with each field of `UNCERTAIN_FIELDS` also taking a distribution
 * (`$defs.Distribution`, or `$defs.PoundsDistribution` for amounts).
 */
export const scenarioJsonSchema = (): Record<string, unknown> => {
  const json = scenarioFileJsonSchema()
  const defs = ((json["$defs"] as Record<string, unknown> | undefined) ?? {}) as Record<string, unknown>
  defs["Distribution"] = jsonOf(distributionSchema(Schema.Number.check(Schema.isFinite())))
  defs["PoundsDistribution"] = jsonOf(distributionSchema(Amount))
  json["$defs"] = defs
  for (const f of UNCERTAIN_FIELDS) {
    let parent: Record<string, unknown> | undefined = json
    let slot = ""
    for (const seg of f.pattern) {
      const node: Record<string, unknown> | undefined = slot === "" ? parent : (parent?.[slot] as Record<string, unknown> | undefined)
      if (node === undefined) break
      if (seg === "[]") {
        parent = node
        slot = "items"
      } else if (seg === "{}") {
        parent = node
        slot = "additionalProperties"
      } else {
        parent = node["properties"] as Record<string, unknown> | undefined
        slot = seg
      }
    }
    const target = parent?.[slot] as Record<string, unknown> | undefined
    if (parent === undefined || target === undefined || Array.isArray(target["anyOf"]) && (target["anyOf"] as Array<Record<string, unknown>>).some((s) => typeof s["$ref"] === "string" && s["$ref"].endsWith("Distribution"))) continue
    const { description, default: byDefault, ...point } = target
    parent[slot] = {
      anyOf: [point, { $ref: `#/$defs/${f.kind === "pounds" ? "PoundsDistribution" : "Distribution"}` }],
      ...(description === undefined ? {} : { description: `${String(description)} May be a distribution (drawn once per run).` }),
      ...(byDefault === undefined ? {} : { default: byDefault })
    }
  }
  return json
}
