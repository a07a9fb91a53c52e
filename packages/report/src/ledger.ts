import type { EventLog, LedgerColumns, LogChunk, RunStarted } from "@devosim/core"
import { accountCount, layoutOf } from "@devosim/core"

/** Balances and flows per period × account (core's LedgerColumns). */
export type LedgerTable = LedgerColumns

export const runStartedOf = (log: EventLog): RunStarted => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  return run
}

/**
 * The ledger of a log that arrives in chunks (in seq order, the first starting with RunStarted):
 * `add` returns the periods that chunk completed, `finish` the rest, each period as `accounts` rows
 * (period m, accounts 0..n−1) with the values `ledgerByPeriod` gives. A posting belongs to period
 * floor(t) clamped into [0, months − 1]; postings come in time order, so period m is complete when
 * a posting of a later period arrives; `finish` hands out every period still due, including periods
 * without postings. Memory: O(accounts).
 */
export class LedgerProjection {
  private run: RunStarted | undefined
  private months = 0
  private n = 0
  /** The period being accumulated; periods before it have been handed out. */
  private period = 0
  private inflow = new Float64Array(0)
  private outflow = new Float64Array(0)
  /** Closing balances of the period before `period` (its opening balances). */
  private opening = new Float64Array(0)
  private nextSeq = 0
  private finished = false

  /** Optional: the run's RunStarted, if known before the first chunk. */
  constructor(run?: RunStarted) {
    if (run !== undefined) this.start(run)
  }

  start(run: RunStarted): this {
    if (this.run !== undefined) throw new Error("LedgerProjection: already started")
    this.run = run
    this.months = Math.max(1, run.months)
    this.n = accountCount(layoutOf(run))
    this.inflow = new Float64Array(this.n)
    this.outflow = new Float64Array(this.n)
    this.opening = new Float64Array(this.n)
    return this
  }

  /** Adds a chunk; returns the periods it completed, in order (often none). */
  add(chunk: LogChunk): Array<LedgerColumns> {
    if (this.finished) throw new Error("LedgerProjection: add after finish")
    if (chunk.firstSeq !== this.nextSeq) throw new Error(`LedgerProjection: expected a chunk from seq ${this.nextSeq}, got one from seq ${chunk.firstSeq}`)
    if (this.nextSeq === 0) {
      const first = chunk.controls[0]
      if (first === undefined || first._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
      if (this.run === undefined) this.start(first)
    }
    this.nextSeq += chunk.controls.length + chunk.postings.length
    const out: Array<LedgerColumns> = []
    const p = chunk.postings
    const months = this.months
    let inflow = this.inflow
    let outflow = this.outflow
    let period = this.period
    for (let i = 0; i < p.length; i++) {
      const m = Math.min(months - 1, Math.max(0, Math.floor(p.t[i]!)))
      if (m !== period) {
        if (m < period) throw new Error(`postings go back in time at seq ${p.seq[i]} (period ${m} after ${period})`)
        while (this.period < m) out.push(this.close())
        period = m
        inflow = this.inflow
        outflow = this.outflow
      }
      const x = p.amount[i]!
      outflow[p.from[i]!]! += x
      inflow[p.to[i]!]! += x
    }
    return out
  }

  /** The periods not yet handed out, up to the run's last (months − 1). */
  finish(): Array<LedgerColumns> {
    if (this.run === undefined) throw new Error("a log starts with RunStarted")
    if (this.finished) throw new Error("LedgerProjection: finish twice")
    this.finished = true
    const out: Array<LedgerColumns> = []
    while (this.period < this.months) out.push(this.close())
    return out
  }

  /**
   * Hands out the current period's rows and starts the next: one row per account that holds or
   * moves money in the period (an account absent from a period holds nothing and moves nothing
   * then). Runs with many idle accounts (a queue-only scenario has no money at all) stay small.
   * The running arrays are reused from period to period; the rows handed out are copies.
   */
  private close(): LedgerColumns {
    const n = this.n
    const m = this.period
    const opening = this.opening
    const inflow = this.inflow
    const outflow = this.outflow
    let rows = 0
    for (let k = 0; k < n; k++) if (opening[k] !== 0 || inflow[k] !== 0 || outflow[k] !== 0) rows++
    const out = {
      length: rows,
      period: new Int32Array(rows).fill(m),
      account: new Int32Array(rows),
      opening: new Float64Array(rows),
      inflow: new Float64Array(rows),
      outflow: new Float64Array(rows),
      closing: new Float64Array(rows)
    }
    let r = 0
    for (let k = 0; k < n && r < rows; k++) {
      const o = opening[k]!
      const i = inflow[k]!
      const x = outflow[k]!
      if (o === 0 && i === 0 && x === 0) continue
      const c = o + i - x
      out.account[r] = k
      out.opening[r] = o
      out.inflow[r] = i
      out.outflow[r] = x
      out.closing[r] = c
      opening[k] = c
      r++
    }
    if (rows > 0) {
      inflow.fill(0)
      outflow.fill(0)
    }
    this.period = m + 1
    return out
  }
}

/** Concatenates ledger rows (periods in order) into one table. */
export const concatLedger = (parts: ReadonlyArray<LedgerColumns>): LedgerColumns => {
  let rows = 0
  for (const p of parts) rows += p.length
  const period = new Int32Array(rows)
  const account = new Int32Array(rows)
  const opening = new Float64Array(rows)
  const inflow = new Float64Array(rows)
  const outflow = new Float64Array(rows)
  const closing = new Float64Array(rows)
  let r = 0
  for (const p of parts) {
    period.set(p.period, r)
    account.set(p.account, r)
    opening.set(p.opening, r)
    inflow.set(p.inflow, r)
    outflow.set(p.outflow, r)
    closing.set(p.closing, r)
    r += p.length
  }
  return { length: rows, period, account, opening, inflow, outflow, closing }
}

/** Projects the ledger from the postings. A posting belongs to period floor(t), clamped to the run. */
export const ledgerByPeriod = (log: EventLog): LedgerTable => {
  const projection = new LedgerProjection(runStartedOf(log))
  const parts = projection.add({ firstSeq: 0, controls: log.controls, postings: log.postings })
  for (const p of projection.finish()) parts.push(p)
  return concatLedger(parts)
}
