/**
 * No moneyless events (issue 13): a deal that pools nothing has no single place budget, so no
 * SinglePlaceBudgetReset; one whose power pools a line later (at an election) has one from then.
 */
import { compileScenarioText } from "@devosim/scenario"
import { runScenario } from "@devosim/engine"
import { describe, expect, it } from "vitest"

const scenario = (extra: string) => `
version: 1
name: moneyless
start: 2010-04
months: 60
seed: 1
centre: { capacity: 4 }
tranches: [{ id: t1, opens: 0 }]
agencies: [{ id: council, name: Council }, { id: police, name: Police }]
powers:
  - { id: policing, name: Policing, agencies: [police], accountability: combined_authority }
deal: { reduction_pct: 10, horizon_months: 12 }
localities:
  - { id: Quiet, name: Quiet, population: 1000, tranche: t1, negotiation: { months: 2 }, baseline: { council: 1200000, police: 1200000 } }
${extra}
`

const resets = (extra: string) => {
  const compiled = compileScenarioText(scenario(extra), "moneyless.yaml")
  if (!compiled.ok) throw new Error(compiled.error.message)
  const { log } = runScenario(compiled.value.scenario)
  return log.controls.flatMap((e) => (e._tag === "SinglePlaceBudgetReset" ? [{ locality: e.locality, t: e.t, horizon: e.horizon, fromPeriod: e.fromPeriod }] : []))
}

describe("single place budgets exist only where a line pools", () => {
  it("given a deal whose only power needs a combined authority it never gets, when it lands, then no reset is ever logged", () => {
    expect(resets("")).toEqual([])
  })

  it("given the power goes live at an election in May 2012 (period 25), then resets start at the next horizon after it, aligned to the deal", () => {
    const got = resets(`  - { id: Later, name: Later, population: 1000, tranche: t1, negotiation: { months: 2 }, baseline: { council: 1200000, police: 1200000 },
      accountability: { model: leader_cabinet, elections: [2012-05], adopts: combined_authority } }`)
    // The deal lands at month 2 (pooled from period 2); horizons of 12 months start at 14, 26, 38, 50.
    // The power pools from period 25 (inside the horizon from 14), so the first reset is at 26.
    expect(got).toEqual([
      { locality: "Later", t: 26, horizon: 2, fromPeriod: 26 },
      { locality: "Later", t: 38, horizon: 3, fromPeriod: 38 },
      { locality: "Later", t: 50, horizon: 4, fromPeriod: 50 }
    ])
  })

  it("given a deal that pools a line at once, then a reset is logged at every horizon within the run", () => {
    const got = resets(`  - { id: Mayor, name: Mayor, population: 1000, tranche: t1, negotiation: { months: 2 }, baseline: { council: 1200000, police: 1200000 },
      accountability: { model: combined_authority } }`)
    expect(got.map((r) => r.t)).toEqual([14, 26, 38, 50])
  })
})
