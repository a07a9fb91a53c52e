import type { EventLog, RunStarted, Scenario } from "@devosim/core"
import { applyPostings, initialState, TREASURY } from "@devosim/core"
import { forkPointOfSeq, runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario } from "./arbitraries.ts"
import { NO_MONEY, queueLocality } from "./builders.ts"

/** The first n events of a log (control events and postings with seq < n). */
const prefix = (log: EventLog, n: number) => {
  const k = log.postings.seq.findIndex((s) => s >= n)
  const end = k < 0 ? log.postings.length : k
  return {
    controls: log.controls.filter((c) => c.seq < n),
    seq: Array.from(log.postings.seq.subarray(0, end)),
    t: Array.from(log.postings.t.subarray(0, end)),
    from: Array.from(log.postings.from.subarray(0, end)),
    to: Array.from(log.postings.to.subarray(0, end)),
    amount: Array.from(log.postings.amount.subarray(0, end)),
    cause: Array.from(log.postings.cause.subarray(0, end))
  }
}

/** What-if amendments a fork may make: the centre's capacity, tranches, baselines, deal terms, programmes. */
const arbAmendment = (sc: Scenario): fc.Arbitrary<Scenario> =>
  fc
    .record({
      capacity: fc.integer({ min: 1, max: 6 }),
      opensShift: fc.integer({ min: -6, max: 6 }),
      retranche: fc.nat(),
      baselineScale: fc.constantFrom(0.5, 1, 1.3),
      reduction: fc.constantFrom(0, 300, 1500),
      monthly: fc.integer({ min: 0, max: 50_000_000 })
    })
    .map((x) => ({
      ...sc,
      centre: { capacity: x.capacity },
      tranches: sc.tranches.map((t) => ({ ...t, opens: Math.max(0, t.opens + x.opensShift) })),
      localities: sc.localities.map((l, i) => ({
        ...l,
        tranche: i === x.retranche % sc.localities.length ? (l.tranche + 1) % sc.tranches.length : l.tranche,
        baseline: l.baseline.map((b) => Math.round(b * x.baselineScale))
      })),
      deal: { ...sc.deal, reductionBasisPoints: x.reduction },
      programmes: sc.programmes.map((p) => ({ ...p, monthlyPence: x.monthly }))
    }))

describe("what-if forks", () => {
  it("a fork that amends nothing reproduces the parent's log exactly, wherever it forks", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), fc.nat(), (sc, cut) => {
        const parent = runScenario(sc).log
        const n = parent.controls.length + parent.postings.length
        const fork = runScenario(sc, { fork: { scenario: structuredClone(sc), ...forkPointOfSeq(parent, cut % (n + 1)) } })
        // Re-settling to the same plan moves nothing, and the rebuilt agenda decides the same events.
        const withoutResettle = fork.log.controls.filter((c) => !(c._tag === "EnvelopesSettled" && c.financialYear.endsWith("(re-settled)")))
        expect(withoutResettle.map((c) => [c._tag, c.t])).toEqual(parent.controls.map((c) => [c._tag, c.t]))
        expect(fork.log.postings.amount).toEqual(parent.postings.amount)
        expect(fork.log.postings.from).toEqual(parent.postings.from)
      }),
      { numRuns: 120 }
    )
  })

  it("an amended fork shares the parent's prefix event for event, and still conserves money with no overdraft", () => {
    fc.assert(
      fc.property(
        arbMoneyScenario().chain((sc) => fc.tuple(fc.constant(sc), arbAmendment(sc), fc.nat())),
        ([sc, amended, cut]) => {
          const parent = runScenario(sc).log
          const n = parent.controls.length + parent.postings.length
          const { log, forkedAt } = runScenario(sc, { fork: { scenario: amended, ...forkPointOfSeq(parent, cut % (n + 1)) } })
          if (forkedAt === null) return // the fork point is past the last trigger
          expect(forkedAt.seq).toBeGreaterThanOrEqual(cut % (n + 1))
          expect(prefix(log, forkedAt.seq)).toEqual(prefix(parent, forkedAt.seq))
          // The fork's own books: every account but the Treasury stays >= 0, the total is 0.
          const s = initialState(log.controls[0] as RunStarted)
          for (let i = 0; i < log.postings.length; i++) {
            applyPostings(s, log.postings, i, i + 1)
            const from = log.postings.from[i]!
            if (from !== TREASURY && s.balances[from]! < 0) throw new Error(`account ${from} overdrawn at seq ${log.postings.seq[i]}`)
          }
          const money = summarize(log).money
          expect(money.total_balance_pence).toBe(0)
          for (const l of money.localities) {
            expect(l.baseline_pence - l.actual_pence).toBe(l.spb_reduction_pence + l.savings_realised_pence - l.prevention_invested_pence)
          }
        }
      ),
      { numRuns: 150 }
    )
  })

  it("given the centre's capacity raised from month 12, negotiations before month 12 are untouched and later ones start sooner", () => {
    const sc: Scenario = {
      ...NO_MONEY,
      name: "queue",
      start: { year: 2010, month: 4 },
      months: 48,
      seed: 1,
      centre: { capacity: 1 },
      tranches: [{ id: "t1", opens: 0 }],
      localities: Array.from({ length: 8 }, (_, i) =>
        queueLocality(`L${i}`, { duration: { kind: "fixed", value: 5 }, failProbability: 0, coolOffMonths: 3, maxAttempts: 1 })
      )
    }
    const parent = summarize(runScenario(sc).log)
    const fork = runScenario(sc, { fork: { scenario: { ...sc, centre: { capacity: 3 } }, atTime: 12 } })
    expect(fork.forkedAt!.t).toBe(15) // the first trigger at or after month 12: L2's deal at 15
    const forked = summarize(fork.log)
    // One at a time until 15 (L0 0–5, L1 5–10, L2 10–15); from 15 three at once.
    expect(parent.negotiations.map((n) => n.start)).toEqual([0, 5, 10, 15, 20, 25, 30, 35])
    expect(forked.negotiations.map((n) => n.start)).toEqual([0, 5, 10, 15, 15, 15, 20, 20])
  })
})
