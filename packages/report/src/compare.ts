import { formatPoundsCompact } from "@devosim/core"
import type { MoneyFigures } from "./money.ts"
import { coveragePopulation, monthsToCoverage, type Summary } from "./summary.ts"
import { describe, meanInterval95, sampleSd } from "./stats.ts"

/**
 * Comparing rollout timetables (or any scenarios) over replications. Replication r of every
 * scenario runs with the same seed, so the draws of a locality pair up across scenarios (common
 * random numbers) and a paired difference measures the timetable, not the noise.
 */
export interface ReplicatedRun {
  /** The label the comparison shows (unique among the runs: see `uniqueLabels`). */
  readonly name: string
  /** The input as given on the command line: a scenario file or a run directory. */
  readonly source: string
  /** The variant of a scenario file (null for its base, or a run directory). */
  readonly variant?: string | null
  /** What the input is, in words: a variant's `description`, or what a fork changed and where. */
  readonly description?: string | null
  /** Where a forked run directory came from (its fork.json). */
  readonly fork?: ForkOrigin | null
  /** The localities' ids (for the warning when runs do not share them); absent when unknown. */
  readonly localities?: ReadonlyArray<string>
  /** One replication's figures per replication, replication r at index r (`figuresOf` its summary). */
  readonly replications: ReadonlyArray<ReplicationFigures>
  readonly seeds: ReadonlyArray<number>
}

/** A fork's parent, fork point and settings, as its fork.json records them. */
export interface ForkOrigin {
  readonly parent: string
  /** The fork point as given to `devosim fork --at`. */
  readonly at: string
  /** The time of the first event decided with the amended scenario (months since start). */
  readonly forked_at_t: number
  readonly settings: ReadonlyArray<string>
}

/** A fork in words: "fork of runs/x at 18 (month 18.0): centre.capacity=16". */
export const describeFork = (f: ForkOrigin): string =>
  `fork of ${f.parent} at ${f.at} (month ${Number.isFinite(f.forked_at_t) ? f.forked_at_t.toFixed(1) : "?"}): ${f.settings.join(", ")}`

/**
 * Labels that tell the runs apart: each run's own name, and where two share one, the file or
 * directory it came from (its last path segment) after it; then a count if even that is shared.
 */
export const uniqueLabels = <R extends { readonly name: string; readonly source: string }>(runs: ReadonlyArray<R>): Array<R> => {
  const count = (xs: ReadonlyArray<string>) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())
  const names = count(runs.map((r) => r.name))
  const withSource = runs.map((r) => (names.get(r.name)! > 1 ? `${r.name} (${lastSegment(r.source)})` : r.name))
  const again = count(withSource)
  const seen = new Map<string, number>()
  return runs.map((r, i) => {
    const label = withSource[i]!
    if (again.get(label)! === 1) return label === r.name ? r : { ...r, name: label }
    const k = (seen.get(label) ?? 0) + 1
    seen.set(label, k)
    return { ...r, name: k === 1 ? label : `${label} (${k})` }
  })
}

const lastSegment = (p: string): string => {
  const parts = p.split(/[\\/]+/).filter((x) => x !== "" && x !== ".")
  return parts[parts.length - 1] ?? p
}

/**
 * Which way a figure is better, and for whom: the direction holds for that reader only (fewer
 * pounds returned to the Treasury are better for a locality; a higher net position is better for
 * the agency it is of). "none" where no reader is better off either way (a count by tranche, money
 * invested).
 */
export type Better = "lower" | "higher" | "none"

export interface FigureSpec {
  /** The figure's id; money figures end in `_pence` (their values in files are integer pence, shown as £). */
  readonly figure: string
  readonly label: string
  readonly better: Better
  /** Whom `better` is true for ("" when `better` is "none"). */
  readonly better_for: string
  /** NaN where the figure is undefined for that replication (e.g. 75% coverage never reached). */
  readonly value: (f: ReplicationFigures) => number
}

/** "lower is better for the centre", or "no better direction". */
export const directionText = (f: { readonly better: Better; readonly better_for: string }): string =>
  f.better === "none" ? "no better direction" : `${f.better} is better${f.better_for === "" ? "" : ` for ${f.better_for}`}`

export const COVERAGE_THRESHOLDS = [0.25, 0.5, 0.75] as const

/** When the covered population share first reaches `share` (a deal time within the run), or NaN if it is not reached in the run. */
export const coverageTime = (s: Summary, share: number): number => monthsToCoverage(s.negotiations, coveragePopulation(s), share) ?? Number.NaN

/**
 * What a comparison keeps of one replication: its figures and its coverage curve, not its summary
 * (a summary holds every locality's money; kept for every replication, a 2,000-replication compare
 * ran out of memory). The curve is the deal times in order with the share covered at each.
 */
export interface ReplicationFigures {
  /** Figure name → value; a tranche or agency this run does not have is absent (its figure is 0). */
  readonly values: ReadonlyMap<string, number>
  readonly tranches: ReadonlyArray<string>
  readonly agencies: ReadonlyArray<string>
  /** The months a coverage curve spans: the run's. */
  readonly horizon: number
  readonly dealTimes: Float64Array
  readonly coveredShare: Float64Array
}

const STANDARD_FIGURES: ReadonlyArray<Omit<FigureSpec, "value"> & { readonly of: (s: Summary) => number }> = [
  ...COVERAGE_THRESHOLDS.map((q) => ({
    figure: `coverage_${q * 100}pct_months`,
    label: `Months until ${q * 100}% of the population is covered by a deal`,
    better: "lower" as const,
    better_for: "the places waiting for a deal",
    of: (s: Summary) => coverageTime(s, q)
  })),
  { figure: "deals", label: "Deals landed", better: "higher", better_for: "the places seeking a deal", of: (s) => s.centre.deals },
  { figure: "makespan_months", label: "Centre's makespan (months)", better: "lower", better_for: "the centre (its negotiations done sooner)", of: (s) => s.centre.makespan },
  { figure: "mean_wait_months", label: "Mean wait for a slot at the centre (months)", better: "lower", better_for: "the places waiting", of: (s) => s.centre.mean_wait },
  { figure: "max_wait_months", label: "Longest wait for a slot (months)", better: "lower", better_for: "the place that waits longest", of: (s) => s.negotiations.reduce((m, n) => Math.max(m, n.wait), 0) },
  { figure: "savings_realised_pence", label: "Savings realised", better: "higher", better_for: "the public purse (less spent for the same need)", of: (s) => s.money.savings_realised_pence },
  // The 'more for less' cut: money back for the Treasury, money the places no longer have.
  { figure: "spb_reduction_pence", label: "SPB reductions returned to the Treasury", better: "higher", better_for: "the Treasury (lower is better for the places pooling)", of: (s) => s.money.spb_reduction_pence },
  { figure: "prevention_invested_pence", label: "Prevention invested", better: "none", better_for: "", of: (s) => s.money.prevention_invested_pence },
  // Green Book: by financial year, year 0 undiscounted, 3.5% to year 30 (a summary written before it had none).
  { figure: "npv_pence", label: "NPV of prevention (Green Book discounting)", better: "higher", better_for: "the public sector as a whole (the Green Book's view)", of: (s) => (s.money.appraisal as MoneyFigures["appraisal"] | undefined)?.npv_pence ?? Number.NaN },
  { figure: "benefit_cost_ratio", label: "Benefit–cost ratio of prevention (Green Book)", better: "higher", better_for: "the public sector as a whole (the Green Book's view)", of: (s) => (s.money.appraisal as MoneyFigures["appraisal"] | undefined)?.benefit_cost_ratio ?? Number.NaN }
]

const trancheFigure = (t: string) => `deals_in_tranche_${t}`
const agencyFigure = (a: string) => `net_position_${a}_pence`

/** A figure's label as the comparison shows it ("npv_pence" → "NPV of prevention (Green Book discounting)"); an unknown name is itself. */
export const figureLabel = (figure: string): string => {
  const standard = STANDARD_FIGURES.find((f) => f.figure === figure)
  if (standard !== undefined) return standard.label
  const tranche = /^deals_in_tranche_(.+)$/.exec(figure)
  if (tranche !== null) return `Deals landed in tranche ${tranche[1]}`
  const agency = /^net_position_(.+)_pence$/.exec(figure)
  if (agency !== null) return `Net position of ${agency[1]} (savings − investment + transfers)`
  return figure
}

/** One replication's figures, from its summary (which can then be dropped). */
export const figuresOf = (s: Summary): ReplicationFigures => {
  const values = new Map<string, number>()
  for (const f of STANDARD_FIGURES) values.set(f.figure, f.of(s))
  const tranches = [...new Set(s.negotiations.map((n) => n.tranche))]
  for (const t of tranches) values.set(trancheFigure(t), 0)
  for (const n of s.negotiations) if (n.outcome === "deal") values.set(trancheFigure(n.tranche), values.get(trancheFigure(n.tranche))! + 1)
  const agencies: Array<string> = []
  for (const l of s.money.localities) {
    for (const g of l.agencies) {
      const k = agencyFigure(g.agency)
      if (!values.has(k)) {
        agencies.push(g.agency)
        values.set(k, 0)
      }
      values.set(k, values.get(k)! + g.net_position_pence)
    }
  }
  const deals = s.negotiations.filter((n) => n.outcome === "deal").sort((a, b) => a.deal! - b.deal!)
  const total = coveragePopulation(s)
  const dealTimes = new Float64Array(deals.length)
  const coveredShare = new Float64Array(deals.length)
  let covered = 0
  deals.forEach((n, i) => {
    covered += n.population
    dealTimes[i] = n.deal!
    coveredShare[i] = total === 0 ? 0 : covered / total
  })
  // Coverage curves span the run: a deal after it is not a deal.
  return { values, tranches, agencies, horizon: s.months, dealTimes, coveredShare }
}

/** The share covered at t: the last deal at or before t (binary search over the curve). */
const coveredAt = (f: ReplicationFigures, t: number): number => {
  let lo = 0
  let hi = f.dealTimes.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (f.dealTimes[mid]! <= t) lo = mid + 1
    else hi = mid
  }
  return lo === 0 ? 0 : f.coveredShare[lo - 1]!
}

/** The figures `devosim compare` reports, for the tranches and agencies the runs have. */
export const figureSpecs = (runs: ReadonlyArray<ReplicatedRun>): Array<FigureSpec> => {
  const first = runs.flatMap((r) => r.replications.slice(0, 1))
  const tranches = [...new Set(first.flatMap((f) => f.tranches))]
  const agencies = [...new Set(first.flatMap((f) => f.agencies))]
  const spec = (figure: string, label: string, better: Better, better_for: string): FigureSpec => ({ figure, label, better, better_for, value: (f) => f.values.get(figure) ?? 0 })
  const [coverage, rest] = [STANDARD_FIGURES.slice(0, COVERAGE_THRESHOLDS.length + 1), STANDARD_FIGURES.slice(COVERAGE_THRESHOLDS.length + 1)]
  return [
    ...coverage.map((f) => spec(f.figure, f.label, f.better, f.better_for)),
    // Scenarios move places between tranches: more deals in one tranche is a different membership, not a better outcome.
    ...tranches.map((t) => spec(trancheFigure(t), figureLabel(trancheFigure(t)), "none", "")),
    ...rest.map((f) => spec(f.figure, f.label, f.better, f.better_for)),
    ...agencies.map((a) => spec(agencyFigure(a), figureLabel(agencyFigure(a)), "higher", a))
  ]
}

export interface CompareReport {
  readonly format: "devosim-compare/1"
  readonly replications: number
  readonly baseline: string
  readonly scenarios: ReadonlyArray<{
    readonly name: string
    /** The input as given: a scenario file or a run directory. */
    readonly source: string
    readonly variant: string | null
    readonly description: string | null
    readonly fork: ForkOrigin | null
    readonly seed: number
    /** How many localities it has (null when unknown). */
    readonly localities: number | null
  }>
  /** What makes the comparison less than it seems (scenarios that do not share their localities), in words. */
  readonly warnings: ReadonlyArray<string>
  readonly figures: ReadonlyArray<{
    readonly figure: string
    readonly label: string
    readonly better: Better
    readonly better_for: string
    readonly by_scenario: ReadonlyArray<{
      readonly scenario: string
      readonly n: number
      readonly mean: number
      readonly sd: number
      readonly q05: number
      readonly q50: number
      readonly q95: number
      /** Replications in which the figure is not reached within the run (coverage beyond the end): never averaged in. */
      readonly not_reached: number
      /** The same value in every replication it is defined in: a value, not a range. */
      readonly constant: boolean
    }>
    /** Each scenario against the baseline (the first), replication by replication. */
    readonly paired: ReadonlyArray<{
      readonly scenario: string
      readonly vs: string
      readonly n: number
      readonly mean_diff: number
      readonly sd_diff: number
      readonly ci95: readonly [number, number]
      /** The same difference in every replication (its interval is that one value, not a range). */
      readonly constant: boolean
    }>
    /** The scenario with the best mean, when the direction is known and it differs from the rest. */
    readonly winner: string | null
  }>
  readonly coverage: ReadonlyArray<{
    readonly scenario: string
    readonly t: ReadonlyArray<number>
    readonly share_mean: ReadonlyArray<number>
    readonly share_q05: ReadonlyArray<number>
    readonly share_q95: ReadonlyArray<number>
  }>
}

const defined = (xs: ReadonlyArray<number>) => xs.filter((x) => !Number.isNaN(x))

export const compareRuns = (runs: ReadonlyArray<ReplicatedRun>): CompareReport => {
  const base = runs[0]
  if (base === undefined) throw new Error("nothing to compare")
  const K = Math.min(...runs.map((r) => r.replications.length))
  const specs = figureSpecs(runs)
  const figures = specs.map((spec) => {
    const values = runs.map((r) => r.replications.slice(0, K).map(spec.value))
    const by_scenario = runs.map((r, k) => {
      const d = describe(defined(values[k]!))
      return { scenario: r.name, n: d.n, mean: d.mean, sd: d.sd, q05: d.q05, q50: d.q50, q95: d.q95, not_reached: values[k]!.length - d.n, constant: d.n > 0 && d.min === d.max }
    })
    const paired = runs.slice(1).map((r, j) => {
      const diffs: Array<number> = []
      for (let i = 0; i < K; i++) {
        const a = values[0]![i]!
        const b = values[j + 1]![i]!
        if (!Number.isNaN(a) && !Number.isNaN(b)) diffs.push(b - a)
      }
      const d = describe(diffs)
      return { scenario: r.name, vs: base.name, n: diffs.length, mean_diff: d.mean, sd_diff: sampleSd(diffs), ci95: meanInterval95(diffs), constant: d.n > 0 && d.min === d.max }
    })
    let winner: string | null = null
    if (spec.better !== "none" && runs.length > 1) {
      const scored = by_scenario.filter((x) => x.n > 0)
      const best = scored.reduce<(typeof scored)[number] | undefined>(
        (w, x) => (w === undefined || (spec.better === "lower" ? x.mean < w.mean : x.mean > w.mean) ? x : w),
        undefined
      )
      if (best !== undefined && scored.filter((x) => x.mean === best.mean).length === 1) winner = best.scenario
    }
    return { figure: spec.figure, label: spec.label, better: spec.better, better_for: spec.better_for, by_scenario, paired, winner }
  })
  const horizon = Math.max(...runs.flatMap((r) => r.replications.slice(0, K).map((f) => f.horizon)))
  const grid = Array.from({ length: horizon + 1 }, (_, t) => t)
  const coverage = runs.map((r) => {
    const at = grid.map((t) => describe(r.replications.slice(0, K).map((f) => coveredAt(f, t))))
    return { scenario: r.name, t: grid, share_mean: at.map((d) => d.mean), share_q05: at.map((d) => d.q05), share_q95: at.map((d) => d.q95) }
  })
  return {
    format: "devosim-compare/1",
    replications: K,
    baseline: base.name,
    scenarios: runs.map((r) => ({
      name: r.name,
      source: r.source,
      variant: r.variant ?? null,
      description: r.description ?? null,
      fork: r.fork ?? null,
      seed: r.seeds[0] ?? 0,
      localities: r.localities?.length ?? null
    })),
    warnings: [...replicationWarnings(runs, K), ...localityWarnings(runs)],
    figures,
    coverage
  }
}

/**
 * Scenarios that do not share the baseline's localities: common random numbers pair a locality's
 * draws with its own draws elsewhere, so where localities differ the pairing (and a paired
 * difference's small interval) means nothing for them. One warning per such scenario, with counts.
 */
export const localityWarnings = (runs: ReadonlyArray<ReplicatedRun>): Array<string> => {
  const base = runs[0]
  if (base?.localities === undefined) return []
  const inBase = new Set(base.localities)
  const out: Array<string> = []
  for (const r of runs.slice(1)) {
    if (r.localities === undefined) continue
    const here = new Set(r.localities)
    const extra = [...here].filter((l) => !inBase.has(l)).length
    const missing = [...inBase].filter((l) => !here.has(l)).length
    if (extra === 0 && missing === 0) continue
    const shared = inBase.size - missing
    const places = (n: number) => `${n} localit${n === 1 ? "y" : "ies"}`
    out.push(
      shared === 0
        ? `${r.name} shares none of the baseline's ${places(inBase.size)} (it has ${places(extra)} of its own): common random numbers pair nothing, so a difference from the baseline is the places, not the timetable`
        : `${r.name} does not share the baseline's localities: ${[
            ...(missing > 0 ? [`${missing} of the baseline's ${places(inBase.size)} ${missing === 1 ? "is" : "are"} missing from it`] : []),
            ...(extra > 0 ? [`it has ${places(extra)} the baseline does not`] : [])
          ].join(" and ")}; common random numbers pair only the ${shared} shared, so a difference from the baseline is partly the places, not only the timetable`
    )
  }
  return out
}

/** Inputs with more replications than the fewest: only the first K of each are compared (paired by replication). */
const replicationWarnings = (runs: ReadonlyArray<ReplicatedRun>, K: number): Array<string> => {
  const fewest = runs.find((r) => r.replications.length === K)
  const more = runs.filter((r) => r.replications.length > K)
  if (fewest === undefined || more.length === 0) return []
  return [
    `compared over ${K} replication${K === 1 ? "" : "s"}, the fewest of any input (${fewest.name}); the later replications of ${more.length} other${more.length === 1 ? "" : "s"} are left out`
  ]
}

/** Every figure of every replication, as rows for compare.arrow (`source`: the input it came from, as given). */
export const compareRows = (runs: ReadonlyArray<ReplicatedRun>) => {
  const specs = figureSpecs(runs)
  return runs.flatMap((r) =>
    r.replications.flatMap((f, i) => specs.map((spec) => ({ scenario: r.name, source: r.source, replication: i, seed: r.seeds[i]!, figure: spec.figure, value: spec.value(f) })))
  )
}

const fmt = (x: number, figure: string): string => {
  if (Number.isNaN(x)) return "not reached"
  if (figure.endsWith("_pence")) return formatPoundsCompact(x, 2)
  return Number.isInteger(x) ? String(x) : x.toFixed(2)
}

/**
 * The comparison for a terminal: what each scenario is (input, variant description, fork), then
 * one block per figure (scenarios as rows: mean, 5–95% range, and the paired difference from the
 * baseline with its 95% interval), the winner in the block's title. A figure the same in every
 * replication is one value ("in every replication"), not a range. Figures that are zero in every
 * scenario are left to compare.json. Warnings go to stderr, apart (`c.warnings`).
 */
export const formatComparison = (c: CompareReport): string => {
  const reps = c.replications
  const shown = c.figures.filter((f) => f.by_scenario.some((b) => b.mean !== 0 || b.q05 !== 0 || b.q95 !== 0))
  const out = [
    `Comparing ${c.scenarios.length} scenarios over ${reps} replication${reps === 1 ? "" : "s"} with common random numbers; Δ is the paired difference from the baseline, ${c.baseline}${reps > 1 ? "; * where its 95% interval excludes 0" : ""}.`,
    ""
  ]
  // What each scenario is, under the input it came from.
  const nameWidth = Math.max(...c.scenarios.map((s) => s.name.length))
  c.scenarios.forEach((s, k) => {
    if (k === 0 || c.scenarios[k - 1]!.source !== s.source) out.push(`From ${s.source}:`)
    const what = [...(s.description === null ? [] : [s.description]), ...(s.fork === null ? [] : [describeFork(s.fork)])]
    const about = what.length > 0 ? what.join("; ") : s.variant === null ? "" : `variant ${s.variant}`
    out.push(`  ${s.name.padEnd(nameWidth)}  ${about}`.trimEnd())
  })
  for (const f of shown) {
    out.push("", `${f.label} [${f.figure}; ${directionText(f)}]${f.winner === null ? "" : ` — best: ${f.winner}`}`)
    const rows = f.by_scenario.map((b, k) => {
      const p = k === 0 ? undefined : f.paired[k - 1]
      const diff =
        p === undefined
          ? "(baseline)"
          : p.n === 0
            ? "Δ –"
            : reps > 1 && !p.constant
            ? `Δ ${signed(p.mean_diff, f.figure)} [${fmt(p.ci95[0], f.figure)}, ${fmt(p.ci95[1], f.figure)}]${p.ci95[0] > 0 || p.ci95[1] < 0 ? " *" : ""}`
            : `Δ ${signed(p.mean_diff, f.figure)}${reps > 1 && p.n > 0 ? " in every replication" : ""}`
      const notReached = b.not_reached > 0 ? `  (not reached within the run in ${b.not_reached} of ${reps})` : ""
      const range = reps <= 1 || b.n === 0 ? "" : b.constant ? (b.n === reps ? "in every replication" : `in each of the ${b.n} that reach it`) : `${fmt(b.q05, f.figure)} – ${fmt(b.q95, f.figure)}`
      return [b.scenario, fmt(b.mean, f.figure), range, diff + notReached]
    })
    const widths = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k]!.length)))
    for (const r of rows) out.push(`  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd())
  }
  const hidden = c.figures.length - shown.length
  if (hidden > 0) out.push("", `(${hidden} figures are zero in every scenario: see compare.json)`)
  return out.join("\n")
}

const signed = (x: number, figure: string) => (x > 0 ? "+" : "") + fmt(x, figure)
