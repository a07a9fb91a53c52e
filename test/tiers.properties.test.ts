/**
 * Devolution beyond the town hall (issue 17) on generated scenarios: money is conserved after every
 * event, in every tier; a tier's budget spends what it is passed in the period; rolling tiers up
 * gives the flat model's postings exactly when nothing is passed down; sharding changes nothing.
 */
import { accountDirectory, HOLDERS, layoutOf, replay, tierBudgetAccount, TREASURY } from "@devosim/core"
import type { EventLog, RunStarted, Scenario } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { encodeEventLog } from "@devosim/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbDevolvedScenario } from "./arbitraries.ts"
import { foldEach } from "./folds.ts"

const flat = (sc: Scenario): Scenario => {
  const { tiers: _tiers, passDowns: _passDowns, ...rest } = sc
  return rest
}

/**
 * The log's postings rolled up to localities: a tier's world is its locality's world, a tier's
 * budget its locality's SPB; summed by (period, from, to, the cause's kind), moves inside one
 * rolled-up account left out.
 */
const rolledUpFlows = (log: EventLog): Map<string, number> => {
  const run = log.controls[0] as RunStarted
  const dir = accountDirectory(run)
  // By who holds it, not by number: tiers' accounts come before the running costs' and move them.
  const roll = (account: number) => `${HOLDERS[dir.holder[account]!]}:${dir.locality[account]}:${dir.agency[account]}`
  const kind = new Map(log.controls.map((c) => [c.seq, c._tag] as const))
  const out = new Map<string, number>()
  const p = log.postings
  for (let i = 0; i < p.length; i++) {
    const from = roll(p.from[i]!)
    const to = roll(p.to[i]!)
    if (from === to) continue
    const key = `${Math.floor(p.t[i]!)} ${from} ${to} ${kind.get(p.cause[i]!)}`
    out.set(key, (out.get(key) ?? 0) + p.amount[i]!)
  }
  return out
}

describe("tiers, budgets passed down, personal budgets, outcomes and running costs", () => {
  it("conserve money exactly after every event, and no account but the Treasury is ever overdrawn, after any posting", () => {
    fc.assert(
      fc.property(arbDevolvedScenario(), (sc) => {
        const { log } = runScenario(sc)
        let j = 0
        foldEach(log, (total, seq, s) => {
          if (total !== 0) throw new Error(`total ${total} after seq ${seq}`)
          const p = log.postings
          if (j < p.length && p.seq[j] === seq) {
            if (p.from[j]! !== TREASURY && s.balances[p.from[j]!]! < 0) throw new Error(`account ${p.from[j]} overdrawn at seq ${seq}`)
            j++
          }
        })
      }),
      { numRuns: 150, seed: 17 }
    )
  })

  it("a tier's budget commissions everything it is passed, in the same period (its balance is 0 at every period's end)", () => {
    fc.assert(
      fc.property(arbDevolvedScenario(), (sc) => {
        const { log } = runScenario(sc)
        const run = log.controls[0] as RunStarted
        const layout = layoutOf(run)
        const final = replay(log)
        for (let t = 0; t < (run.tiers?.length ?? 0); t++) expect(final.balances[tierBudgetAccount(layout, t)]).toBe(0)
        // And every pound passed down lands in the receiving tiers' worlds.
        let passed = 0
        let commissioned = 0
        const dir = accountDirectory(run)
        const spb = HOLDERS.indexOf("spb")
        for (let i = 0; i < log.postings.length; i++) {
          const to = log.postings.to[i]!
          const from = log.postings.from[i]!
          if (dir.tier[to]! >= 0 && dir.holder[to] === spb) passed += log.postings.amount[i]!
          if (dir.tier[from]! >= 0 && dir.holder[from] === spb) commissioned += log.postings.amount[i]!
        }
        expect(commissioned).toBe(passed)
      }),
      { numRuns: 100, seed: 3 }
    )
  })

  it("rolling tiers up gives the flat model's postings exactly when no budget is passed down", () => {
    fc.assert(
      fc.property(arbDevolvedScenario({ passDown: false }), (sc) => {
        const tiered = runScenario(sc).log
        const flatLog = runScenario(flat(sc)).log
        expect(rolledUpFlows(tiered)).toEqual(rolledUpFlows(flatLog))
        // The control events are the same, but for RunStarted's tiers (and their seqs: a split line posts more).
        const unnumbered = (log: typeof tiered) => log.controls.slice(1).map(({ seq: _seq, ...e }) => e)
        expect(unnumbered(tiered)).toEqual(unnumbered(flatLog))
      }),
      { numRuns: 150, seed: 2026 }
    )
  })

  it("some generated runs do split spending over tiers and pass budgets down (the properties are not vacuous)", () => {
    const seen = { tierSpend: 0, passedDown: 0, directPayments: 0, outcomePayments: 0, fixedTopUps: 0, runningCosts: 0 }
    fc.assert(
      fc.property(arbDevolvedScenario(), (sc) => {
        const { log } = runScenario(sc)
        const run = log.controls[0] as RunStarted
        const dir = accountDirectory(run)
        const kind = new Map(log.controls.map((c) => [c.seq, c._tag] as const))
        for (let i = 0; i < log.postings.length; i++) {
          const to = log.postings.to[i]!
          const from = log.postings.from[i]!
          const cause = kind.get(log.postings.cause[i]!)
          if (dir.tier[to]! >= 0 && cause === "PeriodSpent") seen.tierSpend++
          if (cause === "BudgetPassedDown") seen.passedDown++
          if (cause === "PersonalBudgetsOffered") seen.directPayments++
          if (cause === "OutcomesAgreed") seen.outcomePayments++
          if (from === TREASURY && HOLDERS[dir.holder[to]!] === "spb" && cause === "PeriodSpent") seen.fixedTopUps++
          if (HOLDERS[dir.holder[to]!] === "centre" || HOLDERS[dir.holder[to]!] === "mayoral office") seen.runningCosts++
        }
      }),
      { numRuns: 150, seed: 17 }
    )
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(0)
  })

  it("common random numbers across timetables: moving tranches changes no locality's negotiation durations or outcomes (attempt by attempt)", () => {
    const draws = (log: EventLog) => {
      const out = new Map<string, Array<number>>()
      for (const e of log.controls) if (e._tag === "NegotiationStarted") (out.get(e.locality) ?? out.set(e.locality, []).get(e.locality)!).push(e.duration)
      return out
    }
    fc.assert(
      fc.property(arbDevolvedScenario(), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 4 }), (sc, opens) => {
        const moved: Scenario = { ...sc, months: sc.months + 60, tranches: sc.tranches.map((t, k) => ({ ...t, opens: opens[k % opens.length]! })) }
        const a = draws(runScenario({ ...sc, months: sc.months + 60 }).log)
        const b = draws(runScenario(moved).log)
        for (const [locality, xs] of a) {
          const ys = b.get(locality) ?? []
          const n = Math.min(xs.length, ys.length)
          expect(ys.slice(0, n)).toEqual(xs.slice(0, n))
        }
      }),
      { numRuns: 100, seed: 5 }
    )
  })

  it("sharded: N = 1..4 shards in windows of any length give the same log byte for byte", () => {
    fc.assert(
      fc.property(arbDevolvedScenario(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 }), (sc, shards, windowPeriods) => {
        const whole = runScenario(sc).log
        const sharded = runScenario(structuredClone(sc), { shards, windowPeriods }).log
        expect(Buffer.from(encodeEventLog(sharded)).equals(Buffer.from(encodeEventLog(whole)))).toBe(true)
      }),
      { numRuns: 100, seed: 11 }
    )
  })
})
