import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

/** Every example in scenarios/ runs, conserves money, and satisfies the accounting identities. */
const files = readdirSync(path.join(ROOT, "scenarios")).filter((f) => /\.(ya?ml|json)$/.test(f))

describe("example scenarios", () => {
  const dir = tempDir("examples")
  for (const f of files) {
    it(f, () => {
      const out = path.join(dir, f)
      const r = devosim("run", path.join(ROOT, "scenarios", f), "--out", out)
      expect(r.stderr).toBe("")
      expect(r.status).toBe(0)
      const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
      const money = summary.money
      expect(money.total_balance_pence).toBe(0)
      // What citizens with personal budgets did not need goes back to the line's funder: a line spends less by it.
      const personalBudgetSavings = (locality: string): number =>
        ((summary.personal_budgets ?? []) as Array<{ locality: string; saving_returned_pence: number }>).filter((b) => b.locality === locality).reduce((x, b) => x + b.saving_returned_pence, 0)
      for (const l of money.localities) {
        expect(l.baseline_pence - l.actual_pence).toBe(l.spb_reduction_pence + l.savings_realised_pence + personalBudgetSavings(l.locality) - l.prevention_invested_pence)
        expect(l.gainshare_kept_pence + l.gainshare_returned_pence).toBe(l.savings_on_pooled_lines_pence)
      }
      expect(devosim("replay", out).status).toBe(0)
    })
  }
  it("include the route-map and the three prevention examples", () =>
    expect(files).toEqual(expect.arrayContaining(["route-map-2010.yaml", "early-years-city-region.yaml", "older-people-bdp.yaml", "stockport-mental-health.yaml"])))
})
