import type { Distribution, Scenario, Tier } from "@devosim/core"
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

/**
 * Money scenarios with devolution beyond the town hall (issue 17): a tree of tiers in some
 * localities (baselines shares of their parents'), budgets passed down from lines, personal budgets,
 * agreed outcomes moved by the programmes' effects, the fixed cash envelope and running costs.
 * `passDown: false` leaves out the budgets passed down (then the roll-up is the flat model).
 */
export const arbDevolvedScenario = (o: ArbOptions & { readonly passDown?: boolean } = {}): fc.Arbitrary<Scenario> =>
  arbMoneyScenario(o).chain((sc) => {
    const L = sc.localities.length
    const A = sc.agencies.length
    const arbTierShape = fc.array(fc.record({ parentPick: fc.nat({ max: 100 }), sharePct: fc.integer({ min: 0, max: 60 }), level: fc.constantFrom("district", "ward") }), { maxLength: 4 })
    return fc
      .record({
        shapes: fc.array(arbTierShape, { minLength: L, maxLength: L }),
        passDowns: fc.array(fc.record({ locality: fc.nat({ max: L - 1 }), agency: fc.nat({ max: A - 1 }), share: fc.oneof(fc.integer({ min: 1, max: 10000 }), fc.constant(0)), annual: fc.integer({ min: 1, max: 5_000_000_000 }), starts: fc.nat({ max: sc.months - 1 }), months: fc.integer({ min: 1, max: 60 }), byPopulation: fc.boolean() }), { maxLength: 3 }),
        personal: fc.array(fc.record({ locality: fc.nat({ max: L - 1 }), agency: fc.nat({ max: A - 1 }), shareBasisPoints: fc.integer({ min: 1, max: 10000 }), starts: fc.nat({ max: sc.months - 1 }), rampMonths: fc.integer({ min: 0, max: 36 }), initialTakeUp: fc.constantFrom(0, 0.25, 1), costChange: fc.constantFrom(0, -0.1, -0.5, -1) }), { maxLength: 3 }),
        outcomes: fc.array(fc.option(fc.record({ baselinePerYear: fc.integer({ min: 0, max: 50_000 }), targetPerYear: fc.integer({ min: 0, max: 50_000 }), by: fc.nat({ max: sc.months }), paymentPencePerUnit: fc.constantFrom(0, 1, 50_000, 123_457) }), { nil: undefined }), { minLength: L, maxLength: L }),
        outcomeOf: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        envelope: fc.constantFrom(undefined, "fixed_cash" as const, "share_of_demand" as const),
        runningCosts: fc.option(fc.record({ centreMonthlyPence: fc.integer({ min: 0, max: 10_000_000 }), centrePerNegotiationMonthPence: fc.integer({ min: 0, max: 3_000_000 }), mayoralOfficeMonthlyPence: fc.integer({ min: 0, max: 2_000_000 }) }), { nil: undefined })
      })
      .map((x): Scenario => {
        const tiers: Array<Tier> = []
        x.shapes.forEach((shape, i) => {
          const mine: Array<number> = []
          // Each tier takes a share of what its parent's other children leave, so children fit in their parent.
          const left = new Map<number, Array<number>>()
          const leftOf = (parent: number) => {
            let v = left.get(parent)
            if (v === undefined) left.set(parent, (v = Array.from({ length: A }, (_, a) => (parent < 0 ? (sc.localities[i]!.baseline[a] ?? 0) : tiers[parent]!.baseline[a]!))))
            return v
          }
          shape.forEach((t, k) => {
            const parent = mine.length === 0 || t.parentPick % (mine.length + 1) === 0 ? -1 : mine[t.parentPick % mine.length]!
            const room = leftOf(parent)
            const baseline = room.map((r) => Math.floor((r * t.sharePct) / 100))
            baseline.forEach((b, a) => (room[a] = room[a]! - b))
            const parentPath = parent < 0 ? sc.localities[i]!.id : tiers[parent]!.id
            mine.push(tiers.length)
            tiers.push({ id: `${parentPath}/t${k}`, name: `tier ${k}`, level: t.level, locality: i, parent, population: 100 + t.sharePct * 10, baseline })
          })
        })
        const passDowns = (o.passDown ?? true)
          ? x.passDowns.flatMap((d, j) => {
              const receivers = tiers.flatMap((t, k) => (t.locality === d.locality ? [k] : []))
              if (receivers.length === 0) return []
              return [{ id: `pd${j}`, locality: d.locality, agency: d.agency, shareBasisPoints: d.share, annualPence: d.share > 0 ? 0 : d.annual, tiers: receivers, splitBy: d.byPopulation ? ("population" as const) : ("baseline" as const), starts: d.starts, months: d.months }]
            })
          : []
        let effectCount = 0
        const programmes = sc.programmes.map((p) => ({
          ...p,
          effects: p.effects.map((e) => (x.outcomes[p.locality] !== undefined && x.outcomeOf[effectCount++ % 8] ? { ...e, outcome: "admissions" } : e))
        }))
        return {
          ...sc,
          localities: sc.localities.map((l, i) => {
            const oc = x.outcomes[i]
            return oc === undefined ? l : { ...l, deal: { ...l.deal, outcomes: [{ id: "admissions", name: "Emergency admissions", ...oc }] } }
          }),
          programmes,
          deal: x.envelope === undefined ? sc.deal : { ...sc.deal, envelope: x.envelope },
          ...(tiers.length > 0 ? { tiers } : {}),
          ...(passDowns.length > 0 ? { passDowns } : {}),
          ...(x.personal.length > 0 ? { personalBudgets: x.personal.map((b, j) => ({ ...b, id: `pb${j}` })) } : {}),
          ...(x.runningCosts !== undefined ? { runningCosts: x.runningCosts } : {})
        }
      })
  })
