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
}

export const syntheticScenario = (o: SyntheticOptions): Record<string, unknown> => {
  const rng = seedrandom.alea(`bench/${o.seed ?? 1}`)
  const agencies = Array.from({ length: o.agencies }, (_, a) => ({ id: `agency-${a}`, name: `Agency ${a}`, trend_pct: (a % 3) - 1 }))
  const tranches = Array.from({ length: 4 }, (_, k) => ({ id: `tranche-${k + 1}`, opens: 6 * k }))
  const localities = Array.from({ length: o.localities }, (_, i) => ({
    id: `locality-${String(i).padStart(6, "0")}`,
    name: `Locality ${i}`,
    population: 50_000 + Math.floor(rng() * 2_000_000),
    tranche: tranches[i % 4]!.id,
    ready: Math.floor(rng() * 12),
    negotiation: o.fixedDurations
      ? { months: 1 + Math.floor(rng() * 12) }
      : { months: { triangular: [3, 6, 12] } },
    baseline: Object.fromEntries(agencies.map((a) => [a.id, Math.floor(10_000_000 + rng() * 2_000_000_000)]))
  }))
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
    deal: { reduction_pct: 5, pooled_agencies: agencies.filter((_, a) => a % 2 === 0).map((a) => a.id), horizon_months: 36 }
  }
}
