import type { Locality, NegotiationTerms, Scenario } from "@devosim/core"

/** The parts of a scenario a pure negotiation queue leaves empty: no agencies, no money. */
export const NO_MONEY = {
  agencies: [],
  deal: { reductionBasisPoints: 0, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
  powers: [],
  programmes: [],
  transfers: [],
  spendingReviews: [],
  discountRateBasisPoints: 350
} as const satisfies Partial<Scenario>

/** A locality of a queue test: no baseline, leader-and-cabinet, ready at 0 unless `over` says otherwise. */
export const queueLocality = (id: string, negotiation: NegotiationTerms, over: Partial<Locality> = {}): Locality => ({
  id,
  name: id,
  population: 1000,
  tranche: 0,
  ready: 0,
  negotiation,
  baseline: [],
  accountability: { level: 0, elections: [], adopts: -1 },
  ...over
})

/** A locality of a money test: a deal after a fixed `months` of negotiation, ready at 0, leader and cabinet, no baseline unless `over` says otherwise. */
export const dealLocality = (id: string, months: number, over: Partial<Locality> = {}): Locality => ({
  id,
  name: id,
  population: 1_000_000,
  tranche: 0,
  ready: 0,
  negotiation: { duration: { kind: "fixed", value: months }, failProbability: 0, coolOffMonths: 3, maxAttempts: 1 },
  baseline: [],
  accountability: { level: 0, elections: [], adopts: -1 },
  ...over
})
