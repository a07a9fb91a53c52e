import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Result } from "effect"
import { parse as parseYaml } from "yaml"
import { afterAll, describe, expect, it } from "vitest"
import {
  amountToPence,
  compileScenarioText,
  formatScenarioError,
  loadScenario,
  MAX_SCENARIO_BYTES,
  scenarioJsonSchema,
  type ScenarioError
} from "../src/index.ts"

const YAML_OK = `# Two tranches, two agencies.
version: 1
name: West Midlands
start: 2010-04
months: 36
seed: 42   # the seed
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
  - { id: t2, opens: 2010-11 }
agencies:
  - { id: council, name: City council, trend_pct: 2.5 }
  - { id: nhs, name: NHS }
localities:
  - id: Birmingham
    name: Birmingham
    population: 1000000
    tranche: t1
    negotiation: { months: { triangular: [6, 9, 12] }, fail_probability: 0.25, cool_off_months: 2, max_attempts: 4 }
    baseline: { council: "£7.5bn", nhs: 120m }
  - id: Ynys Môn
    name: Ynys Môn
    population: 70000
    tranche: t2
    ready: 2010-06
    negotiation: { months: 9 }
deal: { reduction_pct: 10, pooled_agencies: [nhs, council], horizon_months: 36 }
`

const compileOk = (text: string, file: string, seed?: number) => {
  const r = compileScenarioText(text, file, seed === undefined ? {} : { seed })
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`)
  return r.value
}

const compileErr = (text: string, file: string): ScenarioError => {
  const r = compileScenarioText(text, file)
  if (r.ok) throw new Error("expected an error")
  return r.error
}

describe("valid scenarios compile", () => {
  it("YAML: months, money, references, defaults", () => {
    const { scenario, asRunText, inputSha256 } = compileOk(YAML_OK, "wm.yaml")
    expect(scenario.name).toBe("West Midlands")
    expect(scenario.start).toEqual({ year: 2010, month: 4 })
    expect(scenario.months).toBe(36)
    expect(scenario.seed).toBe(42)
    expect(scenario.centre).toEqual({ capacity: 2 })
    expect(scenario.tranches).toEqual([
      { id: "t1", opens: 0 },
      { id: "t2", opens: 7 } // 2010-11 is 7 months after 2010-04
    ])
    expect(scenario.agencies).toEqual([
      { id: "council", name: "City council", trendBasisPoints: 250 },
      { id: "nhs", name: "NHS", trendBasisPoints: 0 }
    ])
    const [brum, mon] = scenario.localities
    expect(brum).toEqual({
      id: "Birmingham",
      name: "Birmingham",
      population: 1000000,
      tranche: 0,
      ready: 0,
      negotiation: {
        duration: { kind: "triangular", min: 6, mode: 9, max: 12 },
        failProbability: 0.25,
        coolOffMonths: 2,
        maxAttempts: 4
      },
      baseline: [750000000000, 12000000000], // £7.5bn and £120m in pence
      accountability: { level: 0, elections: [], adopts: -1 }
    })
    expect(mon).toEqual({
      id: "Ynys Môn",
      name: "Ynys Môn",
      population: 70000,
      tranche: 1,
      ready: 2,
      negotiation: { duration: { kind: "fixed", value: 9 }, failProbability: 0, coolOffMonths: 3, maxAttempts: 3 },
      baseline: [0, 0],
      accountability: { level: 0, elections: [], adopts: -1 }
    })
    expect(scenario.deal).toEqual({ reductionBasisPoints: 1000, pooledAgencies: [1, 0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] })
    expect(scenario.powers).toEqual([])
    expect(scenario.programmes).toEqual([])
    expect(scenario.transfers).toEqual([])
    expect(scenario.spendingReviews).toEqual([])
    expect(scenario.discountRateBasisPoints).toBe(350)
    expect(asRunText).toBe(YAML_OK)
    expect(inputSha256).toBe(createHash("sha256").update(YAML_OK, "utf8").digest("hex"))
  })

  it("JSON: the same scenario, with every duration kind", () => {
    const json = JSON.stringify({
      version: 1,
      name: "json",
      start: "2010-04",
      months: 12,
      seed: 1,
      centre: { capacity: 1 },
      tranches: [{ id: "t1", opens: "2010-04" }, { id: "t2", opens: 2.5 }],
      agencies: [{ id: "police", name: "Police", trend_pct: -1.25 }],
      localities: [
        { id: "🏴 Cymru", name: "Cymru", population: 3, tranche: "t2", negotiation: { months: { uniform: [1, 2] } }, baseline: { police: "£1,200,000" } },
        { id: "Ａ-shire", name: "A", population: 0, tranche: "t1", ready: 0.5, negotiation: { months: { lognormal: { median: 4, sigma: 0.5 } } }, baseline: { police: 350.255 } }
      ]
    })
    const { scenario, asRunText } = compileOk(json, "s.json")
    expect(scenario.tranches).toEqual([{ id: "t1", opens: 0 }, { id: "t2", opens: 2.5 }])
    expect(scenario.agencies[0]!.trendBasisPoints).toBe(-125)
    expect(scenario.localities.map((l) => l.negotiation.duration)).toEqual([
      { kind: "uniform", min: 1, max: 2 },
      { kind: "lognormal", median: 4, sigma: 0.5 }
    ])
    expect(scenario.localities.map((l) => l.baseline)).toEqual([[120000000], [35026]])
    expect(scenario.localities.map((l) => [l.tranche, l.ready])).toEqual([[1, 0], [0, 0.5]])
    expect(scenario.deal).toEqual({ reductionBasisPoints: 0, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] })
    expect(asRunText).toBe(json)
  })

  it("amounts are exact in pence", () => {
    expect(amountToPence("£7.5bn")).toBe(750000000000)
    expect(amountToPence("1.1bn")).toBe(110000000000)
    expect(amountToPence("120M")).toBe(12000000000)
    expect(amountToPence("350k")).toBe(35000000)
    expect(amountToPence("£1,200,000")).toBe(120000000)
    expect(amountToPence("0.005")).toBe(1) // half a penny rounds up
    expect(amountToPence(12.34)).toBe(1234)
    expect(amountToPence("£100000000bn")).toBeUndefined() // beyond 2^53 pence
  })

  it("a seed override replaces only the seed in YAML, keeping comments", () => {
    const { scenario, asRunText } = compileOk(YAML_OK, "wm.yaml", 7)
    expect(scenario.seed).toBe(7)
    expect(asRunText).toBe(YAML_OK.replace("seed: 42   # the seed", "seed: 7   # the seed"))
  })

  it("a seed override turns JSON into YAML with the new seed", () => {
    const json = readFileSync(join(GOLDEN, "contract-ties.scenario.json"), "utf8")
    const { scenario, asRunText } = compileOk(json, "c.json", 99)
    expect(scenario.seed).toBe(99)
    const reparsed = parseYaml(asRunText) as Record<string, unknown>
    expect(reparsed).toEqual({ ...JSON.parse(json), seed: 99 })
    expect(compileOk(asRunText, "c.yaml").scenario).toEqual(scenario)
  })

  it("the JSON Schema is JSON and describes the format", () => {
    const schema = scenarioJsonSchema()
    const text = JSON.stringify(schema)
    expect(JSON.parse(text)).toEqual(schema)
    expect(schema["type"]).toBe("object")
    expect(schema["additionalProperties"]).toBe(false)
    expect(schema["required"]).toEqual(expect.arrayContaining(["version", "name", "start", "months", "seed", "centre", "tranches", "localities"]))
    expect(text).toContain('"pattern":"^\\\\d{4}-\\\\d{2}$"')
  })
})

const GOLDEN = join(import.meta.dirname, "../../../test/golden/negotiation")

describe("golden negotiation scenarios", () => {
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith(".scenario.json"))
  it("there are some", () => expect(files.length).toBeGreaterThan(0))
  for (const f of files) {
    it(`${f} loads`, async () => {
      const loaded = await Effect.runPromise(loadScenario(join(GOLDEN, f)))
      const raw = JSON.parse(readFileSync(join(GOLDEN, f), "utf8")) as { localities: Array<unknown>; seed: number }
      expect(loaded.scenario.agencies).toEqual([])
      expect(loaded.scenario.localities.length).toBe(raw.localities.length)
      expect(loaded.scenario.seed).toBe(raw.seed)
      expect(loaded.scenario.localities.every((l) => l.negotiation.duration.kind === "fixed" && l.baseline.length === 0)).toBe(true)
    })
  }
})

/** Applies "old|new" replacements to the valid YAML. */
const edit = (...edits: Array<string>): string =>
  edits.reduce((t, e) => {
    const [a, b] = e.split("|") as [string, string]
    if (!t.includes(a)) throw new Error(`edit does not apply: ${a}`)
    return t.replace(a, b)
  }, YAML_OK)

interface BadCase {
  readonly name: string
  readonly file?: string
  readonly text: string
  readonly path: string
  readonly at: string | undefined // "line:column"
  readonly expected: RegExp
  readonly found: string | RegExp
}

const bad: Array<BadCase> = [
  { name: "YAML syntax error", text: edit("centre: { capacity: 2 }|centre: { capacity: 2"), path: "", at: "8:1", expected: /valid YAML/, found: /syntax error/ },
  { name: "JSON syntax error", file: "x.json", text: '{\n  "version": 1,\n  "name": "x",,\n}', path: "", at: "3:15", expected: /valid JSON/, found: /syntax error/ },
  { name: "JSON error without a position from V8", file: "x.json", text: '{"a":\n tru}', path: "", at: "2:2", expected: /valid JSON/, found: /syntax error/ },
  { name: "wrong type", text: edit("population: 70000|population: many"), path: "localities[1].population", at: "23:17", expected: /^a population >= 0$/, found: '"many"' },
  { name: "missing key", text: edit("name: West Midlands\n|"), path: "name", at: "2:1", expected: /a key "name"/, found: "nothing" },
  { name: "missing nested key", text: edit("negotiation: { months: 9 }|negotiation: { fail_probability: 0.5 }"), path: "localities[1].negotiation.months", at: "26:18", expected: /a key "months" with a number of months >= 0/, found: "nothing" },
  { name: "unknown key", text: edit("seed: 42|sead: 42"), path: "sead", at: "6:1", expected: /only the keys version, name, start/, found: 'an unknown key "sead"' },
  { name: "unknown tranche", text: edit("tranche: t2|tranche: t3"), path: "localities[1].tranche", at: "24:14", expected: /^one of the tranche ids \("t1", "t2"\)$/, found: '"t3"' },
  { name: "unknown agency in baseline", text: edit("nhs: 120m|dwp: 120m"), path: "localities[0].baseline.dwp", at: "20:36", expected: /one of the agency ids \("council", "nhs"\)/, found: 'an unknown agency "dwp"' },
  { name: "unknown pooled agency", text: edit("pooled_agencies: [nhs, council]|pooled_agencies: [nhs, fire]"), path: "deal.pooled_agencies[1]", at: "27:51", expected: /one of the agency ids/, found: '"fire"' },
  { name: "duplicate locality id", text: edit("  - id: Ynys Môn|  - id: Birmingham"), path: "localities[1].id", at: "21:9", expected: /localities\[0\] already has it/, found: '"Birmingham"' },
  { name: "duplicate tranche id", text: edit("{ id: t2, opens: 2010-11 }|{ id: t1, opens: 2010-11 }"), path: "tranches[1].id", at: "10:11", expected: /tranches\[0\] already has it/, found: '"t1"' },
  { name: "capacity 0", text: edit("capacity: 2|capacity: 0"), path: "centre.capacity", at: "7:21", expected: /^an integer >= 1$/, found: "0" },
  { name: "capacity -1", text: edit("capacity: 2|capacity: -1"), path: "centre.capacity", at: "7:21", expected: /^an integer >= 1$/, found: "-1" },
  { name: "month before start", text: edit("ready: 2010-06|ready: 2009-01"), path: "localities[1].ready", at: "25:12", expected: /not before the start 2010-04/, found: '"2009-01"' },
  { name: "tranche opening before start", text: edit("opens: 2010-11|opens: 2009-01"), path: "tranches[1].opens", at: "10:22", expected: /not before the start 2010-04/, found: '"2009-01"' },
  { name: "month 13", text: edit("ready: 2010-06|ready: 2010-13"), path: "localities[1].ready", at: "25:12", expected: /month 01\.\.12/, found: '"2010-13"' },
  { name: "start month 13", text: edit("start: 2010-04|start: 2010-13"), path: "start", at: "4:8", expected: /month 01\.\.12/, found: '"2010-13"' },
  { name: "empty file", text: "", path: "", at: undefined, expected: /^a scenario mapping$/, found: "an empty file" },
  { name: "only comments", text: "# nothing here\n\n# yet\n", path: "", at: undefined, expected: /^a scenario mapping$/, found: "an empty file" },
  { name: "empty JSON file", file: "x.json", text: "  \n", path: "", at: undefined, expected: /^a scenario mapping$/, found: "an empty file" },
  { name: "top level is a list", text: "- 1\n- 2\n", path: "", at: "1:1", expected: /scenario mapping/, found: "a list" },
  { name: "NaN in YAML", text: edit("population: 70000|population: .nan"), path: "localities[1].population", at: "23:17", expected: /^a population >= 0$/, found: "NaN" },
  { name: ".inf in YAML", text: edit("population: 70000|population: .inf"), path: "localities[1].population", at: "23:17", expected: /^a population >= 0$/, found: "Infinity" },
  { name: "negative duration", text: edit("negotiation: { months: 9 }|negotiation: { months: -1 }"), path: "localities[1].negotiation.months", at: "26:28", expected: /a number of months >= 0/, found: "-1" },
  { name: "triangular out of order", text: edit("triangular: [6, 9, 12]|triangular: [6, 13, 12]"), path: "localities[0].negotiation.months.triangular", at: "19:42", expected: /min <= mode <= max/, found: "[6,13,12]" },
  { name: "unknown duration kind", text: edit("{ triangular: [6, 9, 12] }|{ normal: 3 }"), path: "localities[0].negotiation.months", at: "19:28", expected: /uniform.*triangular.*lognormal/, found: '{"normal":3}' },
  { name: "fail_probability 1", text: edit("fail_probability: 0.25|fail_probability: 1"), path: "localities[0].negotiation.fail_probability", at: "19:74", expected: /probability in \[0, 1\)/, found: "1" },
  { name: "amount text", text: edit('"£7.5bn"|"7.5 billion"'), path: "localities[0].baseline.council", at: "20:26", expected: /£7\.5bn/, found: '"7.5 billion"' },
  { name: "amount beyond 2^53 pence", text: edit('"£7.5bn"|"£100000000bn"'), path: "localities[0].baseline.council", at: "20:26", expected: /2\^53 pence/, found: '"£100000000bn"' },
  { name: "duplicate YAML key", text: edit("name: West Midlands|name: West Midlands\nname: again"), path: "", at: "4:1", expected: /each key at most once/, found: "the key name again" },
  { name: "id with a slash", text: edit("  - id: Ynys Môn|  - id: Ynys/Môn"), path: "localities[1].id", at: "21:9", expected: /without "\/"/, found: '"Ynys/Môn"' },
  { name: "id with a control character", text: edit("  - id: Ynys Môn|  - id: \"Ynys\\u0007\""), path: "localities[1].id", at: "21:9", expected: /printable id/, found: '"Ynys\\u0007"' },
  { name: "version 2", text: edit("version: 1|version: 2"), path: "version", at: "2:10", expected: /^1 /, found: "2" },
  { name: "fractional months", text: edit("months: 36|months: 36.5"), path: "months", at: "5:9", expected: /integer number of months in 1\.\.1200/, found: "36.5" },
  { name: "first error in document order", text: edit("capacity: 2|capacity: 0", "tranche: t2|tranche: t3"), path: "centre.capacity", at: "7:21", expected: /integer >= 1/, found: "0" },
  { name: "JSON error is located", file: "x.json", text: '{\n "version": 1,\n "name": ""\n}', path: "name", at: "3:10", expected: /non-empty name/, found: '""' }
]

describe("bad input gets one clear error", () => {
  for (const c of bad) {
    it(c.name, () => {
      const file = c.file ?? "scenarios/x.yaml"
      const e = compileErr(c.text, file)
      expect(e._tag).toBe("ScenarioError")
      expect(e.file).toBe(file)
      expect(e.path).toBe(c.path)
      expect(e.line === undefined ? undefined : `${e.line}:${e.column}`).toBe(c.at)
      expect(e.expected).toMatch(c.expected)
      if (typeof c.found === "string") expect(e.found).toBe(c.found)
      else expect(e.found).toMatch(c.found)
      // One line, no stack, everything in it.
      expect(e.message).toBe(formatScenarioError(e))
      expect(e.message).not.toContain("\n")
      expect(e.message).not.toMatch(/\bat .*\.ts:\d+/)
      expect(e.message.startsWith(`${file}${c.at === undefined ? "" : `:${c.at}`}: ${c.path === "" ? "" : `${c.path}: `}expected `)).toBe(true)
    })
  }

  it("formats like the documented example", () => {
    const e = compileErr(edit("tranche: t2|tranche: t3"), "scenarios/x.yaml")
    expect(e.message).toBe('scenarios/x.yaml:24:14: localities[1].tranche: expected one of the tranche ids ("t1", "t2"), found "t3"')
  })

  it("aliases are allowed, alias bombs are refused", () => {
    expect(compileOk(edit("capacity: 2|capacity: &cap 2", "max_attempts: 4|max_attempts: *cap"), "a.yaml").scenario.localities[0]!.negotiation.maxAttempts).toBe(2)
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for (const [p, q] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"]]) bomb.push(`${p}: &${p} [${Array(10).fill(`*${q}`).join(", ")}]`)
    const e = compileErr(bomb.join("\n") + "\n", "bomb.yaml")
    expect(e.expected).toMatch(/alias/)
  })

  it("a --seed that is not a safe integer is refused", () => {
    const r = compileScenarioText(YAML_OK, "x.yaml", { seed: 1.5 })
    expect(r.ok).toBe(false)
  })
})

describe("loadScenario (disk)", () => {
  const dir = mkdtempSync(join(tmpdir(), "devosim-scenario-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const load = (file: string, options: { seed?: number; maxBytes?: number } = {}) =>
    Effect.runPromise(Effect.result(loadScenario(file, options)))

  it("reads, hashes the bytes and compiles", async () => {
    const file = join(dir, "ok.yaml")
    writeFileSync(file, YAML_OK)
    const r = await load(file)
    expect(Result.isSuccess(r)).toBe(true)
    if (Result.isSuccess(r)) {
      expect(r.success.file).toBe(file)
      expect(r.success.inputSha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"))
      expect(r.success.scenario.tranches[1]!.opens).toBe(7)
    }
  })

  it("a missing file is a ScenarioError", async () => {
    const r = await load(join(dir, "nope.yaml"))
    expect(Result.isFailure(r) && r.failure.found).toBe("no such file")
  })

  it("a file over the limit is refused before reading (injected limit)", async () => {
    const file = join(dir, "ok2.yaml")
    writeFileSync(file, YAML_OK)
    const r = await load(file, { maxBytes: 100 })
    expect(Result.isFailure(r) && r.failure.expected).toBe("a scenario file of at most 100 bytes")
  })

  it("a sparse file over MAX_SCENARIO_BYTES (64 MiB) is refused by its size", async () => {
    const file = join(dir, "huge.yaml")
    writeFileSync(file, "")
    truncateSync(file, MAX_SCENARIO_BYTES + 1) // sparse: no data is written
    const r = await load(file)
    expect(Result.isFailure(r) && r.failure.found).toBe(`a file of ${MAX_SCENARIO_BYTES + 1} bytes`)
  })
})
