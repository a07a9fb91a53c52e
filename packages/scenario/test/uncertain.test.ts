/**
 * Uncertain inputs in scenario files: the forms, how draws are rounded and recorded, and the
 * errors (path, line:column, what was expected) for a malformed distribution or one that can draw
 * what the field refuses, whatever the seed.
 */
import { describe, expect, it } from "vitest"
import { compileScenarioText, DISTRIBUTION_FORMS, resolveInputs, scenarioJsonSchema, UNCERTAIN_FIELDS, type ScenarioError } from "../src/index.ts"

const YAML = (over: { capacity?: string; reduction?: string; baseline?: string; trend?: string; variants?: string } = {}) => `version: 1
name: Uncertain
start: 2010-04
months: 36
seed: 42
centre: { capacity: ${over.capacity ?? "2"} }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: City council, trend_pct: ${over.trend ?? "2.5"} }
  - { id: nhs, name: NHS }
localities:
  - id: Birmingham
    name: Birmingham
    population: 1000000
    tranche: t1
    negotiation: { months: { triangular: [6, 9, 12] } }
    baseline: { council: ${over.baseline ?? '"£7.5bn"'}, nhs: 120m }
deal: { reduction_pct: ${over.reduction ?? "10"}, pooled_agencies: [nhs, council], horizon_months: 36 }
${over.variants ?? ""}`

const ok = (text: string, seed?: number) => {
  const r = compileScenarioText(text, "u.yaml", seed === undefined ? {} : { seed })
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`)
  return r.value.scenario
}
const err = (text: string): ScenarioError => {
  const r = compileScenarioText(text, "u.yaml")
  if (r.ok) throw new Error("expected an error")
  return r.error
}

describe("uncertain inputs in a scenario file", () => {
  it("a file without distributions compiles to a scenario without inputs", () => {
    expect(Object.hasOwn(ok(YAML()), "inputs")).toBe(false)
  })

  it("draws are rounded as the field is held: capacity to a whole number, percentages of money to 0.01, pounds to pence", () => {
    for (let seed = 0; seed < 50; seed++) {
      const sc = ok(YAML({ capacity: "{ uniform: [1, 6] }", reduction: "{ triangular: [5, 10, 20] }", baseline: '{ uniform: ["£7bn", 7000000000.123] }', trend: "{ normal: { mean: 2, sd: 1, min: 0, max: 4 } }" }), seed)
      const draws = new Map(sc.inputs!.map((i) => [i.path, i.value]))
      expect([...draws.keys()]).toEqual(["agencies[council].trend_pct", "centre.capacity", "deal.reduction_pct", "localities[Birmingham].baseline.council"])
      const capacity = draws.get("centre.capacity")!
      expect(Number.isInteger(capacity) && capacity >= 1 && capacity <= 6).toBe(true)
      expect(sc.centre.capacity).toBe(capacity)
      const reduction = draws.get("deal.reduction_pct")!
      expect(Math.round(reduction * 100) / 100).toBe(reduction)
      expect(sc.deal.reductionBasisPoints).toBe(Math.round(reduction * 100))
      const pounds = draws.get("localities[Birmingham].baseline.council")!
      expect(Number.isInteger(Math.round(pounds * 100))).toBe(true)
      expect(pounds).toBeGreaterThanOrEqual(7e9)
      expect(pounds).toBeLessThanOrEqual(7000000000.12)
      const trend = draws.get("agencies[council].trend_pct")!
      expect(trend >= 0 && trend <= 4).toBe(true)
    }
  })

  it("a capacity rounds half up: { discrete: [2.5] } is 3", () => {
    expect(ok(YAML({ capacity: "{ discrete: [2.5] }" })).centre.capacity).toBe(3)
  })

  it("another seed draws anew; the same seed draws the same", () => {
    const text = YAML({ reduction: "{ uniform: [1, 50] }" })
    expect(ok(text, 1).inputs).toEqual(ok(text, 1).inputs)
    expect(ok(text, 1).inputs).not.toEqual(ok(text, 2).inputs)
  })

  it("variants draw the base's values where they do not override the field", () => {
    const r = compileScenarioText(YAML({ reduction: "{ uniform: [1, 50] }", variants: "variants:\n  - { name: two, centre: { capacity: 1 } }\n" }), "u.yaml", { variant: "two" })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.scenario.inputs).toEqual(ok(YAML({ reduction: "{ uniform: [1, 50] }" })).inputs)
  })

  it.each([
    [YAML({ capacity: "{ uniform: [4, 2] }" }), 6, "centre.capacity.uniform", "[a, b], finite numbers, a <= b"],
    [YAML({ capacity: "{ uniform: [0, 2] }" }), 6, "centre.capacity.uniform", "every draw to be an integer >= 1"],
    [YAML({ reduction: "{ triangular: [5, 10, 120] }" }), 19, "deal.reduction_pct.triangular", "every draw to be a percentage in [0, 100)"],
    [YAML({ reduction: "{ normal: { mean: 10, sd: 3 } }" }), 19, "deal.reduction_pct.normal", "a min for the draws"],
    [YAML({ reduction: "{ normal: { mean: 10, sd: 3, min: 20, max: 5 } }" }), 19, "deal.reduction_pct.normal", "min < max"],
    [YAML({ baseline: '{ triangular: ["7bn", "6bn", "8bn"] }' }), 18, "localities[0].baseline.council.triangular", "min <= mode <= max"],
    [YAML({ trend: "{ discrete: { values: [1, 2], weights: [1] } }" }), 10, "agencies[0].trend_pct.discrete.weights", "weights >= 0, as many"],
    [YAML({ trend: "{ lognormal: { median: 2, sigma: 1, mode: 3 } }" }), 10, "agencies[0].trend_pct.lognormal.mode", "{ median, sigma >= 0"]
  ])("an error names the field, its line and what a distribution there must be (%#)", (text, line, path, expected) => {
    const e = err(text)
    expect(e.path).toBe(path)
    expect(e.line).toBe(line)
    expect(e.expected).toContain(expected)
    expect(e.message).toMatch(new RegExp(`^u\\.yaml:${line}:\\d+: `))
    if (path === "deal.reduction_pct.normal" && expected === "a min for the draws") expect(e.message).toMatch(/^u\.yaml:19:\d+: deal\.reduction_pct\.normal: expected a min for the draws: the field takes a percentage in \[0, 100\), to at most two decimals .*, found no min$/)
  })

  it("resolving leaves the document as written and replaces only the drawn fields", () => {
    const doc = { seed: 1, centre: { capacity: { discrete: [3] } }, agencies: [{ id: "a", trend_pct: { uniform: [1, 1] } }, { id: "b", trend_pct: 2 }] }
    const before = JSON.stringify(doc)
    const r = resolveInputs(doc, 1)
    if (!r.ok) throw new Error("expected draws")
    expect(JSON.stringify(doc)).toBe(before)
    expect(r.value).toEqual({ seed: 1, centre: { capacity: 3 }, agencies: [{ id: "a", trend_pct: 1 }, { id: "b", trend_pct: 2 }] })
    expect((r.value as typeof doc).agencies[1]).toBe(doc.agencies[1]) // untouched parts are shared, not copied
    expect(r.inputs).toEqual([{ path: "agencies[a].trend_pct", value: 1 }, { path: "centre.capacity", value: 3 }])
  })

  it("the JSON Schema offers a distribution at every uncertain field", () => {
    const schema = scenarioJsonSchema()
    const text = JSON.stringify(schema)
    const defs = schema["$defs"] as Record<string, unknown>
    expect(Object.keys(defs)).toEqual(expect.arrayContaining(["Distribution", "PoundsDistribution"]))
    expect(text.split('"$ref":"#/$defs/Distribution"').length - 1 + text.split('"$ref":"#/$defs/PoundsDistribution"').length - 1).toBe(UNCERTAIN_FIELDS.length)
    const capacity = ((schema["properties"] as Record<string, Record<string, Record<string, unknown>>>)["centre"]!["properties"]!["capacity"]) as Record<string, unknown>
    expect(capacity["anyOf"]).toEqual([{ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, { $ref: "#/$defs/Distribution" }])
    // The published forms are the ones the parser reads.
    const forms = (defs["Distribution"] as { anyOf: ReadonlyArray<{ required: ReadonlyArray<string> }> }).anyOf.map((f) => f.required[0])
    expect(forms).toEqual([...DISTRIBUTION_FORMS])
  })

  it("a locality's population and a spending review's change may be uncertain: drawn, rounded as held, recorded by id", () => {
    const doc = {
      seed: 7,
      localities: [{ id: "Kent", population: { uniform: [1_000_000, 1_500_000] } }],
      spending_reviews: [{ id: "sr2010", changes: { council: { triangular: [-15, -10.9, -5] }, nhs: 0 } }]
    }
    const r = resolveInputs(doc, 7)
    if (!r.ok) throw new Error("expected draws")
    const v = r.value as { localities: Array<{ population: number }>; spending_reviews: Array<{ changes: Record<string, number> }> }
    expect(v.localities[0]!.population).toBeGreaterThanOrEqual(1_000_000)
    expect(v.localities[0]!.population).toBeLessThanOrEqual(1_500_000)
    const change = v.spending_reviews[0]!.changes["council"]!
    expect(change).toBeGreaterThanOrEqual(-15)
    expect(change).toBeLessThanOrEqual(-5)
    expect(Math.round(change * 100) / 100).toBe(change)
    expect(v.spending_reviews[0]!.changes["nhs"]).toBe(0)
    expect(r.inputs.map((d) => d.path)).toEqual(["localities[Kent].population", "spending_reviews[sr2010].changes.council"])
  })
  it("a spending review's change is checked as the field is: a draw may not reach -100%", () => {
    const r = resolveInputs({ seed: 1, spending_reviews: [{ id: "sr", changes: { council: { uniform: [-120, 0] } } }] }, 1)
    expect(r.ok).toBe(false)
  })
})
