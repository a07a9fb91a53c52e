/** The base scenario of the devolution tests (devolution-summary.test.ts describes it). */
import type { Locality, Scenario } from "@devosim/core"
import { dealLocality } from "./builders.ts"

export const brum = (over: Partial<Locality> = {}): Locality => dealLocality("Brum", 3, { name: "Birmingham", baseline: [120_000], ...over })

export const base = (over: Partial<Scenario> = {}): Scenario => ({
  name: "brum",
  start: { year: 2024, month: 10 },
  months: 12,
  seed: 1,
  centre: { capacity: 1 },
  tranches: [{ id: "t1", opens: 0 }],
  agencies: [{ id: "council", name: "Council", trendBasisPoints: 0 }],
  localities: [brum()],
  deal: { reductionBasisPoints: 0, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [] },
  powers: [],
  programmes: [],
  transfers: [],
  spendingReviews: [],
  discountRateBasisPoints: 350,
  tiers: [{ id: "Brum/Ladywood", name: "Ladywood", level: "ward", locality: 0, parent: -1, population: 100_000, baseline: [60_000] }],
  ...over
})

