/**
 * The fast path of validation (`src/fast.ts`) against the definition (`ScenarioFile`, decoded by
 * Effect Schema): on generated valid documents, and on mutations of them (wrong types, missing
 * and extra keys, numbers at and beyond every bound, bad ids, names and months, extra and missing
 * list elements, duplicates, null-prototype objects), the two agree exactly: both accept with
 * deep-equal results, or the fast path declines (and the loader falls back to the schema) and
 * the schema rejects.
 *
 *   DEVOSIM_FAST_RUNS=20000 node_modules/.bin/vitest run packages/scenario/test/fast.test.ts
 *
 * for a longer hunt (DEVOSIM_FAST_SEED=<n> for another seed).
 */
import fc from "fast-check"
import { Result, SchemaParser } from "effect"
import { describe, expect, it } from "vitest"
import { fastDecode } from "../src/fast.ts"
import { ScenarioFile } from "../src/schema.ts"
import { compileScenarioText, MAX_ID_LENGTH, MAX_TIME_MONTHS } from "../src/index.ts"

const RUNS = Number(process.env["DEVOSIM_FAST_RUNS"] ?? 300)
const SEED = Number(process.env["DEVOSIM_FAST_SEED"] ?? 20101110)

const schemaDecode = SchemaParser.decodeUnknownResult(ScenarioFile)
const bySchema = (v: unknown) => schemaDecode(v, { errors: "all", onExcessProperty: "error" })

// ---------------------------------------------------------------------------------------------
// Valid documents: every member, optional ones present or not, values at and inside their bounds.

const TIME = MAX_TIME_MONTHS
const MAX = Number.MAX_SAFE_INTEGER

/** A number in [min, max] (or open at either end), integer if asked; bounds and near-bounds likely. */
const numIn = (min: number, max: number, o: { minEx?: boolean; maxEx?: boolean; int?: boolean; hundredths?: boolean } = {}): fc.Arbitrary<number> => {
  if (o.hundredths === true) return numIn(min * 100, max * 100, { ...o, int: true, hundredths: false }).map((x) => x / 100)
  const ok = (x: number) => (o.minEx ? x > min : x >= min) && (o.maxEx ? x < max : x <= max) && (!o.int || Number.isSafeInteger(x))
  const edges = [min, max, min + 1, max - 1, min + 0.5, max - 0.5, 0, 1, 0.25, 12, 36].filter(ok)
  const lo = Math.max(min, -1e6)
  const hi = Math.min(max, 1e6)
  return fc.oneof(
    fc.constantFrom(...edges),
    o.int ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).filter(ok) : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).filter(ok)
  )
}
const ID_CHARS = ["a", "b", "Z", "0", " ", "-", ".", "@", "ô", "🏴", "Ｋ"]
const text = (min: number, max: number) => fc.array(fc.constantFrom(...ID_CHARS), { minLength: min, maxLength: max }).map((cs) => cs.join(""))
const anId = fc.oneof(
  text(1, 8).filter((s) => s.trim() !== "" && s !== "." && s !== ".."),
  fc.constantFrom("Kent", "Ynys Môn", "🏴 Cymru", "x".repeat(MAX_ID_LENGTH), "🏴".repeat(MAX_ID_LENGTH), "__proto__", "constructor")
)
const aName = fc.oneof(text(0, 8), fc.constantFrom("x".repeat(200), "é".repeat(200)))
const aMonth = fc.tuple(fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, "0")}`)
const monthOrMonths = fc.oneof(aMonth, numIn(0, TIME))
const wholeMonth = fc.oneof(aMonth, numIn(0, MAX, { int: true }))
const anAmount = fc.oneof(numIn(0, MAX), fc.constantFrom("£7.5bn", "120m", "350k", "£1,200,000", "0", "1.005", "£ 3 BN", "12K", "9007199254740991"))
const model = fc.constantFrom("leader_cabinet", "combined_authority", "elected_mayor", "governor", "sheriff", "commissioner")
const plain = <T extends Record<string, fc.Arbitrary<unknown>>>(members: T) => fc.record(members, { noNullPrototype: true })
const sorted = (n: number) => fc.array(numIn(0, TIME), { minLength: n, maxLength: n }).map((xs) => [...xs].sort((a, b) => a - b))
const duration = fc.oneof(
  numIn(0, TIME),
  sorted(2).map((t) => ({ uniform: t })),
  sorted(3).map((t) => ({ triangular: t })),
  plain({ median: numIn(0, TIME, { minEx: true }), sigma: numIn(0, 10) }).map((l) => ({ lognormal: l }))
)
/** Only the members named required are always present. */
const struct = <T extends Record<string, fc.Arbitrary<unknown>>>(members: T, required: ReadonlyArray<keyof T & string>) =>
  fc.record(members, { requiredKeys: [...required], noNullPrototype: true })
const listOf = <T,>(item: fc.Arbitrary<T>, min: number, max: number) => fc.array(item, { minLength: min, maxLength: max })
const recordOf = (value: fc.Arbitrary<unknown>) => fc.dictionary(anId, value, { maxKeys: 3, noNullPrototype: true })

const aLevel = text(1, 6)
/** Tiers nest (to depth 2 here); the fast path and the schema must agree at every depth. */
const tierAt = (depth: number): fc.Arbitrary<unknown> =>
  struct(
    {
      id: anId,
      name: aName,
      level: aLevel,
      population: numIn(0, MAX, { int: true }),
      share_pct: numIn(0, 100, { hundredths: true }),
      baseline: recordOf(anAmount),
      ...(depth < 2 ? { tiers: listOf(tierAt(depth + 1), 0, 2) } : {})
    },
    ["id", "name", "level", "population"]
  )
const passDown = struct(
  {
    id: anId,
    agency: fc.string({ maxLength: 3 }),
    share_pct: numIn(0, 100, { minEx: true, hundredths: true }),
    amount: anAmount,
    to: fc.oneof(plain({ level: aLevel }), listOf(fc.string({ maxLength: 4 }), 1, 3)),
    split_by: fc.constantFrom("population", "baseline"),
    starts: wholeMonth,
    months: numIn(1, TIME, { int: true })
  },
  ["id", "agency", "to"]
)
const personalBudget = struct(
  {
    id: anId,
    agency: fc.string({ maxLength: 3 }),
    share_pct: numIn(0, 100, { minEx: true, hundredths: true }),
    starts: wholeMonth,
    take_up: struct({ initial_pct: numIn(0, 100), ramp_months: numIn(0, TIME, { int: true }) }, []),
    cost_change_pct: numIn(-100, 0)
  },
  ["id", "agency", "share_pct"]
)
const outcome = struct(
  { id: anId, name: aName, baseline: numIn(0, MAX), target: numIn(0, MAX), by: monthOrMonths, payment: anAmount },
  ["id", "name", "baseline", "target"]
)
const envelope = fc.constantFrom("share_of_demand", "fixed_cash")

const locality = struct(
  {
    id: anId,
    name: aName,
    population: numIn(0, MAX),
    tranche: fc.string({ maxLength: 4 }),
    ready: monthOrMonths,
    negotiation: struct(
      {
        months: duration,
        fail_probability: numIn(0, 1, { maxEx: true }),
        cool_off_months: numIn(0, TIME),
        max_attempts: numIn(1, 100, { int: true })
      },
      ["months"]
    ),
    baseline: recordOf(anAmount),
    accountability: struct(
      { model, elections: listOf(monthOrMonths, 0, 3), adopts: fc.oneof(model, fc.constant("none")) },
      ["model"]
    ),
    readiness_pct: numIn(0, 100, { minEx: true }),
    deal: struct(
      {
        reduction_pct: numIn(0, 100, { maxEx: true, hundredths: true }),
        gainshare_pct: numIn(0, 100, { hundredths: true }),
        powers: listOf(fc.string({ maxLength: 3 }), 0, 2),
        envelope,
        outcomes: listOf(outcome, 0, 2)
      },
      []
    ),
    tiers: listOf(tierAt(1), 0, 2),
    pass_down: listOf(passDown, 0, 2),
    personal_budgets: listOf(personalBudget, 0, 2)
  },
  ["id", "name", "population", "tranche", "negotiation"]
)
const effect = struct(
  {
    beneficiary: fc.string({ maxLength: 4 }),
    service: text(1, 6),
    unit_cost: plain({ amount: anAmount, per: fc.constantFrom("event", "year") }),
    baseline_demand: numIn(0, MAX),
    reduction_pct: numIn(0, 100, { minEx: true }),
    lag_months: numIn(0, TIME, { int: true }),
    ramp_months: numIn(0, TIME, { int: true }),
    decay_pct_per_year: numIn(0, 100),
    deadweight_pct: numIn(0, 100, { maxEx: true }),
    optimism_bias_pct: numIn(0, 100, { maxEx: true }),
    outcome: fc.string({ maxLength: 4 })
  },
  ["beneficiary", "service", "unit_cost", "baseline_demand", "reduction_pct", "lag_months", "ramp_months"]
)
const programme = struct(
  {
    id: anId,
    locality: fc.oneof(anId, fc.constant("all")),
    payer: fc.string({ maxLength: 4 }),
    starts: wholeMonth,
    duration_months: numIn(1, TIME, { int: true }),
    investment: struct({ upfront: anAmount, monthly: anAmount }, []),
    cohort: numIn(0, MAX, { minEx: true }),
    effects: listOf(effect, 1, 2)
  },
  ["id", "locality", "payer", "starts", "duration_months", "cohort", "effects"]
)
const variant = fc
  .tuple(
    struct({ name: anId, description: fc.constantFrom("Lean.", "Two\nlines\twith a tab", "") }, ["name"]),
    fc.dictionary(fc.constantFrom("centre", "deal", "localities", "seed", "months", "anything"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2, noNullPrototype: true })
  )
  .map(([head, rest]) => ({ ...rest, ...head }))

const scenarioDoc = struct(
  {
    version: fc.constant(1),
    name: text(1, 10),
    start: aMonth,
    months: numIn(1, 1200, { int: true }),
    seed: numIn(-MAX, MAX, { int: true }),
    centre: struct({ capacity: numIn(1, MAX, { int: true }), schedule: listOf(plain({ from: monthOrMonths, capacity: numIn(1, MAX, { int: true }) }), 0, 3) }, ["capacity"]),
    tranches: listOf(plain({ id: anId, opens: monthOrMonths }), 1, 3),
    agencies: listOf(struct({ id: anId, name: aName, trend_pct: numIn(-100, 100, { minEx: true, hundredths: true }) }, ["id", "name"]), 0, 3),
    localities: listOf(locality, 1, 3),
    deal: struct(
      {
        reduction_pct: numIn(0, 100, { maxEx: true, hundredths: true }),
        pooled_agencies: listOf(fc.string({ maxLength: 3 }), 0, 3),
        horizon_months: numIn(1, TIME, { int: true }),
        gainshare_pct: numIn(0, 100, { hundredths: true }),
        powers: listOf(fc.string({ maxLength: 3 }), 0, 3),
        envelope
      },
      ["reduction_pct", "horizon_months"]
    ),
    discount_rate_pct: numIn(0, 100, { maxEx: true, hundredths: true }),
    powers: listOf(
      struct(
        { id: anId, name: aName, agencies: listOf(fc.string({ maxLength: 3 }), 1, 3), accountability: model, weight_months: numIn(0, TIME), to_level: aLevel },
        ["id", "name", "agencies", "accountability"]
      ),
      0,
      2
    ),
    running_costs: struct(
      { centre: struct({ monthly: anAmount, per_negotiation_month: anAmount }, []), mayoral_office: struct({ monthly: anAmount }, []) },
      []
    ),
    programmes: listOf(programme, 0, 2),
    transfers: listOf(
      plain({
        id: anId,
        locality: anId,
        from: fc.string({ maxLength: 3 }),
        to: fc.string({ maxLength: 3 }),
        amount: anAmount,
        starts: wholeMonth,
        months: numIn(1, TIME, { int: true })
      }),
      0,
      2
    ),
    spending_reviews: listOf(
      plain({ id: anId, starts: wholeMonth, months: numIn(1, TIME, { int: true }), changes: recordOf(numIn(-100, 100, { minEx: true, hundredths: true })) }),
      0,
      2
    ),
    variants: listOf(variant, 0, 2)
  },
  ["version", "name", "start", "months", "seed", "centre", "tranches", "localities"]
)

// ---------------------------------------------------------------------------------------------
// Mutations: one change at one place in a valid document.

const NUMBERS = [
  0, -0, 1, -1, 0.5, 0.999, 1.5, 2, 3, 12.5, 99, 99.99, 100, 100.5, -99.99, -100, -100.5, 10, 10.5, 11, 1199, 1200, 1201, 119_999, 120_000, 120_000.5,
  120_001, MAX, MAX + 1, -MAX, -MAX - 1, 2 ** 60, 1e308, -1e308, 5e-324, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY
]
const STRINGS = [
  "", " ", "x", "a/b", "a\\b", "\u0007x", "x\u0085", "tab\there", "line\nbreak", "\u2028", "x".repeat(200), "x".repeat(201), "é".repeat(201),
  "😀".repeat(200), "😀".repeat(201), "\ud800", "x\udc00", "2010-04", "2010-4", "2010-13", "2010-00", "1899-12", "1900-01", "2200-12", "2201-01",
  "12345-01", " 2010-04", "2010-04\n", "£7.5bn", "120m", "350k", "£1,200,000", "1,20", "1.5.3", "-5", "5 bn", "5BN", "£ 5", "£", "1e3", "0x10",
  "none", "leader_cabinet", "combined_authority", "elected_mayor", "governor", "sheriff", "commissioner", "mayor", "event", "year", "Event", "all",
  "1", "__proto__", ".", "..", "...", "\u200b", "\u200b\u200d", "\u2060", "\ufeff", "\u200e", "\u0301", "\ufe0f", "\u3164", "\u00a0", "e\u0301",
  "a\u200b", "\u{e0100}", "\u2800"
]
const OTHERS: ReadonlyArray<unknown> = [
  null, true, false, [], {}, [1], [1, 2], [2, 1], [1, 2, 3], [3, 2, 1], [1, 3, 2], [1, 2, 3, 4], ["a"], ["2010-04"], [null], [, 1], // eslint-disable-line no-sparse-arrays
  { uniform: [1, 2] }, { triangular: [1, 2, 3] }, { lognormal: { median: 1, sigma: 1 } }, { lognormal: { median: 0, sigma: 1 } },
  { lognormal: { median: 1, sigma: 11 } }, { uniform: [1, 2], triangular: [1, 2, 3] }, { model: "leader_cabinet" }, { amount: 1, per: "year" },
  { capacity: 1 }, { id: "t1", opens: 0 }, new Date(0), new Map()
]
const hostile = fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS), fc.constantFrom(...OTHERS))
const KEYS = ["id", "name", "extra", "uniform", "triangular", "median", "months", "description", "__proto__", "constructor", "toString", "Id", ""]

type Path = ReadonlyArray<string | number>
/** Every place in a document: the containers and the leaves. */
const pathsOf = (v: unknown, path: Path = [], out: Array<Path> = []): Array<Path> => {
  out.push(path)
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...path, i], out))
  else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...path, k], out)
  return out
}
const setOwn = (o: object, k: string | number, value: unknown) =>
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true })
const clone = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(clone)
  const proto = typeof v === "object" && v !== null ? (Object.getPrototypeOf(v) as unknown) : undefined
  if (proto === Object.prototype || proto === null) {
    const out = Object.create(proto as object | null) as Record<string, unknown>
    for (const k of Object.keys(v as object)) setOwn(out, k, clone((v as Record<string, unknown>)[k]))
    return out
  }
  return v
}

type Mutation =
  | { readonly kind: "replace"; readonly value: unknown }
  | { readonly kind: "delete" }
  | { readonly kind: "add"; readonly key: string; readonly value: unknown }
  | { readonly kind: "append"; readonly copy: boolean; readonly value: unknown }
  | { readonly kind: "nudge"; readonly by: number }
  | { readonly kind: "null-prototype" }
  | { readonly kind: "empty" }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: hostile.map((value) => ({ kind: "replace", value }) as const) },
  { weight: 2, arbitrary: fc.constant({ kind: "delete" } as const) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...KEYS), hostile).map(([key, value]) => ({ kind: "add", key, value }) as const) },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), hostile).map(([copy, value]) => ({ kind: "append", copy, value }) as const) },
  { weight: 2, arbitrary: fc.constantFrom(-1, -0.5, -1e-9, 1e-9, 0.5, 1).map((by) => ({ kind: "nudge", by }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "null-prototype" } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty" } as const) }
)

/** `doc` (a clone) with `m` applied at `path`. */
const mutate = (doc: unknown, path: Path, m: Mutation): unknown => {
  const root = { doc: clone(doc) } as Record<string | number, unknown>
  const full: Path = ["doc", ...path]
  let parent: Record<string | number, unknown> = root
  for (const seg of full.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>
  const key = full[full.length - 1]!
  const here = parent[key]
  switch (m.kind) {
    case "replace":
      setOwn(parent, key, m.value)
      break
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key]
      break
    case "add":
      if (Array.isArray(here)) here.push(m.value)
      else if (typeof here === "object" && here !== null) setOwn(here, m.key, m.value)
      else setOwn(parent, key, { [m.key]: m.value })
      break
    case "append":
      if (Array.isArray(here)) here.push(m.copy && here.length > 0 ? clone(here[0]) : m.value)
      else setOwn(parent, key, [here])
      break
    case "nudge":
      setOwn(parent, key, typeof here === "number" ? here + m.by : typeof here === "string" ? `${here}${m.by < 0 ? "" : "x"}` : here)
      break
    case "null-prototype":
      if (typeof here === "object" && here !== null && !Array.isArray(here)) setOwn(parent, key, Object.assign(Object.create(null), here))
      break
    case "empty":
      setOwn(parent, key, Array.isArray(here) ? [] : typeof here === "object" && here !== null ? {} : typeof here === "string" ? "" : 0)
      break
  }
  return root["doc"]
}

const mutated = scenarioDoc.chain((doc) => {
  const paths = pathsOf(doc).filter((p) => p.length > 0)
  return fc.tuple(fc.constant(doc), fc.constantFrom(...paths), mutation, fc.option(fc.tuple(fc.constantFrom(...paths), mutation), { nil: undefined }))
})

/** Does the value hold an object that JSON.parse and the yaml library never build? */
const hasUnusualObject = (v: unknown): boolean => {
  if (Array.isArray(v)) return v.some(hasUnusualObject)
  if (typeof v !== "object" || v === null) return false
  if (Object.getPrototypeOf(v) !== Object.prototype) return true
  return Object.values(v).some(hasUnusualObject)
}

/**
 * Both accept with equal results, or the fast path declines and the schema rejects (or, for a
 * document with objects no parser builds, such as a null-prototype one, the fast path declines).
 */
const agree = (doc: unknown): "accepted" | "rejected" | "declined" => {
  const fast = fastDecode(doc)
  const slow = bySchema(doc)
  if (fast === undefined) {
    if (Result.isSuccess(slow)) {
      if (hasUnusualObject(doc)) return "declined"
      throw new Error(`the fast path declined a document the schema accepts: ${JSON.stringify(doc)}`)
    }
    return "rejected"
  }
  if (Result.isFailure(slow)) throw new Error(`the fast path accepted a document the schema rejects: ${JSON.stringify(doc)}`)
  expect(fast).toStrictEqual(slow.success)
  return "accepted"
}

describe("the fast validation path agrees with the schema", () => {
  it(`accepts every generated valid document, with the schema's value (${RUNS} cases, seed ${SEED})`, () => {
    fc.assert(
      fc.property(scenarioDoc, (doc) => {
        expect(agree(doc)).toBe("accepted")
      }),
      { numRuns: RUNS, seed: SEED }
    )
  })

  it(`agrees on mutated documents (${RUNS * 3} cases, seed ${SEED})`, () => {
    const seen = { accepted: 0, rejected: 0, declined: 0 }
    fc.assert(
      fc.property(mutated, ([doc, path, m, second]) => {
        let v = mutate(doc, path, m)
        if (second !== undefined) {
          // A second mutation where the first left the path in place.
          try {
            v = mutate(v, second[0], second[1])
          } catch {
            // the path went away with the first mutation
          }
        }
        seen[agree(v)]++
      }),
      { numRuns: RUNS * 3, seed: SEED }
    )
    if (process.env["DEVOSIM_FAST_VERBOSE"]) console.log(seen)
    // Both outcomes are exercised, so the property says something either way.
    expect(seen.accepted).toBeGreaterThan(RUNS / 10)
    expect(seen.rejected).toBeGreaterThan(RUNS)
  })

  it("declines what it does not know, for the schema to report", () => {
    const base = {
      version: 1,
      name: "n",
      start: "2010-04",
      months: 12,
      seed: 1,
      centre: { capacity: 1 },
      tranches: [{ id: "t", opens: 0 }],
      localities: [{ id: "A", name: "A", population: 1, tranche: "t", negotiation: { months: 1 } }]
    }
    expect(fastDecode(base)).toBe(base)
    for (const bad of [
      { ...base, extra: 1 },
      { ...base, centre: new Map([["capacity", 1]]) },
      { ...base, localities: [{ ...base.localities[0], negotiation: { months: 1n } }] },
      JSON.parse(`{"version":1,"__proto__":{}}`) as unknown,
      null,
      []
    ]) {
      expect(fastDecode(bad)).toBeUndefined()
      expect(Result.isFailure(bySchema(bad))).toBe(true)
    }
  })

  it("gives the loader the same errors as before (they come from the schema)", () => {
    const doc = {
      version: 1,
      name: "n",
      start: "2010-04",
      months: 12,
      seed: 1,
      centre: { capacity: 0 },
      tranches: [{ id: "t", opens: 0 }],
      localities: [{ id: "A", name: "A", population: 1, tranche: "t", negotiation: { months: 1 } }]
    }
    const out = compileScenarioText(JSON.stringify(doc, null, 2), "x.json")
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.error.message).toBe("x.json:8:17: centre.capacity: expected an integer >= 1, found 0")
  })
})

describe("JSON: a key repeated in a mapping is an error, as in YAML", () => {
  const doc = (extra: string) => `{"version":1,"name":"n","start":"2010-04","months":12,"seed":1,"centre":{"capacity":1},
"tranches":[{"id":"t","opens":0}],
"localities":[{"id":"A","name":"A","population":1,"tranche":"t","negotiation":{"months":1${extra}}}]}`

  it.each([
    ["a repeat", `, "months": 2`, `3:92`, `"months"`],
    ["a repeat written with an escape", `, "mo\\u006eths": 2`, `3:92`, `"mo\\u006eths"`]
  ])("%s: located, worded as YAML words it", (_name, extra, at, key) => {
    const text = doc(extra)
    const json = compileScenarioText(text, "x.json")
    expect(json.ok).toBe(false)
    if (!json.ok) expect(json.error.message).toBe(`x.json:${at}: expected each key at most once in a mapping, found the key ${key} again`)
    // JSON is YAML: the YAML path reports the same key at the same place.
    const yaml = compileScenarioText(text, "x.yaml")
    if (!json.ok && !yaml.ok) expect(yaml.error.message.replace("x.yaml", "x.json")).toBe(json.error.message)
  })

  it("the first repeat in the document, before any other problem", () => {
    const text = doc(`, "months": 2`).replace(`"centre":{"capacity":1}`, `"centre":{"capacity":0,"capacity":1}`)
    const out = compileScenarioText(text, "x.json")
    expect(!out.ok && out.error.message).toBe(`x.json:1:87: expected each key at most once in a mapping, found the key "capacity" again`)
    const top = compileScenarioText(`[{"a": 1, "b": {"a": 2}, "a": 3}]`, "x.json")
    expect(!top.ok && top.error.message).toBe(`x.json:1:26: expected each key at most once in a mapping, found the key "a" again`)
  })

  it(`no repeat, no error: the same key in other mappings, ':' and quotes inside strings (${RUNS} cases)`, () => {
    expect(compileScenarioText(doc(""), "x.json").ok).toBe(true)
    const tricky = doc("").replace(`"name":"A"`, `"name":"A: \\"x\\": {\\"months\\": 1}, \\\\"`)
    expect(compileScenarioText(tricky, "x.json").ok).toBe(true)
    fc.assert(
      fc.property(scenarioDoc, (d) => {
        const text = JSON.stringify(d, null, 1)
        const out = compileScenarioText(text, "x.json")
        if (!out.ok) expect(out.error.message).not.toMatch(/each key at most once/)
      }),
      { numRuns: RUNS, seed: SEED }
    )
  })
})
