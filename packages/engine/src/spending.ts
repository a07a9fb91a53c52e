import type { Scenario, Transfer } from "@devosim/core/model"
import { financialYearBlocks, financialYearLabel, financialYearOf, periodMonth, shareOf, shareOfFraction } from "@devosim/core/model"
import { monthlyInvestment } from "@devosim/core/model"

/**
 * Demand-led baselines: each (locality, agency) line has an annual amount for each UK financial
 * year of the run (from 1 April, whatever the start month; year 0 is the run's first), compounded
 * yearly by the agency's trend (rounded to the penny each year), spent in twelve monthly parts by
 * largest remainder over the financial year's months (April first: the first `annual mod 12` months
 * carry one more penny), then changed by every spending review in force that month, one after
 * another in review order, so two reviews compound (×(1 + a)(1 + b)); each change rounds half away
 * from zero. A review is in force over its window and, unless `persists: false`, after it (its
 * change is the new baseline); with `phasing: even` it takes j/n of its change in the j-th of its
 * window's n financial years.
 */
export class Baselines {
  private readonly agencies: number
  private readonly firstLocality: number
  /** The year-0 amount of each line ((locality − firstLocality) · agencies + agency), in pence. */
  private readonly base: Float64Array
  private readonly trend: Float64Array
  /**
   * Each line's amount for the year it was last asked about: a run asks year after year, so a
   * line's years are compounded once each, with no table of lines × years (100,000 localities ×
   * 8 agencies × 20 years would be 128 MB per shard).
   */
  private readonly year: Int32Array
  private readonly annual: Float64Array
  /** Per period: its financial year (0 = the run's first) and its month in that year (April = 0). */
  private readonly fyIndex: Int32Array
  private readonly fyMonth: Int32Array
  /** Per period: the reviews in force, in review order, with the share of their change (num / den). */
  private readonly inForce: Array<ReadonlyArray<{ readonly review: number; readonly num: number; readonly den: number }>>
  private readonly changes: ReadonlyArray<ReadonlyArray<number>>

  /** For localities [firstLocality, endLocality) (default: all). */
  constructor(sc: Scenario, firstLocality = 0, endLocality = sc.localities.length) {
    const A = sc.agencies.length
    const months = Math.max(1, sc.months)
    this.agencies = A
    this.firstLocality = firstLocality
    const lines = (endLocality - firstLocality) * A
    this.base = new Float64Array(lines)
    this.annual = new Float64Array(lines)
    this.year = new Int32Array(lines)
    this.trend = Float64Array.from(sc.agencies, (g) => g.trendBasisPoints)
    for (let i = firstLocality; i < endLocality; i++) {
      const l = sc.localities[i]!
      for (let a = 0; a < A; a++) this.base[(i - firstLocality) * A + a] = l.baseline[a] ?? 0
    }
    this.annual.set(this.base)
    const fy0 = financialYearOf(sc.start, 0)
    this.fyIndex = Int32Array.from({ length: months }, (_, m) => financialYearOf(sc.start, m) - fy0)
    this.fyMonth = Int32Array.from({ length: months }, (_, m) => (periodMonth(sc.start, m).month + 8) % 12)
    this.changes = sc.spendingReviews.map((r) => r.changeBasisPoints)
    const inForce: Array<Array<{ review: number; num: number; den: number }>> = Array.from({ length: months }, () => [])
    sc.spendingReviews.forEach((r, k) => {
      const end = Math.min(months, r.starts + r.months)
      // The window's financial years (its first may be part of one), for phasing.
      const firstFy = r.starts < months ? financialYearOf(sc.start, r.starts) : 0
      const n = r.phasing === "even" ? financialYearOf(sc.start, r.starts + r.months - 1) - firstFy + 1 : 1
      for (let m = r.starts; m < months; m++) {
        if (m >= end && !r.persists) break
        const j = r.phasing === "even" && m < end ? financialYearOf(sc.start, m) - firstFy + 1 : n
        inForce[m]!.push({ review: k, num: j, den: n })
      }
    })
    this.inForce = inForce
  }

  /** The line's annual amount in financial year k of the run: compounded by the trend, rounded each year. */
  private annualFor(line: number, agency: number, k: number): number {
    let y = this.year[line]!
    let x = this.annual[line]!
    if (y === k) return x
    if (y > k) {
      y = 0
      x = this.base[line]!
    }
    const trend = this.trend[agency]!
    for (; y < k; y++) x += shareOf(x, trend)
    this.year[line] = k
    this.annual[line] = x
    return x
  }

  /** Baseline spend of a line in period m, in pence. */
  monthly(locality: number, agency: number, m: number): number {
    const a = this.annualFor((locality - this.firstLocality) * this.agencies + agency, agency, this.fyIndex[m]!)
    let b = monthlyPart(a, this.fyMonth[m]!)
    for (const r of this.inForce[m]!) {
      const c = this.changes[r.review]![agency] ?? 0
      if (c !== 0) b += shareOfFraction(b, c * r.num, 10000 * r.den)
    }
    return b
  }

  /** The period's month in its financial year (April = 0): where its twelfth of a year falls. */
  monthInFinancialYear(m: number): number {
    return this.fyMonth[m]!
  }
}

/** A twelfth of an annual amount for the k-th month of a year (0..11), by largest remainder over the year's months. */
export const monthlyPart = (annual: number, k: number): number => {
  const base = Math.floor(annual / 12)
  return base + (k < annual - base * 12 ? 1 : 0)
}

/**
 * The department money of one agency line in one period, before it is routed (silo or pool):
 * the own department's share of the baseline, the transfers other departments pay into it, and
 * what this department pays into other lines and programmes. Settlement and spending both use
 * this one plan, so every envelope is exactly what its department pays out.
 */
export interface LinePlan {
  readonly baseline: number
  /** Amounts paid into this line by other departments, one per transfer into it. */
  readonly transfersIn: ReadonlyArray<{ readonly transfer: number; readonly from: number; readonly amount: number }>
  readonly ownFunding: number
}

const NO_TRANSFERS: LinePlan["transfersIn"] = []
const NO_PROGRAMMES: ReadonlyArray<number> = []

/**
 * Lists of items (transfers, programmes) by agency line of localities [first, end): looked up for
 * every line and period, so by an index array rather than a Map.
 */
class ByLine {
  private readonly first: number
  private readonly A: number
  /** Index into `lists` by (locality − first) · A + agency; −1: none. */
  private readonly at: Int32Array
  private readonly lists: Array<Array<number>> = []

  constructor(first: number, end: number, A: number, count: number, lineOf: (j: number) => readonly [number, number]) {
    this.first = first
    this.A = A
    // Nothing to list (no transfers, no programmes): no index either (100,000 × 8 lines would be 3.2 MB).
    this.at = new Int32Array(count === 0 ? 0 : Math.max(0, end - first) * A).fill(-1)
    for (let j = 0; j < count; j++) {
      const [i, a] = lineOf(j)
      if (i < first || i >= end) continue
      const k = (i - first) * A + a
      if (this.at[k] === -1) {
        this.at[k] = this.lists.length
        this.lists.push([])
      }
      this.lists[this.at[k]!]!.push(j)
    }
  }

  get(i: number, a: number): ReadonlyArray<number> | undefined {
    if (this.lists.length === 0) return undefined
    const k = this.at[(i - this.first) * this.A + a]
    return k === undefined || k < 0 ? undefined : this.lists[k]
  }
}

export class Plans {
  private readonly sc: Scenario
  private readonly baselines: Baselines
  private readonly transfersInto: ByLine
  private readonly transfersFrom: ByLine
  private readonly programmesPaidBy: ByLine

  /** For localities [firstLocality, endLocality) (default: all). */
  constructor(sc: Scenario, firstLocality = 0, endLocality = sc.localities.length) {
    this.sc = sc
    this.baselines = new Baselines(sc, firstLocality, endLocality)
    const A = sc.agencies.length
    const byLine = (count: number, lineOf: (j: number) => readonly [number, number]) => new ByLine(firstLocality, endLocality, A, count, lineOf)
    this.transfersInto = byLine(sc.transfers.length, (j) => [sc.transfers[j]!.locality, sc.transfers[j]!.to])
    this.transfersFrom = byLine(sc.transfers.length, (j) => [sc.transfers[j]!.locality, sc.transfers[j]!.from])
    this.programmesPaidBy = byLine(sc.programmes.length, (j) => [sc.programmes[j]!.locality, sc.programmes[j]!.payer])
  }

  /**
   * The line's baseline, and what each transfer into it pays (its monthly part, capped at what is
   * left). Called for every line and period: a line without transfers allocates nothing but the
   * result.
   */
  plan(i: number, a: number, m: number): LinePlan {
    const baseline = this.baselines.monthly(i, a, m)
    const into = this.transfersInto.get(i, a)
    if (into === undefined) return { baseline, transfersIn: NO_TRANSFERS, ownFunding: baseline }
    let left = baseline
    const transfersIn: Array<{ transfer: number; from: number; amount: number }> = []
    for (const j of into) {
      const t: Transfer = this.sc.transfers[j]!
      if (m < t.starts || m >= t.starts + t.months) continue
      const amount = Math.min(left, monthlyPart(t.annualPence, this.baselines.monthInFinancialYear(m)))
      left -= amount
      if (amount > 0) transfersIn.push({ transfer: j, from: t.from, amount })
    }
    return { baseline, transfersIn, ownFunding: left }
  }

  /** Everything the department of agency a pays for locality i in period m. */
  departmentOutflow(i: number, a: number, m: number): number {
    let out = this.transfersInto.get(i, a) !== undefined ? this.plan(i, a, m).ownFunding : this.baselines.monthly(i, a, m)
    const from = this.transfersFrom.get(i, a)
    if (from !== undefined) {
      for (const j of from) {
        const t = this.sc.transfers[j]!
        for (const x of this.plan(i, t.to, m).transfersIn) if (x.transfer === j) out += x.amount
      }
    }
    const paid = this.programmesPaidBy.get(i, a)
    if (paid !== undefined) for (const p of paid) out += monthlyInvestment(this.sc.programmes[p]!, m)
    return out
  }

  /** True when another department pays into this line (then `plan` says how much). */
  hasTransfersInto(i: number, a: number): boolean {
    return this.transfersInto.get(i, a) !== undefined
  }

  /** The line's baseline in period m (what `plan` returns as `baseline`). */
  baseline(i: number, a: number, m: number): number {
    return this.baselines.monthly(i, a, m)
  }

  /** The period's month in its financial year (April = 0). */
  monthInFinancialYear(m: number): number {
    return this.baselines.monthInFinancialYear(m)
  }

  programmesPaidByLine(i: number, a: number): ReadonlyArray<number> {
    return this.programmesPaidBy.get(i, a) ?? NO_PROGRAMMES
  }
}

/**
 * The blocks of periods each envelope settlement covers: financial years (from April), split
 * where a spending review starts or ends, so envelopes change at review boundaries.
 */
export const settlementBlocks = (sc: Scenario): Array<{ readonly label: string; readonly from: number; readonly to: number }> => {
  const cuts = new Set<number>()
  for (const r of sc.spendingReviews) {
    cuts.add(r.starts)
    cuts.add(r.starts + r.months)
  }
  const out: Array<{ label: string; from: number; to: number }> = []
  for (const fy of financialYearBlocks(sc.start, sc.months)) {
    let from = fy.from
    for (let m = fy.from + 1; m <= fy.to; m++) {
      if (m === fy.to || cuts.has(m)) {
        out.push({ label: financialYearLabel(fy.fy), from, to: m })
        from = m
      }
    }
  }
  return out
}
