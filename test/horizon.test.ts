/**
 * The run's horizon (issue "Answers true to the run", §1): a run covers months [0, months).
 *  - Given the golden Q2 queue (12 places, capacity 2, 10-month negotiations, a 36-month run), then
 *    coverage counts only deals within the run (25% at month 30; 50% and 75% not reached: null),
 *    and compare counts the replications in which a figure is not reached instead of averaging it.
 *  - Properties on generated scenarios: no posting at t >= months; the log ends with RunEnded at
 *    t = months; every outcome agrees with the queue's own times.
 */
import fc from "fast-check"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import { arbMoneyScenario } from "./arbitraries.ts"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const Q2 = path.join(ROOT, "test", "golden", "money", "cases", "q2_horizon", "scenario.json")
const dir = tempDir("horizon")

describe("the horizon", () => {
  it("given deals after the end, coverage counts only deals within the run; beyond it is null, not a number", () => {
    const out = path.join(dir, "q2")
    expect(devosim("run", Q2, "--out", out, "--no-parquet").status).toBe(0)
    const s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
    // Populations 1,000 … 12,000 (78,000 in all): L01–L06 (21,000, 26.9%) by month 30, the rest after 36.
    expect(s.coverage).toEqual({ population: 78_000, basis: "the scenario's localities", months_to_25pct: 30, months_to_50pct: null, months_to_75pct: null })
    expect(s.centre.deals).toBe(6)
    expect(s.centre.makespan).toBe(60)
    expect(s.centre.makespan_after_end).toBe(true)
  })

  it("given the route-map with London in place and England as the denominator, the forerunners bring over a quarter of England under a deal", () => {
    const out = path.join(dir, "route-map")
    expect(devosim("run", path.join(ROOT, "scenarios", "route-map-2010.yaml"), "--out", out, "--no-parquet").status).toBe(0)
    const s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
    expect(s.coverage.population).toBe(51_800_000)
    expect(s.coverage.basis).toBe("England (mid-2009 estimate)")
    const forerunners = s.negotiations.filter((n: { tranche: string }) => n.tranche === "forerunners" || n.tranche === "existing")
    const lastForerunner = Math.max(...forerunners.map((n: { deal: number }) => n.deal))
    // Kent, Essex, Birmingham, Greater Manchester and London: 14.2m of 51.8m, 27.5%.
    expect(forerunners.reduce((x: number, n: { population: number }) => x + n.population, 0) / 51_800_000).toBeGreaterThan(0.25)
    expect(s.coverage.months_to_25pct).toBe(lastForerunner)
    expect(s.coverage.months_to_50pct).toBeNull()
  })

  it("compare counts not-reached replications and never averages them", () => {
    const out = path.join(dir, "cmp")
    const r = devosim("compare", Q2, Q2, "--replications", "2", "--out", out)
    expect(r.status, r.stderr).toBe(0)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    const fifty = c.figures.find((f: { figure: string }) => f.figure === "coverage_50pct_months")
    expect(fifty.by_scenario.map((b: { n: number; not_reached: number; mean: number | null }) => [b.n, b.not_reached, b.mean])).toEqual([
      [0, 2, null],
      [0, 2, null]
    ])
    const deals = c.figures.find((f: { figure: string }) => f.figure === "deals")
    expect(deals.by_scenario[0].mean).toBe(6)
    expect(r.stdout).toMatch(/not reached within the run in 2 of 2/)
  })

  it("property: no posting at or after the horizon; RunEnded closes the log at t = months; outcomes agree with the queue's times", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        for (let i = 0; i < log.postings.length; i++) expect(log.postings.t[i]!).toBeLessThan(sc.months)
        const last = log.controls.at(-1)!
        expect(last._tag).toBe("RunEnded")
        expect(last.t).toBe(sc.months)
        for (const e of log.controls.slice(0, -1)) expect(e.t).toBeLessThan(sc.months)
        const s = summarize(log)
        for (const n of s.negotiations) {
          if (n.outcome === "deal") expect(n.deal!).toBeLessThan(sc.months)
          // The times are the last attempt's: a locality negotiating at the end may fail and retry after it.
          if (n.outcome === "negotiating" && n.attempts === 1) expect(n.start).toBeLessThan(sc.months)
          if (n.outcome === "queued" && n.attempts <= 1) expect(n.eligible).toBeLessThan(sc.months)
          if (n.outcome === "not_eligible") expect(n.eligible).toBeGreaterThanOrEqual(sc.months)
        }
        expect(s.centre.deals).toBe(s.negotiations.filter((n) => n.outcome === "deal").length)
      }),
      { numRuns: 80 }
    )
  })
})
