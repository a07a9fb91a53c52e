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
}
