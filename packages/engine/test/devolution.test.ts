/**
 * Give-when-then cases for devolution beyond the town hall (issue 17), worked out by hand in pence.
 *
 * The base case: Leeds, from April 2010, one council line of £1,200 a year (10,000p a month), with
 * two wards: Armley (£600 a year of it, population 3,000) and Beeston (£300 a year, population
 * 1,000). The city's own part is what the wards leave: £300. So each month's 10,000p is spent
 * 2,500p in the city, 5,000p in Armley and 2,500p in Beeston (weights 1 : 2 : 1).
 */
import type { EventLog, Scenario } from "@devosim/core"
import { agencyAccount, centreAccount, departmentAccount, layoutOf, mayoralOfficeAccount, spbAccount, tierBudgetAccount, tierWorldAccount, TREASURY, worldAccount } from "@devosim/core"
import type { RunStarted } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { describe, expect, it } from "vitest"
import { dealLocality } from "../../../test/builders.ts"

const leeds = (over: Partial<Scenario> = {}, negotiationMonths = 0): Scenario => ({
  name: "leeds",
  start: { year: 2010, month: 4 },
  months: 12,
  seed: 1,
  centre: { capacity: 1 },
  tranches: [{ id: "t1", opens: 0 }],
  agencies: [{ id: "council", name: "Council", trendBasisPoints: 0 }],
  localities: [dealLocality("Leeds", negotiationMonths, { population: 8000, baseline: [120_000] })],
  deal: { reductionBasisPoints: 0, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
  powers: [],
  programmes: [],
  transfers: [],
  spendingReviews: [],
  discountRateBasisPoints: 350,
  tiers: [
    { id: "Leeds/Armley", name: "Armley", level: "ward", locality: 0, parent: -1, population: 3000, baseline: [60_000] },
    { id: "Leeds/Beeston", name: "Beeston", level: "ward", locality: 0, parent: -1, population: 1000, baseline: [30_000] }
  ],
  ...over
})

/** The amounts posted from → to in period m, in log order. */
const moved = (log: EventLog, from: number, to: number, m: number): Array<number> => {
  const p = log.postings
  const out: Array<number> = []
  for (let i = 0; i < p.length; i++) if (p.from[i] === from && p.to[i] === to && Math.floor(p.t[i]!) === m) out.push(p.amount[i]!)
  return out
}

const causeKind = (log: EventLog, from: number, to: number, m: number): Array<string> => {
  const kinds = new Map(log.controls.map((c) => [c.seq, c._tag] as const))
  const p = log.postings
  const out: Array<string> = []
  for (let i = 0; i < p.length; i++) if (p.from[i] === from && p.to[i] === to && Math.floor(p.t[i]!) === m) out.push(kinds.get(p.cause[i]!)!)
  return out
}

describe("tiers", () => {
  it("given two wards, when the council spends, then each month's 10,000p is spent 2,500p in the city, 5,000p in Armley and 2,500p in Beeston", () => {
    const { log } = runScenario(leeds())
    const L = layoutOf(log.controls[0] as RunStarted)
    const agency = agencyAccount(L, 0, 0)
    for (const m of [0, 6, 11]) {
      expect(moved(log, agency, worldAccount(L, 0), m)).toEqual([2_500])
      expect(moved(log, agency, tierWorldAccount(L, 0), m)).toEqual([5_000])
      expect(moved(log, agency, tierWorldAccount(L, 1), m)).toEqual([2_500])
    }
  })

  it("given nested tiers (a ward inside a district), then the district's own part is what its ward leaves", () => {
    const sc = leeds({
      tiers: [
        { id: "Leeds/Inner", name: "Inner", level: "district", locality: 0, parent: -1, population: 5000, baseline: [96_000] },
        { id: "Leeds/Inner/Armley", name: "Armley", level: "ward", locality: 0, parent: 0, population: 3000, baseline: [48_000] }
      ]
    })
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    const agency = agencyAccount(L, 0, 0)
    // Own parts: city 24,000, Inner 48,000, Armley 48,000 a year → 2,000p, 4,000p, 4,000p a month.
    expect(moved(log, agency, worldAccount(L, 0), 3)).toEqual([2_000])
    expect(moved(log, agency, tierWorldAccount(L, 0), 3)).toEqual([4_000])
    expect(moved(log, agency, tierWorldAccount(L, 1), 3)).toEqual([4_000])
  })
})

describe("personal budgets", () => {
  it("given 20% of the line as direct payments, take-up 50% rising over 2 months, and citizens commissioning for 10% less, then month 0 pays 1,350p to citizens and returns 150p", () => {
    const sc = leeds({ personalBudgets: [{ id: "dp", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 0, rampMonths: 2, initialTakeUp: 0.5, costChange: -0.1 }] })
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    const agency = agencyAccount(L, 0, 0)
    // Month 0: take-up 0.5 + 0.5 × 1/2 = 0.75; 20% of 10,000p = 2,000p × 0.75 = 1,500p, of which 10% (150p)
    // is not needed and goes back to the department; 1,350p is paid, split 1 : 2 : 1 (337.5, 675, 337.5:
    // the odd penny to the first of the tied remainders); the other 8,500p are services, 2,125 : 4,250 : 2,125.
    expect(moved(log, agency, departmentAccount(L, 0, 0), 0)).toEqual([150])
    expect(causeKind(log, agency, departmentAccount(L, 0, 0), 0)).toEqual(["PersonalBudgetsOffered"])
    expect(moved(log, agency, worldAccount(L, 0), 0)).toEqual([338, 2_125])
    expect(causeKind(log, agency, worldAccount(L, 0), 0)).toEqual(["PersonalBudgetsOffered", "PeriodSpent"])
    expect(moved(log, agency, tierWorldAccount(L, 0), 0)).toEqual([675, 4_250])
    expect(moved(log, agency, tierWorldAccount(L, 1), 0)).toEqual([337, 2_125])
    // Month 1 on: full take-up, 2,000p of which 200p returns.
    expect(moved(log, agency, departmentAccount(L, 0, 0), 1)).toEqual([200])
    expect(moved(log, agency, worldAccount(L, 0), 1)).toEqual([450, 2_000])
  })
})

describe("budgets passed down", () => {
  it("given a deal pooling the council line at once with 10% less, and 10% of the pooled line passed to the wards by population, then the wards' budgets get 675p and 225p and commission with them", () => {
    const sc = leeds({
      deal: { reductionBasisPoints: 1000, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
      passDowns: [{ id: "ward-budgets", locality: 0, agency: 0, shareBasisPoints: 1000, annualPence: 0, tiers: [0, 1], splitBy: "population", starts: 0, months: 12 }]
    })
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    const spb = spbAccount(L, 0)
    const agency = agencyAccount(L, 0, 0)
    for (const m of [0, 5]) {
      // 10,000p in; 1,000p back to the Treasury; 10% of the 9,000p left (900p) passed down 3 : 1.
      expect(moved(log, departmentAccount(L, 0, 0), spb, m)).toEqual([10_000])
      expect(moved(log, spb, TREASURY, m)).toEqual([1_000])
      expect(moved(log, spb, agency, m)).toEqual([8_100])
      expect(moved(log, spb, tierBudgetAccount(L, 0), m)).toEqual([675])
      expect(moved(log, spb, tierBudgetAccount(L, 1), m)).toEqual([225])
      expect(moved(log, tierBudgetAccount(L, 0), tierWorldAccount(L, 0), m)).toEqual([675])
      expect(causeKind(log, tierBudgetAccount(L, 0), tierWorldAccount(L, 0), m)).toEqual(["BudgetPassedDown"])
      // The line spends the 8,100p left in the city's places, 1 : 2 : 1.
      expect(moved(log, agency, worldAccount(L, 0), m)).toEqual([2_025])
      expect(moved(log, agency, tierWorldAccount(L, 0), m)).toEqual([4_050])
    }
  })

  it("given personal budgets on the same pooled line, then direct payments come first and the share passed down is of what they leave", () => {
    const sc = leeds({
      deal: { reductionBasisPoints: 1000, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
      personalBudgets: [{ id: "dp", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 0, rampMonths: 0, initialTakeUp: 1, costChange: 0 }],
      passDowns: [{ id: "ward-budgets", locality: 0, agency: 0, shareBasisPoints: 1000, annualPence: 0, tiers: [0, 1], splitBy: "population", starts: 0, months: 12 }]
    })
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    const agency = agencyAccount(L, 0, 0)
    // 9,000p after the reduction: 20% (1,800p) in direct payments, then 10% of the 7,200p left (720p)
    // passed down 3 : 1; the line is funded with 8,280p and spends 6,480p on services, 1 : 2 : 1.
    expect(moved(log, spbAccount(L, 0), agency, 4)).toEqual([8_280])
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 0), 4)).toEqual([540])
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 1), 4)).toEqual([180])
    expect(moved(log, agency, worldAccount(L, 0), 4)).toEqual([450, 1_620])
    expect(moved(log, agency, tierWorldAccount(L, 0), 4)).toEqual([900, 3_240])
  })

  it("given a fixed £24 a year passed down instead, then 200p a month goes to the wards, 150p and 50p", () => {
    const sc = leeds({
      deal: { reductionBasisPoints: 1000, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
      passDowns: [{ id: "ward-budgets", locality: 0, agency: 0, shareBasisPoints: 0, annualPence: 2_400, tiers: [0, 1], splitBy: "population", starts: 3, months: 6 }]
    })
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 0), 2)).toEqual([])
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 0), 3)).toEqual([150])
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 1), 8)).toEqual([50])
    expect(moved(log, spbAccount(L, 0), tierBudgetAccount(L, 1), 9)).toEqual([])
  })
})

describe("agreed outcomes", () => {
  it("given a deal agreeing emergency admissions paid at £120 a unit a year, and a programme avoiding 50 a year from month 0, then the Treasury pays the city 50,000p a month once the deal is in force", () => {
    const sc = leeds(
      {
        tiers: [],
        localities: [
          {
            ...leeds({}, 2.5).localities[0]!,
            deal: { outcomes: [{ id: "admissions", name: "Emergency admissions", baselinePerYear: 1000, targetPerYear: 900, by: 12, paymentPencePerUnit: 12_000 }] }
          }
        ],
        deal: { reductionBasisPoints: 0, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [] },
        programmes: [
          {
            id: "falls",
            locality: 0,
            payer: 0,
            starts: 0,
            durationMonths: 12,
            upfrontPence: 0,
            monthlyPence: 0,
            cohort: 100,
            effects: [{ beneficiary: 0, service: "admissions", unitCostPence: 100, per: "event", demandPerMemberPerYear: 1, reduction: 0.5, lagMonths: 0, rampMonths: 0, decayPerYear: 0, deadweight: 0, optimismBias: 0, outcome: "admissions" }]
          }
        ]
      },
      2.5
    )
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    const agreed = log.controls.find((c) => c._tag === "OutcomesAgreed")
    expect(agreed).toMatchObject({ locality: "Leeds", fromPeriod: 3, t: 2.5 })
    // The deal lands at 2.5: payments from period 3, 50 units a year × 12,000p / 12.
    expect(moved(log, TREASURY, spbAccount(L, 0), 2)).toEqual([])
    expect(moved(log, TREASURY, spbAccount(L, 0), 3)).toEqual([50_000])
    expect(causeKind(log, TREASURY, spbAccount(L, 0), 11)).toEqual(["OutcomesAgreed"])
  })
})

describe("the fixed cash envelope", () => {
  const growing = (envelope: "fixed_cash" | "share_of_demand", reviews: Scenario["spendingReviews"] = []): Scenario =>
    leeds({
      tiers: [],
      months: 24,
      agencies: [{ id: "council", name: "Council", trendBasisPoints: 1000 }],
      deal: { reductionBasisPoints: 1000, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 10000, powers: [], envelope },
      spendingReviews: reviews
    })

  it("given demand growing 10% a year, when the envelope is fixed cash, then the line gets 9,000p a month in both years and the Treasury keeps the growth", () => {
    const { log } = runScenario(growing("fixed_cash"))
    const L = layoutOf(log.controls[0] as RunStarted)
    // Year 1's baseline is 132,000p a year = 11,000p a month: 2,000p back, 9,000p to the line.
    expect(moved(log, spbAccount(L, 0), TREASURY, 0)).toEqual([1_000])
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 0)).toEqual([9_000])
    expect(moved(log, spbAccount(L, 0), TREASURY, 12)).toEqual([2_000])
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 12)).toEqual([9_000])
    // A share of demand instead: 1,100p back, 9,900p to the line.
    const share = runScenario(growing("share_of_demand")).log
    expect(moved(share, spbAccount(L, 0), agencyAccount(L, 0, 0), 12)).toEqual([9_900])
  })

  it("given a spending review from month 18, then the envelope is renegotiated there: 9,900p a month", () => {
    const { log } = runScenario(growing("fixed_cash", [{ id: "sr", starts: 18, months: 6, changeBasisPoints: [0], persists: true, phasing: "flat" }]))
    const L = layoutOf(log.controls[0] as RunStarted)
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 17)).toEqual([9_000])
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 18)).toEqual([9_900])
  })

  it("given demand falling 20% a year, then the Treasury tops the fixed envelope up in year 1: 1,000p a month", () => {
    const sc = growing("fixed_cash")
    const { log } = runScenario({ ...sc, agencies: [{ id: "council", name: "Council", trendBasisPoints: -2000 }] })
    const L = layoutOf(log.controls[0] as RunStarted)
    // Year 1's baseline is 96,000p a year = 8,000p a month, below the 9,000p envelope.
    expect(moved(log, TREASURY, spbAccount(L, 0), 12)).toEqual([1_000])
    expect(moved(log, spbAccount(L, 0), TREASURY, 12)).toEqual([])
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 12)).toEqual([9_000])
  })

  it("given a cut by a spending review, then the envelope is renegotiated when it starts", () => {
    const { log } = runScenario(growing("fixed_cash", [{ id: "cut", starts: 6, months: 6, changeBasisPoints: [-2000], persists: false, phasing: "flat" }]))
    const L = layoutOf(log.controls[0] as RunStarted)
    // Month 6: demand 8,000p, the envelope 8,000 − 800 = 7,200p; it holds after the cut ends (no review starts
    // then): month 12's demand of 11,000p returns 3,800p.
    expect(moved(log, spbAccount(L, 0), agencyAccount(L, 0, 0), 6)).toEqual([7_200])
    expect(moved(log, spbAccount(L, 0), TREASURY, 12)).toEqual([3_800])
  })
})

describe("running costs", () => {
  it("given a centre costing 100,000p a month plus 50,000p a negotiation-month, and a 2.5-month negotiation from month 0, then it costs 150,000p, 150,000p, 125,000p, then 100,000p", () => {
    const mayor = leeds({ runningCosts: { centreMonthlyPence: 100_000, centrePerNegotiationMonthPence: 50_000, mayoralOfficeMonthlyPence: 20_000 } }, 2.5)
    const sc: Scenario = { ...mayor, localities: [{ ...mayor.localities[0]!, accountability: { level: 2, elections: [], adopts: -1 } }] }
    const { log } = runScenario(sc)
    const L = layoutOf(log.controls[0] as RunStarted)
    expect([0, 1, 2, 3].map((m) => moved(log, TREASURY, centreAccount(L), m))).toEqual([[150_000], [150_000], [125_000], [100_000]])
    // An elected mayor's office costs 20,000p a month; a leader and cabinet's nothing.
    expect(moved(log, TREASURY, mayoralOfficeAccount(L, 0), 5)).toEqual([20_000])
    const cabinet = runScenario(mayor).log
    expect(moved(cabinet, TREASURY, mayoralOfficeAccount(L, 0), 5)).toEqual([])
  })
})
