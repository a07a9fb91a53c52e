/**
 * Hostile input, in process: valid scenario texts (YAML and JSON) mutated at random (truncation,
 * deleted and repeated lines, values of the wrong type, huge and non-finite numbers, -0, deep
 * nesting, alias bombs, ids with path separators and control characters, long strings, byte noise,
 * a BOM, CRLF line ends) go through `compileScenarioText` / `compileScenarioVariantsText` /
 * `compileScenarioBytes`. Each call must return, never throw, within 2 s (a hang detector, not a
 * benchmark) and either
 *   - succeed, with scenarios that keep the basic invariants (finite numbers, pence that are safe
 *     integers, printable ids within the limits) and variants whose as-run YAML compiles back to
 *     the same scenario; or
 *   - fail with a ScenarioError whose message is one printable line starting with the file name,
 *     with no stack trace.
 *
 * CI runs a fixed seed and 300 cases (a few seconds). For a longer hunt:
 *
 *   DEVOSIM_FUZZ_RUNS=100000 node_modules/.bin/vitest run packages/scenario/test/fuzz.test.ts
 *
 * (about 70 s per 10,000 cases of each property on a 2-core machine), DEVOSIM_FUZZ_SEED=<n> for
 * another seed (a failure prints its seed and path: rerun with both to reproduce it), and
 * DEVOSIM_FUZZ_HANG_MS=<ms> to hunt for slow inputs below the 2 s hang bound.
 */
import { isPrintableId, type Scenario } from "@devosim/core"
import fc from "fast-check"
import { parse as parseYaml, stringify as yamlStringify } from "yaml"
import { describe, expect, it } from "vitest"
import {
  compileScenarioBytes,
  compileScenarioText,
  compileScenarioVariantsBytes,
  compileScenarioVariantsText,
  MAX_ID_LENGTH,
  MAX_MONTHS,
  MAX_NAME_LENGTH,
  MAX_SCENARIO_NAME_LENGTH,
  MAX_TIME_MONTHS,
  ScenarioError
} from "../src/index.ts"
import { jsonLocator, yamlLocator, type Anchor } from "../src/source.ts"

const RUNS = Number(process.env["DEVOSIM_FUZZ_RUNS"] ?? 300)
const SEED = Number(process.env["DEVOSIM_FUZZ_SEED"] ?? 20101110)
const LONG = RUNS > 300
/** A single call taking longer than this is a hang (the slowest input within the limits takes about 1.2 s). */
const HANG_MS = Number(process.env["DEVOSIM_FUZZ_HANG_MS"] ?? 2000)

// ---------------------------------------------------------------------------------------------
// Valid base documents.

const FULL_YAML = `# A full scenario: powers, programmes, transfers, reviews, variants.
version: 1
name: Fuzz base
start: 2010-04
months: 48
seed: 2010
discount_rate_pct: 3.5
centre: { capacity: 2 }
tranches:
  - { id: forerunners, opens: 2010-11 }
  - { id: second, opens: 12 }
agencies:
  - { id: council, name: Councils, trend_pct: 2 }
  - { id: nhs, name: NHS }
  - { id: dwp, name: Work and pensions, trend_pct: -1 }
powers:
  - { id: care, name: Social care, agencies: [council], accountability: leader_cabinet }
  - { id: health, name: Community health, agencies: [nhs], accountability: elected_mayor }
deal:
  reduction_pct: 5
  horizon_months: 24
  gainshare_pct: 50
  powers: [care, health]
localities:
  - id: Greater Manchester
    name: Greater Manchester
    population: 2700000
    tranche: forerunners
    negotiation: &slow
      months: { triangular: [4, 6, 9] }
      fail_probability: 0.2
      cool_off_months: 2
      max_attempts: 3
    baseline: { council: 1.2bn, nhs: "£2bn", dwp: 350m }
    accountability: { model: leader_cabinet, elections: [2012-05, 2016-05], adopts: elected_mayor }
  - id: Ynys Môn
    name: Ynys Môn
    population: 70000
    tranche: second
    ready: 2011-01
    negotiation: *slow
    baseline: { council: 120m, nhs: 90m }
  - id: "🏴 Cymru"
    name: Wales
    population: 3100000
    tranche: second
    negotiation: { months: { lognormal: { median: 9, sigma: 0.3 } } }
    baseline: { council: 5bn }
programmes:
  - id: reablement
    locality: all
    payer: council
    starts: 2011-04
    duration_months: 24
    investment: { upfront: 2m, monthly: 150k }
    cohort: 5000
    effects:
      - beneficiary: nhs
        service: Emergency admissions
        unit_cost: { amount: 1500, per: event }
        baseline_demand: 0.8
        reduction_pct: 20
        lag_months: 6
        ramp_months: 12
        decay_pct_per_year: 25
        deadweight_pct: 10
        optimism_bias_pct: 15
transfers:
  - { id: nhs-funds-care, locality: Greater Manchester, from: nhs, to: council, amount: 5m, starts: 2011-04, months: 24 }
spending_reviews:
  - { id: sr2010, starts: 2011-04, months: 36, changes: { council: -10.9, nhs: 1.5 } }
variants:
  - name: all-at-once
    description: Every locality in the first tranche.
    tranches: { second: { opens: 2010-11 } }
  - name: capacity-4
    centre: { capacity: 4 }
    localities: { Ynys Môn: { tranche: forerunners, population: 71000 } }
  - name: lean
    deal: { reduction_pct: 10 }
    programmes: { reablement: { cohort: 2500 } }
`

const SMALL_YAML = `version: 1
name: Small
start: 2012-04
months: 12
seed: 7
centre:
  capacity: 1
tranches:
  - id: t1
    opens: 0
localities:
  - id: A
    name: Alpha
    population: 1
    tranche: t1
    negotiation:
      months: 3
  - id: B
    name: Beta
    population: 2
    tranche: t1
    negotiation: { months: { uniform: [1, 2] } }
`

const JSON_BASE = {
  version: 1,
  name: "JSON base",
  start: "2015-04",
  months: 36,
  seed: 42,
  centre: { capacity: 3 },
  tranches: [
    { id: "t1", opens: 0 },
    { id: "t2", opens: "2016-04" }
  ],
  agencies: [
    { id: "council", name: "Council" },
    { id: "nhs", name: "NHS", trend_pct: 3 }
  ],
  deal: { reduction_pct: 5, pooled_agencies: ["council"], horizon_months: 36 },
  localities: [
    {
      id: "Kent",
      name: "Kent",
      population: 1500000,
      tranche: "t1",
      negotiation: { months: { triangular: [3, 5, 8] }, max_attempts: 2 },
      baseline: { council: "£1.5bn", nhs: 900000000 }
    },
    { id: "Leeds", name: "Leeds", population: 800000, tranche: "t2", negotiation: { months: 6 }, baseline: { council: 400000000.5 } }
  ],
  programmes: [
    {
      id: "falls",
      locality: "Kent",
      payer: "council",
      starts: 6,
      duration_months: 12,
      cohort: 1000,
      effects: [
        {
          beneficiary: "nhs",
          service: "Falls",
          unit_cost: { amount: "£2,500", per: "event" },
          baseline_demand: 0.1,
          reduction_pct: 30,
          lag_months: 3,
          ramp_months: 6
        }
      ]
    }
  ],
  transfers: [{ id: "x", locality: "Leeds", from: "nhs", to: "council", amount: 1000000, starts: 0, months: 12 }],
  variants: [
    { name: "faster", tranches: { t2: { opens: 0 } } },
    { name: "bigger", localities: { Leeds: { population: 900000 } }, centre: { capacity: 1 } }
  ]
}

interface Base {
  readonly file: string
  readonly text: string
}

const BASES: ReadonlyArray<Base> = [
  { file: "full.yaml", text: FULL_YAML },
  { file: "small.yaml", text: SMALL_YAML },
  { file: "base.json", text: JSON.stringify(JSON_BASE, null, 2) }
]

// ---------------------------------------------------------------------------------------------
// Mutations.

const nested = (depth: number): string => "[".repeat(depth) + "]".repeat(depth)

/** A mapping of 20,000 keys: the yaml library's own duplicate-key check took 7 s on it (quadratic). */
const WIDE_YAML = `{${Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join(", ")}}`
const WIDE_JSON = `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}": ${i}`).join(", ")}}`
/** A list of 200,000 numbers. */
const LONG_LIST = `[${"0,".repeat(199_999)}0]`

/** The billion laughs: nine levels of nine aliases each (9^9 strings if expanded). */
const BOMB = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
  .concat(Array.from({ length: 8 }, (_, i) => {
    const name = String.fromCharCode(98 + i)
    const prev = String.fromCharCode(97 + i)
    return `${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`
  }))
  .join("\n")

/** Values as YAML text, for a value on a line of a YAML file. */
const YAML_TOKENS: ReadonlyArray<string> = [
  "null", "~", "[]", "{}", "[1, 2, 3]", "{ a: 1 }", "{ uniform: [5, 3] }", "{ lognormal: { median: 1, sigma: 800 } }",
  ".nan", ".NaN", ".inf", "-.inf", "1e308", "-1e308", "1e999", "9007199254740993", "9007199254740992", "-0", "-0.0", "0x1F", "0o17",
  "1200", "1201", "120001", "2147483648", "123456789012345678901234567890", "0.1e-400", "true", "no", "2010-13", "1899-12", "2200-12",
  '"\\0"', '"a\\eb"', '"\\u001b[31mred"', '"line\\nbreak"', '"tab\\there"', '"\\u2028"', '"\\x85"', '"\\ud800"',
  '"../../etc/x"', '"/tmp/x"', '"a\\\\b"', '"C:\\\\x"', "all", "__proto__", "constructor", "toString",
  "*nowhere", "&anchor 1", "!!binary aGk=", "!custom x", "!!str 5", "!!int 5", "!!float x", '"unterminated', "'single",
  "[unclosed", "{ a: 1, a: 2 }", "|\n  block\n  text", ">-\n  folded", "? complex\n: key",
  nested(63), nested(65), nested(1000), "[".repeat(5000), "a".repeat(20_000), "é".repeat(201), "🏴".repeat(201), "x".repeat(201),
  "£100000000bn", "£7.5bn", "1,200", "90071992547409.92", "90071992547409.91", WIDE_YAML, LONG_LIST
]

/** Values as JSON text. */
const JSON_TOKENS: ReadonlyArray<string> = [
  "null", "[]", "{}", "[1,2,3]", '{"a":1}', '{"uniform":[5,3]}', "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e999", "-1e999",
  "9007199254740993", "9007199254740992", "-0", "-0.0", "1201", "120001", "0.1e-400", "true", '"2010-13"', '"\\u0000"', '"a\\u001bb"',
  '"\\ud800"', '"../../etc/x"', '"/tmp/x"', '"a\\\\b"', '"all"', '"__proto__"', "[unclosed", '{"a":1,"a":2}', "01", ".5", "+1", "'x'",
  nested(63), nested(65), nested(1000), "[".repeat(100_000), JSON.stringify("a".repeat(20_000)), JSON.stringify("🏴".repeat(201)),
  '"£100000000bn"', "90071992547409.92", WIDE_JSON, LONG_LIST
]

type Mutation =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "deleteLine"; readonly line: number }
  | { readonly kind: "duplicateLine"; readonly line: number }
  | { readonly kind: "swapLines"; readonly a: number; readonly b: number }
  | { readonly kind: "replaceValue"; readonly line: number; readonly token: number }
  | { readonly kind: "replaceNumber"; readonly which: number; readonly token: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "bomb"; readonly use: boolean }
  | { readonly kind: "bom" }
  | { readonly kind: "crlf" }
  | { readonly kind: "tabs" }

const arbNoise = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("\u0000", "\u001b[2J", "\r", "\n", "\t", "\ufeff", "\u2028", "\ud800", "#", ":", "- ", "&a", "*a", "{", "[", "]", '"', "'", "\\"),
  fc.constantFrom("[".repeat(70), "[".repeat(100_000), "{".repeat(3000), "- ".repeat(2000), "#" + "x".repeat(50_000))
)

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("deleteLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("duplicateLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  { arbitrary: fc.record({ kind: fc.constant("replaceValue" as const), line: fc.nat(), token: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("replaceNumber" as const), which: fc.nat(), token: fc.nat() }), weight: 2 },
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: arbNoise }),
  fc.record({ kind: fc.constant("bomb" as const), use: fc.boolean() }),
  fc.constant({ kind: "bom" as const }),
  fc.constant({ kind: "crlf" as const }),
  fc.constant({ kind: "tabs" as const })
)

const applyMutation = (text: string, m: Mutation, json: boolean): string => {
  const lines = text.split("\n")
  const pick = (n: number) => n % Math.max(lines.length, 1)
  switch (m.kind) {
    case "truncate":
      return text.slice(0, m.at % (text.length + 1))
    case "deleteLine":
      lines.splice(pick(m.line), 1)
      return lines.join("\n")
    case "duplicateLine": {
      const i = pick(m.line)
      lines.splice(i, 0, lines[i] ?? "")
      return lines.join("\n")
    }
    case "swapLines": {
      const a = pick(m.a)
      const b = pick(m.b)
      ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
      return lines.join("\n")
    }
    case "replaceValue": {
      // The value after the first ": " on the line (a YAML `key: value`, a JSON `"key": value`).
      const i = pick(m.line)
      const line = lines[i]!
      const colon = line.indexOf(": ")
      if (colon < 0) return text
      const tokens = json ? JSON_TOKENS : YAML_TOKENS
      const token = tokens[m.token % tokens.length]!
      const rest = line.slice(colon + 2)
      // In JSON keep what closes the value on this line (`,`, `}`); in YAML replace to the end.
      const tail = json ? (/[,}\]]+\s*$/.exec(rest)?.[0] ?? "") : ""
      lines[i] = `${line.slice(0, colon + 2)}${token}${tail}`
      return lines.join("\n")
    }
    case "replaceNumber": {
      const numbers = [...text.matchAll(/-?\b\d+(?:\.\d+)?\b/g)]
      if (numbers.length === 0) return text
      const hit = numbers[m.which % numbers.length]!
      const tokens = json ? JSON_TOKENS : YAML_TOKENS
      return text.slice(0, hit.index) + tokens[m.token % tokens.length]! + text.slice(hit.index + hit[0].length)
    }
    case "insert": {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + m.text + text.slice(at)
    }
    case "bomb":
      if (json) return text
      // As top-level keys before the document, or also used as a value the schema reads.
      return `${BOMB}\n${m.use ? text.replace(/^name: .*$/m, "name: *i") : text}`
    case "bom":
      return `\ufeff${text}`
    case "crlf":
      return text.replace(/\r?\n/g, "\r\n")
    case "tabs":
      return text.replace(/^( {2})+/gm, (s) => "\t".repeat(s.length / 2))
  }
}

// ---------------------------------------------------------------------------------------------
// The property.

const isSafePence = (x: number): boolean => Number.isSafeInteger(x) && x >= 0

const codePoints = (s: string): number => Array.from(s).length

/** No control characters and no lone surrogates (`encodeURIComponent` throws on those). */
const isPrintableName = (s: string): boolean => {
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(s)) return false
  try {
    encodeURIComponent(s)
    return true
  } catch {
    return false
  }
}

const printableId = (id: string, max: number): boolean => isPrintableId(id) && !id.includes("/") && !id.includes("\\") && codePoints(id) <= max

/** Every number anywhere in the scenario is finite. */
const allFinite = (v: unknown): boolean => {
  if (typeof v === "number") return Number.isFinite(v)
  if (Array.isArray(v)) return v.every(allFinite)
  if (typeof v === "object" && v !== null) return Object.values(v).every(allFinite)
  return true
}

/** The invariants of a compiled scenario; returns what is wrong, or undefined. */
const scenarioProblem = (s: Scenario): string | undefined => {
  if (!allFinite(s)) return "a number that is not finite"
  if (!Number.isInteger(s.months) || s.months < 1 || s.months > MAX_MONTHS) return `months ${s.months}`
  if (!Number.isSafeInteger(s.seed) || !Number.isSafeInteger(s.centre.capacity) || s.centre.capacity < 1) return "seed or capacity"
  if (!isPrintableName(s.name) || codePoints(s.name) > MAX_SCENARIO_NAME_LENGTH) return `scenario name ${JSON.stringify(s.name)}`
  for (const x of [...s.tranches, ...s.agencies, ...s.localities, ...s.powers, ...s.transfers, ...s.spendingReviews]) {
    if (!printableId(x.id, MAX_ID_LENGTH)) return `id ${JSON.stringify(x.id)}`
  }
  for (const x of [...s.agencies, ...s.localities, ...s.powers]) {
    if (!isPrintableName(x.name) || codePoints(x.name) > MAX_NAME_LENGTH) return `name ${JSON.stringify(x.name)}`
  }
  for (const t of s.tranches) if (t.opens < 0 || t.opens > MAX_TIME_MONTHS) return `tranche opens ${t.opens}`
  for (const l of s.localities) {
    if (!l.baseline.every(isSafePence)) return `baseline of ${l.id}`
    if (l.ready < 0 || l.ready > MAX_TIME_MONTHS || l.population < 0) return `locality ${l.id}`
  }
  for (const p of s.programmes) {
    if (!printableId(p.id, 2 * MAX_ID_LENGTH + 1)) return `programme id ${JSON.stringify(p.id)}`
    if (!isSafePence(p.upfrontPence) || !isSafePence(p.monthlyPence)) return `programme ${p.id} pence`
    for (const e of p.effects) {
      if (!isSafePence(e.unitCostPence) || e.unitCostPence <= 0) return `unit cost of ${p.id}`
      if (!isPrintableName(e.service) || e.service === "") return `service ${JSON.stringify(e.service)}`
    }
  }
  for (const t of s.transfers) if (!isSafePence(t.annualPence) || t.annualPence <= 0) return `transfer ${t.id} pence`
  return undefined
}

/** What is wrong with an error message, or undefined: one printable line, the file first, no stack. */
const messageProblem = (message: unknown, file: string): string | undefined => {
  if (typeof message !== "string") return "not a string"
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(message)) return "a control character or line break"
  if (!message.startsWith(`${file}:`)) return "does not start with the file name"
  if (message.includes("    at ")) return "a stack trace"
  if (message.length > 2000) return `${message.length} characters long`
  return undefined
}

type Call = "text" | "variants" | "bytes" | "variantsBytes" | "variant"

const run = (call: Call, text: string, file: string, noise: Uint8Array | null, at: number) => {
  const bytes = () => {
    const b = Buffer.from(text, "utf8")
    if (noise === null) return b
    const i = at % (b.length + 1)
    return Buffer.concat([b.subarray(0, i), noise, b.subarray(i)])
  }
  switch (call) {
    case "text":
      return compileScenarioText(text, file)
    case "variant":
      return compileScenarioText(text, file, { variant: "capacity-4", seed: 99 })
    case "variants":
      return compileScenarioVariantsText(text, file)
    case "bytes":
      return compileScenarioBytes(bytes(), file)
    case "variantsBytes":
      return compileScenarioVariantsBytes(bytes(), file)
  }
}

/** Compiles one input and checks the outcome; returns what is wrong, or undefined. */
const check = (call: Call, text: string, file: string, noise: Uint8Array | null = null, at = 0): string | undefined => {
  const t0 = performance.now()
  let outcome: ReturnType<typeof run>
  let asRun: ReadonlyArray<{ readonly text: string; readonly scenario: Scenario }> = []
  try {
    outcome = run(call, text, file, noise, at)
    // Rendering a variant's as-run text is part of the work (and must not throw either).
    if (outcome.ok) asRun = (Array.isArray(outcome.value) ? outcome.value : [outcome.value]).map((v: { asRunText: string; scenario: Scenario }) => ({ text: v.asRunText, scenario: v.scenario }))
  } catch (e) {
    return `threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`
  }
  const ms = performance.now() - t0
  if (ms > HANG_MS) return `took ${ms.toFixed(0)} ms`
  if (!outcome.ok) {
    if (!(outcome.error instanceof ScenarioError)) return "failed without a ScenarioError"
    const wrong = messageProblem(outcome.error.message, file)
    return wrong === undefined ? undefined : `error message ${wrong}: ${JSON.stringify(outcome.error.message.slice(0, 300))}`
  }
  for (const { text: asRunText, scenario } of asRun) {
    const wrong = scenarioProblem(scenario)
    if (wrong !== undefined) return `compiled, but ${wrong}`
    if (typeof asRunText !== "string") return "as-run text is not a string"
  }
  // A variant's as-run text is a standalone scenario that compiles to the same scenario.
  if (call === "variants" && asRun.length > 1) {
    for (const { text: asRunText, scenario } of asRun.slice(1)) {
      const again = compileScenarioText(asRunText, "as-run.yaml")
      if (!again.ok) return `a variant's as-run text does not compile: ${again.error.message}`
      if (JSON.stringify(again.value.scenario) !== JSON.stringify(scenario)) return "a variant's as-run text compiles to another scenario"
    }
  }
  return undefined
}

const arbCall: fc.Arbitrary<Call> = fc.constantFrom<Call>("text", "variants", "variants", "bytes", "variantsBytes", "variant")

describe("hostile scenario text: no throw, no hang, one-line errors", () => {
  it("the base documents compile, with all their variants", () => {
    for (const b of BASES) {
      const r = compileScenarioVariantsText(b.text, b.file)
      if (!r.ok) throw new Error(r.error.message)
      expect(r.value.length).toBeGreaterThan(b.file === "small.yaml" ? 0 : 1)
      for (const call of ["text", "variants", "bytes", "variantsBytes"] as const) expect(check(call, b.text, b.file)).toBeUndefined()
    }
  })

  it(
    `mutated texts (${RUNS} cases, seed ${SEED})`,
    () => {
      fc.assert(
        fc.property(
          fc.nat({ max: BASES.length - 1 }),
          fc.array(arbMutation, { minLength: 1, maxLength: 4 }),
          arbCall,
          fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }), { freq: 4 }),
          fc.nat(),
          (b, mutations, call, noise, at) => {
            const base = BASES[b]!
            const json = base.file.endsWith(".json")
            const text = mutations.reduce((t, m) => applyMutation(t, m, json), base.text)
            const wrong = check(call, text, base.file, noise, at)
            if (wrong !== undefined) throw new Error(`${call} ${base.file}: ${wrong}\n--- input (first 2,000 characters) ---\n${text.slice(0, 2000)}`)
          }
        ),
        { seed: SEED, numRuns: RUNS, ...(LONG ? {} : { endOnFailure: true }) }
      )
    },
    LONG ? 7 * 24 * 3600_000 : 60_000
  )

  // Structure-aware: one value anywhere in a valid document replaced by a hostile one, written
  // back as JSON or YAML, so the schema and the compiler (not just the parser) see it.
  const hostileValue = fc.oneof(
    fc.constantFrom<unknown>(
      null, true, 0, -0, 1, -1, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, NaN, Infinity,
      -Infinity, 1200, 1201, 120_000, 120_001, 100, 101, "", " ", "all", "2010-04", "1899-01", "£7.5bn", "£100000000bn", "90071992547409.92",
      "../../etc/x", "/tmp/x", "a\\b", "\u0000", "a\u001bb", "\u202e", "\ud800", "\r", "t1", "council", "nhs", "Kent", "reablement",
      "leader_cabinet", "elected_mayor", "__proto__", [], {}, [1, 2, 3], { uniform: [1, 2] }, { triangular: [3, 2, 1] },
      { lognormal: { median: 1, sigma: 11 } }, { __proto__: null, x: 1 }, "x".repeat(201), "🏴".repeat(200), "🏴".repeat(201),
      "a".repeat(10_001), Array(1001).fill("council"), Array(101).fill({}), "line\u2028separator", "a\rversion: 2"
    ),
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.double(),
    fc.integer(),
    fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)), { maxKeys: 4 })
  )

  /** Every path to a value in `v` (lists and mappings included). */
  const pathsOf = (v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []) => {
    out.push(at)
    if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out))
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out)
    return out
  }

  // Plain values (the YAML one with its aliases expanded, through JSON).
  const STRUCTURED: ReadonlyArray<unknown> = [JSON_BASE, JSON.parse(JSON.stringify(parseYaml(FULL_YAML)))]

  it(
    `one hostile value anywhere (${RUNS} cases, seed ${SEED})`,
    () => {
      fc.assert(
        fc.property(
          fc.nat({ max: 1 }),
          fc.nat(),
          hostileValue,
          fc.constantFrom("replace", "delete", "addKey"),
          fc.boolean(),
          fc.constantFrom<Call>("text", "variants"),
          (d, which, value, how, asJson, call) => {
            const copy = structuredClone(STRUCTURED[d]) as Record<string, unknown>
            const paths = pathsOf(copy)
            const path = paths[which % paths.length]!
            if (path.length === 0) return
            const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>
            const key = path[path.length - 1]!
            if (how === "replace") parent[key] = value
            else if (how === "delete") {
              if (Array.isArray(parent)) parent.splice(key as number, 1)
              else delete parent[key]
            } else if (!Array.isArray(parent)) Object.defineProperty(parent, typeof value === "string" ? value : "extra", { value, enumerable: true, writable: true, configurable: true })
            const file = asJson ? "s.json" : "s.yaml"
            let text: string
            try {
              text = asJson ? JSON.stringify(copy) : yamlStringify(copy)
            } catch {
              return // not serialisable (a lone surrogate in YAML output, …): nothing to test
            }
            const wrong = check(call, text, file)
            if (wrong !== undefined) throw new Error(`${call} ${file} ${how} ${JSON.stringify(path)}: ${wrong}\n--- input (first 2,000 characters) ---\n${text.slice(0, 2000)}`)
          }
        ),
        { seed: SEED + 1, numRuns: RUNS }
      )
    },
    LONG ? 7 * 24 * 3600_000 : 60_000
  )

  it(`JSON positions from the text scan agree with the yaml parser's (${Math.min(RUNS, 300)} cases)`, () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRUCTURED), fc.nat(), fc.constantFrom<Anchor>("value", "key", "missing"), fc.boolean(), (doc, which, anchor, pretty) => {
        const text = pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)
        const paths = pathsOf(doc)
        const path = [...paths[which % paths.length]!]
        if (anchor === "missing") path.push("no_such_key")
        const fast = jsonLocator(text).locate(path, anchor)
        const slow = yamlLocator(text).locate(path, anchor)
        expect(fast).toBeDefined()
        expect({ line: fast!.line, column: fast!.column }).toEqual({ line: slow!.line, column: slow!.column })
      }),
      { seed: SEED + 2, numRuns: Math.min(RUNS, 300) }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Each limit, one clear error (the README's table): the file, line:column where there is one,
// the path, the limit.

describe("each limit gets one clear error", () => {
  const y = (s: string) => SMALL_YAML + s
  const loc = (i: number) => `  - { id: L${i}, name: L, population: 1, tranche: t1, negotiation: { months: 1 } }\n`
  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    ["bytes", "x.yaml", "", /^x\.yaml: expected a scenario file of at most 100 bytes, found a file of 101 bytes$/],
    ["YAML tokens", "x.yaml", y(`x: [${"0, ".repeat(200_000)}0]\n`), /^x\.yaml:\d+:\d+: expected a YAML file of at most 500,000 tokens \(write larger scenarios as JSON\), found more tokens/],
    ["aliases", "x.yaml", `${BOMB}\n${SMALL_YAML}`, /^x\.yaml:1:1: expected at most 1,000 alias expansions, found a document that expands aliases too often/],
    ["nesting, YAML", "x.yaml", y(`x: ${nested(100)}\n`), /^x\.yaml:23:\d+: expected at most 64 levels of nested lists and mappings, found lists or mappings nested deeper$/],
    ["nesting, JSON", "x.json", `{"version": 1, "x": ${nested(70)}}`, /^x\.json:1:84: expected at most 64 levels of nested lists and mappings/],
    ["nesting, exactly 65", "x.yaml", y(`x: ${nested(64)}\n`), /^x\.yaml:23:\d+: x(\[0\]){63}: expected at most 64 levels of nested lists and mappings, found a list nested 65 levels deep$/],
    ["string length", "x.yaml", SMALL_YAML.replace("name: Alpha", `name: ${"a".repeat(10_001)}`), /^x\.yaml:13:11: localities\[0\]\.name: expected text of at most 10,000 characters, found text of 10,001 characters$/],
    ["key length", "x.json", JSON.stringify({ ...JSON_BASE, ["k".repeat(10_001)]: 1 }), /^x\.json:1:\d+: \["k{58}…\]: expected a key of at most 10,000 characters, found a key of 10,001 characters$/],
    ["id length", "x.yaml", SMALL_YAML.replace("id: A", `id: ${"🏴".repeat(201)}`), /^x\.yaml:12:9: localities\[0\]\.id: expected an id of at most 200 characters, found "(🏴)+…$/u],
    ["name length", "x.yaml", SMALL_YAML.replace("name: Alpha", `name: ${"é".repeat(201)}`), /^x\.yaml:13:11: localities\[0\]\.name: expected a name \(printable text of 0\.\.200 characters\), found/],
    ["scenario name length", "x.yaml", SMALL_YAML.replace("name: Small", `name: ${"s".repeat(1001)}`), /^x\.yaml:2:7: name: expected a non-empty name \(printable text of 1\.\.1000 characters\)/],
    ["name with a control character", "x.yaml", SMALL_YAML.replace("name: Alpha", 'name: "Al\\tpha"'), /localities\[0\]\.name: expected a name without control characters \(tabs, line breaks, escapes\), found "Al\\tpha"$/],
    ["agencies", "x.yaml", y(`agencies:\n${Array.from({ length: 1001 }, (_, i) => `  - { id: a${i}, name: A }\n`).join("")}`), /^x\.yaml:24:3: agencies: expected at most 1,000 agencies, found a list of 1,001 agencies$/],
    ["tranches", "x.yaml", SMALL_YAML.replace("tranches:\n", `tranches:\n${Array.from({ length: 1000 }, (_, i) => `  - { id: x${i}, opens: 0 }\n`).join("")}`), /^x\.yaml:9:3: tranches: expected at most 1,000 tranches, found a list of 1,001 tranches$/],
    ["variants", "x.yaml", y(`variants:\n${Array.from({ length: 101 }, (_, i) => `  - { name: v${i} }\n`).join("")}`), /^x\.yaml:24:3: variants: expected at most 100 variants, found a list of 101 variants$/],
    ["effects", "x.json", JSON.stringify({ ...JSON_BASE, programmes: [{ ...JSON_BASE.programmes[0], effects: Array(101).fill(JSON_BASE.programmes[0]!.effects[0]) }] }), /^x\.json:1:\d+: programmes\[0\]\.effects: expected at most 100 effects, found a list of 101 effects$/],
    ["elections", "x.yaml", SMALL_YAML.replace("    negotiation:\n      months: 3", `    negotiation: { months: 3 }\n    accountability: { model: leader_cabinet, elections: [${Array.from({ length: 1001 }, (_, i) => i).join(", ")}] }`), /localities\[0\]\.accountability\.elections: expected at most 1,000 elections, found a list of 1,001 elections$/],
    ["variant override of too many localities", "x.yaml", y(`variants:\n  - name: v\n    localities: {${Array.from({ length: 1001 }, (_, i) => `a${i}: {}`).join(", ")}}\n    agencies: {${Array.from({ length: 1001 }, (_, i) => `a${i}: {}`).join(", ")}}\n`), /variants\[0\]\.agencies: expected at most 1,000 agencies, found a mapping of 1,001 agencies$/],
    ["months", "x.yaml", SMALL_YAML.replace("months: 12", "months: 1201"), /^x\.yaml:4:9: months: expected an integer number of months in 1\.\.1200, found 1201$/],
    ["a time beyond 120,000 months", "x.yaml", SMALL_YAML.replace("months: 3", "months: 120001"), /localities\[0\]\.negotiation\.months: expected a number of months >= 0 \(at most 120,000\), found 120001$/],
    ["lognormal sigma", "x.yaml", SMALL_YAML.replace("months: 3", "months: { lognormal: { median: 3, sigma: 11 } }"), /negotiation\.months\.lognormal\.sigma: expected a sigma in 0\.\.10, found 11$/],
    ["attempts", "x.yaml", SMALL_YAML.replace("months: 3", "months: 3\n      max_attempts: 101"), /negotiation\.max_attempts: expected an integer in 1\.\.100, found 101$/],
    ["a huge number", "x.yaml", SMALL_YAML.replace("population: 1", "population: 1e308"), /^x\.yaml:14:17: localities\[0\]\.population: expected a number no larger than 2\^53 - 1 \(9007199254740991\) in magnitude, found 1e\+308$/],
    ["2^53 + 1 where an integer is expected", "x.yaml", SMALL_YAML.replace("capacity: 1", "capacity: 9007199254740993"), /centre\.capacity: expected a number no larger than 2\^53 - 1 .* found 9007199254740992$/],
    ["NaN", "x.yaml", SMALL_YAML.replace("population: 1", "population: .nan"), /localities\[0\]\.population: expected a population >= 0, found NaN$/],
    ["Infinity in JSON (1e999)", "x.json", JSON.stringify(JSON_BASE).replace('"population":1500000', '"population":1e999'), /localities\[0\]\.population: expected a population >= 0, found Infinity$/],
    ["money beyond 2^53 pence", "x.json", JSON.stringify(JSON_BASE).replace('"£1.5bn"', "90071992547409.92"), /localities\[0\]\.baseline\.council: expected an amount of pounds .*, at most 2\^53 pence \(about £90 trillion\), found 90071992547409\.92$/],
    ["id with a path separator", "x.yaml", SMALL_YAML.replace("id: A", 'id: "../../etc/x"'), /localities\[0\]\.id: expected an id without "\/" or "\\" \(ids may become file path segments\), found "\.\.\/\.\.\/etc\/x"$/],
    ["id with a control character", "x.yaml", SMALL_YAML.replace("id: t1", 'id: "t\\e"'), /tranches\[0\]\.id: expected a non-empty printable id, found "t\\u001b"$/],
    ["variant name with a path separator", "x.yaml", y("variants:\n  - { name: a/b }\n"), /variants\[0\]\.name: expected a non-empty printable variant name without "\/" or "\\", found "a\/b"$/],
    ["localities × agencies", "x.json", JSON.stringify({ ...JSON_BASE, agencies: Array.from({ length: 1000 }, (_, i) => ({ id: `a${i}`, name: "A" })), localities: Array.from({ length: 10_001 }, (_, i) => ({ id: `L${i}`, name: "L", population: 1, tranche: "t1", negotiation: { months: 1 } })), programmes: [], transfers: [], deal: { reduction_pct: 0, horizon_months: 12 }, variants: [] }), /^x\.json:1:\d+: agencies: expected at most 10,000,000 locality × agency lines, found 10,001 localities × 1,000 agencies$/],
    ["programmes for all", "x.json", JSON.stringify({ ...JSON_BASE, localities: Array.from({ length: 101 }, (_, i) => ({ id: `L${i}`, name: "L", population: 1, tranche: "t1", negotiation: { months: 1 } })), transfers: [], variants: [], programmes: Array.from({ length: 9_901 }, (_, i) => ({ ...JSON_BASE.programmes[0], id: `p${i}`, locality: "all" })) }), /^x\.json:1:\d+: programmes\[9900\]\.locality: expected at most 1,000,000 programmes once "all" is one per locality, found 1,000,001 by this one$/],
    ["ordinary sizes still fine", "x.yaml", y(`agencies:\n${Array.from({ length: 1000 }, (_, i) => `  - { id: a${i}, name: A }\n`).join("")}`), /^ok$/]
  ]
  for (const [what, file, text, message] of cases) {
    it(what, () => {
      const options = what === "bytes" ? { maxBytes: 100 } : {}
      const input = what === "bytes" ? "#".repeat(101) : text
      const r = compileScenarioVariantsText(input, file, options)
      expect(r.ok ? "ok" : r.error.message).toMatch(message)
    })
  }
  it("localities: 400,000 are allowed, one more is not (checked before the schema decodes them)", () => {
    const many = `{"version": 1, "localities": [${"{},".repeat(400_000)}{}]}`
    const r = compileScenarioText(many, "x.json")
    expect(r.ok ? "ok" : r.error.message).toMatch(/^x\.json:1:30: localities: expected at most 400,000 localities, found a list of 400,001 localities$/)
  })
})
