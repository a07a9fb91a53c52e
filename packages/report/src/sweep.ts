/**
 * A sweep's results as `devosim sweep` writes them to sweep.json and draws them in its report.html:
 * the design, the factors, each key outcome's one-factor-at-a-time tornado, the switching values of
 * NPV, Sobol indices (a sobol design) or Morris effects (a morris design), and the PRIM box of a
 * `--where` condition. Plain data (numbers, strings, arrays): JSON as it stands; NaN is written as
 * null by JSON.stringify, so every figure that may be undefined is typed `number | null`.
 */

/** How a factor varies: a range of a field, levels of a field, or the file's variants (a bundle of changes each). */
export type SweepFactorKind = "range" | "levels" | "variants"

export interface SweepFactor {
  /** The column of experiments.arrow: the --set path, or a variants factor's name. */
  readonly name: string
  readonly role: "lever" | "uncertainty"
  readonly kind: SweepFactorKind
  /** A range: its ends, and the rounding its field needs. */
  readonly low?: number
  readonly high?: number
  readonly rounding?: "none" | "hundredths" | "integer"
  /** Levels (of a field, or variant names; "base" is the file's base scenario), as the column holds them. */
  readonly levels?: ReadonlyArray<string | number>
}

/** One factor's bar: the outcome with this factor at its low and at its high end, every other factor at the base case. */
export interface SweepTornadoBar {
  readonly factor: string
  /** The factor's values at the two ends (a range's low and high; levels: the level giving the lowest and highest outcome). */
  readonly low_value: string | number
  readonly high_value: string | number
  /** The outcome's mean over the replications at each end. */
  readonly low: number | null
  readonly high: number | null
  /** |high − low|: bars are sorted by it, largest first. */
  readonly swing: number | null
  /** Levels factors: the outcome's mean at every level, in the factor's level order. */
  readonly levels?: ReadonlyArray<{ readonly level: string | number; readonly mean: number | null }>
}

export interface SweepOutcomeTornado {
  /** The outcome's mean over the replications of the base case (the scenario with --set, no factor moved). */
  readonly baseline: number | null
  readonly bars: ReadonlyArray<SweepTornadoBar>
}

/** Where NPV crosses 0 as one range factor moves between its ends (the others at the base case), by bisection on exact runs. */
export type SweepSwitchingValue =
  | {
      readonly factor: string
      readonly kind: "crossing"
      /** The value bisection ends at, and the bracket it narrowed to (NPV has opposite signs, or is 0, at its ends). */
      readonly value: number
      readonly bracket: readonly [number, number]
      /** NPV's mean at the bracket's ends. */
      readonly at_bracket: readonly [number, number]
      /** NPV falls below 0 as the factor rises ("falling") or as it falls ("rising"). */
      readonly direction: "rising" | "falling"
      readonly runs: number
    }
  | {
      readonly factor: string
      readonly kind: "no-crossing"
      /** NPV's mean at the range's low and high ends: the same sign, so no switching value in the range. */
      readonly at_low: number | null
      readonly at_high: number | null
      readonly runs: number
    }

export interface IntervalEstimate {
  readonly estimate: number | null
  readonly low: number | null
  readonly high: number | null
}

export interface SobolOutcome {
  /** Per factor name: first-order (S1) and total-order (ST) indices with bootstrap intervals. */
  readonly S1: Readonly<Record<string, IntervalEstimate>>
  readonly ST: Readonly<Record<string, IntervalEstimate>>
  readonly variance: number | null
}

export interface MorrisFactorEffect {
  readonly mu: number | null
  readonly mu_star: number | null
  readonly sigma: number | null
}

export interface PrimTrajectoryStep {
  readonly coverage: number
  readonly density: number
  readonly mass: number
  readonly count: number
}

export interface PrimBoxRestriction {
  readonly factor: string
  /** Bounds in the factor's values (levels and variants factors: level indices). */
  readonly lower: number
  readonly upper: number
  /** Levels and variants factors: the levels inside the box. */
  readonly levels?: ReadonlyArray<string | number>
  readonly restricts_lower: boolean
  readonly restricts_upper: boolean
}

export interface SweepDiscovery {
  /** The --where condition as given, e.g. "coverage_50pct_months > 36". */
  readonly condition: string
  /** Rows of experiments.arrow, and those meeting the condition. */
  readonly rows: number
  readonly rows_meeting: number
  /** Absent when no row meets the condition (box is then null). */
  readonly trajectory?: ReadonlyArray<PrimTrajectoryStep>
  readonly chosen_step?: number
  readonly box: (PrimTrajectoryStep & { readonly restricted: ReadonlyArray<PrimBoxRestriction> }) | null
}

export interface SweepReport {
  readonly format: "devosim-sweep-results/1"
  readonly engine_version: string
  readonly scenario: string
  readonly file: string
  readonly design: "full_factorial" | "lhs" | "sobol" | "morris"
  readonly samples: number
  readonly experiments: number
  readonly replications: number
  /** The design's seed, and the scenario's (replication r runs with replicationSeed(scenario_seed, r) in every experiment). */
  readonly seed: number
  readonly scenario_seed: number
  /** --set settings applied to the base before any factor (as typed). */
  readonly settings: ReadonlyArray<string>
  readonly factors: ReadonlyArray<SweepFactor>
  /** Every outcome column of experiments.arrow, in column order. */
  readonly outcomes: ReadonlyArray<string>
  /** The outcomes sensitivity is reported for: NPV, savings, coverage months, each agency's net position (those the runs have). */
  readonly key_outcomes: ReadonlyArray<string>
  /** Per key outcome: its mean over replications per experiment, in experiment order. */
  readonly means_per_experiment: Readonly<Record<string, ReadonlyArray<number | null>>>
  readonly sensitivity: {
    /** One factor at a time, from the base case; per key outcome. */
    readonly tornado: Readonly<Record<string, SweepOutcomeTornado>>
    /** NPV's switching value per range factor (levels and variants factors have none). Absent when the runs have no NPV. */
    readonly switching_values?: ReadonlyArray<SweepSwitchingValue>
    /**
     * With more than one replication: per key outcome, the spread over all rows (variance) and the
     * share of it within experiments, i.e. from what is drawn afresh in each replication (the
     * negotiation durations and failures, and any uncertain field) rather than from the factors.
     */
    readonly replication_spread?: Readonly<Record<string, { readonly variance: number | null; readonly within_share: number | null }>>
    /** Design sobol only: per key outcome. */
    readonly sobol?: Readonly<Record<string, SobolOutcome>>
    readonly sobol_resamples?: number
    /** Design morris only: per key outcome, per factor name. */
    readonly morris?: Readonly<Record<string, Readonly<Record<string, MorrisFactorEffect>>>>
  }
  readonly discovery?: SweepDiscovery
}
