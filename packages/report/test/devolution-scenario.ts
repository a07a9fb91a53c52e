/**
 * A small run with every devolution section (issue 17): Brum with a ward and a neighbourhood in it, a
 * budget passed down, a personal budget, an agreed outcome moved by a programme, running costs and a
 * fixed cash envelope; Kent, flat, beside it.
 */
import type { Locality, Scenario } from "@devosim/core"
import { dealLocality } from "../../../test/builders.ts"

const locality = (id: string, over: Partial<Locality> = {}): Locality =>
  dealLocality(id, 3, { baseline: [1_200_000_00, 600_000_00], accountability: { level: 2, elections: [], adopts: -1 }, ...over })

export const devolvedScenario = (): Scenario => ({
  name: "Brum & Kent: tiers, personal budgets, outcomes",
  start: { year: 2024, month: 10 },
  months: 30,
  seed: 1,
  centre: { capacity: 1 },
  tranches: [{ id: "t1", opens: 0 }],
  agencies: [
    { id: "council", name: "Council", trendBasisPoints: -500 },
    { id: "nhs", name: "NHS", trendBasisPoints: 300 }
  ],
  localities: [
    locality("Brum", { deal: { outcomes: [{ id: "admissions", name: "Emergency admissions", baselinePerYear: 1000, targetPerYear: 955, by: 20, paymentPencePerUnit: 12_000 }, { id: "falls", name: "Falls <at home>", baselinePerYear: 400, targetPerYear: 300, by: 24, paymentPencePerUnit: 0 }] } }),
    locality("Kent", { accountability: { level: 0, elections: [], adopts: -1 } })
  ],
  deal: { reductionBasisPoints: 500, pooledAgencies: [0, 1], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [], envelope: "fixed_cash" },
  powers: [],
  programmes: [
    {
      id: "reablement",
      locality: 0,
      payer: 0,
      starts: 2,
      durationMonths: 24,
      upfrontPence: 10_000_00,
      monthlyPence: 1_000_00,
      cohort: 100,
      effects: [
        { beneficiary: 1, service: "admissions", unitCostPence: 2_000_00, per: "event", demandPerMemberPerYear: 1.2, reduction: 0.5, lagMonths: 2, rampMonths: 6, decayPerYear: 0, deadweight: 0.1, optimismBias: 0.1, outcome: "admissions" },
        { beneficiary: 1, service: "falls", unitCostPence: 500_00, per: "event", demandPerMemberPerYear: 0.8, reduction: 0.4, lagMonths: 0, rampMonths: 3, decayPerYear: 0, deadweight: 0, optimismBias: 0, outcome: "falls" }
      ]
    }
  ],
  transfers: [],
  spendingReviews: [],
  discountRateBasisPoints: 350,
  tiers: [
    { id: "Brum/Ladywood", name: "Ladywood", level: "ward", locality: 0, parent: -1, population: 120_000, baseline: [400_000_00, 200_000_00] },
    { id: "Brum/Ladywood/Aston", name: "Aston", level: "neighbourhood", locality: 0, parent: 0, population: 30_000, baseline: [100_000_00, 50_000_00] },
    { id: "Brum/Edgbaston", name: "Edgbaston", level: "ward", locality: 0, parent: -1, population: 90_000, baseline: [300_000_00, 100_000_00] }
  ],
  passDowns: [{ id: "neighbourhood-budget", locality: 0, agency: 0, shareBasisPoints: 1000, annualPence: 0, tiers: [0, 2], splitBy: "population", starts: 0, months: 120 }],
  personalBudgets: [{ id: "adult-social-care", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 6, rampMonths: 12, initialTakeUp: 0.25, costChange: -0.1 }],
  runningCosts: { centreMonthlyPence: 50_000_00, centrePerNegotiationMonthPence: 20_000_00, mayoralOfficeMonthlyPence: 10_000_00 }
})
