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
          baseline: agencies.map((_, a) => l.baseline[a]!),
          accountability: { level: 0, elections: [], adopts: -1 }
        })),
        deal: {
          reductionBasisPoints: r.reductionBasisPoints,
          pooledAgencies: agencies.flatMap((_, a) => (r.pooledMask[a] ? [a] : [])),
          horizonMonths: r.horizonMonths,
          gainshareBasisPoints: 10000,
          powers: []
        },
        powers: [],
        programmes: [],
        transfers: [],
        spendingReviews: [],
        discountRateBasisPoints: 350
      }
    })

/**
 * Scenarios with the whole money model: prevention programmes (lag, ramp, decay, deadweight,
 * optimism bias), transfers, spending reviews, gainshare, and a powers menu gated by accountability.
 */
export const arbMoneyScenario = (o: ArbOptions = {}): fc.Arbitrary<Scenario> =>
  arbScenario({ maxAgencies: 3, ...o })
    .filter((sc) => sc.agencies.length > 0)
    .chain((sc) => {
      const L = sc.localities.length
      const A = sc.agencies.length
      const months = sc.months
      const arbEffect = fc.record({
        beneficiary: fc.nat({ max: A - 1 }),
        service: fc.constantFrom("A&E attendances", "care home places", "referrals"),
        unitCostPence: fc.integer({ min: 100, max: 5_000_000 }),
        per: fc.constantFrom("event" as const, "year" as const),
        demandPerMemberPerYear: fc.constantFrom(0, 0.1, 0.8, 2.5),
        reduction: fc.constantFrom(0.05, 0.2, 0.6, 1),
        lagMonths: fc.integer({ min: 0, max: 12 }),
        rampMonths: fc.integer({ min: 0, max: 12 }),
        decayPerYear: fc.constantFrom(0, 0.25, 1),
        deadweight: fc.constantFrom(0, 0.1, 0.5),
        optimismBias: fc.constantFrom(0, 0.15, 0.4)
      })
      const arbProgramme = fc.record({
        locality: fc.nat({ max: L - 1 }),
        payer: fc.nat({ max: A - 1 }),
        starts: fc.nat({ max: months - 1 }),
        durationMonths: fc.integer({ min: 1, max: 24 }),
        upfrontPence: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000_000 })),
        monthlyPence: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000_000 })),
        cohort: fc.integer({ min: 1, max: 5000 }),
        effects: fc.array(arbEffect, { minLength: 1, maxLength: 2 })
      })
      const arbTransfer = fc.record({
        locality: fc.nat({ max: L - 1 }),
        from: fc.nat({ max: A - 1 }),
        to: fc.nat({ max: A - 1 }),
        annualPence: fc.integer({ min: 1, max: 2_000_000_000_000 }),
        starts: fc.nat({ max: months - 1 }),
        months: fc.integer({ min: 1, max: 36 })
      })
      const arbReview = fc.record({
        starts: fc.nat({ max: months - 1 }),
        months: fc.integer({ min: 1, max: 48 }),
        changeBasisPoints: fc.array(fc.integer({ min: -2000, max: 1000 }), { minLength: A, maxLength: A }),
        persists: fc.boolean(),
        phasing: fc.constantFrom("flat" as const, "even" as const)
      })
      const arbPower = fc.record({
        agencies: fc.uniqueArray(fc.nat({ max: A - 1 }), { minLength: 1, maxLength: A }),
        requiredLevel: fc.nat({ max: 2 })
      })
      const arbAccountability = fc.record({
        level: fc.nat({ max: 2 }),
        elections: fc.uniqueArray(fc.integer({ min: 0, max: months + 12 }), { maxLength: 3 }).map((xs) => xs.sort((a, b) => a - b)),
        adopts: fc.integer({ min: -1, max: 2 })
      })
      return fc
        .record({
          programmes: fc.array(arbProgramme, { maxLength: 4 }),
          transfers: fc.array(arbTransfer, { maxLength: 2 }),
          reviews: fc.array(arbReview, { maxLength: 2 }),
          menu: fc.oneof(fc.constant<Array<{ agencies: Array<number>; requiredLevel: number }>>([]), fc.array(arbPower, { minLength: 1, maxLength: 3 })),
          accountability: fc.array(arbAccountability, { minLength: L, maxLength: L }),
          gainshareBasisPoints: fc.constantFrom(0, 5000, 10000, 3333)
        })
        .map((x): Scenario => ({
          ...sc,
          localities: sc.localities.map((l, i) => {
            const acc = x.accountability[i]!
            return { ...l, accountability: { ...acc, adopts: acc.adopts > acc.level ? acc.adopts : -1 } }
          }),
          programmes: x.programmes.map((p, j) => ({ ...p, id: `p${j}` })),
          transfers: x.transfers.filter((t) => t.from !== t.to).map((t, j) => ({ ...t, id: `tr${j}` })),
          spendingReviews: x.reviews.map((r, j) => ({ ...r, id: `sr${j}` })),
          powers: x.menu.map((p, k) => ({ ...p, id: `power${k}`, name: `Power ${k}` })),
          deal: {
            ...sc.deal,
            pooledAgencies: x.menu.length > 0 ? [] : sc.deal.pooledAgencies,
            powers: x.menu.map((_, k) => k),
            gainshareBasisPoints: x.gainshareBasisPoints
          }
        }))
    })
