import {
  agencyAccount,
  applyPostings,
  canonicalState,
  compareCodePoints,
  departmentAccount,
  initialState,
  replay,
  spbAccount,
  TREASURY,
  worldAccount
} from "@devosim/core"
import type { EventLog, RunStarted } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario, arbScenario } from "./arbitraries.ts"
import { foldEach } from "./folds.ts"

const floorDiv = (a: bigint, b: bigint): bigint => (a < 0n && a % b !== 0n ? a / b - 1n : a / b)

describe("engine properties on generated scenarios", () => {
  it("conserves money exactly after every event", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        foldEach(log, (total, seq) => {
          if (total !== 0) throw new Error(`total ${total} after seq ${seq}`)
        })
      }),
      { numRuns: 150 }
    )
  })

  it("never overdraws an account other than the Treasury, after any event", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        const s = initialState(log.controls[0] as RunStarted)
        const p = log.postings
        for (let i = 0; i < p.length; i++) {
          applyPostings(s, p, i, i + 1)
          if (p.from[i]! !== TREASURY && s.balances[p.from[i]!]! < 0) throw new Error(`account ${p.from[i]} overdrawn at seq ${p.seq[i]}`)
        }
      }),
      { numRuns: 100 }
    )
  })

  it("money identities hold exactly for every locality (baseline computed a second way from the scenario)", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log, state } = runScenario(sc)
        const money = summarize(log).money
        const layout = { localityCount: sc.localities.length, agencyCount: sc.agencies.length }
        sc.localities.forEach((l, i) => {
          const lm = money.localities[i]!
          // Independent arithmetic: BigInt; UK financial years from 1 April (year 0 the run's first),
          // compounded yearly; twelve parts by largest remainder over the year's months (April first);
          // reviews in order, compounding, persisting unless told not to, phased j/n when even; every
          // percentage of money half away from zero.
          const monthIndex = (m: number) => sc.start.year * 12 + (sc.start.month - 1) + m
          const fyOf = (m: number) => (monthIndex(m) % 12 >= 3 ? Math.floor(monthIndex(m) / 12) : Math.floor(monthIndex(m) / 12) - 1)
          const halfAway = (num: bigint, den: bigint) => {
            const q = ((num < 0n ? -num : num) * 2n + den) / (2n * den)
            return num < 0n ? -q : q
          }
          let baseline = 0n
          sc.agencies.forEach((ag, a) => {
            let annual = BigInt(l.baseline[a]!)
            let year = 0
            for (let m = 0; m < sc.months; m++) {
              for (; year < fyOf(m) - fyOf(0); year++) annual = annual + halfAway(annual * BigInt(ag.trendBasisPoints), 10000n)
              const k = (monthIndex(m) % 12 + 9) % 12 // April = 0
              let part = annual / 12n + (BigInt(k) < annual % 12n ? 1n : 0n)
              for (const r of sc.spendingReviews) {
                const c = r.changeBasisPoints[a] ?? 0
                const end = r.starts + r.months
                if (c === 0 || m < r.starts || (m >= end && !r.persists)) continue
                const n = r.phasing === "even" ? fyOf(end - 1) - fyOf(r.starts) + 1 : 1
                const j = r.phasing === "even" && m < end ? fyOf(m) - fyOf(r.starts) + 1 : n
                part += halfAway(part * BigInt(c * j), BigInt(10000 * n))
              }
              baseline += part
            }
          })
          let invested = 0
          for (const p of sc.programmes) {
            if (p.locality !== i) continue
            for (let m = p.starts; m < Math.min(sc.months, p.starts + p.durationMonths); m++) invested += (m === p.starts ? p.upfrontPence : 0) + p.monthlyPence
          }
          expect(BigInt(lm.baseline_pence)).toBe(baseline)
          expect(lm.prevention_invested_pence).toBe(invested)
          // baseline − actual = SPB reduction + net savings realised (transfers move money between lines, not out).
          expect(lm.baseline_pence - lm.actual_pence).toBe(lm.spb_reduction_pence + lm.savings_realised_pence - lm.prevention_invested_pence)
          expect(lm.gainshare_kept_pence + lm.gainshare_returned_pence).toBe(lm.savings_on_pooled_lines_pence)
          expect(lm.agencies.reduce((x, a) => x + a.transfers_in_pence - a.transfers_out_pence, 0)).toBe(0)
          // Where the money ends: silo savings stay with departments, kept gainshare in the SPB, spend with the world.
          let departments = 0
          for (let a = 0; a < sc.agencies.length; a++) {
            departments += state.balances[departmentAccount(layout, i, a)]!
            expect(state.balances[agencyAccount(layout, i, a)]).toBe(0)
          }
          expect(departments).toBe(lm.savings_realised_pence - lm.savings_on_pooled_lines_pence)
          expect(state.balances[spbAccount(layout, i)]).toBe(lm.gainshare_kept_pence)
          expect(state.balances[worldAccount(layout, i)]).toBe(lm.actual_pence)
        })
        expect(money.total_balance_pence).toBe(0)
        expect(state.balances[TREASURY]).toBe(-money.settled_pence + money.spb_reduction_pence + money.gainshare_returned_pence)
        // Every saving appears once in the cost-shift matrix.
        expect(money.cost_shift.reduce((x, c) => x + c.savings_pence, 0)).toBe(money.savings_realised_pence)
      }),
      { numRuns: 200 }
    )
  })

  it("powers wait for the accountability they need: a line pools only once a sufficient model is adopted", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        const level = new Map(sc.localities.map((l) => [l.id, l.accountability.level]))
        for (const e of log.controls) {
          if (e._tag === "AccountabilityAdopted") level.set(e.locality, e.level)
          if (e._tag === "PowerDevolved") {
            const power = sc.powers.find((p) => p.id === e.power)!
            expect(level.get(e.locality)!).toBeGreaterThanOrEqual(power.requiredLevel)
            expect(e.fromPeriod).toBe(Math.ceil(e.t))
          }
        }
      }),
      { numRuns: 150 }
    )
  })

  it("numbers events 0..n-1 with every posting caused by an earlier control event", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        const seqs = [...log.controls.map((c) => c.seq), ...log.postings.seq].sort((a, b) => a - b)
        expect(seqs).toEqual(seqs.map((_, i) => i))
        const controlSeqs = new Set(log.controls.map((c) => c.seq))
        for (let i = 0; i < log.postings.length; i++) {
          expect(controlSeqs.has(log.postings.cause[i]!)).toBe(true)
          expect(log.postings.cause[i]!).toBeLessThan(log.postings.seq[i]!)
          expect(Number.isSafeInteger(log.postings.amount[i]!) && log.postings.amount[i]! > 0).toBe(true)
        }
      }),
      { numRuns: 100 }
    )
  })

  it("is deterministic: the same scenario gives the same log", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const a = runScenario(sc).log
        const b = runScenario(structuredClone(sc)).log
        expect(b.controls).toEqual(a.controls)
        expect(b.postings).toEqual(a.postings)
      }),
      { numRuns: 60 }
    )
  })

  it("replay of the log equals the run's final state", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log, state } = runScenario(sc)
        expect(canonicalState(replay(log))).toBe(canonicalState(state))
      }),
      { numRuns: 100 }
    )
  })

  it("adding a locality changes no other locality's random draws", () => {
    fc.assert(
      fc.property(arbScenario(), fc.integer({ min: 0, max: 1000 }), (sc, k) => {
        const extraId = "Zz-extra-" + k
        fc.pre(!sc.localities.some((l) => l.id === extraId))
        const extra = { ...sc.localities[0]!, id: extraId, name: extraId }
        const bigger = { ...sc, localities: [...sc.localities, extra].reverse() }
        const draws = (log: EventLog) => {
          const m = new Map<string, Array<unknown>>()
          for (const e of log.controls) {
            if (e._tag === "NegotiationStarted") m.set(e.locality, [...(m.get(e.locality) ?? []), e.attempt, e.duration])
            if (e._tag === "NegotiationFailed") m.set(e.locality, [...(m.get(e.locality) ?? []), "failed", e.attempt])
          }
          return m
        }
        const before = draws(runScenario(sc).log)
        const after = draws(runScenario(bigger).log)
        for (const [id, ds] of before) {
          // Each locality's n-th attempt draws the same duration and outcome whatever else is in the file.
          // (Attempts beyond the run's horizon are not in the log: compare what both logs hold.)
          const more = after.get(id) ?? []
          expect(more.slice(0, ds.length)).toEqual(ds.slice(0, more.length))
        }
      }),
      { numRuns: 100 }
    )
  })

  it("serves the queue in (eligible, code-point id) order and never beyond capacity", () => {
    fc.assert(
      fc.property(arbScenario(), (sc) => {
        const { log } = runScenario(sc)
        const s = summarize(log)
        expect(s.centre.max_concurrent).toBeLessThanOrEqual(sc.centre.capacity)
        const firsts = s.negotiations.filter((n) => n.attempts === 1)
        for (const n of s.negotiations) expect(n.start).toBeGreaterThanOrEqual(n.eligible)
        const order = [...firsts].sort((a, b) => a.eligible - b.eligible || compareCodePoints(a.locality, b.locality))
        for (let i = 1; i < order.length; i++) {
          if (sc.localities.every((l) => l.negotiation.failProbability === 0)) {
            expect(order[i]!.start).toBeGreaterThanOrEqual(order[i - 1]!.start)
          }
        }
      }),
      { numRuns: 100 }
    )
  })
})
