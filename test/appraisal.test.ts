/**
 * The Green Book appraisal (issue "Answers true to the run", §3): flows by financial year, year 0
 * undiscounted, 3.5% a year to year 30, 3.0% from 31 to 75, 2.5% after.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { greenBookFactor, summarize } from "@devosim/report"

const ROOT = path.resolve(import.meta.dirname, "..")

describe("Green Book discounting", () => {
  it("the STPR schedule: year 0 undiscounted, 3.5% to year 30, 3.0% to 75, 2.5% after", () => {
    expect(greenBookFactor(0)).toBe(1)
    expect(greenBookFactor(1)).toBeCloseTo(1 / 1.035, 15)
    expect(greenBookFactor(30)).toBeCloseTo(1.035 ** -30, 14)
    expect(greenBookFactor(31)).toBeCloseTo(1.035 ** -30 / 1.03, 14)
    expect(greenBookFactor(75)).toBeCloseTo(1.035 ** -30 * 1.03 ** -45, 14)
    expect(greenBookFactor(76)).toBeCloseTo((1.035 ** -30 * 1.03 ** -45) / 1.025, 14)
  })

  it("given golden case A (a 5% reduction from 2010-04 over 48 months), the PV of the reduction by financial year is the independently computed 21,309,865p", () => {
    const file = path.join(ROOT, "test", "golden", "money", "cases", "a_spb_reduction", "scenario.yaml")
    const expected = JSON.parse(readFileSync(path.join(path.dirname(file), "expected.json"), "utf8"))
    const compiled = compileScenarioText(readFileSync(file, "utf8"), file)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const s = summarize(runScenario(compiled.value.scenario).log)
    expect(s.money.appraisal.pv_spb_reduction_pence).toBe(expected.info.pv_reduction_green_book_annual_pence)
    expect(s.money.appraisal.first_financial_year).toBe("2010-11")
    // Financial years partition the run: their totals are the run's, exactly.
    const fy = s.money.by_financial_year
    expect(fy.reduce((x, y) => x + y.spb_reduction_pence, 0)).toBe(s.money.spb_reduction_pence)
    expect(fy.reduce((x, y) => x + y.baseline_pence, 0)).toBe(s.money.baseline_pence)
    expect(fy.map((y) => y.periods)).toEqual([[0, 12], [12, 24], [24, 36], [36, 48]])
    // By locality and by agency line too: each sums to its whole-run figure, and the localities to the year's total.
    for (const l of s.money.localities) {
      expect(l.by_financial_year!.reduce((x, y) => x + y.spb_reduction_pence, 0)).toBe(l.spb_reduction_pence)
      for (const a of l.agencies) {
        expect(a.by_financial_year!.reduce((x, y) => x + y.baseline_pence, 0)).toBe(a.baseline_pence)
        expect(a.by_financial_year!.reduce((x, y) => x + y.actual_pence, 0)).toBe(a.actual_pence)
      }
    }
    fy.forEach((y, k) => expect(s.money.localities.reduce((x, l) => x + l.by_financial_year![k]!.baseline_pence, 0)).toBe(y.baseline_pence))
  })

  it("given appraisal: { discounting: monthly }, the appraisal uses the monthly convention: case A's PV of the reduction is its independent 20,958,424p", () => {
    const file = path.join(ROOT, "test", "golden", "money", "cases", "a_spb_reduction", "scenario.yaml")
    const expected = JSON.parse(readFileSync(path.join(path.dirname(file), "expected.json"), "utf8"))
    const compiled = compileScenarioText(`${readFileSync(file, "utf8")}\nappraisal: { discounting: monthly }\n`, file)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const s = summarize(runScenario(compiled.value.scenario).log)
    expect(s.money.appraisal.discounting).toBe("monthly")
    expect(Math.abs(s.money.appraisal.pv_spb_reduction_pence - expected.info.pv_reduction_monthly_pence)).toBeLessThanOrEqual(1)
    expect(s.money.appraisal.pv_spb_reduction_pence).toBe(s.money.present_values.spb_reduction_pence)
  })

  it("given optimism bias of 20% on costs, the upfront and monthly costs spent are uplifted by 20%: £1,000 a month is 120,000p", () => {
    const text = `version: 1
name: ob
start: 2010-04
months: 12
seed: 1
centre: { capacity: 1 }
tranches: [ { id: t, opens: 0 } ]
agencies: [ { id: council, name: Council }, { id: nhs, name: NHS } ]
localities:
  - { id: X, name: X, population: 1, tranche: t, negotiation: { months: 100 }, baseline: { council: 1000000, nhs: 1000000 } }
programmes:
  - id: p
    locality: X
    payer: council
    starts: 0
    duration_months: 6
    investment: { upfront: 5000, monthly: 1000, optimism_bias_pct: 20 }
    cohort: 10
    effects:
      - { beneficiary: nhs, service: S, unit_cost: { amount: 100, per: event }, baseline_demand: 1, reduction_pct: 10, lag_months: 0, ramp_months: 0 }
`
    const compiled = compileScenarioText(text, "ob.yaml")
    if (!compiled.ok) throw new Error(compiled.error.message)
    const p = compiled.value.scenario.programmes[0]!
    expect([p.upfrontPence, p.monthlyPence]).toEqual([600_000, 120_000])
    const s = summarize(runScenario(compiled.value.scenario).log)
    expect(s.money.prevention_invested_pence).toBe(600_000 + 6 * 120_000)
    // All in financial year 0, undiscounted: PV of costs = the costs.
    expect(s.money.appraisal.pv_costs_pence).toBe(1_320_000)
  })

  it("given the older-people example's 2010 review (2011-04, 48 months), its totals are the periods 12–59 of the run, exactly", () => {
    const file = path.join(ROOT, "scenarios", "older-people-bdp.yaml")
    const compiled = compileScenarioText(readFileSync(file, "utf8"), file)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const s = summarize(runScenario(compiled.value.scenario).log)
    const [r] = s.money.by_spending_review
    const over = (xs: ReadonlyArray<number>) => xs.slice(12, 60).reduce((x, y) => x + y, 0)
    expect(r).toEqual({
      review: "sr2010",
      periods: [12, 60],
      baseline_pence: over(s.money.by_period.baseline_pence),
      actual_pence: over(s.money.by_period.actual_pence),
      spb_reduction_pence: over(s.money.by_period.spb_reduction_pence),
      prevention_invested_pence: over(s.money.by_period.prevention_invested_pence),
      savings_realised_pence: over(s.money.by_period.savings_realised_pence)
    })
  })
})
