import type { ControlEvent, EventLog, Holder } from "@devosim/core"
import { accountCount, describeAccount, layoutOf } from "@devosim/core"
import { classifyFlow } from "./flows.ts"
import { runStartedOf } from "./ledger.ts"

/**
 * Who paid, who saved and what the pools returned: a projection of the postings, each classified by
 * its accounts' holders and the kind of control event that caused it (see README "The model").
 */
export interface AgencyMoney {
  readonly agency: string
  /** The line's demand-led baseline (after spending reviews), however it was funded. */
  readonly baseline_pence: number
  /** What the line actually paid citizens and suppliers: service plus prevention investment. */
  readonly actual_pence: number
  readonly prevention_invested_pence: number
  /** Savings realised on this agency's services (as beneficiary) by anyone's programmes. */
  readonly savings_realised_pence: number
  readonly transfers_in_pence: number
  readonly transfers_out_pence: number
  /** savings realised − prevention invested + transfers in − transfers out. */
  readonly net_position_pence: number
}

export interface PresentValues {
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
  /** Present value of savings realised − prevention invested. */
  readonly npv_pence: number
  readonly spb_reduction_pence: number
}

export interface LocalityMoney {
  readonly locality: string
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
  readonly savings_on_pooled_lines_pence: number
  readonly gainshare_kept_pence: number
  readonly gainshare_returned_pence: number
  readonly agencies: ReadonlyArray<AgencyMoney>
  readonly present_values: PresentValues
  /** First period at which cumulative savings cover cumulative investment; null if never (or no investment). */
  readonly payback_period: number | null
}

export interface CostShift {
  readonly locality: string
  readonly payer: string
  readonly beneficiary: string
  /** What the payer's programmes saved the beneficiary (the payer's investment is in `agencies`). */
  readonly savings_pence: number
  /** Savings by period (only periods with any). */
  readonly savings_by_period: Readonly<Record<string, number>>
}

export interface MoneyFigures {
  readonly discount_rate_pct: number
  readonly settled_pence: number
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
  readonly savings_on_pooled_lines_pence: number
  readonly gainshare_kept_pence: number
  readonly gainshare_returned_pence: number
  readonly present_values: PresentValues
  /** Sum of all balances at the end: zero, exactly, when money is conserved. */
  readonly total_balance_pence: number
  readonly localities: ReadonlyArray<LocalityMoney>
  /** The wrong-pocket matrix: for each locality, what each payer's programmes saved each beneficiary. */
  readonly cost_shift: ReadonlyArray<CostShift>
  /** Totals over all localities by period [0, months): for charts of spend against baseline. */
  readonly by_period: {
    readonly baseline_pence: ReadonlyArray<number>
    readonly actual_pence: ReadonlyArray<number>
    readonly savings_realised_pence: ReadonlyArray<number>
    readonly prevention_invested_pence: ReadonlyArray<number>
    readonly spb_reduction_pence: ReadonlyArray<number>
  }
}

const sum = (xs: ReadonlyArray<number>) => xs.reduce((s, x) => s + x, 0)

export const moneyFigures = (log: EventLog): MoneyFigures => {
  const run = runStartedOf(log)
  const layout = layoutOf(run)
  const L = layout.localityCount
  const A = layout.agencyCount
  const months = Math.max(1, run.months)
  const n = accountCount(layout)
  const holder: Array<Holder> = new Array(n)
  const localityOf = new Int32Array(n)
  const agencyOf = new Int32Array(n)
  for (let k = 0; k < n; k++) {
    const d = describeAccount(layout, k)
    holder[k] = d.holder
    localityOf[k] = d.locality
    agencyOf[k] = d.agency
  }
  const agencyIndex = new Map(run.agencies.map((a, i) => [a.id, i]))
  const bySeq = new Map<number, ControlEvent>()
  for (const c of log.controls) bySeq.set(c.seq, c)

  const line = () => new Float64Array(L * A)
  const baseline = line()
  const actual = line()
  const invested = line()
  const saved = line()
  const tin = line()
  const tout = line()
  const perLocality = () => new Float64Array(L)
  const reduction = perLocality()
  const returned = perLocality()
  const pooledSavings = perLocality()
  // Per locality and period: savings and investment, for present values and payback.
  const savedByPeriod = new Float64Array(L * months)
  const investedByPeriod = new Float64Array(L * months)
  const reductionByPeriod = new Float64Array(L * months)
  const baselineByPeriod = new Float64Array(months)
  const actualByPeriod = new Float64Array(months)
  // Cost shift: (locality, payer, beneficiary) → totals and by period.
  const shift = new Map<string, { savings: number; byPeriod: Map<number, number> }>()
  const shiftOf = (l: number, payer: number, beneficiary: number) => {
    const key = `${l}/${payer}/${beneficiary}`
    let s = shift.get(key)
    if (s === undefined) shift.set(key, (s = { savings: 0, byPeriod: new Map() }))
    return s
  }
  const balance = new Float64Array(n)
  let settled = 0

  const p = log.postings
  for (let i = 0; i < p.length; i++) {
    const f = p.from[i]!
    const t = p.to[i]!
    const x = p.amount[i]!
    balance[f]! -= x
    balance[t]! += x
    const cause = bySeq.get(p.cause[i]!)
    const l = localityOf[f]!
    const m = l * months + Math.min(months - 1, Math.max(0, Math.floor(p.t[i]!)))
    switch (classifyFlow(holder[f]!, holder[t]!, cause?._tag)) {
      case "envelope":
        settled += x
        break
      case "envelope returned":
        settled -= x
        break
      case "line funding":
        baseline[l * A + agencyOf[f]!]! += x
        baselineByPeriod[m - l * months]! += x
        break
      case "transfer": {
        const to = agencyIndex.get(cause?._tag === "TransferAgreed" ? cause.to : "")!
        baseline[l * A + to]! += x
        baselineByPeriod[m - l * months]! += x
        tin[l * A + to]! += x
        tout[l * A + agencyOf[f]!]! += x
        break
      }
      case "reduction":
        reduction[l]! += x
        reductionByPeriod[m]! += x
        break
      case "gainshare returned":
        returned[l]! += x
        break
      case "saving": {
        const beneficiary = agencyOf[f]!
        saved[l * A + beneficiary]! += x
        if (holder[t] === "spb") pooledSavings[l]! += x
        savedByPeriod[m]! += x
        const s = shiftOf(l, agencyIndex.get(cause?._tag === "ProgrammeStarted" ? cause.payer : "")!, beneficiary)
        s.savings += x
        s.byPeriod.set(m - l * months, (s.byPeriod.get(m - l * months) ?? 0) + x)
        break
      }
      case "investment spend":
        invested[l * A + agencyOf[f]!]! += x
        investedByPeriod[m]! += x
        actual[l * A + agencyOf[f]!]! += x
        actualByPeriod[m - l * months]! += x
        break
      case "service spend":
        actual[l * A + agencyOf[f]!]! += x
        actualByPeriod[m - l * months]! += x
        break
      case "pooled funding":
      case "investment funding":
      case "other":
        break
    }
  }

  const factor = Array.from({ length: months }, (_, m) => discountFactor(run.discountRateBasisPoints, m))
  const pv = (xs: Float64Array, l: number) => {
    let s = 0
    for (let m = 0; m < months; m++) s += xs[l * months + m]! * factor[m]!
    return s
  }
  const localities: Array<LocalityMoney> = run.localities.map((loc, l) => {
    const agencies = run.agencies.map((ag, a) => {
      const k = l * A + a
      return {
        agency: ag.id,
        baseline_pence: baseline[k]!,
        actual_pence: actual[k]!,
        prevention_invested_pence: invested[k]!,
        savings_realised_pence: saved[k]!,
        transfers_in_pence: tin[k]!,
        transfers_out_pence: tout[k]!,
        net_position_pence: saved[k]! - invested[k]! + tin[k]! - tout[k]!
      }
    })
    const savings = sum(agencies.map((a) => a.savings_realised_pence))
    const investedTotal = sum(agencies.map((a) => a.prevention_invested_pence))
    let cumulative = 0
    let investing = false
    let payback: number | null = null
    for (let m = 0; m < months && payback === null && investedTotal > 0; m++) {
      investing ||= investedByPeriod[l * months + m]! > 0
      cumulative += savedByPeriod[l * months + m]! - investedByPeriod[l * months + m]!
      if (investing && cumulative >= 0) payback = m
    }
    const pvInvested = Math.round(pv(investedByPeriod, l))
    const pvSavings = Math.round(pv(savedByPeriod, l))
    return {
      locality: loc.id,
      baseline_pence: sum(agencies.map((a) => a.baseline_pence)),
      actual_pence: sum(agencies.map((a) => a.actual_pence)),
      spb_reduction_pence: reduction[l]!,
      prevention_invested_pence: investedTotal,
      savings_realised_pence: savings,
      savings_on_pooled_lines_pence: pooledSavings[l]!,
      gainshare_kept_pence: pooledSavings[l]! - returned[l]!,
      gainshare_returned_pence: returned[l]!,
      agencies,
      present_values: {
        prevention_invested_pence: pvInvested,
        savings_realised_pence: pvSavings,
        npv_pence: pvSavings - pvInvested,
        spb_reduction_pence: Math.round(pv(reductionByPeriod, l))
      },
      payback_period: payback
    }
  })
  let total = 0
  for (const b of balance) total += b
  const cost_shift: Array<CostShift> = [...shift.entries()]
    .map(([key, s]) => {
      const [l, payer, beneficiary] = key.split("/").map(Number) as [number, number, number]
      return {
        locality: run.localities[l]!.id,
        payer: run.agencies[payer]!.id,
        beneficiary: run.agencies[beneficiary]!.id,
        savings_pence: s.savings,
        savings_by_period: Object.fromEntries([...s.byPeriod.entries()].sort((x, y) => x[0] - y[0]).map(([m, v]) => [String(m), v]))
      }
    })
    .sort((x, y) => (x.locality < y.locality ? -1 : x.locality > y.locality ? 1 : 0) || x.payer.localeCompare(y.payer) || x.beneficiary.localeCompare(y.beneficiary))
  const tot = (k: keyof LocalityMoney) => sum(localities.map((l) => l[k] as number))
  const totPv = (k: keyof PresentValues) => sum(localities.map((l) => l.present_values[k]))
  return {
    discount_rate_pct: run.discountRateBasisPoints / 100,
    settled_pence: settled,
    baseline_pence: tot("baseline_pence"),
    actual_pence: tot("actual_pence"),
    spb_reduction_pence: tot("spb_reduction_pence"),
    prevention_invested_pence: tot("prevention_invested_pence"),
    savings_realised_pence: tot("savings_realised_pence"),
    savings_on_pooled_lines_pence: tot("savings_on_pooled_lines_pence"),
    gainshare_kept_pence: tot("gainshare_kept_pence"),
    gainshare_returned_pence: tot("gainshare_returned_pence"),
    present_values: {
      prevention_invested_pence: totPv("prevention_invested_pence"),
      savings_realised_pence: totPv("savings_realised_pence"),
      npv_pence: totPv("npv_pence"),
      spb_reduction_pence: totPv("spb_reduction_pence")
    },
    total_balance_pence: total,
    localities,
    cost_shift,
    by_period: {
      baseline_pence: Array.from(baselineByPeriod),
      actual_pence: Array.from(actualByPeriod),
      savings_realised_pence: sumOverLocalities(savedByPeriod, L, months),
      prevention_invested_pence: sumOverLocalities(investedByPeriod, L, months),
      spb_reduction_pence: sumOverLocalities(reductionByPeriod, L, months)
    }
  }
}

const sumOverLocalities = (xs: Float64Array, L: number, months: number): Array<number> => {
  const out = new Array<number>(months).fill(0)
  for (let l = 0; l < L; l++) for (let m = 0; m < months; m++) out[m]! += xs[l * months + m]!
  return out
}

/** Green Book discounting: the value today of a pound in period m, at `rateBasisPoints` a year. */
export const discountFactor = (rateBasisPoints: number, m: number): number => Math.pow(1 + rateBasisPoints / 10000, -m / 12)
