/**
 * The projections over a streamed log: SummaryBuilder and LedgerProjection over any chunking of a
 * log equal summarize and ledgerByPeriod of the whole log, and both equal dense references
 * (per-locality × period arrays, as the projections were first written).
 */
import type { ControlEvent, EventLog, LedgerColumns, LogChunk, PostingColumns, Scenario } from "@devosim/core"
import { accountCount, describeAccount, layoutOf } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario, arbScenario } from "../../../test/arbitraries.ts"
import { classifyFlow } from "../src/flows.ts"
import { LedgerProjection, concatLedger, ledgerByPeriod, runStartedOf } from "../src/ledger.ts"
import { discountFactor } from "../src/money.ts"
import { SummaryBuilder, summarize } from "../src/summary.ts"

const SEED = 20_260_301

/** The first index in a sorted array at which the value is ≥ x. */
const lowerBound = (xs: ArrayLike<number>, x: number): number => {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (xs[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

const slicePostings = (p: PostingColumns, a: number, b: number): PostingColumns => ({
  length: b - a,
  seq: p.seq.subarray(a, b),
  t: p.t.subarray(a, b),
  from: p.from.subarray(a, b),
  to: p.to.subarray(a, b),
  amount: p.amount.subarray(a, b),
  cause: p.cause.subarray(a, b)
})

/** A log cut into contiguous chunks at the given seqs: the chunk [from, to) holds the events with seq in it. */
export const sliceLog = (log: EventLog, cuts: ReadonlyArray<number>): Array<LogChunk> => {
  const total = log.controls.length + log.postings.length
  const bounds = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < total).sort((x, y) => x - y), total]
  const controlSeqs = log.controls.map((c) => c.seq)
  const chunks: Array<LogChunk> = []
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [from, to] = [bounds[k]!, bounds[k + 1]!]
    chunks.push({
      firstSeq: from,
      controls: log.controls.slice(lowerBound(controlSeqs, from), lowerBound(controlSeqs, to)),
      postings: slicePostings(log.postings, lowerBound(log.postings.seq, from), lowerBound(log.postings.seq, to))
    })
  }
  return chunks
}

const arbRun = (arbSc: fc.Arbitrary<Scenario>) =>
  arbSc.chain((sc) => {
    const log = runScenario(sc).log
    const total = log.controls.length + log.postings.length
    return fc.record({
      log: fc.constant(log),
      cuts: fc.oneof(
        fc.array(fc.integer({ min: 0, max: total }), { maxLength: 12 }),
        // Very fine: chunks of one to three events.
        fc.integer({ min: 1, max: 3 }).map((step) => Array.from({ length: Math.ceil(total / step) }, (_, i) => i * step))
      )
    })
  })

const arbRuns = fc.oneof(arbRun(arbMoneyScenario({ maxLocalities: 5, maxMonths: 30 })), arbRun(arbScenario({ maxLocalities: 6, maxMonths: 30 })))

// ---------------------------------------------------------------------------------------------
// Dense references: per locality × period arrays and string-keyed maps, straight from classifyFlow.

const referenceMoney = (log: EventLog) => {
  const run = runStartedOf(log)
  const layout = layoutOf(run)
  const L = layout.localityCount
  const months = Math.max(1, run.months)
  const bySeq = new Map<number, ControlEvent>(log.controls.map((c) => [c.seq, c]))
  const saved = new Float64Array(L * months)
  const invested = new Float64Array(L * months)
  const reduced = new Float64Array(L * months)
  const shift = new Map<string, number>()
  const p = log.postings
  for (let i = 0; i < p.length; i++) {
    const f = describeAccount(layout, p.from[i]!)
    const t = describeAccount(layout, p.to[i]!)
    const cause = bySeq.get(p.cause[i]!)
    const m = f.locality * months + Math.min(months - 1, Math.max(0, Math.floor(p.t[i]!)))
    const x = p.amount[i]!
    switch (classifyFlow(f.holder, t.holder, cause?._tag)) {
      case "saving": {
        saved[m]! += x
        const key = `${run.localities[f.locality]!.id}/${cause?._tag === "ProgrammeStarted" ? cause.payer : ""}/${run.agencies[f.agency]!.id}`
        shift.set(key, (shift.get(key) ?? 0) + x)
        break
      }
      case "investment spend":
        invested[m]! += x
        break
      case "reduction":
        reduced[m]! += x
        break
      default:
        break
    }
  }
  const pv = (xs: Float64Array, l: number) => {
    let s = 0
    for (let m = 0; m < months; m++) s += xs[l * months + m]! * discountFactor(run.discountRateBasisPoints, m)
    return Math.round(s)
  }
  const localities = run.localities.map((_, l) => {
    let cumulative = 0
    let investing = false
    let payback: number | null = null
    let total = 0
    for (let m = 0; m < months; m++) total += invested[l * months + m]!
    for (let m = 0; m < months && payback === null && total > 0; m++) {
      investing ||= invested[l * months + m]! > 0
      cumulative += saved[l * months + m]! - invested[l * months + m]!
      if (investing && cumulative >= 0) payback = m
    }
    return { pvSaved: pv(saved, l), pvInvested: pv(invested, l), pvReduced: pv(reduced, l), payback }
  })
  const byPeriod = (xs: Float64Array) => Array.from({ length: months }, (_, m) => run.localities.reduce((s, _l, l) => s + xs[l * months + m]!, 0))
  return { localities, shift, saved: byPeriod(saved), invested: byPeriod(invested), reduced: byPeriod(reduced) }
}

const referenceLedger = (log: EventLog): LedgerColumns => {
  const run = runStartedOf(log)
  const months = Math.max(1, run.months)
  const n = accountCount(layoutOf(run))
  const rows = months * n
  const inflow = new Float64Array(rows)
  const outflow = new Float64Array(rows)
  const p = log.postings
  for (let i = 0; i < p.length; i++) {
    const m = Math.min(months - 1, Math.max(0, Math.floor(p.t[i]!)))
    outflow[m * n + p.from[i]!]! += p.amount[i]!
    inflow[m * n + p.to[i]!]! += p.amount[i]!
  }
  const period = new Int32Array(rows)
  const account = new Int32Array(rows)
  const opening = new Float64Array(rows)
  const closing = new Float64Array(rows)
  for (let r = 0; r < rows; r++) {
    period[r] = Math.floor(r / n)
    account[r] = r % n
    opening[r] = r < n ? 0 : closing[r - n]!
    closing[r] = opening[r]! + inflow[r]! - outflow[r]!
  }
  return { length: rows, period, account, opening, inflow, outflow, closing }
}

// ---------------------------------------------------------------------------------------------

describe("sliceLog", () => {
  it("cuts a log into contiguous chunks that join back to it", () => {
    fc.assert(
      fc.property(arbRuns, ({ log, cuts }) => {
        const chunks = sliceLog(log, cuts)
        let next = 0
        for (const c of chunks) {
          expect(c.firstSeq).toBe(next)
          for (const e of c.controls) expect(e.seq >= c.firstSeq && e.seq < c.firstSeq + c.controls.length + c.postings.length).toBe(true)
          next += c.controls.length + c.postings.length
        }
        expect(next).toBe(log.controls.length + log.postings.length)
        expect(chunks.flatMap((c) => c.controls)).toEqual(log.controls)
        expect(chunks.flatMap((c) => Array.from(c.postings.seq))).toEqual(Array.from(log.postings.seq))
      }),
      { seed: SEED, numRuns: 40 }
    )
  })
})

describe("SummaryBuilder", () => {
  it("over any chunking of a run's log equals summarize of the whole log", () => {
    fc.assert(
      fc.property(arbRuns, ({ log, cuts }) => {
        const whole = summarize(log)
        const b = new SummaryBuilder()
        for (const c of sliceLog(log, cuts)) b.add(c)
        const streamed = b.finish()
        expect(streamed).toEqual(whole)
        expect(JSON.stringify(streamed)).toBe(JSON.stringify(whole))
      }),
      { seed: SEED, numRuns: 150 }
    )
  })

  it("takes RunStarted up front as well as from the first chunk", () => {
    fc.assert(
      fc.property(arbRuns, ({ log, cuts }) => {
        const b = new SummaryBuilder(runStartedOf(log))
        for (const c of sliceLog(log, cuts)) b.add(c)
        expect(b.finish()).toEqual(summarize(log))
      }),
      { seed: SEED + 1, numRuns: 20 }
    )
  })

  it("equals dense per-locality × period references: present values, payback, totals by period, cost shift", () => {
    fc.assert(
      fc.property(arbRun(arbMoneyScenario({ maxLocalities: 6, maxMonths: 40 })), ({ log }) => {
        const s = summarize(log)
        const ref = referenceMoney(log)
        s.money.localities.forEach((l, i) => {
          const r = ref.localities[i]!
          expect(l.present_values.savings_realised_pence).toBe(r.pvSaved)
          expect(l.present_values.prevention_invested_pence).toBe(r.pvInvested)
          expect(l.present_values.spb_reduction_pence).toBe(r.pvReduced)
          expect(l.payback_period).toBe(r.payback)
        })
        expect(s.money.by_period.savings_realised_pence).toEqual(ref.saved)
        expect(s.money.by_period.prevention_invested_pence).toEqual(ref.invested)
        expect(s.money.by_period.spb_reduction_pence).toEqual(ref.reduced)
        expect(new Map(s.money.cost_shift.map((c) => [`${c.locality}/${c.payer}/${c.beneficiary}`, c.savings_pence]))).toEqual(ref.shift)
        for (const c of s.money.cost_shift) expect(Object.values(c.savings_by_period).reduce((a, x) => a + x, 0)).toBe(c.savings_pence)
      }),
      { seed: SEED + 2, numRuns: 100 }
    )
  })

  it("refuses chunks out of order or with gaps, and logs that do not start with RunStarted", () => {
    const sc = fc.sample(arbMoneyScenario({ maxLocalities: 3, maxMonths: 12 }), { seed: SEED, numRuns: 1 })[0]!
    const log = runScenario(sc).log
    const total = log.controls.length + log.postings.length
    const [a, b, c] = sliceLog(log, [Math.floor(total / 3), Math.floor((2 * total) / 3)])
    expect(() => new SummaryBuilder().add(b!)).toThrow(/seq 0/)
    expect(() => new SummaryBuilder().add(a!).add(c!)).toThrow(/expected a chunk from seq/)
    expect(() => new SummaryBuilder().finish()).toThrow(/RunStarted/)
    expect(() => new LedgerProjection().add(b!)).toThrow(/seq 0/)
  })
})

/** The rows of a dense ledger for accounts that hold or move money in their period. */
const holdingOrMoving = (l: LedgerColumns): LedgerColumns => {
  const keep = Array.from({ length: l.length }, (_, r) => r).filter((r) => l.opening[r] !== 0 || l.inflow[r] !== 0 || l.outflow[r] !== 0)
  return {
    length: keep.length,
    period: Int32Array.from(keep, (r) => l.period[r]!),
    account: Int32Array.from(keep, (r) => l.account[r]!),
    opening: Float64Array.from(keep, (r) => l.opening[r]!),
    inflow: Float64Array.from(keep, (r) => l.inflow[r]!),
    outflow: Float64Array.from(keep, (r) => l.outflow[r]!),
    closing: Float64Array.from(keep, (r) => l.closing[r]!)
  }
}

describe("LedgerProjection", () => {
  it("hands out each period once it is complete; concatenated, they equal ledgerByPeriod and the dense reference", () => {
    fc.assert(
      fc.property(arbRuns, ({ log, cuts }) => {
        const run = runStartedOf(log)
        const months = Math.max(1, run.months)
        const n = accountCount(layoutOf(run))
        const projection = new LedgerProjection()
        const parts: Array<LedgerColumns> = []
        for (const c of sliceLog(log, cuts)) {
          const done = projection.add(c)
          // Only periods before that of the chunk's last posting (which may still grow).
          const p = c.postings
          if (p.length > 0) {
            const last = Math.min(months - 1, Math.max(0, Math.floor(p.t[p.length - 1]!)))
            done.forEach((_, k) => expect(parts.length + k).toBeLessThan(last))
          }
          parts.push(...done)
        }
        parts.push(...projection.finish())
        // One part per period, each with the accounts that hold or move money then, in account order.
        expect(parts.length).toBe(months)
        parts.forEach((p, m) => {
          expect(p.length).toBeLessThanOrEqual(n)
          expect(Array.from(p.period).every((x) => x === m)).toBe(true)
          for (let r = 1; r < p.length; r++) expect(p.account[r]!).toBeGreaterThan(p.account[r - 1]!)
        })
        const whole = ledgerByPeriod(log)
        expect(concatLedger(parts)).toEqual(whole)
        expect(whole).toEqual(holdingOrMoving(referenceLedger(log)))
      }),
      { seed: SEED + 3, numRuns: 150 }
    )
  })

  it("keeps O(accounts) state: a period's arrays are handed out, not retained", () => {
    const sc = fc.sample(arbMoneyScenario({ maxLocalities: 3, maxMonths: 24 }), { seed: SEED + 4, numRuns: 1 })[0]!
    const log = runScenario(sc).log
    const projection = new LedgerProjection()
    const parts = [...projection.add({ firstSeq: 0, ...log }), ...projection.finish()]
    // Every period's columns are distinct arrays.
    expect(new Set(parts.map((p) => p.closing)).size).toBe(parts.length)
    expect(() => projection.finish()).toThrow(/twice/)
  })
})
