import type { ControlEvent, EventKind, EventLog, PostingColumns, RunStarted } from "@devosim/core"
import { EVENT_KINDS, HOLDERS, POSTING_KIND, accountCount, accountDirectory, financialYearBlocks, financialYearLabel, layoutOf, monthlySaving, parseYearMonth, splitLargestRemainder } from "@devosim/core"
import type { Flow } from "./flows.ts"
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
  /** What the programmes' effects on this line claimed: realised + capped. */
  readonly savings_claimed_pence: number
  /** Claims beyond what the line still spent in a period, not realised (the cap: a line cannot save more than it spends). */
  readonly savings_capped_pence: number
  readonly transfers_in_pence: number
  readonly transfers_out_pence: number
  /** savings realised − prevention invested + transfers in − transfers out. */
  readonly net_position_pence: number
  /** By financial year (runs of up to DETAIL_BY_YEAR_CELLS line-years; beyond, aggregate ledger.arrow's periods). */
  readonly by_financial_year?: ReadonlyArray<LineYear>
}

/** One agency line's money in one financial year. */
export interface LineYear {
  readonly financial_year: string
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
}

/**
 * Line- and locality-years (localities × (agencies + 1) × financial years) up to which the summary
 * has every line's and locality's figures by financial year (line_years.arrow, locality_years.arrow);
 * a larger run has them in its ledger (period × account: `devosim export DIR --tables ledger`).
 */
export const DETAIL_BY_YEAR_CELLS = 200_000

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
  readonly savings_claimed_pence: number
  readonly savings_capped_pence: number
  readonly savings_on_pooled_lines_pence: number
  readonly gainshare_kept_pence: number
  readonly gainshare_returned_pence: number
  readonly agencies: ReadonlyArray<AgencyMoney>
  readonly present_values: PresentValues
  /** First period at which cumulative savings cover cumulative investment; null if never (or no investment). */
  readonly payback_period: number | null
  /** By financial year, with the SPB reduction (as for the agencies: runs of up to DETAIL_BY_YEAR_CELLS line-years). */
  readonly by_financial_year?: ReadonlyArray<LineYear & { readonly spb_reduction_pence: number }>
}

/** One effect of one programme: what it claimed over the run, what it realised, what the line's spending capped. */
export interface EffectSavings {
  readonly programme: string
  readonly locality: string
  /** The beneficiary line's agency. */
  readonly agency: string
  readonly service: string
  readonly claimed_pence: number
  readonly realised_pence: number
  /** claimed − realised. */
  readonly capped_pence: number
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

/**
 * What moves through a locality's single place budget: in, the pooled lines' funding from their
 * departments (and transfers into a pooled line), prevention investment for pooled payers (passed
 * straight on) and savings realised on pooled lines; out, payments to the agencies (pooled funding),
 * the 'more for less' reduction and the Treasury's share of the savings (gainshare returned). What
 * the pool keeps of its savings is `gainshare_kept` (savings − gainshare returned).
 */
export const POOL_FLOWS = [
  "line_funding_pence",
  "transfers_pence",
  "investment_pence",
  "savings_pence",
  "pooled_funding_pence",
  "reduction_pence",
  "gainshare_returned_pence",
  "gainshare_kept_pence"
] as const
export type PoolFlow = (typeof POOL_FLOWS)[number]
export type PoolFlows = { readonly [K in PoolFlow]: number }

/**
 * One locality's single place budget: each flow by period [0, months), zeros before its deal (dense,
 * so a flow's m-th value is period m's in every replication, and statistics across them line up).
 */
export type LocalityPool = { readonly locality: string } & { readonly [K in PoolFlow]: ReadonlyArray<number> }

/**
 * Locality-periods up to which the summary has every locality's pool by period (`pools`,
 * pools.arrow); a larger run has the totals over localities only (`single_place_budget`) and its
 * ledger (`devosim export DIR --tables ledger`: the SPB accounts by period).
 */
export const POOL_BY_PERIOD_CELLS = 200_000

/** The single place budgets over all localities: by period, by financial year and over the run. */
export interface SinglePlaceBudgets {
  /** Localities whose pool moved any money. */
  readonly localities: number
  /** True when `pools` has every such locality by period (runs of up to POOL_BY_PERIOD_CELLS locality-periods). */
  readonly by_locality: boolean
  readonly totals: PoolFlows
  readonly by_period: { readonly [K in PoolFlow]: ReadonlyArray<number> }
  readonly by_financial_year: ReadonlyArray<PoolFlows & { readonly financial_year: string; readonly periods: readonly [number, number] }>
}

/** What one agency's department paid towards another agency's line in a locality (TransferAgreed), over the run. */
export interface TransferMoney {
  readonly locality: string
  readonly from: string
  readonly to: string
  readonly amount_pence: number
}

/** One financial year of the run (UK, from 1 April): totals over all localities, exact pence. */
export interface FinancialYearMoney {
  readonly financial_year: string
  /** The run's periods in it, [from, to). */
  readonly periods: readonly [number, number]
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
}

/**
 * The Green Book appraisal of prevention over the run: flows summed by financial year, year 0 (the
 * run's first financial year) undiscounted, then 3.5% a year to year 30, 3.0% from 31 to 75, 2.5%
 * after (the STPR schedule). Costs are prevention invested, benefits savings realised.
 */
export interface Appraisal {
  /** `green_book` (the default) or `monthly` (the scenario's `appraisal: { discounting: monthly }`). */
  readonly discounting: "green_book" | "monthly"
  readonly first_financial_year: string
  readonly last_financial_year: string
  readonly pv_costs_pence: number
  readonly pv_benefits_pence: number
  /** pv benefits − pv costs. */
  readonly npv_pence: number
  /** pv benefits / pv costs; null when nothing was invested. */
  readonly benefit_cost_ratio: number | null
  /** The first financial year by whose end cumulative benefits cover cumulative costs (undiscounted); null if none in the run. */
  readonly payback_financial_year: string | null
  readonly pv_spb_reduction_pence: number
  readonly by_financial_year: ReadonlyArray<{ readonly financial_year: string; readonly year: number; readonly factor: number; readonly costs_pence: number; readonly benefits_pence: number }>
}

export interface MoneyFigures {
  readonly discount_rate_pct: number
  readonly settled_pence: number
  readonly baseline_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly prevention_invested_pence: number
  readonly savings_realised_pence: number
  /** What every effect claimed; claimed = realised + capped, exactly. */
  readonly savings_claimed_pence: number
  readonly savings_capped_pence: number
  /** Every programme effect: claimed, realised, capped (in the log's order of programmes). */
  readonly effects: ReadonlyArray<EffectSavings>
  readonly savings_on_pooled_lines_pence: number
  readonly gainshare_kept_pence: number
  readonly gainshare_returned_pence: number
  /** Present values, monthly convention: (1 + rate)^(−m/12) at `discount_rate_pct` (see `appraisal` for the Green Book's). */
  readonly present_values: PresentValues
  readonly appraisal: Appraisal
  /** Totals by financial year (the run's first year may be part of one). */
  readonly by_financial_year: ReadonlyArray<FinancialYearMoney>
  /** Totals over each spending review's window (its periods in the run), in the order the reviews were settled. */
  readonly by_spending_review: ReadonlyArray<Omit<FinancialYearMoney, "financial_year"> & { readonly review: string }>
  /** Sum of all balances at the end: zero, exactly, when money is conserved. */
  readonly total_balance_pence: number
  readonly localities: ReadonlyArray<LocalityMoney>
  /** The wrong-pocket matrix: for each locality, what each payer's programmes saved each beneficiary. */
  readonly cost_shift: ReadonlyArray<CostShift>
  /** The single place budgets' flows over all localities (`pools`: by locality, when the run is small enough). */
  readonly single_place_budget: SinglePlaceBudgets
  /** Each locality's single place budget by period (localities whose pool moved money, in the scenario's order). */
  readonly pools: ReadonlyArray<LocalityPool>
  /** Transfers between agencies' lines, by locality, payer (`from`) and receiving line (`to`). */
  readonly transfers: ReadonlyArray<TransferMoney>
  /** Totals over all localities by period [0, months): for charts of spend against baseline. */
  readonly by_period: {
    readonly baseline_pence: ReadonlyArray<number>
    readonly actual_pence: ReadonlyArray<number>
    readonly savings_realised_pence: ReadonlyArray<number>
    readonly prevention_invested_pence: ReadonlyArray<number>
    readonly spb_reduction_pence: ReadonlyArray<number>
  }
}


// ---------------------------------------------------------------------------------------------
// Classifying postings without objects: a flow code per (from holder, to holder, cause class),
// tabulated once from classifyFlow, so the per-posting work is typed-array reads.

const FLOWS: ReadonlyArray<Flow> = [
  "other",
  "pooled funding",
  "investment funding",
  "envelope",
  "envelope returned",
  "line funding",
  "transfer",
  "reduction",
  "gainshare returned",
  "saving",
  "service spend",
  "investment spend",
  "passed down",
  "tier commissioning",
  "direct payment",
  "personal budget saving",
  "outcome payment",
  "envelope top-up",
  "running cost"
]
const F_ENVELOPE = FLOWS.indexOf("envelope")
const F_ENVELOPE_RETURNED = FLOWS.indexOf("envelope returned")
const F_LINE_FUNDING = FLOWS.indexOf("line funding")
const F_TRANSFER = FLOWS.indexOf("transfer")
const F_REDUCTION = FLOWS.indexOf("reduction")
const F_GAINSHARE_RETURNED = FLOWS.indexOf("gainshare returned")
const F_SAVING = FLOWS.indexOf("saving")
const F_SERVICE_SPEND = FLOWS.indexOf("service spend")
const F_INVESTMENT_SPEND = FLOWS.indexOf("investment spend")
const F_POOLED_FUNDING = FLOWS.indexOf("pooled funding")
const F_INVESTMENT_FUNDING = FLOWS.indexOf("investment funding")
const F_PASSED_DOWN = FLOWS.indexOf("passed down")
const F_TIER_COMMISSIONING = FLOWS.indexOf("tier commissioning")
const F_DIRECT_PAYMENT = FLOWS.indexOf("direct payment")
const F_PERSONAL_BUDGET_SAVING = FLOWS.indexOf("personal budget saving")
const F_ENVELOPE_TOP_UP = FLOWS.indexOf("envelope top-up")
/** Flows below this code move no figure (other). */
const F_FIRST_COUNTED = F_POOLED_FUNDING

// A pool's flows as stored per period (gainshare kept is savings − returned, made in `finish`).
const P_LINE_FUNDING = 0
const P_TRANSFERS = 1
const P_INVESTMENT = 2
const P_SAVINGS = 3
const P_POOLED_FUNDING = 4
const P_REDUCTION = 5
const P_RETURNED = 6
const P = 7

const H = HOLDERS.length
/**
 * Cause classes: 0 for "no cause / a kind classifyFlow treats as no cause", then one per control
 * kind that changes some classification. Found by asking classifyFlow, so the table stays exact if
 * classifyFlow learns new kinds.
 */
const CAUSE_KINDS: ReadonlyArray<EventKind | undefined> = (() => {
  const row = (k: EventKind | undefined) => HOLDERS.flatMap((f) => HOLDERS.map((t) => classifyFlow(f, t, k))).join()
  const none = row(undefined)
  const kinds: Array<EventKind | undefined> = [undefined]
  for (const k of EVENT_KINDS) if (k !== POSTING_KIND && row(k) !== none) kinds.push(k)
  return kinds
})()
const C = CAUSE_KINDS.length
const FLOW_TABLE = (() => {
  const table = new Uint8Array(H * H * C)
  for (let f = 0; f < H; f++)
    for (let t = 0; t < H; t++) for (let c = 0; c < C; c++) table[(f * H + t) * C + c] = FLOWS.indexOf(classifyFlow(HOLDERS[f]!, HOLDERS[t]!, CAUSE_KINDS[c]))
  return table
})()
const CAUSE_CLASS = new Map<EventKind, number>(CAUSE_KINDS.flatMap((k, c) => (k === undefined ? [] : [[k, c] as const])))
/** Cause codes pack the class (low 6 bits) and an agency index + 1 (TransferAgreed's `to`, ProgrammeStarted's `payer`, BudgetPassedDown's `agency`). */
const CLASS_BITS = 64
const CLASS_SHIFT = 6
const CAUSE_CACHE_MASK = 63

/**
 * Costs shifted between pockets, (locality, payer, beneficiary) → a slot with its total and its
 * savings by period, kept sparse (periods arrive in order, so a slot's list only grows at its end).
 */
interface ShiftSlot {
  readonly locality: number
  readonly payer: number
  readonly beneficiary: number
  savings: number
  readonly periods: Array<number>
  readonly values: Array<number>
}

export interface MoneyOptions {
  /**
   * False: only what a comparison's figures (`figuresOf`) read, for many small runs: no effects, no
   * cost shift, no by-year detail of lines and localities (empty), and no claims beyond what was
   * realised (savings_claimed is savings_realised, nothing capped). Every other figure is the same.
   * Default true.
   */
  readonly detail?: boolean
  /**
   * False: no pool by locality and period (`pools` empty, `single_place_budget.by_locality` false),
   * for a reader of the summary's other tables only; the pools' totals by period are kept. Default true.
   */
  readonly poolsByPeriod?: boolean
}

/**
 * `moneyFigures` as a fold over a log's chunks (`add` them in seq order, then `finish`). Memory is
 * O(accounts + cost-shift cells + the control events that cause postings), not O(postings) nor
 * O(localities × periods): per-locality figures by period (for present values and payback) are
 * folded in when a locality's next period starts, which relies on postings being in time order
 * (as the engine writes them; `devosim verify` checks it).
 */
export class MoneyBuilder {
  readonly run: RunStarted
  private readonly L: number
  private readonly A: number
  private readonly months: number
  private readonly holder: Uint8Array
  private readonly localityOf: Int32Array
  private readonly agencyOf: Int32Array
  private readonly agencyIndex: Map<string, number>
  /** Control seq → cause code, for the control events that change a posting's classification. */
  private readonly causes = new Map<number, number>()
  /** A cache of `causes` by seq mod 64 (addPostings). */
  private readonly causeSeq = new Float64Array(CAUSE_CACHE_MASK + 1).fill(-1)
  private readonly causeCode = new Int32Array(CAUSE_CACHE_MASK + 1)
  private readonly factor: Float64Array
  // Per line (locality × agency).
  private readonly baseline: Float64Array
  private readonly actual: Float64Array
  private readonly invested: Float64Array
  private readonly saved: Float64Array
  private readonly tin: Float64Array
  private readonly tout: Float64Array
  // Per locality.
  private readonly reduction: Float64Array
  private readonly returned: Float64Array
  private readonly pooledSavings: Float64Array
  // Per locality: the period being accumulated and its savings, investment and reduction so far;
  // present values and payback folded in from the periods before it.
  private readonly curPeriod: Int32Array
  private readonly curSaved: Float64Array
  private readonly curInvested: Float64Array
  private readonly curReduction: Float64Array
  private readonly pvSaved: Float64Array
  private readonly pvInvested: Float64Array
  private readonly pvReduction: Float64Array
  private readonly cumulative: Float64Array
  private readonly investing: Uint8Array
  private readonly payback: Int32Array
  // Totals over localities, by period.
  private readonly baselineByPeriod: Float64Array
  private readonly actualByPeriod: Float64Array
  private readonly savedByPeriod: Float64Array
  private readonly investedByPeriod: Float64Array
  private readonly reductionByPeriod: Float64Array
  // Single place budgets: totals by (period · P + pool flow); by ((locality · months + period) · P +
  // pool flow) when the run is small enough (POOL_BY_PERIOD_CELLS); which localities' pools moved money.
  private readonly poolByPeriod: Float64Array
  private readonly poolDetail: Float64Array | null
  private readonly pooling: Uint8Array
  // Transfers: (locality · A + from) · A + to → pence (with the detail).
  private readonly transferred = new Map<number, number>()
  // Cost shift: (locality · A + payer) · A + beneficiary → slot index.
  private readonly shiftIndex = new Map<number, number>()
  private readonly shifts: Array<ShiftSlot> = []
  private readonly balance: Float64Array
  // Programmes whose ProgrammeStarted recorded their effects' terms, and what postings they caused
  // realised on each beneficiary line: (cause seq · agencies + beneficiary) → pence.
  private readonly programmes: Array<Extract<ControlEvent, { _tag: "ProgrammeStarted" }>> = []
  private readonly realisedBy = new Map<number, number>()
  private readonly reviews: Array<{ review: string; from: number; to: number }> = []
  // By (line, financial year) and (locality, financial year), when the run is small enough (DETAIL_BY_YEAR_CELLS).
  private readonly fyOfPeriod: Int32Array
  private readonly fyLabels: ReadonlyArray<string>
  private readonly fyDetail: { baseline: Float64Array; actual: Float64Array; invested: Float64Array; saved: Float64Array; reduction: Float64Array } | null
  private settled = 0
  private lastT = Number.NaN
  /** False: only what `figuresOf` reads (see `MoneyOptions`). */
  private readonly detail: boolean

  constructor(run: RunStarted, options: MoneyOptions = {}) {
    this.run = run
    this.detail = options.detail ?? true
    const layout = layoutOf(run)
    const L = (this.L = layout.localityCount)
    const A = (this.A = layout.agencyCount)
    const months = (this.months = Math.max(1, run.months))
    const n = accountCount(layout)
    const dir = accountDirectory(run)
    this.holder = Uint8Array.from(dir.holder)
    this.localityOf = dir.locality
    this.agencyOf = dir.agency
    this.agencyIndex = new Map(run.agencies.map((a, i) => [a.id, i]))
    this.factor = Float64Array.from({ length: months }, (_, m) => discountFactor(run.discountRateBasisPoints, m))
    const line = () => new Float64Array(L * A)
    this.baseline = line()
    this.actual = line()
    this.invested = line()
    this.saved = line()
    this.tin = line()
    this.tout = line()
    const perLocality = () => new Float64Array(L)
    this.reduction = perLocality()
    this.returned = perLocality()
    this.pooledSavings = perLocality()
    this.curPeriod = new Int32Array(L).fill(-1)
    this.curSaved = perLocality()
    this.curInvested = perLocality()
    this.curReduction = perLocality()
    this.pvSaved = perLocality()
    this.pvInvested = perLocality()
    this.pvReduction = perLocality()
    this.cumulative = perLocality()
    this.investing = new Uint8Array(L)
    this.payback = new Int32Array(L).fill(-1)
    this.baselineByPeriod = new Float64Array(months)
    this.actualByPeriod = new Float64Array(months)
    this.savedByPeriod = new Float64Array(months)
    this.investedByPeriod = new Float64Array(months)
    this.reductionByPeriod = new Float64Array(months)
    this.poolByPeriod = new Float64Array(months * P)
    this.poolDetail = this.detail && options.poolsByPeriod !== false && L * months <= POOL_BY_PERIOD_CELLS ? new Float64Array(L * months * P) : null
    this.pooling = new Uint8Array(L)
    this.balance = new Float64Array(n)
    const blocks = financialYearBlocks(parseYearMonth(run.start) ?? { year: 2000, month: 4 }, months)
    this.fyOfPeriod = new Int32Array(months)
    blocks.forEach((b, k) => this.fyOfPeriod.fill(k, b.from, b.to))
    this.fyLabels = blocks.map((b) => financialYearLabel(b.fy))
    const Y = blocks.length
    // Lines and localities by year (a run without agencies has locality-years of zeros only).
    this.fyDetail =
      this.detail &&
      A > 0 && L * (A + 1) * Y <= DETAIL_BY_YEAR_CELLS
        ? { baseline: new Float64Array(L * A * Y), actual: new Float64Array(L * A * Y), invested: new Float64Array(L * A * Y), saved: new Float64Array(L * A * Y), reduction: new Float64Array(L * Y) }
        : null
  }

  /** A control event: remembered (as a small code) if postings it causes are classified by it. */
  addControl(e: ControlEvent): void {
    if (e._tag === "ProgrammeStarted" && e.effects !== null) this.programmes.push(e)
    if (e._tag === "SpendingReviewSettled") this.reviews.push({ review: e.review, from: e.fromPeriod, to: e.toPeriod })
    const c = CAUSE_CLASS.get(e._tag)
    if (c === undefined) return
    // The line a cause's postings belong to where their accounts do not say (a tier's budget is no line's).
    const agency = e._tag === "TransferAgreed" ? e.to : e._tag === "ProgrammeStarted" ? e.payer : e._tag === "BudgetPassedDown" ? e.agency : undefined
    const a = agency === undefined ? -1 : (this.agencyIndex.get(agency) ?? -1)
    this.causes.set(e.seq, c + CLASS_BITS * (a + 1))
  }

  /** Postings, in seq order; their causes must have been added (they are earlier control events). */
  addPostings(p: PostingColumns): void {
    const { holder, localityOf, agencyOf, causes, A, months, balance } = this
    const { baseline, actual, invested, saved, tin, tout, reduction, returned, pooledSavings } = this
    const { curPeriod, curSaved, curInvested, curReduction } = this
    const { baselineByPeriod, actualByPeriod, savedByPeriod, investedByPeriod, reductionByPeriod } = this
    const { poolByPeriod, poolDetail, pooling } = this
    /** Pool flow k of locality l in period m. */
    const pool = (l: number, k: number, x: number) => {
      poolByPeriod[m * P + k]! += x
      pooling[l] = 1
      if (poolDetail !== null) poolDetail[(l * months + m) * P + k]! += x
    }
    const fy = this.fyDetail
    const fyOfPeriod = this.fyOfPeriod
    const Y = this.fyLabels.length
    const pFrom = p.from
    const pTo = p.to
    const pAmount = p.amount
    const pCause = p.cause
    const pT = p.t
    let lastCause = Number.NaN
    let cls = 0
    let aux = -1
    const { causeSeq, causeCode } = this
    let lastT = this.lastT
    let m = lastT === lastT ? clampPeriod(lastT, months) : 0
    for (let i = 0; i < p.length; i++) {
      const f = pFrom[i]!
      const to = pTo[i]!
      const x = pAmount[i]!
      balance[f]! -= x
      balance[to]! += x
      const c = pCause[i]!
      if (c !== lastCause) {
        lastCause = c
        // A line's postings alternate between a few causes (the period, its programmes): a small
        // direct-mapped cache in front of the map.
        const slot = c & CAUSE_CACHE_MASK
        let code: number
        if (causeSeq[slot] === c) code = causeCode[slot]!
        else {
          code = causes.get(c) ?? 0
          causeSeq[slot] = c
          causeCode[slot] = code
        }
        cls = code & (CLASS_BITS - 1)
        aux = (code >>> CLASS_SHIFT) - 1
      }
      const flow = FLOW_TABLE[(holder[f]! * H + holder[to]!) * C + cls]!
      if (flow < F_FIRST_COUNTED) continue
      const t = pT[i]!
      if (t !== lastT) {
        if (t < lastT) throw new Error(`postings go back in time at seq ${p.seq[i]} (t ${t} after ${lastT})`)
        lastT = t
        m = clampPeriod(t, months)
      }
      const l = localityOf[f]!
      switch (flow) {
        case F_ENVELOPE:
          this.settled += x
          break
        case F_ENVELOPE_RETURNED:
          this.settled -= x
          break
        case F_LINE_FUNDING:
          baseline[l * A + agencyOf[f]!]! += x
          baselineByPeriod[m]! += x
          if (fy !== null) fy.baseline[(l * A + agencyOf[f]!) * Y + fyOfPeriod[m]!]! += x
          if (holder[to] === SPB) pool(l, P_LINE_FUNDING, x)
          break
        case F_TRANSFER:
          baseline[l * A + aux]! += x
          baselineByPeriod[m]! += x
          if (fy !== null) fy.baseline[(l * A + aux) * Y + fyOfPeriod[m]!]! += x
          tin[l * A + aux]! += x
          tout[l * A + agencyOf[f]!]! += x
          if (holder[to] === SPB) pool(l, P_TRANSFERS, x)
          if (this.detail) {
            const key = (l * A + agencyOf[f]!) * A + aux
            this.transferred.set(key, (this.transferred.get(key) ?? 0) + x)
          }
          break
        case F_POOLED_FUNDING:
          pool(l, P_POOLED_FUNDING, x)
          break
        case F_INVESTMENT_FUNDING:
          // Into the pool for a pooled payer (and straight on to its line: counted once, coming in).
          if (holder[to] === SPB) pool(l, P_INVESTMENT, x)
          break
        case F_REDUCTION:
          pool(l, P_REDUCTION, x)
          reduction[l]! += x
          if (curPeriod[l] !== m) this.nextPeriod(l, m)
          curReduction[l]! += x
          reductionByPeriod[m]! += x
          if (fy !== null) fy.reduction[l * Y + fyOfPeriod[m]!]! += x
          break
        case F_GAINSHARE_RETURNED:
          returned[l]! += x
          pool(l, P_RETURNED, x)
          break
        case F_SAVING: {
          const beneficiary = agencyOf[f]!
          saved[l * A + beneficiary]! += x
          if (holder[to] === SPB) {
            pooledSavings[l]! += x
            pool(l, P_SAVINGS, x)
          }
          if (curPeriod[l] !== m) this.nextPeriod(l, m)
          curSaved[l]! += x
          savedByPeriod[m]! += x
          if (fy !== null) fy.saved[(l * A + beneficiary) * Y + fyOfPeriod[m]!]! += x
          if (this.detail) {
            this.shift(l, aux, beneficiary, m, x)
            const key = lastCause * A + beneficiary
            this.realisedBy.set(key, (this.realisedBy.get(key) ?? 0) + x)
          }
          break
        }
        case F_INVESTMENT_SPEND:
          invested[l * A + agencyOf[f]!]! += x
          if (curPeriod[l] !== m) this.nextPeriod(l, m)
          curInvested[l]! += x
          investedByPeriod[m]! += x
          actual[l * A + agencyOf[f]!]! += x
          actualByPeriod[m]! += x
          if (fy !== null) {
            fy.invested[(l * A + agencyOf[f]!) * Y + fyOfPeriod[m]!]! += x
            fy.actual[(l * A + agencyOf[f]!) * Y + fyOfPeriod[m]!]! += x
          }
          break
        case F_SERVICE_SPEND:
        case F_DIRECT_PAYMENT:
          // Direct payments are the line's service spend, commissioned by citizens.
          actual[l * A + agencyOf[f]!]! += x
          actualByPeriod[m]! += x
          if (fy !== null) fy.actual[(l * A + agencyOf[f]!) * Y + fyOfPeriod[m]!]! += x
          break
        case F_TIER_COMMISSIONING:
          // What a tier commissions with a budget passed down is the pooled line's spend (its agency is the cause's).
          actual[l * A + aux]! += x
          actualByPeriod[m]! += x
          if (fy !== null) fy.actual[(l * A + aux) * Y + fyOfPeriod[m]!]! += x
          break
        case F_PASSED_DOWN:
          // Out of the pool to fund the line's services in its tiers, as pooled funding to the agency is.
          pool(l, P_POOLED_FUNDING, x)
          break
        case F_PERSONAL_BUDGET_SAVING:
          // Not a prevention saving (not in savings realised, nor the appraisal); on a pooled line the
          // gainshare splits it as it does a programme's (its Treasury share is gainshare returned).
          if (holder[to] === SPB) {
            pooledSavings[l]! += x
            pool(l, P_SAVINGS, x)
          }
          break
        case F_ENVELOPE_TOP_UP: {
          // A fixed cash envelope above the month's demand-led baseline: a negative reduction, so the
          // reduction is baseline − envelope, signed, and the pool's flows still balance.
          const r = localityOf[to]!
          pool(r, P_REDUCTION, -x)
          reduction[r]! -= x
          if (curPeriod[r] !== m) this.nextPeriod(r, m)
          curReduction[r]! -= x
          reductionByPeriod[m]! -= x
          if (fy !== null) fy.reduction[r * Y + fyOfPeriod[m]!]! -= x
          break
        }
        default:
          break
      }
    }
    this.lastT = lastT
  }

  /** A chunk of the log: its control events, then its postings (a posting's cause is always earlier). */
  add(chunk: EventLog): void {
    for (const e of chunk.controls) this.addControl(e)
    this.addPostings(chunk.postings)
  }

  /**
   * Locality l's period m starts: fold the period it was accumulating into its present values and
   * payback, in period order (the same sums, in the same order, as over dense per-period arrays).
   */
  private nextPeriod(l: number, m: number): void {
    const prev = this.curPeriod[l]!
    if (m < prev) throw new Error(`postings go back in time: locality ${l} period ${m} after ${prev}`)
    this.closePeriod(l)
    this.curPeriod[l] = m
  }

  private closePeriod(l: number): void {
    const m = this.curPeriod[l]!
    if (m < 0) return
    const f = this.factor[m]!
    const s = this.curSaved[l]!
    const inv = this.curInvested[l]!
    this.pvSaved[l]! += s * f
    this.pvInvested[l]! += inv * f
    this.pvReduction[l]! += this.curReduction[l]! * f
    if (this.payback[l]! < 0) {
      if (inv > 0) this.investing[l] = 1
      this.cumulative[l]! += s - inv
      if (this.investing[l] === 1 && this.cumulative[l]! >= 0) this.payback[l] = m
    }
    this.curSaved[l] = 0
    this.curInvested[l] = 0
    this.curReduction[l] = 0
    this.curPeriod[l] = -1
  }

  private shift(l: number, payer: number, beneficiary: number, m: number, x: number): void {
    const key = (l * this.A + payer) * this.A + beneficiary
    let k = this.shiftIndex.get(key)
    if (k === undefined) {
      k = this.shifts.length
      this.shiftIndex.set(key, k)
      this.shifts.push({ locality: l, payer, beneficiary, savings: 0, periods: [], values: [] })
    }
    const s = this.shifts[k]!
    s.savings += x
    const last = s.periods.length - 1
    if (last >= 0 && s.periods[last] === m) s.values[last]! += x
    else {
      // Periods arrive in order (checked in addPostings), so a new one goes at the end.
      s.periods.push(m)
      s.values.push(x)
    }
  }

  /**
   * Each recorded effect's claim over the run (core's prevention formulas, period by period), and
   * its share of what its programme realised on the line (pro rata to the claims of the programme's
   * effects on that line, largest remainder, as the engine shares a capped line).
   */
  private effectSavings(): { effects: Array<EffectSavings>; claimedByLine: Float64Array } {
    const { run, A } = this
    const claimedByLine = new Float64Array(this.L * A)
    const localityIndex = new Map(this.programmes.length === 0 ? [] : run.localities.map((l, i) => [l.id, i]))
    const effects: Array<EffectSavings> = []
    for (const e of this.programmes) {
      const l = localityIndex.get(e.locality)!
      const terms = { starts: e.fromPeriod, durationMonths: e.toPeriod - e.fromPeriod, cohort: e.cohort ?? 0 }
      const claims = e.effects!.map((x) => {
        let c = 0
        for (let m = 0; m < run.months; m++) c += Math.max(0, monthlySaving(terms, x, m))
        return c
      })
      const byBeneficiary = new Map<number, Array<number>>()
      e.effects!.forEach((x, k) => {
        const a = this.agencyIndex.get(x.beneficiary)!
        const list = byBeneficiary.get(a)
        if (list === undefined) byBeneficiary.set(a, [k])
        else list.push(k)
      })
      const realised = new Array<number>(claims.length).fill(0)
      for (const [a, ks] of byBeneficiary) {
        const total = this.realisedBy.get(e.seq * A + a) ?? 0
        const weights = ks.map((k) => claims[k]!)
        const parts = weights.some((w) => w > 0) ? splitLargestRemainder(total, weights) : ks.map(() => 0)
        ks.forEach((k, q) => (realised[k] = parts[q]!))
      }
      e.effects!.forEach((x, k) => {
        const a = this.agencyIndex.get(x.beneficiary)!
        claimedByLine[l * A + a]! += claims[k]!
        effects.push({ programme: e.programme, locality: e.locality, agency: x.beneficiary, service: x.service, claimed_pence: claims[k]!, realised_pence: realised[k]!, capped_pence: claims[k]! - realised[k]! })
      })
    }
    return { effects, claimedByLine }
  }

  /** Line k's figures by financial year (with the detail kept). */
  private lineYears(k: number): Array<LineYear> {
    const d = this.fyDetail!
    const Y = this.fyLabels.length
    return this.fyLabels.map((label, y) => ({
      financial_year: label,
      baseline_pence: d.baseline[k * Y + y]!,
      actual_pence: d.actual[k * Y + y]!,
      prevention_invested_pence: d.invested[k * Y + y]!,
      savings_realised_pence: d.saved[k * Y + y]!
    }))
  }

  /** Locality l's figures by financial year: its lines summed, and its SPB reduction. */
  private localityYears(l: number): Array<LineYear & { spb_reduction_pence: number }> {
    const d = this.fyDetail!
    const { A } = this
    const Y = this.fyLabels.length
    return this.fyLabels.map((label, y) => {
      let baseline = 0
      let actual = 0
      let invested = 0
      let saved = 0
      for (let a = 0; a < A; a++) {
        const i = (l * A + a) * Y + y
        baseline += d.baseline[i]!
        actual += d.actual[i]!
        invested += d.invested[i]!
        saved += d.saved[i]!
      }
      return { financial_year: label, baseline_pence: baseline, actual_pence: actual, spb_reduction_pence: d.reduction[l * Y + y]!, prevention_invested_pence: invested, savings_realised_pence: saved }
    })
  }

  /** Σ flows[m] × (1 + rate)^(−m/12) over [from, to): the monthly convention. */
  private pvOf(flows: Float64Array, from: number, to: number): number {
    let pv = 0
    for (let m = from; m < to; m++) pv += flows[m]! * this.factor[m]!
    return pv
  }

  /** The mean monthly discount factor over [from, to), for a year's line in the table. */
  private monthlyFactorOf(from: number, to: number): number {
    let f = 0
    for (let m = from; m < to; m++) f += this.factor[m]!
    return to > from ? f / (to - from) : 1
  }

  /** Totals by financial year and the Green Book appraisal, from the per-period totals. */
  private byFinancialYear(): { appraisal: Appraisal; by_financial_year: Array<FinancialYearMoney>; by_spending_review: MoneyFigures["by_spending_review"] } {
    const start = parseYearMonth(this.run.start) ?? { year: 2000, month: 4 }
    const blocks = financialYearBlocks(start, this.run.months)
    const sum = (xs: Float64Array, from: number, to: number) => {
      let s = 0
      for (let m = from; m < to; m++) s += xs[m]!
      return s
    }
    const totals = (from: number, to: number) => ({
      periods: [from, to] as const,
      baseline_pence: sum(this.baselineByPeriod, from, to),
      actual_pence: sum(this.actualByPeriod, from, to),
      spb_reduction_pence: sum(this.reductionByPeriod, from, to),
      prevention_invested_pence: sum(this.investedByPeriod, from, to),
      savings_realised_pence: sum(this.savedByPeriod, from, to)
    })
    const years = blocks.map((b) => ({ financial_year: financialYearLabel(b.fy), ...totals(b.from, b.to) }))
    const months = this.run.months
    const by_spending_review = this.reviews.map((r) => ({ review: r.review, ...totals(Math.min(r.from, months), Math.min(r.to, months)) }))
    let pvCosts = 0
    let pvBenefits = 0
    let pvReduction = 0
    let cumulative = 0
    let payback: string | null = null
    const monthly = this.run.appraisalDiscounting === "monthly"
    const byYear = years.map((y, t) => {
      // Monthly: the year's flows discounted period by period, reported as their effective factor.
      const factor = monthly ? this.monthlyFactorOf(y.periods[0], y.periods[1]) : greenBookFactor(t)
      pvCosts += monthly ? this.pvOf(this.investedByPeriod, y.periods[0], y.periods[1]) : y.prevention_invested_pence * factor
      pvBenefits += monthly ? this.pvOf(this.savedByPeriod, y.periods[0], y.periods[1]) : y.savings_realised_pence * factor
      pvReduction += monthly ? this.pvOf(this.reductionByPeriod, y.periods[0], y.periods[1]) : y.spb_reduction_pence * factor
      cumulative += y.savings_realised_pence - y.prevention_invested_pence
      if (payback === null && pvCosts > 0 && cumulative >= 0) payback = y.financial_year
      return { financial_year: y.financial_year, year: t, factor, costs_pence: y.prevention_invested_pence, benefits_pence: y.savings_realised_pence }
    })
    const costs = Math.round(pvCosts)
    const benefits = Math.round(pvBenefits)
    return {
      appraisal: {
        discounting: monthly ? "monthly" : "green_book",
        first_financial_year: years[0]?.financial_year ?? "",
        last_financial_year: years.at(-1)?.financial_year ?? "",
        pv_costs_pence: costs,
        pv_benefits_pence: benefits,
        npv_pence: benefits - costs,
        benefit_cost_ratio: costs > 0 ? benefits / costs : null,
        payback_financial_year: payback,
        pv_spb_reduction_pence: Math.round(pvReduction),
        by_financial_year: byYear
      },
      by_financial_year: years,
      by_spending_review
    }
  }

  finish(): MoneyFigures {
    const { run, L, A, baseline, actual, invested, saved, tin, tout } = this
    for (let l = 0; l < L; l++) this.closePeriod(l)
    const { effects, claimedByLine } = this.detail ? this.effectSavings() : { effects: [], claimedByLine: new Float64Array(L * A) }
    const localities: Array<LocalityMoney> = new Array(L)
    for (let l = 0; l < L; l++) {
      const agencies: Array<AgencyMoney> = new Array(A)
      let baselineTotal = 0
      let actualTotal = 0
      let investedTotal = 0
      let savings = 0
      for (let a = 0; a < A; a++) {
        const k = l * A + a
        agencies[a] = {
          agency: run.agencies[a]!.id,
          baseline_pence: baseline[k]!,
          actual_pence: actual[k]!,
          prevention_invested_pence: invested[k]!,
          savings_realised_pence: saved[k]!,
          // A line saved only by programmes whose terms the log does not record claims what it realised.
          savings_claimed_pence: Math.max(claimedByLine[k]!, saved[k]!),
          savings_capped_pence: Math.max(claimedByLine[k]!, saved[k]!) - saved[k]!,
          transfers_in_pence: tin[k]!,
          transfers_out_pence: tout[k]!,
          net_position_pence: saved[k]! - invested[k]! + tin[k]! - tout[k]!
        }
        // Added last, as a property of its own (a conditional spread per line is slow at 800,000 lines).
        if (this.fyDetail !== null) (agencies[a] as { by_financial_year?: ReadonlyArray<LineYear> }).by_financial_year = this.lineYears(k)
        baselineTotal += baseline[k]!
        actualTotal += actual[k]!
        investedTotal += invested[k]!
        savings += saved[k]!
      }
      const pvInvested = Math.round(this.pvInvested[l]!)
      const pvSavings = Math.round(this.pvSaved[l]!)
      const payback = this.payback[l]!
      localities[l] = {
        locality: run.localities[l]!.id,
        baseline_pence: baselineTotal,
        actual_pence: actualTotal,
        spb_reduction_pence: this.reduction[l]!,
        prevention_invested_pence: investedTotal,
        savings_realised_pence: savings,
        savings_claimed_pence: agencies.reduce((x, g) => x + g.savings_claimed_pence, 0),
        savings_capped_pence: agencies.reduce((x, g) => x + g.savings_capped_pence, 0),
        savings_on_pooled_lines_pence: this.pooledSavings[l]!,
        gainshare_kept_pence: this.pooledSavings[l]! - this.returned[l]!,
        gainshare_returned_pence: this.returned[l]!,
        agencies,
        present_values: {
          prevention_invested_pence: pvInvested,
          savings_realised_pence: pvSavings,
          npv_pence: pvSavings - pvInvested,
          spb_reduction_pence: Math.round(this.pvReduction[l]!)
        },
        payback_period: investedTotal > 0 && payback >= 0 ? payback : null
      }
      if (this.fyDetail !== null) (localities[l] as { by_financial_year?: LocalityMoney["by_financial_year"] }).by_financial_year = this.localityYears(l)
    }
    let total = 0
    for (const b of this.balance) total += b
    const cost_shift = this.detail ? this.costShift() : []
    const tot = (k: keyof LocalityMoney) => {
      let s = 0
      for (const l of localities) s += l[k] as number
      return s
    }
    const totPv = (k: keyof PresentValues) => {
      let s = 0
      for (const l of localities) s += l.present_values[k]
      return s
    }
    return {
      discount_rate_pct: run.discountRateBasisPoints / 100,
      settled_pence: this.settled,
      baseline_pence: tot("baseline_pence"),
      actual_pence: tot("actual_pence"),
      spb_reduction_pence: tot("spb_reduction_pence"),
      prevention_invested_pence: tot("prevention_invested_pence"),
      savings_realised_pence: tot("savings_realised_pence"),
      savings_claimed_pence: tot("savings_claimed_pence"),
      savings_capped_pence: tot("savings_capped_pence"),
      effects,
      savings_on_pooled_lines_pence: tot("savings_on_pooled_lines_pence"),
      gainshare_kept_pence: tot("gainshare_kept_pence"),
      gainshare_returned_pence: tot("gainshare_returned_pence"),
      present_values: {
        prevention_invested_pence: totPv("prevention_invested_pence"),
        savings_realised_pence: totPv("savings_realised_pence"),
        npv_pence: totPv("npv_pence"),
        spb_reduction_pence: totPv("spb_reduction_pence")
      },
      ...this.byFinancialYear(),
      total_balance_pence: total,
      localities,
      cost_shift,
      ...this.pools(),
      by_period: {
        baseline_pence: Array.from(this.baselineByPeriod),
        actual_pence: Array.from(this.actualByPeriod),
        // Totals of integer pence: exact, so the same whatever order localities were added in.
        savings_realised_pence: Array.from(this.savedByPeriod),
        prevention_invested_pence: Array.from(this.investedByPeriod),
        spb_reduction_pence: Array.from(this.reductionByPeriod)
      }
    }
  }

  /** The pools' totals, by period and financial year; each locality's by period (with the detail); the transfers. */
  private pools(): Pick<MoneyFigures, "single_place_budget" | "pools" | "transfers"> {
    const { run, L, A, months, poolByPeriod, poolDetail, pooling } = this
    /** The flows of `xs` at row r (P values from r · P): gainshare kept made from savings − returned. */
    const flowsAt = (xs: Float64Array, r: number): PoolFlows => ({
      line_funding_pence: xs[r * P + P_LINE_FUNDING]!,
      transfers_pence: xs[r * P + P_TRANSFERS]!,
      investment_pence: xs[r * P + P_INVESTMENT]!,
      savings_pence: xs[r * P + P_SAVINGS]!,
      pooled_funding_pence: xs[r * P + P_POOLED_FUNDING]!,
      reduction_pence: xs[r * P + P_REDUCTION]!,
      gainshare_returned_pence: xs[r * P + P_RETURNED]!,
      gainshare_kept_pence: xs[r * P + P_SAVINGS]! - xs[r * P + P_RETURNED]!
    })
    const sumOf = (from: number, to: number): PoolFlows => {
      const sums = new Float64Array(P)
      for (let m = from; m < to; m++) for (let k = 0; k < P; k++) sums[k]! += poolByPeriod[m * P + k]!
      return flowsAt(sums, 0)
    }
    const perPeriod = Array.from({ length: months }, (_, m) => flowsAt(poolByPeriod, m))
    const by_period = poolColumns((k) => perPeriod.map((x) => x[k]))
    const blocks = financialYearBlocks(parseYearMonth(run.start) ?? { year: 2000, month: 4 }, months)
    let localities = 0
    for (let l = 0; l < L; l++) localities += pooling[l]!
    const pools: Array<LocalityPool> = []
    if (poolDetail !== null)
      for (let l = 0; l < L; l++) {
        if (pooling[l] === 0) continue
        // Straight from the typed array, a column at a time (no object per period).
        const column = (k: number, minus = -1) => {
          const xs = new Array<number>(months)
          for (let m = 0; m < months; m++) {
            const r = (l * months + m) * P
            xs[m] = poolDetail[r + k]! - (minus < 0 ? 0 : poolDetail[r + minus]!)
          }
          return xs
        }
        pools.push({
          locality: run.localities[l]!.id,
          line_funding_pence: column(P_LINE_FUNDING),
          transfers_pence: column(P_TRANSFERS),
          investment_pence: column(P_INVESTMENT),
          savings_pence: column(P_SAVINGS),
          pooled_funding_pence: column(P_POOLED_FUNDING),
          reduction_pence: column(P_REDUCTION),
          gainshare_returned_pence: column(P_RETURNED),
          gainshare_kept_pence: column(P_SAVINGS, P_RETURNED)
        })
      }
    const localityRank = rankBy(run.localities.map((l) => l.id), (x, y) => (x < y ? -1 : x > y ? 1 : 0))
    const agencyRank = rankBy(run.agencies.map((a) => a.id), (x, y) => x.localeCompare(y))
    const transfers = [...this.transferred]
      .map(([key, amount]) => ({ l: Math.floor(key / (A * A)), from: Math.floor(key / A) % A, to: key % A, amount }))
      .sort((x, y) => localityRank[x.l]! - localityRank[y.l]! || agencyRank[x.from]! - agencyRank[y.from]! || agencyRank[x.to]! - agencyRank[y.to]!)
      .map((x) => ({ locality: run.localities[x.l]!.id, from: run.agencies[x.from]!.id, to: run.agencies[x.to]!.id, amount_pence: x.amount }))
    return {
      single_place_budget: {
        localities,
        by_locality: poolDetail !== null,
        totals: sumOf(0, months),
        by_period,
        by_financial_year: blocks.map((b) => ({ financial_year: financialYearLabel(b.fy), periods: [b.from, b.to] as const, ...sumOf(b.from, b.to) }))
      },
      pools,
      transfers
    }
  }

  /**
   * Sorted by locality id (UTF-16 order), payer and beneficiary (localeCompare), ties kept in the
   * order the cells first saved (a stable sort on precomputed ranks: no string compares per pair).
   */
  private costShift(): Array<CostShift> {
    const { run } = this
    const localityRank = rankBy(run.localities.map((l) => l.id), (x, y) => (x < y ? -1 : x > y ? 1 : 0))
    const agencyRank = rankBy(run.agencies.map((a) => a.id), (x, y) => x.localeCompare(y))
    const slots = [...this.shifts].sort(
      (x, y) =>
        localityRank[x.locality]! - localityRank[y.locality]! ||
        agencyRank[x.payer]! - agencyRank[y.payer]! ||
        agencyRank[x.beneficiary]! - agencyRank[y.beneficiary]!
    )
    return slots.map((s) => {
      const byPeriod: Record<string, number> = {}
      for (let j = 0; j < s.periods.length; j++) byPeriod[String(s.periods[j])] = s.values[j]!
      return {
        locality: run.localities[s.locality]!.id,
        payer: run.agencies[s.payer]!.id,
        beneficiary: run.agencies[s.beneficiary]!.id,
        savings_pence: s.savings,
        savings_by_period: byPeriod
      }
    })
  }
}

const SPB = HOLDERS.indexOf("spb")

/** One column per pool flow. */
export const poolColumns = <T>(column: (k: PoolFlow) => T): { [K in PoolFlow]: T } => ({
  line_funding_pence: column("line_funding_pence"),
  transfers_pence: column("transfers_pence"),
  investment_pence: column("investment_pence"),
  savings_pence: column("savings_pence"),
  pooled_funding_pence: column("pooled_funding_pence"),
  reduction_pence: column("reduction_pence"),
  gainshare_returned_pence: column("gainshare_returned_pence"),
  gainshare_kept_pence: column("gainshare_kept_pence")
})

/** A posting's period: floor(t), clamped into [0, months − 1]. */
export const clampPeriod = (t: number, months: number): number => Math.min(months - 1, Math.max(0, Math.floor(t)))

/** Ranks under a comparator; equal elements share a rank. */
const rankBy = (xs: ReadonlyArray<string>, cmp: (x: string, y: string) => number): Int32Array => {
  const order = xs.map((_, i) => i).sort((i, j) => cmp(xs[i]!, xs[j]!))
  const rank = new Int32Array(xs.length)
  for (let k = 0; k < order.length; k++) {
    const prev = order[k - 1]
    rank[order[k]!] = k === 0 ? 0 : cmp(xs[prev!]!, xs[order[k]!]!) === 0 ? rank[prev!]! : k
  }
  return rank
}

/** Who paid, who saved and what the pools returned, over a whole log (a `MoneyBuilder` over one chunk). */
export const moneyFigures = (log: EventLog): MoneyFigures => {
  const b = new MoneyBuilder(runStartedOf(log))
  b.add(log)
  return b.finish()
}

/** The Green Book's discount factor for year t of an appraisal (year 0 undiscounted): 3.5% to year 30, 3.0% to 75, 2.5% after. */
export const greenBookFactor = (year: number): number => {
  let f = 1
  for (let y = 1; y <= year; y++) f /= 1 + (y <= 30 ? 0.035 : y <= 75 ? 0.03 : 0.025)
  return f
}

/** Monthly-convention discounting: the value today of a pound in period m, at `rateBasisPoints` a year. */
export const discountFactor = (rateBasisPoints: number, m: number): number => Math.pow(1 + rateBasisPoints / 10000, -m / 12)
