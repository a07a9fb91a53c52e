/**
 * Single place budgets by period and transfers (money.ts): what goes into each pool and out of it,
 * against the figures the summary already had, for every example scenario and golden money case.
 */
import type { RunStarted } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { MoneyBuilder, POOL_BY_PERIOD_CELLS, POOL_FLOWS } from "../src/money.ts"
import { summarize } from "../src/summary.ts"
import { splitSummary } from "../src/summary-tables.ts"

const ROOT = path.resolve(import.meta.dirname, "../../..")
const files = [
  ...readdirSync(path.join(ROOT, "scenarios")).map((f) => path.join(ROOT, "scenarios", f)),
  ...readdirSync(path.join(ROOT, "test", "golden", "money", "cases")).flatMap((c) => {
    const dir = path.join(ROOT, "test", "golden", "money", "cases", c)
    return readdirSync(dir).filter((f) => /^scenario\.(ya?ml|json)$/.test(f)).map((f) => path.join(dir, f))
  })
]
const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, x) => a + x, 0)

const runOf = (file: string) => {
  const compiled = compileScenarioText(readFileSync(file, "utf8"), file)
  if (!compiled.ok) throw new Error(compiled.error.message)
  return runScenario(compiled.value.scenario).log
}

describe("single place budgets by period", () => {
  it.each(files.map((f) => [path.relative(ROOT, f), f]))("%s: each pool's flows add up to the run's figures", (_, file) => {
    const m = summarize(runOf(file)).money
    const spb = m.single_place_budget
    // Every month a pooled line's funding comes in and goes out as the reduction and the agencies' funding.
    for (let t = 0; t < spb.by_period.line_funding_pence.length; t++)
      expect(spb.by_period.line_funding_pence[t]! + spb.by_period.transfers_pence[t]!).toBe(spb.by_period.pooled_funding_pence[t]! + spb.by_period.reduction_pence[t]!)
    expect(spb.totals.reduction_pence).toBe(m.spb_reduction_pence)
    expect(spb.totals.savings_pence).toBe(m.savings_on_pooled_lines_pence)
    expect(spb.totals.gainshare_returned_pence).toBe(m.gainshare_returned_pence)
    expect(spb.totals.gainshare_kept_pence).toBe(m.gainshare_kept_pence)
    expect(spb.by_locality).toBe(true)
    expect(m.pools).toHaveLength(spb.localities)
    for (const k of POOL_FLOWS) {
      expect(sum(spb.by_period[k]), k).toBe(spb.totals[k])
      expect(sum(spb.by_financial_year.map((y) => y[k])), k).toBe(spb.totals[k])
      expect(sum(m.pools.map((p) => sum(p[k]))), k).toBe(spb.totals[k])
    }
    for (const p of m.pools) {
      const l = m.localities.find((x) => x.locality === p.locality)!
      expect(sum(p.reduction_pence)).toBe(l.spb_reduction_pence)
      expect(sum(p.gainshare_kept_pence)).toBe(l.gainshare_kept_pence)
      for (const k of POOL_FLOWS) expect(p[k]).toHaveLength(Math.max(1, spb.by_period[k].length))
    }
    // Transfers by (locality, receiving line) are the lines' transfers in.
    for (const l of m.localities)
      for (const a of l.agencies) expect(sum(m.transfers.filter((x) => x.locality === l.locality && x.to === a.agency).map((x) => x.amount_pence))).toBe(a.transfers_in_pence)
  })

  it("stockport-mental-health: one pool, a transfer partly into it, savings kept in full", () => {
    const s = summarize(runOf(path.join(ROOT, "scenarios", "stockport-mental-health.yaml")))
    expect(s.money.transfers).toEqual([{ locality: "Stockport", from: "council", to: "community", amount_pence: 100_000_000 }])
    expect(s.money.single_place_budget.totals.transfers_pence).toBe(62_500_002) // the part after the deal pooled the line
    expect(s.money.single_place_budget.totals.gainshare_returned_pence).toBe(0)
    const split = splitSummary(s)
    expect(split.file.tables.pools?.rows).toBe(s.months) // one row a period
    expect(split.file.tables.transfers?.rows).toBe(1)
  })

  it(`beyond ${POOL_BY_PERIOD_CELLS.toLocaleString("en-GB")} locality-periods only the totals by period are kept, and no pools table`, () => {
    const log = runOf(path.join(ROOT, "scenarios", "route-map-2010.yaml"))
    const run = log.controls[0] as RunStarted
    const many = Math.ceil(POOL_BY_PERIOD_CELLS / run.months) + 1
    const big: RunStarted = { ...run, localities: Array.from({ length: many }, (_, i) => ({ ...run.localities[i % run.localities.length]!, id: `L${i}` })) }
    const m = new MoneyBuilder(big).finish()
    expect(m.single_place_budget.by_locality).toBe(false)
    expect(m.pools).toEqual([])
    const small = new MoneyBuilder(run).finish()
    expect(small.single_place_budget.by_locality).toBe(true)
  })
})
