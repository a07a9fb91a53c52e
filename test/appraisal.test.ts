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
  })
})
