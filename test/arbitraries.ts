import type { Distribution, Scenario } from "@devosim/core"
import fc from "fast-check"

/** Ids as users write them: ASCII, Welsh, fullwidth and astral characters, so code-point order matters. */
const idChar = fc.constantFrom("a", "b", "c", "K", "Y", "ô", "Ａ", "🏴", " ", "-", "ŵ")
export const arbId = fc.array(idChar, { minLength: 1, maxLength: 4 }).map((cs) => "L" + cs.join(""))

const arbTime = fc.oneof(
  fc.integer({ min: 0, max: 24 }),
  fc.integer({ min: 0, max: 240 }).map((k) => k / 10) // 0.1 steps: not exact in binary
)

export const arbDistribution: fc.Arbitrary<Distribution> = fc.oneof(
  arbTime.map((value) => ({ kind: "fixed" as const, value })),
  fc.tuple(arbTime, arbTime).map(([a, b]) => ({ kind: "uniform" as const, min: Math.min(a, b), max: Math.max(a, b) })),
  fc.tuple(arbTime, arbTime, arbTime).map((xs) => {
    const [min, mode, max] = xs.sort((x, y) => x - y) as [number, number, number]
    return { kind: "triangular" as const, min, mode, max }
  }),
  fc.record({ median: fc.integer({ min: 1, max: 12 }), sigma: fc.constantFrom(0, 0.2, 0.5) }).map((r) => ({ kind: "lognormal" as const, ...r }))
)

export interface ArbOptions {
  readonly maxLocalities?: number
  readonly maxAgencies?: number
  readonly maxMonths?: number
}

/** Whole scenarios: queues with ties, retries, pooled deals, trends and mid-year starts. */
export const arbScenario = (o: ArbOptions = {}): fc.Arbitrary<Scenario> =>
  fc
    .record({
      start: fc.record({ year: fc.integer({ min: 2008, max: 2012 }), month: fc.integer({ min: 1, max: 12 }) }),
      months: fc.integer({ min: 1, max: o.maxMonths ?? 40 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      capacity: fc.integer({ min: 1, max: 4 }),
      tranches: fc.array(arbTime, { minLength: 1, maxLength: 3 }),
      agencyCount: fc.integer({ min: 0, max: o.maxAgencies ?? 3 }),
      trends: fc.array(fc.integer({ min: -500, max: 800 }), { minLength: 3, maxLength: 3 }),
      localities: fc.uniqueArray(
        fc.record({
          id: arbId,
          population: fc.integer({ min: 0, max: 3_000_000 }),
          tranche: fc.nat(),
          ready: arbTime,
          duration: arbDistribution,
          failProbability: fc.constantFrom(0, 0, 0.3),
          coolOffMonths: arbTime,
          maxAttempts: fc.integer({ min: 1, max: 3 }),
          baseline: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000_000_000 })), { minLength: 3, maxLength: 3 })
        }),
        { minLength: 1, maxLength: o.maxLocalities ?? 8, selector: (l) => l.id }
      ),
      reductionBasisPoints: fc.constantFrom(0, 250, 1000, 333),
      pooledMask: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      horizonMonths: fc.integer({ min: 1, max: 36 })
    })
    .map((r) => {
      const agencies = Array.from({ length: r.agencyCount }, (_, a) => ({ id: `agency${a}`, name: `Agency ${a}`, trendBasisPoints: r.trends[a]! }))
      return {
        name: "generated",
        start: r.start,
        months: r.months,
        seed: r.seed,
        centre: { capacity: r.capacity },
        tranches: r.tranches.map((opens, k) => ({ id: `t${k}`, opens })),
        agencies,
        localities: r.localities.map((l) => ({
          id: l.id,
          name: l.id,
          population: l.population,
          tranche: l.tranche % r.tranches.length,
          ready: l.ready,
          negotiation: { duration: l.duration, failProbability: l.failProbability, coolOffMonths: l.coolOffMonths, maxAttempts: l.maxAttempts },
          baseline: agencies.map((_, a) => l.baseline[a]!)
        })),
        deal: {
          reductionBasisPoints: r.reductionBasisPoints,
          pooledAgencies: agencies.flatMap((_, a) => (r.pooledMask[a] ? [a] : [])),
          horizonMonths: r.horizonMonths
        }
      }
    })
