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
  readonly name: string
  readonly source: string
  /** One replication's figures per replication, replication r at index r (`figuresOf` its summary). */
  readonly replications: ReadonlyArray<ReplicationFigures>
  readonly seeds: ReadonlyArray<number>
}

export type Better = "lower" | "higher" | "none"

export interface FigureSpec {
  readonly figure: string
  readonly label: string
  readonly better: Better
  /** NaN where the figure is undefined for that replication (e.g. 75% coverage never reached). */
  readonly value: (f: ReplicationFigures) => number
}

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
    of: (s: Summary) => coverageTime(s, q)
  })),
  { figure: "deals", label: "Deals landed", better: "higher", of: (s) => s.centre.deals },
  { figure: "makespan_months", label: "Centre's makespan (months)", better: "lower", of: (s) => s.centre.makespan },
  { figure: "mean_wait_months", label: "Mean wait for a slot at the centre (months)", better: "lower", of: (s) => s.centre.mean_wait },
  { figure: "max_wait_months", label: "Longest wait for a slot (months)", better: "lower", of: (s) => s.negotiations.reduce((m, n) => Math.max(m, n.wait), 0) },
  { figure: "savings_realised_pence", label: "Savings realised (pence)", better: "higher", of: (s) => s.money.savings_realised_pence },
  { figure: "spb_reduction_pence", label: "SPB reductions returned to the Treasury (pence)", better: "higher", of: (s) => s.money.spb_reduction_pence },
  { figure: "prevention_invested_pence", label: "Prevention invested (pence)", better: "none", of: (s) => s.money.prevention_invested_pence },
  // Green Book: by financial year, year 0 undiscounted, 3.5% to year 30 (a summary written before it had none).
  { figure: "npv_pence", label: "NPV of prevention (pence, Green Book discounting)", better: "higher", of: (s) => (s.money.appraisal as MoneyFigures["appraisal"] | undefined)?.npv_pence ?? Number.NaN },
  { figure: "benefit_cost_ratio", label: "Benefit–cost ratio of prevention (Green Book)", better: "higher", of: (s) => (s.money.appraisal as MoneyFigures["appraisal"] | undefined)?.benefit_cost_ratio ?? Number.NaN }
]

const trancheFigure = (t: string) => `deals_in_tranche_${t}`
const agencyFigure = (a: string) => `net_position_${a}_pence`

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
  const spec = (figure: string, label: string, better: Better): FigureSpec => ({ figure, label, better, value: (f) => f.values.get(figure) ?? 0 })
  const [coverage, rest] = [STANDARD_FIGURES.slice(0, COVERAGE_THRESHOLDS.length + 1), STANDARD_FIGURES.slice(COVERAGE_THRESHOLDS.length + 1)]
  return [
    ...coverage.map((f) => spec(f.figure, f.label, f.better)),
    ...tranches.map((t) => spec(trancheFigure(t), `Deals landed in tranche ${t}`, "higher")),
    ...rest.map((f) => spec(f.figure, f.label, f.better)),
    ...agencies.map((a) => spec(agencyFigure(a), `Net position of ${a} (savings − investment + transfers, pence)`, "higher"))
  ]
}

export interface CompareReport {
  readonly format: "devosim-compare/1"
  readonly replications: number
  readonly baseline: string
  readonly scenarios: ReadonlyArray<{ readonly name: string; readonly source: string; readonly seed: number }>
  readonly figures: ReadonlyArray<{
    readonly figure: string
    readonly label: string
    readonly better: Better
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
    }>
    /** Each scenario against the baseline (the first), replication by replication. */
    readonly paired: ReadonlyArray<{
      readonly scenario: string
      readonly vs: string
      readonly n: number
      readonly mean_diff: number
      readonly sd_diff: number
      readonly ci95: readonly [number, number]
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
      return { scenario: r.name, n: d.n, mean: d.mean, sd: d.sd, q05: d.q05, q50: d.q50, q95: d.q95, not_reached: values[k]!.length - d.n }
    })
    const paired = runs.slice(1).map((r, j) => {
      const diffs: Array<number> = []
      for (let i = 0; i < K; i++) {
        const a = values[0]![i]!
        const b = values[j + 1]![i]!
        if (!Number.isNaN(a) && !Number.isNaN(b)) diffs.push(b - a)
      }
      const d = describe(diffs)
      return { scenario: r.name, vs: base.name, n: diffs.length, mean_diff: d.mean, sd_diff: sampleSd(diffs), ci95: meanInterval95(diffs) }
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
    return { figure: spec.figure, label: spec.label, better: spec.better, by_scenario, paired, winner }
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
    scenarios: runs.map((r) => ({ name: r.name, source: r.source, seed: r.seeds[0] ?? 0 })),
    figures,
    coverage
  }
}

/** Every figure of every replication, as rows for compare.arrow. */
export const compareRows = (runs: ReadonlyArray<ReplicatedRun>) => {
  const specs = figureSpecs(runs)
  return runs.flatMap((r) =>
    r.replications.flatMap((f, i) => specs.map((spec) => ({ scenario: r.name, replication: i, seed: r.seeds[i]!, figure: spec.figure, value: spec.value(f) })))
  )
}

const fmt = (x: number, figure: string): string => {
  if (Number.isNaN(x)) return "not reached"
  if (figure.endsWith("_pence")) return formatPoundsCompact(x, 2)
  return Number.isInteger(x) ? String(x) : x.toFixed(2)
}

/**
 * The comparison for a terminal: one block per figure (scenarios as rows: mean, 5–95% range, and the
 * paired difference from the baseline with its 95% interval), the winner in the block's title.
 * Figures that are zero in every scenario are left to compare.json.
 */
export const formatComparison = (c: CompareReport): string => {
  const reps = c.replications
  const shown = c.figures.filter((f) => f.by_scenario.some((b) => b.mean !== 0 || b.q05 !== 0 || b.q95 !== 0))
  const out = [
    `Comparing ${c.scenarios.length} scenarios over ${reps} replication${reps === 1 ? "" : "s"} with common random numbers; Δ is the paired difference from the baseline, ${c.baseline}${reps > 1 ? "; * where its 95% interval excludes 0" : ""}.`
  ]
  for (const f of shown) {
    const better = f.better === "none" ? "" : `, ${f.better} is better`
    out.push("", `${f.label} [${f.figure}${better}]${f.winner === null ? "" : ` — best: ${f.winner}`}`)
    const rows = f.by_scenario.map((b, k) => {
      const p = k === 0 ? undefined : f.paired[k - 1]
      const diff =
        p === undefined
          ? "(baseline)"
          : reps > 1
            ? `Δ ${signed(p.mean_diff, f.figure)} [${fmt(p.ci95[0], f.figure)}, ${fmt(p.ci95[1], f.figure)}]${p.ci95[0] > 0 || p.ci95[1] < 0 ? " *" : ""}`
            : `Δ ${signed(p.mean_diff, f.figure)}`
      const notReached = b.not_reached > 0 ? `  (not reached within the run in ${b.not_reached} of ${reps})` : ""
      return [b.scenario, fmt(b.mean, f.figure), reps > 1 ? `${fmt(b.q05, f.figure)} – ${fmt(b.q95, f.figure)}` : "", diff + notReached]
    })
    const widths = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k]!.length)))
    for (const r of rows) out.push(`  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd())
  }
  const hidden = c.figures.length - shown.length
  if (hidden > 0) out.push("", `(${hidden} figures are zero in every scenario: see compare.json)`)
  return out.join("\n")
}

const signed = (x: number, figure: string) => (x > 0 ? "+" : "") + fmt(x, figure)
