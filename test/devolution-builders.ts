/** The base scenario of the devolution tests (devolution-summary.test.ts describes it). */
import type { Locality, Scenario } from "@devosim/core"

export const brum = (over: Partial<Locality> = {}): Locality => ({
  id: "Brum",
  name: "Birmingham",
  population: 1_000_000,
  tranche: 0,
  ready: 0,
  negotiation: { duration: { kind: "fixed", value: 3 }, failProbability: 0, coolOffMonths: 3, maxAttempts: 1 },
  baseline: [120_000],
  accountability: { level: 0, elections: [], adopts: -1 },
  ...over
})

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

