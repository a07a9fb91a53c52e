/**
 * A seeded synthetic scenario generator for benchmarks: N localities × A agencies × M months,
 * four tranches six months apart, capacity 12, durations drawn (triangular), 5% 'more for less'
 * with half the agencies pooled. Written as a scenario file (JSON) so runs go through the CLI.
 */
import seedrandom from "seedrandom"

export interface SyntheticOptions {
  readonly localities: number
  readonly agencies: number
  readonly months: number
  readonly seed?: number
  readonly capacity?: number
  /** Fixed negotiation durations (a pure queue check) instead of drawn ones. */
  readonly fixedDurations?: boolean
  /** Prevention programmes per locality (default 0), each paid by one agency to save another's demand. */
  readonly programmesPerLocality?: number
  /** Number of tranches (default 4), six months apart. */
  readonly tranches?: number
  /**
   * Short negotiations whose times mix whole, half, one-decimal and full-precision months (ties
   * included), so that over a long run every locality gets a deal (issue 13's queue case).
   */
  readonly mixedDurations?: boolean
  /** Only the negotiation queue: no agencies, no money (default false). */
  readonly queueOnly?: boolean
}

/**
 * A duration of 0.02–1 month (mean ≈ 0.1, so 100,000 localities at capacity 12 all deal within
 * 1,200 months): whole (1%), half (4%), one decimal (45%) or full precision (50%).
 */
const mixedTime = (rng: () => number): number => {
  const u = rng()
  if (u < 0.01) return 1
  if (u < 0.05) return 0.5
  if (u < 0.5) return 0.1
  return 0.02 + rng() * 0.08
}

export const syntheticScenario = (o: SyntheticOptions): Record<string, unknown> => {
  const rng = seedrandom.alea(`bench/${o.seed ?? 1}`)
  const agencies = Array.from({ length: o.queueOnly ? 0 : o.agencies }, (_, a) => ({ id: `agency-${a}`, name: `Agency ${a}`, trend_pct: (a % 3) - 1 }))
  const tranches = Array.from({ length: o.tranches ?? 4 }, (_, k) => ({ id: `tranche-${k + 1}`, opens: 6 * k }))
  // Places get smaller as there are more of them (counties at 1,000, neighbourhoods at 100,000), so
  // England-wide totals stay of one order of magnitude.
  const scale = Math.min(1, 1000 / Math.max(1, o.localities))
  const localities = Array.from({ length: o.localities }, (_, i) => ({
    id: `locality-${String(i).padStart(6, "0")}`,
    name: `Locality ${i}`,
    population: 50_000 + Math.floor(rng() * 2_000_000),
    tranche: tranches[i % tranches.length]!.id,
    ready: Math.floor(rng() * 12),
    negotiation: o.mixedDurations
      ? { months: mixedTime(rng) }
      : o.fixedDurations
        ? { months: 1 + Math.floor(rng() * 12) }
        : { months: { triangular: [3, 6, 12] } },
    // £1m–£60m a year per agency line at 1,000 localities or fewer; less per place beyond.
    baseline: Object.fromEntries(agencies.map((a) => [a.id, Math.floor((1_000_000 + rng() * 59_000_000) * scale)]))
  }))
  // A programme's effect lags 6 months and must start to bite inside the run.
  const latestStart = o.months - 7
  const perLocality = o.queueOnly || agencies.length < 2 || latestStart < 0 ? 0 : (o.programmesPerLocality ?? 0)
  const programmes = localities.flatMap((l, i) =>
    Array.from({ length: perLocality }, (_, k) => {
      const payer = (i + k) % agencies.length
      return {
        id: `prevention-${k}@${l.id}`,
        locality: l.id,
        payer: agencies[payer]!.id,
        starts: Math.min(latestStart, 12 + Math.floor(rng() * 24)),
        duration_months: 36,
        investment: { upfront: Math.floor((100_000 + rng() * 900_000) * scale), monthly: Math.floor((10_000 + rng() * 90_000) * scale) },
        cohort: Math.max(10, Math.floor((1_000 + rng() * 9_000) * scale)),
        effects: [
          {
            beneficiary: agencies[(payer + 1) % agencies.length]!.id,
            service: "Emergency admissions",
            unit_cost: { amount: 1_500, per: "event" },
            baseline_demand: 0.8,
            reduction_pct: 10 + Math.floor(rng() * 20),
            lag_months: 6,
            ramp_months: 12,
            decay_pct_per_year: 25,
            deadweight_pct: 10,
            optimism_bias_pct: 15
          }
        ]
      }
    })
  )
  return {
    version: 1,
    name: `synthetic ${o.localities}x${o.agencies}x${o.months}`,
    start: "2010-04",
    months: o.months,
    seed: o.seed ?? 1,
    centre: { capacity: o.capacity ?? 12 },
    tranches,
    agencies,
    localities,
    ...(agencies.length > 0
      ? { deal: { reduction_pct: 5, pooled_agencies: agencies.filter((_, a) => a % 2 === 0).map((a) => a.id), horizon_months: 36 } }
      : {}),
    ...(programmes.length > 0 ? { programmes } : {})
  }
}
