/**
 * Savings above a line's spending (issue "Answers true to the run", §2): the cap stays, but
 * nothing is silent and nothing depends on the order of the file.
 *  - Given two programmes whose effects claim more than one line spends, when the run is made, then
 *    they share what it spends pro rata to their claims (largest remainder), to the penny; summary.json
 *    reports each effect's claim, realisation and cap, and each line's; stderr warns "capped".
 *  - Properties: claimed = realised + capped for every effect and line; reordering programmes in
 *    the file changes no effect's figures.
 */
import fc from "fast-check"
import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import type { Scenario } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import { arbMoneyScenario } from "./arbitraries.ts"
import { devosim, tempDir } from "./cli-helpers.ts"

const dir = tempDir("capped")

const scenario = (programmes: string) => `version: 1
name: capped savings
start: 2010-04
months: 12
seed: 1
centre: { capacity: 1 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
  - { id: nhs, name: NHS }
localities:
  - id: Gamma
    name: Gamma
    population: 100000
    tranche: t1
    negotiation: { months: 100 }
    baseline: { council: 1200000, nhs: 12000 }
programmes:
${programmes}`

// Each claims 1,200,000p a year / 12 × reduction: 70,000p and 50,000p a month against a line that
// spends 100,000p a month. Pro rata: 100,000 × 7/12 = 58,333.33 and × 5/12 = 41,666.67; the leftover
// penny goes to the larger remainder (b): 58,333 and 41,667 a month.
const programme = (id: string, reductionPct: number) => `  - id: ${id}
    locality: Gamma
    payer: council
    starts: 0
    duration_months: 12
    investment: { upfront: 0, monthly: 1 }
    cohort: 100
    effects:
      - beneficiary: nhs
        service: Admissions
        unit_cost: { amount: 120, per: event }
        baseline_demand: 1
        reduction_pct: ${reductionPct}
        lag_months: 0
        ramp_months: 0
        decay_pct_per_year: 0
        deadweight_pct: 0
        optimism_bias_pct: 0
`

const run = (name: string, text: string) => {
  const file = path.join(dir, `${name}.yaml`)
  writeFileSync(file, text)
  const out = path.join(dir, name)
  const r = devosim("run", file, "--out", out, "--no-parquet", "--quiet")
  expect(r.status, r.stderr).toBe(0)
  return { r, summary: JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) }
}

describe("savings capped at a line's spending", () => {
  it("given two programmes claiming more than the line spends, they share it pro rata, to the penny, and the cap is reported", () => {
    const { r, summary } = run("ab", scenario(programme("a", 70) + programme("b", 50)))
    const effects = summary.money.effects as Array<Record<string, number | string>>
    expect(effects.map((e) => [e["programme"], e["claimed_pence"], e["realised_pence"], e["capped_pence"]])).toEqual([
      ["a", 840_000, 699_996, 140_004],
      ["b", 600_000, 500_004, 99_996]
    ])
    const nhs = summary.money.localities[0].agencies.find((a: { agency: string }) => a.agency === "nhs")
    expect([nhs.savings_claimed_pence, nhs.savings_realised_pence, nhs.savings_capped_pence]).toEqual([1_440_000, 1_200_000, 240_000])
    expect([summary.money.savings_claimed_pence, summary.money.savings_capped_pence]).toEqual([1_440_000, 240_000])
    expect(r.stderr).toMatch(/warning: savings capped: programme a, effect on nhs \(Admissions\) in Gamma: claimed £8,400\.00, realised £6,999\.96, £1,400\.04 capped/)
    expect(r.stderr).toMatch(/programme b, effect on nhs/)
    // The other order in the file: the same figures.
    const reversed = run("ba", scenario(programme("b", 50) + programme("a", 70)))
    const byId = (s: typeof summary) => Object.fromEntries((s.money.effects as Array<{ programme: string }>).map((e) => [e.programme, e]))
    expect(byId(reversed.summary)).toEqual(byId(summary))
  })

  it("a line that spends enough realises every claim: nothing capped, no warning", () => {
    const { r, summary } = run("one", scenario(programme("a", 70)))
    expect(summary.money.savings_capped_pence).toBe(0)
    expect(summary.money.effects[0].realised_pence).toBe(840_000)
    expect(r.stderr).toBe("")
  })

  it("property: claimed = realised + capped for every effect and line; reordering programmes changes no effect's figures", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc: Scenario) => {
        const s = summarize(runScenario(sc).log)
        for (const e of s.money.effects) {
          expect(e.claimed_pence).toBe(e.realised_pence + e.capped_pence)
          expect(e.capped_pence).toBeGreaterThanOrEqual(0)
        }
        for (const l of s.money.localities) for (const a of l.agencies) expect(a.savings_claimed_pence).toBe(a.savings_realised_pence + a.savings_capped_pence)
        const reordered = summarize(runScenario({ ...sc, programmes: [...sc.programmes].reverse() }).log)
        const key = (x: typeof s) => x.money.effects.map((e) => JSON.stringify(e)).sort()
        expect(key(reordered)).toEqual(key(s))
      }),
      { numRuns: 60 }
    )
  })
})
