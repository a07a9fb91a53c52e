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
  readonly centre: { readonly capacity: number }
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
}

/** A locality's overrides of the scenario's deal terms; absent ones are the scenario's. */
export interface LocalityDealTerms {
  readonly reductionBasisPoints?: number
  readonly gainshareBasisPoints?: number
  /** Indices into `Scenario.powers`: the powers this locality seeks. */
  readonly powers?: ReadonlyArray<number>
}

/** The deal terms a locality negotiates: its own where it has them, the scenario's otherwise. */
export interface DealTermsInForce {
  readonly reductionBasisPoints: number
  readonly gainshareBasisPoints: number
  readonly powers: ReadonlyArray<number>
}

/** The scenario's deal terms, for a locality that negotiated none of its own. */
export const scenarioDealTerms = (deal: DealTerms): DealTermsInForce => ({
  reductionBasisPoints: deal.reductionBasisPoints,
  gainshareBasisPoints: deal.gainshareBasisPoints,
  powers: deal.powers
})

export const dealTermsOf = (deal: DealTerms, l: Locality): DealTermsInForce =>
  l.deal === undefined
    ? scenarioDealTerms(deal)
    : {
        reductionBasisPoints: l.deal.reductionBasisPoints ?? deal.reductionBasisPoints,
        gainshareBasisPoints: l.deal.gainshareBasisPoints ?? deal.gainshareBasisPoints,
        powers: l.deal.powers ?? deal.powers
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
}
