import type { EventLog, RunStarted } from "@devosim/core"
import { accountCount, describeAccount, HOLDERS } from "@devosim/core"

/** Balances and flows per period × account, one row each (period-major), as ledger.arrow stores them. */
export interface LedgerTable {
  readonly length: number
  readonly period: Int32Array
  readonly account: Int32Array
  readonly opening: Float64Array
  readonly inflow: Float64Array
  readonly outflow: Float64Array
  readonly closing: Float64Array
}

export const runStartedOf = (log: EventLog): RunStarted => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  return run
}

export const layoutOf = (run: RunStarted) => ({ localityCount: run.localities.length, agencyCount: run.agencies.length })

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

export interface LineFigures {
  readonly agency: string
  /** What the line would have cost without a deal: all its funding, pooled or not. */
  readonly baseline_pence: number
  /** What it actually spent with citizens and suppliers. */
  readonly actual_pence: number
}

export interface LocalityMoney {
  readonly locality: string
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly agencies: ReadonlyArray<LineFigures>
}

export interface MoneyFigures {
  readonly settled_pence: number
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  /** Sum of all balances at the end: zero, exactly, when money is conserved. */
  readonly total_balance_pence: number
  readonly localities: ReadonlyArray<LocalityMoney>
}

const H = Object.fromEntries(HOLDERS.map((h, i) => [h, i])) as Record<(typeof HOLDERS)[number], number>

/** Projects who was funded, who spent, and what the SPBs returned, from the postings. */
export const moneyFigures = (log: EventLog): MoneyFigures => {
  const run = runStartedOf(log)
  const layout = layoutOf(run)
  const n = accountCount(layout)
  const holder = new Int8Array(n)
  const locality = new Int32Array(n)
  const agency = new Int32Array(n)
  for (let k = 0; k < n; k++) {
    const d = describeAccount(layout, k)
    holder[k] = H[d.holder]
    locality[k] = d.locality
    agency[k] = d.agency
  }
  const A = layout.agencyCount
  const lineBaseline = new Float64Array(layout.localityCount * A)
  const lineActual = new Float64Array(layout.localityCount * A)
  const reduction = new Float64Array(layout.localityCount)
  const balance = new Float64Array(n)
  let settled = 0
  const p = log.postings
  for (let i = 0; i < p.length; i++) {
    const f = p.from[i]!
    const t = p.to[i]!
    const x = p.amount[i]!
    balance[f]! -= x
    balance[t]! += x
    const hf = holder[f]!
    const ht = holder[t]!
    if (hf === H.treasury && ht === H.department) settled += x
    else if (hf === H.department) lineBaseline[locality[f]! * A + agency[f]!]! += x
    else if (hf === H.agency && ht === H.world) lineActual[locality[f]! * A + agency[f]!]! += x
    else if (hf === H.spb && ht === H.treasury) reduction[locality[f]!]! += x
  }
  let total = 0
  for (const b of balance) total += b
  const localities = run.localities.map((l, i) => {
    const agencies = run.agencies.map((a, k) => ({
      agency: a.id,
      baseline_pence: lineBaseline[i * A + k]!,
      actual_pence: lineActual[i * A + k]!
    }))
    return {
      locality: l.id,
      baseline_pence: agencies.reduce((s, x) => s + x.baseline_pence, 0),
      actual_pence: agencies.reduce((s, x) => s + x.actual_pence, 0),
      spb_reduction_pence: reduction[i]!,
      agencies
    }
  })
  return {
    settled_pence: settled,
    baseline_pence: localities.reduce((s, x) => s + x.baseline_pence, 0),
    actual_pence: localities.reduce((s, x) => s + x.actual_pence, 0),
    spb_reduction_pence: localities.reduce((s, x) => s + x.spb_reduction_pence, 0),
    total_balance_pence: total,
    localities
  }
}
