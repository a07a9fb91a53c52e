import type { YearMonth } from "./calendar.ts"
import type { Pence } from "./money.ts"
import type { Distribution } from "./rng.ts"

/**
 * A scenario as the engine takes it: validated, references resolved, times in months since
 * `start`, money in pence. `packages/scenario` compiles files (YAML/JSON, version 1) into this.
 */
export interface Scenario {
  readonly name: string
  readonly start: YearMonth
  /** Number of monthly spending periods: [0, months). Negotiations may land later. */
  readonly months: number
  readonly seed: number
  readonly centre: Centre
  readonly tranches: ReadonlyArray<Tranche>
  readonly agencies: ReadonlyArray<Agency>
  readonly localities: ReadonlyArray<Locality>
  readonly deal: DealTerms
  /** The menu of powers a deal may devolve (empty: the deal pools `deal.pooledAgencies` at once). */
  readonly powers: ReadonlyArray<Power>
  readonly programmes: ReadonlyArray<Programme>
  readonly transfers: ReadonlyArray<Transfer>
  readonly spendingReviews: ReadonlyArray<SpendingReview>
  /** Green Book social time preference rate, basis points a year (350 = 3.5%). */
  readonly discountRateBasisPoints: number
  /** What coverage is a share of (e.g. England's population); absent: the scenario's localities. */
  readonly coverage?: { readonly population: number; readonly label: string }
  /** How the appraisal discounts: the Green Book's (by financial year, the default) or monthly. */
  readonly appraisalDiscounting?: "green_book" | "monthly"
  /** The uncertain inputs drawn when the file was compiled (path, value), sorted by path; absent when the file has none. */
  readonly inputs?: ReadonlyArray<InputDraw>
  /** Lower tiers of the localities (districts, wards, neighbourhoods); absent or empty: every locality is flat. */
  readonly tiers?: ReadonlyArray<Tier>
  /** Budgets localities pass down to their tiers (a neighbourhood budget, a share of a pooled line). */
  readonly passDowns?: ReadonlyArray<PassDown>
  /** Personal budgets (direct payments): a share of a line paid to citizens who commission their own services. */
  readonly personalBudgets?: ReadonlyArray<PersonalBudget>
  /** The running costs of the centre's deal-making and of mayoral offices; absent: none are modelled. */
  readonly runningCosts?: RunningCosts
}

/**
 * A lower tier of a locality (a district, ward, constituency, neighbourhood), nesting to any depth.
 * Its baseline is part of its parent's: a locality's `baseline` is the whole area's, a tier's the
 * part of it spent in the tier (its own and its lower tiers'). Each period a line's spending is
 * split over the locality's places (the locality's own part and each tier's own part) by their own
 * baselines, largest remainder, so rolling tiers up gives the flat locality's figures exactly.
 */
export interface Tier {
  /** Its path from the locality, joined with "/": "Birmingham/Ladywood/Aston". Unique in the run. */
  readonly id: string
  readonly name: string
  /** The kind of tier, e.g. "district", "ward" (budgets and powers pass down to a level by this name). */
  readonly level: string
  /** Index into `Scenario.localities`. */
  readonly locality: number
  /** Index into `Scenario.tiers` of the tier it sits in; -1 when it sits in the locality itself. */
  readonly parent: number
  readonly population: number
  /** Annual baseline by agency (pence), its lower tiers' included; at most its parent's. */
  readonly baseline: ReadonlyArray<Pence>
}

/**
 * A locality passes part of a pooled line's funding down to tiers (under its own rules: when, how
 * much, to which tiers). In each period [starts, starts + months) in which the line is pooled, the
 * SPB pays the tiers' budgets `shareBasisPoints` of what it would fund the line with (after the
 * 'more for less' reduction), or a twelfth of `annualPence` (capped at that), split over `tiers` by
 * `splitBy`; each tier's budget commissions its services with it the same period.
 */
export interface PassDown {
  readonly id: string
  readonly locality: number
  /** The pooled agency line (index into `Scenario.agencies`) whose funding is passed down. */
  readonly agency: number
  /** Share of the line's pooled funding passed down, basis points (0 when `annualPence` is set). */
  readonly shareBasisPoints: number
  /** A fixed amount a year instead (pence; 0 when a share is set). */
  readonly annualPence: number
  /** The receiving tiers (indices into `Scenario.tiers`, all of the locality), in file order. */
  readonly tiers: ReadonlyArray<number>
  readonly splitBy: "population" | "baseline"
  readonly starts: number
  readonly months: number
}

/**
 * Personal budgets (direct payments) on one agency line: from `starts`, a share of what the line
 * spends on services is paid to citizens, who commission their own. Take-up rises linearly from
 * `initialTakeUp` to 1 over `rampMonths`; what citizens commission costs `costChange` more (a
 * negative change: less, returned to the line's funder as a saving).
 */
export interface PersonalBudget {
  readonly id: string
  readonly locality: number
  readonly agency: number
  /** Share of the line's service spend paid as direct payments at full take-up, basis points. */
  readonly shareBasisPoints: number
  readonly starts: number
  readonly rampMonths: number
  /** Take-up in the first month, 0..1. */
  readonly initialTakeUp: number
  /** Change in the cost of needs met by direct payment, −1..0 (−0.1: citizens meet them for 10% less). */
  readonly costChange: number
}

/**
 * An outcome a deal agrees (DESIGN: powers and budgets traded for agreed outcomes): a measure
 * counted in units a year in the locality, its baseline and target (lower is better), moved by the
 * prevention effects that name it. Outcome-linked gainshare pays the locality, once its deal is in
 * force, `paymentPencePerUnit` for each unit a year below the baseline, a twelfth each month.
 */
export interface OutcomeMeasure {
  readonly id: string
  readonly name: string
  readonly baselinePerYear: number
  readonly targetPerYear: number
  /** When the target is to be met (months since start). */
  readonly by: number
  /** Pence per unit a year achieved below baseline (0: the outcome is measured, not paid for). */
  readonly paymentPencePerUnit: number
}

export interface RunningCosts {
  /** The centre's deal-making: a fixed cost each month, and a cost per month of each negotiation in progress (pence). */
  readonly centreMonthlyPence: number
  readonly centrePerNegotiationMonthPence: number
  /** A mayoral office's cost each month while a locality's model is elected_mayor (pence). */
  readonly mayoralOfficeMonthlyPence: number
}

/**
 * The centre's negotiation slots. `capacity` holds from the start; each `schedule` change (ascending,
 * distinct `at`, months since start) sets it from its time on: a rise lets waiting localities start
 * then, a fall never interrupts a negotiation (no new start until fewer run than the new capacity).
 */
export interface Centre {
  readonly capacity: number
  /** Capacity changes over time; absent: `capacity` throughout. */
  readonly schedule?: ReadonlyArray<CapacityChange>
}

export interface CapacityChange {
  /** Months since start. */
  readonly at: number
  /** Negotiations at once from `at` (an integer >= 1). */
  readonly capacity: number
}

/** One uncertain scenario field's draw: `programmes[reablement].effects[0].reduction_pct` = 47.3. */
export interface InputDraw {
  readonly path: string
  readonly value: number
}

/**
 * Accountability models in rising order (DESIGN §2: "the more substantive the powers, the more
 * visible the accountability required"). A power requiring level k goes live only where the
 * locality's model is at level >= k.
 */
export const ACCOUNTABILITY_LEVELS = ["leader_cabinet", "combined_authority", "elected_mayor"] as const
export type AccountabilityModel = (typeof ACCOUNTABILITY_LEVELS)[number]

export interface Power {
  readonly id: string
  readonly name: string
  /** Agency lines (indices) this power moves into the single place budget. */
  readonly agencies: ReadonlyArray<number>
  /** Index into ACCOUNTABILITY_LEVELS. */
  readonly requiredLevel: number
  /** Extra months of negotiation this power adds when a locality seeks it; absent: none. */
  readonly weightMonths?: number
}

export interface Accountability {
  /** Index into ACCOUNTABILITY_LEVELS: the locality's model at the start. */
  readonly level: number
  /** Election dates, months since start, ascending. */
  readonly elections: ReadonlyArray<number>
  /** The model it adopts at its next election once a deal needs more (index), or -1 if none. */
  readonly adopts: number
}

/**
 * A prevention programme: the payer agency spends (upfront at `starts`, then a running cost each
 * month for `durationMonths`) so that demand on beneficiary agencies falls later.
 */
export interface Programme {
  readonly id: string
  /** Index into `Scenario.localities`. */
  readonly locality: number
  /** Index into `Scenario.agencies`. */
  readonly payer: number
  /** First period of the programme (integer months since start). */
  readonly starts: number
  readonly durationMonths: number
  readonly upfrontPence: number
  readonly monthlyPence: number
  /** People in the programme. */
  readonly cohort: number
  readonly effects: ReadonlyArray<ProgrammeEffect>
}

/**
 * The effect of a programme on one service of a beneficiary. The avoidable spend is
 * cohort × demand per member per year × unit cost (a year's worth); in period m the saving is
 *
 *   round_half_up( avoidable / 12 × reduction × profile(m) × (1 − deadweight) × (1 − optimism bias) )
 *
 * where profile(m), with k = m − (starts + lag): 0 for k < 0; min(1, (k + 1) / ramp) while the
 * programme runs (plus the lag); after the programme's end + lag, the level reached then,
 * min(1, duration / ramp), × (1 − decay)^(years since then): the ramp stops with the programme.
 */
export interface ProgrammeEffect {
  readonly beneficiary: number
  readonly service: string
  /** Pence per unit: per event (demand counts events a year) or per year (demand counts places). */
  readonly unitCostPence: number
  readonly per: "event" | "year"
  readonly demandPerMemberPerYear: number
  /** Share of demand removed at full effect, 0..1. */
  readonly reduction: number
  readonly lagMonths: number
  readonly rampMonths: number
  /** Share of the effect lost each year after the programme ends, 0..1. */
  readonly decayPerYear: number
  /** Share of the outcome that would have happened anyway, 0..1. */
  readonly deadweight: number
  /** Green Book optimism-bias haircut on the effect, 0..1. */
  readonly optimismBias: number
  /** The id of the agreed outcome (of the programme's locality's deal) this effect moves; absent: none. */
  readonly outcome?: string
}

/**
 * One agency funds part of another's service in a locality: the `from` agency's department pays
 * the `to` agency line instead of the `to` agency's own funder (at most that line's spend).
 */
export interface Transfer {
  readonly id: string
  readonly locality: number
  readonly from: number
  readonly to: number
  readonly annualPence: number
  readonly starts: number
  readonly months: number
}

/** A spending review: in periods [starts, starts + months) each agency's envelope changes by a %. */
export interface SpendingReview {
  readonly id: string
  readonly starts: number
  readonly months: number
  /** Basis points by agency index (−1090 = a 10.9% cut); 0 where unchanged. */
  readonly changeBasisPoints: ReadonlyArray<number>
  /** After its window the change stays, as the new baseline (default); false: a temporary change. */
  readonly persists: boolean
  /** `flat`: the whole change from the first month; `even`: a j/n share of it in the j-th of the window's n financial years. */
  readonly phasing: "flat" | "even"
}

export interface Tranche {
  readonly id: string
  /** Months since start (may be fractional). */
  readonly opens: number
}

export interface Agency {
  readonly id: string
  readonly name: string
  /** Demand-led growth of every baseline of this agency, in basis points a year (compounded yearly). */
  readonly trendBasisPoints: number
}

export interface Locality {
  readonly id: string
  readonly name: string
  readonly population: number
  /** Index into `Scenario.tranches`. */
  readonly tranche: number
  /** Months since start when the locality is ready to negotiate (0 if not stated). */
  readonly ready: number
  readonly negotiation: NegotiationTerms
  /** Annual baseline spend in pence, indexed like `Scenario.agencies` (0 where none). */
  readonly baseline: ReadonlyArray<Pence>
  readonly accountability: Accountability
  /** This locality's own deal terms, where they differ from the scenario's `deal`. */
  readonly deal?: LocalityDealTerms
  /**
   * How prepared the locality is (governance, business case, track record), 0 < x <= 100: its
   * negotiation takes 100 / readiness times as long. Absent: fully ready (100).
   */
  readonly readinessPct?: number
}

/** A locality's overrides of the scenario's deal terms; absent ones are the scenario's. */
export interface LocalityDealTerms {
  readonly reductionBasisPoints?: number
  readonly gainshareBasisPoints?: number
  /** Indices into `Scenario.powers`: the powers this locality seeks. */
  readonly powers?: ReadonlyArray<number>
  /** The outcomes this locality's deal agrees (absent: none). */
  readonly outcomes?: ReadonlyArray<OutcomeMeasure>
  readonly envelope?: DealTerms["envelope"]
}

/** The deal terms a locality negotiates: its own where it has them, the scenario's otherwise. */
export interface DealTermsInForce {
  readonly reductionBasisPoints: number
  readonly gainshareBasisPoints: number
  readonly powers: ReadonlyArray<number>
  /** Absent: share_of_demand. */
  readonly envelope?: "share_of_demand" | "fixed_cash"
}

/** The scenario's deal terms, for a locality that negotiated none of its own. */
export const scenarioDealTerms = (deal: DealTerms): DealTermsInForce => {
  const terms = { reductionBasisPoints: deal.reductionBasisPoints, gainshareBasisPoints: deal.gainshareBasisPoints, powers: deal.powers }
  return deal.envelope === undefined ? terms : { ...terms, envelope: deal.envelope }
}

export const dealTermsOf = (deal: DealTerms, l: Locality): DealTermsInForce => {
  if (l.deal === undefined) return scenarioDealTerms(deal)
  const terms = {
    reductionBasisPoints: l.deal.reductionBasisPoints ?? deal.reductionBasisPoints,
    gainshareBasisPoints: l.deal.gainshareBasisPoints ?? deal.gainshareBasisPoints,
    powers: l.deal.powers ?? deal.powers
  }
  const envelope = l.deal.envelope ?? deal.envelope
  return envelope === undefined ? terms : { ...terms, envelope }
}

export interface NegotiationTerms {
  readonly duration: Distribution
  /** Chance that an attempt fails (0 = always succeeds). */
  readonly failProbability: number
  readonly coolOffMonths: number
  /** Attempts before the locality gives up (≥ 1). */
  readonly maxAttempts: number
}

export interface DealTerms {
  /** 'More for less': the pooled lines run this far below baseline (basis points, 250 = 2.5%). */
  readonly reductionBasisPoints: number
  /** Indices into `Scenario.agencies`. */
  readonly pooledAgencies: ReadonlyArray<number>
  readonly horizonMonths: number
  /** Share of realised savings on pooled lines the locality keeps (basis points); the rest returns to the Treasury. */
  readonly gainshareBasisPoints: number
  /** Powers (indices into `Scenario.powers`) the deal devolves; empty when there is no menu. */
  readonly powers: ReadonlyArray<number>
  /**
   * How the single place budget funds a pooled line: `share_of_demand` (the default) at the demand-led
   * baseline less the reduction, every month; `fixed_cash`: a fixed cash envelope, the month's baseline
   * less the reduction when the deal starts, held until it is renegotiated (at each horizon reset and
   * each spending review that starts), whatever demand does meanwhile.
   */
  readonly envelope?: "share_of_demand" | "fixed_cash"
}
