/**
 * summary.json's devolution sections (issue 17) on generated scenarios: absent from a run without
 * tiers, personal budgets, outcomes, running costs or fixed cash; where present, each agrees with the
 * log's postings and the money figures: a locality's places roll up to its own figures exactly, an
 * SPB ends with its gainshare kept plus its outcome payments, a pool's flows balance with top-ups.
 */
import { accountDirectory, HOLDERS, replay, spbAccount, layoutOf } from "@devosim/core"
import type { RunStarted, Scenario } from "@devosim/core"
import type { Summary } from "@devosim/report"
import { runScenario } from "@devosim/engine"
import { classifyFlow, flattenNumbers, summarize } from "@devosim/report"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Numbers } from "../packages/cli/src/replication.ts"
import { arbDevolvedScenario, arbMoneyScenario } from "./arbitraries.ts"

const SECTIONS = ["tiers", "personal_budgets", "outcomes", "running_costs", "envelopes"] as const

const flat = (sc: Scenario): Scenario => {
  const { tiers: _tiers, passDowns: _passDowns, ...rest } = sc
  return rest
}

describe("summary.json's devolution sections", () => {
  it("are absent from a run without them (the summary it always had)", () => {
    fc.assert(
      fc.property(arbMoneyScenario({ maxLocalities: 4, maxMonths: 30 }), (sc) => {
        const s = summarize(runScenario(sc).log)
        for (const k of SECTIONS) expect(k in s, k).toBe(false)
      }),
      { numRuns: 60, seed: 5 }
    )
  })

  it("agree with the postings: places roll up to their locality, flows by kind sum to the sections' totals, an SPB ends with its gainshare kept plus its outcome payments", () => {
    fc.assert(
      fc.property(arbDevolvedScenario({ maxLocalities: 4, maxMonths: 40 }), (sc) => {
        const { log } = runScenario(sc)
        const s = summarize(log)
        const run = log.controls[0] as RunStarted
        const dir = accountDirectory(run)
        const kind = new Map(log.controls.map((c) => [c.seq, c._tag] as const))
        const byFlow = new Map<string, number>()
        const outcomeByLocality = new Float64Array(run.localities.length)
        const p = log.postings
        for (let i = 0; i < p.length; i++) {
          const flow = classifyFlow(HOLDERS[dir.holder[p.from[i]!]!]!, HOLDERS[dir.holder[p.to[i]!]!]!, kind.get(p.cause[i]!))
          byFlow.set(flow, (byFlow.get(flow) ?? 0) + p.amount[i]!)
          if (flow === "outcome payment") outcomeByLocality[dir.locality[p.to[i]!]!]! += p.amount[i]!
        }
        const total = (flow: string) => byFlow.get(flow) ?? 0
        expect(s.tiers !== undefined).toBe((run.tiers?.length ?? 0) > 0)
        if (s.tiers !== undefined) {
          for (const r of s.tiers.by_locality) {
            const l = s.money.localities.find((x) => x.locality === r.locality)!
            expect(r.spend_pence).toBe(l.actual_pence)
            expect(r.by_agency.map((g) => g.spend_pence)).toEqual(l.agencies.map((g) => g.actual_pence))
          }
          const passed = s.tiers.by_tier.reduce((x, t) => x + t.passed_down_pence, 0)
          expect(passed).toBe(total("passed down"))
          expect(s.tiers.by_tier.reduce((x, t) => x + t.spend_pence, 0)).toBeGreaterThanOrEqual(total("tier commissioning"))
          for (const t of s.tiers.by_tier) expect(t.by_financial_year.reduce((x, y) => x + y.spend_pence, 0)).toBe(t.spend_pence)
        }
        const pbs = s.personal_budgets ?? []
        expect(pbs.reduce((x, b) => x + b.direct_payments_pence, 0)).toBe(total("direct payment"))
        expect(pbs.reduce((x, b) => x + b.saving_returned_pence, 0)).toBe(total("personal budget saving"))
        for (const b of pbs) for (const u of b.take_up_by_period) expect(u >= 0 && u <= 1).toBe(true)
        const outcomes = s.outcomes ?? []
        expect(outcomes.reduce((x, o) => x + o.payments_pence, 0)).toBe(total("outcome payment"))
        expect(s.running_costs?.total_pence ?? 0).toBe(total("running cost"))
        expect((s.envelopes ?? []).reduce((x, e) => x + e.top_ups_pence, 0)).toBe(total("envelope top-up"))
        // An SPB keeps its gainshare (of programmes' and personal budgets' savings) and its outcome payments.
        const final = replay(log)
        const layout = layoutOf(run)
        s.money.localities.forEach((l, i) => {
          expect(final.balances[spbAccount(layout, i)]).toBe(l.gainshare_kept_pence + outcomeByLocality[i]!)
          // The spending identity, with what personal budgets returned (a line spends less by it).
          const returned = pbs.filter((b) => b.locality === l.locality).reduce((x, b) => x + b.saving_returned_pence, 0)
          expect(l.baseline_pence - l.actual_pence).toBe(l.spb_reduction_pence + l.savings_realised_pence + returned - l.prevention_invested_pence)
          expect(l.gainshare_kept_pence + l.gainshare_returned_pence).toBe(l.savings_on_pooled_lines_pence)
        })
        const spb = s.money.single_place_budget.by_period
        for (let m = 0; m < run.months; m++) expect(spb.line_funding_pence[m]! + spb.transfers_pence[m]!).toBe(spb.pooled_funding_pence[m]! + spb.reduction_pence[m]!)
      }),
      { numRuns: 120, seed: 17 }
    )
  })

  it("have a path of their own for every number (replication statistics key tiers by path, personal budgets by id, outcomes by locality and measure)", () => {
    const count = (v: unknown): number => (typeof v === "number" ? 1 : Array.isArray(v) ? v.reduce((n: number, x) => n + count(x), 0) : typeof v === "object" && v !== null ? Object.values(v).reduce((n: number, x) => n + count(x), 0) : 0)
    fc.assert(
      fc.property(arbDevolvedScenario({ maxLocalities: 3, maxMonths: 24 }), (sc) => {
        const s = summarize(runScenario(sc).log)
        const sections = Object.fromEntries(SECTIONS.flatMap((k) => (k in s ? [[k, s[k]]] : [])))
        expect(flattenNumbers(sections).size).toBe(count(sections))
        // And replications read them by the same paths (a summary of the same shape shares its key list).
        // (The sections alone: money.effects may repeat a path, which Numbers never shares.)
        const sectionsOf = (x: Summary) => Object.fromEntries(SECTIONS.flatMap((k) => (k in x ? [[k, x[k]]] : []))) as unknown as Summary
        const numbers = new Numbers()
        const first = numbers.of(sectionsOf(s))
        expect(first.keys).toEqual([...flattenNumbers(sections).keys()])
        const again = numbers.of(sectionsOf(summarize(runScenario(sc).log)))
        expect(again.keys).toBe(first.keys)
        expect(Array.from(again.values)).toEqual(Array.from(first.values))
      }),
      { numRuns: 60, seed: 8 }
    )
  })

  it("tiers change no money figure when nothing is passed down: the tiered run's money is the flat run's", () => {
    fc.assert(
      fc.property(arbDevolvedScenario({ passDown: false, maxLocalities: 4, maxMonths: 40 }), (sc) => {
        expect(summarize(runScenario(sc).log).money).toEqual(summarize(runScenario(flat(sc)).log).money)
      }),
      { numRuns: 80, seed: 2026 }
    )
  })
})
