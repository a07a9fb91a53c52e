import type { EventLog, LedgerColumns, RunStarted } from "@devosim/core"
import { accountCount, layoutOf } from "@devosim/core"

/** Balances and flows per period × account (core's LedgerColumns). */
export type LedgerTable = LedgerColumns

export const runStartedOf = (log: EventLog): RunStarted => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  return run
}


/** Projects the ledger from the postings. A posting belongs to period floor(t), clamped to the run. */
export const ledgerByPeriod = (log: EventLog): LedgerTable => {
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
  for (let m = 0; m < months; m++) {
    for (let k = 0; k < n; k++) {
      const r = m * n + k
      period[r] = m
      account[r] = k
      opening[r] = m === 0 ? 0 : closing[r - n]!
      closing[r] = opening[r]! + inflow[r]! - outflow[r]!
    }
  }
  return { length: rows, period, account, opening, inflow, outflow, closing }
}
