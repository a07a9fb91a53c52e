/**
 * Uncertain inputs (issue 15, item 1): a numeric field written as a distribution is drawn once per
 * run from its own (seed, "input", field path) stream at compile time, and recorded in RunStarted.
 * The contract, as properties: adding an uncertain field changes no other field's draws; a
 * distribution of zero width is the point value's run exactly; the file's order does not matter;
 * and replication r draws the same inputs in every variant (common random numbers).
 */
import type { RunStarted, Scenario } from "@devosim/core"
import { replicationSeed } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import { compileScenarioText, compileScenarioVariantsText } from "@devosim/scenario"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type Path = ReadonlyArray<string | number>

const base = (): Record<string, Json> => ({
  version: 1,
  name: "uncertain inputs",
  start: "2010-04",
  months: 48,
  seed: 2010,
  centre: { capacity: 2 },
  tranches: [
    { id: "first", opens: 2 },
    { id: "second", opens: 9 }
  ],
  agencies: [
    { id: "council", name: "Councils" },
    { id: "nhs", name: "NHS", trend_pct: 3 }
  ],
  deal: { reduction_pct: 5, pooled_agencies: ["council", "nhs"], horizon_months: 36, gainshare_pct: 60 },
  localities: [
    {
      id: "Kent",
      name: "Kent",
      population: 1_400_000,
      tranche: "first",
      negotiation: { months: { triangular: [3, 6, 12] }, fail_probability: 0.1 },
      baseline: { council: "500m", nhs: "200m" },
      deal: { gainshare_pct: 50 }
    },
    {
      id: "Essex",
      name: "Essex",
      population: 1_300_000,
      tranche: "first",
      negotiation: { months: { uniform: [4, 9] }, fail_probability: 0.2 },
      baseline: { council: "450m", nhs: "180m" }
    },
    {
      id: "Leeds",
      name: "Leeds",
      population: 2_900_000,
      tranche: "second",
      negotiation: { months: 7 },
      baseline: { council: "900m", nhs: "120m" }
    }
  ],
  programmes: [
    {
      id: "reablement",
      locality: "all",
      payer: "council",
      starts: 6,
      duration_months: 24,
      investment: { upfront: "250k", monthly: "20k" },
      cohort: 500,
      effects: [
        { beneficiary: "nhs", service: "Admissions", unit_cost: { amount: 2000, per: "event" }, baseline_demand: 0.6, reduction_pct: 25, lag_months: 3, ramp_months: 6 },
        { beneficiary: "council", service: "Care packages", unit_cost: { amount: 9000, per: "year" }, baseline_demand: 0.1, reduction_pct: 15, lag_months: 3, ramp_months: 6, deadweight_pct: 10 }
      ]
    }
  ],
  transfers: [{ id: "s75", locality: "Essex", from: "council", to: "nhs", amount: "50k", starts: 3, months: 24 }],
  variants: [
    { name: "capacity-1", centre: { capacity: 1 } },
    { name: "all-first", tranches: { second: { opens: 2 } } }
  ]
})

/** A field that may be uncertain: where it is in `base()`, its recorded path, a distribution around its point value, and that value's zero-width forms. */
interface Site {
  readonly at: Path
  readonly path: string
  readonly wide: Json
  readonly point: number | string
}

const SITES: ReadonlyArray<Site> = [
  { at: ["centre", "capacity"], path: "centre.capacity", wide: { uniform: [1, 4] }, point: 2 },
  { at: ["deal", "reduction_pct"], path: "deal.reduction_pct", wide: { triangular: [2, 5, 8] }, point: 5 },
  { at: ["deal", "gainshare_pct"], path: "deal.gainshare_pct", wide: { normal: { mean: 60, sd: 15, min: 0, max: 100 } }, point: 60 },
  { at: ["agencies", 1, "trend_pct"], path: "agencies[nhs].trend_pct", wide: { normal: { mean: 3, sd: 1, min: 0, max: 6 } }, point: 3 },
  { at: ["localities", 0, "deal", "gainshare_pct"], path: "localities[Kent].deal.gainshare_pct", wide: { uniform: [30, 70] }, point: 50 },
  { at: ["localities", 1, "negotiation", "fail_probability"], path: "localities[Essex].negotiation.fail_probability", wide: { uniform: [0, 0.5] }, point: 0.2 },
  { at: ["localities", 2, "baseline", "nhs"], path: "localities[Leeds].baseline.nhs", wide: { triangular: ["100m", "120m", "150m"] }, point: "120m" },
  { at: ["programmes", 0, "cohort"], path: "programmes[reablement].cohort", wide: { lognormal: { median: 500, sigma: 0.3, min: 100, max: 2000 } }, point: 500 },
  { at: ["programmes", 0, "investment", "upfront"], path: "programmes[reablement].investment.upfront", wide: { uniform: [100_000, "300k"] }, point: "250k" },
  { at: ["programmes", 0, "effects", 0, "reduction_pct"], path: "programmes[reablement].effects[0].reduction_pct", wide: { triangular: [10, 25, 40] }, point: 25 },
  {
    at: ["programmes", 0, "effects", 0, "unit_cost", "amount"],
    path: "programmes[reablement].effects[0].unit_cost.amount",
    wide: { discrete: { values: [1500, 2000, 2500], weights: [1, 2, 1] } },
    point: 2000
  },
  { at: ["programmes", 0, "effects", 0, "baseline_demand"], path: "programmes[reablement].effects[0].baseline_demand", wide: { uniform: [0.4, 0.8] }, point: 0.6 },
  { at: ["programmes", 0, "effects", 1, "lag_months"], path: "programmes[reablement].effects[1].lag_months", wide: { discrete: [0, 3, 6] }, point: 3 },
  { at: ["programmes", 0, "effects", 1, "ramp_months"], path: "programmes[reablement].effects[1].ramp_months", wide: { uniform: [0, 12] }, point: 6 },
  { at: ["programmes", 0, "effects", 1, "deadweight_pct"], path: "programmes[reablement].effects[1].deadweight_pct", wide: { uniform: [0, 20] }, point: 10 },
  { at: ["transfers", 0, "amount"], path: "transfers[s75].amount", wide: { triangular: ["40k", "50k", "80k"] }, point: "50k" }
]

const zeroWidth = (form: number, v: number | string): Json => {
  switch (form) {
    case 0:
      return { uniform: [v, v] }
    case 1:
      return { triangular: [v, v, v] }
    case 2:
      return { discrete: [v] }
    default:
      return { discrete: { values: [v], weights: [3] } }
  }
}

const setAt = (doc: Json, at: Path, value: Json): void => {
  let o = doc as Record<string | number, Json>
  for (const s of at.slice(0, -1)) o = o[s] as Record<string | number, Json>
  o[at[at.length - 1]!] = value
}

/** `base()` with the chosen sites set to `value(site)`. */
const docWith = (sites: ReadonlyArray<Site>, value: (s: Site) => Json): Record<string, Json> => {
  const doc = base()
  for (const s of sites) setAt(doc, s.at, value(s))
  return doc
}

const compile = (doc: Json, seed?: number): Scenario => {
  const out = compileScenarioText(JSON.stringify(doc), "uncertain.json", seed === undefined ? {} : { seed })
  if (!out.ok) throw new Error(out.error.message)
  return out.value.scenario
}

const drawsOf = (sc: Scenario): Map<string, number> => new Map((sc.inputs ?? []).map((i) => [i.path, i.value]))

const subsetOf = fc.subarray([...SITES], { minLength: 1 })
const seedOf = fc.integer({ min: -1_000_000, max: 1_000_000 })

describe("uncertain inputs", () => {
  it("draws each uncertain field and records it, sorted by path, in the compiled scenario and the log's RunStarted", () => {
    const sc = compile(docWith(SITES, (s) => s.wide))
    expect((sc.inputs ?? []).map((i) => i.path)).toEqual(SITES.map((s) => s.path).sort())
    const draws = drawsOf(sc)
    expect(sc.centre.capacity).toBe(draws.get("centre.capacity"))
    expect([1, 2, 3, 4]).toContain(draws.get("centre.capacity"))
    expect(sc.deal.reductionBasisPoints).toBe(Math.round(draws.get("deal.reduction_pct")! * 100))
    const run = runScenario(sc).log.controls[0] as RunStarted
    expect(run.inputs).toEqual(sc.inputs)
    // A scenario without distributions records nothing: its RunStarted is as before.
    expect(Object.hasOwn(runScenario(compile(base())).log.controls[0]!, "inputs")).toBe(false)
  })

  it("adding an uncertain field changes no other field's draws", () => {
    fc.assert(
      fc.property(subsetOf, fc.constantFrom(...SITES), seedOf, (chosen, extra, seed) => {
        const without = chosen.filter((s) => s !== extra)
        const a = drawsOf(compile(docWith(without, (s) => s.wide), seed))
        const b = drawsOf(compile(docWith([...without, extra], (s) => s.wide), seed))
        expect(b.size).toBe(a.size + 1)
        for (const [path, value] of a) expect(b.get(path), path).toBe(value)
      }),
      { numRuns: 40 }
    )
  })

  it("a distribution of zero width is the point value's run exactly: the same scenario, summary, events and postings; only RunStarted lists the inputs", () => {
    fc.assert(
      fc.property(subsetOf, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: SITES.length, maxLength: SITES.length }), (chosen, forms) => {
        const point = compile(base())
        const zero = compile(docWith(chosen, (s) => zeroWidth(forms[SITES.indexOf(s)]!, s.point)))
        const { inputs, ...rest } = zero
        expect(rest).toEqual(point)
        expect(inputs!.length).toBe(chosen.length)
        const p = runScenario(point).log
        const z = runScenario(zero).log
        expect(JSON.stringify(summarize(z))).toBe(JSON.stringify(summarize(p)))
        expect(z.postings).toEqual(p.postings)
        expect(z.controls.slice(1)).toEqual(p.controls.slice(1))
        const { inputs: recorded, ...started } = z.controls[0] as RunStarted
        expect(started).toEqual(p.controls[0])
        expect(recorded).toEqual(inputs)
      }),
      { numRuns: 15 }
    )
  })

  it("the same scenario with its lists and mappings in another order draws the same values", () => {
    const shuffled = <T>(a: ReadonlyArray<T>, order: ReadonlyArray<number>): Array<T> =>
      a.map((x, i) => [order[i % order.length]! * 1000 + i, x] as const).sort((p, q) => p[0] - q[0]).map(([, x]) => x)
    const reversedKeys = (o: Json): Json => Object.fromEntries(Object.entries(o as Record<string, Json>).reverse())
    fc.assert(
      fc.property(subsetOf, fc.array(fc.nat(10), { minLength: 1, maxLength: 5 }), seedOf, (chosen, order, seed) => {
        const doc = docWith(chosen, (s) => s.wide)
        const moved = reversedKeys(doc) as Record<string, Json>
        for (const key of ["agencies", "localities", "programmes", "transfers", "tranches"]) moved[key] = shuffled(moved[key] as ReadonlyArray<Json>, order).map(reversedKeys)
        moved["deal"] = reversedKeys(moved["deal"]!)
        const a = compile(doc, seed).inputs
        const b = compile(moved, seed).inputs
        expect(b).toEqual(a)
      }),
      { numRuns: 30 }
    )
  })

  it("replication r draws the same inputs in every variant (common random numbers), and other replications draw anew", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (r) => {
        const seed = replicationSeed(2010, r)
        const out = compileScenarioVariantsText(JSON.stringify(docWith(SITES.slice(1), (s) => s.wide)), "uncertain.json", { seed })
        if (!out.ok) throw new Error(out.error.message)
        const [first, ...others] = out.value.map((v) => v.scenario)
        expect(others.length).toBe(2)
        for (const v of others) expect(v.inputs).toEqual(first!.inputs)
        const next = compile(docWith(SITES.slice(1), (s) => s.wide), replicationSeed(2010, r + 1))
        expect(next.inputs).not.toEqual(first!.inputs)
      }),
      { numRuns: 10 }
    )
  })
})
