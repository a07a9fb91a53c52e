/**
 * summary.json's sections for devolution beyond the town hall (issue 17), give-when-then, in pence
 * worked out by hand.
 *
 * The base: one locality, Brum, from October 2024 for 12 months (financial years 2024-25: periods
 * 0–5, 2025-26: periods 6–11); one agency, the council, £1,200 a year (10,000p a month, no trend).
 * One tier, Brum/Ladywood (a ward), with half the council's baseline: each month's spending splits
 * 5,000p in Brum's own part, 5,000p in Ladywood. The centre agrees a deal after a fixed 3 months
 * when one is sought (the council's line pools from period 3).
 */
import type { Scenario } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { summarize } from "@devosim/report"
import { describe, expect, it } from "vitest"
import { base, brum } from "./devolution-builders.ts"

const pooled = (over: Partial<Scenario["deal"]> = {}): Scenario["deal"] => ({ reductionBasisPoints: 1000, pooledAgencies: [0], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [], ...over })

const year = <T extends { readonly financial_year: string }>(xs: ReadonlyArray<T> | undefined, fy: string): T => xs!.find((x) => x.financial_year === fy)!

describe("tiers: spend in each place, the roll-up to the locality", () => {
  it("given a personal budget of 20% from period 6 (take-up from 50% to all over 4 months, citizens commissioning for 20% less), the ward's spend, direct payments and the saving are the hand-computed pence", () => {
    // Take-up in periods 6..9: 0.625, 0.75, 0.875, 1 (then 1); direct payments 20% of 10,000p × take-up:
    // 1,250, 1,500, 1,750, 2,000 ×3 = 10,500p; 20% of them not needed: 250, 300, 350, 400 ×3 = 2,100p back to
    // the council's department (a silo line); citizens spend the rest, 8,400p, half in each place. The rest of
    // the line (8,750, 8,500, 8,250, 8,000 ×3) splits half and half too.
    const sc = base({ personalBudgets: [{ id: "pb", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 6, rampMonths: 4, initialTakeUp: 0.5, costChange: -0.2 }] })
    const s = summarize(runScenario(sc).log)
    const ward = s.tiers!.by_tier[0]!
    expect(ward).toMatchObject({ tier: "Brum/Ladywood", name: "Ladywood", level: "ward", locality: "Brum", parent: null, population: 100_000 })
    // 6 × 5,000 + (500 + 4,375) + (600 + 4,250) + (700 + 4,125) + 3 × (800 + 4,000)
    expect(ward.spend_pence).toBe(58_950)
    expect(ward.direct_payments_pence).toBe(4_200)
    expect(ward.passed_down_pence).toBe(0)
    expect(ward.by_agency).toEqual([{ agency: "council", baseline_pence: 60_000, spend_pence: 58_950 }])
    expect(ward.by_financial_year).toEqual([
      { financial_year: "2024-25", spend_pence: 30_000, passed_down_pence: 0, direct_payments_pence: 0 },
      { financial_year: "2025-26", spend_pence: 28_950, passed_down_pence: 0, direct_payments_pence: 4_200 }
    ])
    // The roll-up is the locality's own figures: 120,000 − 2,100 saved.
    const brumMoney = s.money.localities[0]!
    expect(s.tiers!.by_locality).toEqual([
      { locality: "Brum", own_spend_pence: 58_950, tiers_spend_pence: 58_950, spend_pence: 117_900, passed_down_pence: 0, direct_payments_pence: 8_400, by_agency: [{ agency: "council", spend_pence: 117_900 }] }
    ])
    expect(brumMoney.actual_pence).toBe(117_900)
    // The saving citizens made is not a prevention saving.
    expect(brumMoney.savings_realised_pence).toBe(0)

    const [pb] = s.personal_budgets!
    expect(pb).toMatchObject({ personal_budget: "pb", locality: "Brum", agency: "council", from_period: 6, share_pct: 20, direct_payments_pence: 8_400, saving_returned_pence: 2_100, treasury_share_pence: 0 })
    expect(pb!.take_up_by_period).toEqual([0, 0, 0, 0, 0, 0, 0.625, 0.75, 0.875, 1, 1, 1])
    expect(year(pb!.by_financial_year, "2024-25")).toEqual({ financial_year: "2024-25", direct_payments_pence: 0, saving_returned_pence: 0, treasury_share_pence: 0, mean_take_up: 0 })
    expect(year(pb!.by_financial_year, "2025-26")).toEqual({ financial_year: "2025-26", direct_payments_pence: 8_400, saving_returned_pence: 2_100, treasury_share_pence: 0, mean_take_up: 0.875 })
  })

  it("given a pooled line (10% less from period 3) with half of it passed down to the ward by population, the ward's budget commissions it there and the pool's flows still balance", () => {
    // Periods 0–2 (silo): 5,000p in each place. From period 3: 9,000p after the reduction; 4,500p passed down
    // to Ladywood's budget and commissioned there; the agency spends the other 4,500p, half in each place.
    const sc = base({ deal: pooled(), passDowns: [{ id: "nb", locality: 0, agency: 0, shareBasisPoints: 5000, annualPence: 0, tiers: [0], splitBy: "population", starts: 0, months: 120 }] })
    const s = summarize(runScenario(sc).log)
    const ward = s.tiers!.by_tier[0]!
    expect(ward.passed_down_pence).toBe(9 * 4_500)
    // 3 × 5,000 + 9 × (4,500 + 2,250)
    expect(ward.spend_pence).toBe(75_750)
    expect(ward.by_financial_year.map((y) => [y.financial_year, y.spend_pence, y.passed_down_pence])).toEqual([
      ["2024-25", 15_000 + 3 * 6_750, 3 * 4_500],
      ["2025-26", 6 * 6_750, 6 * 4_500]
    ])
    const [roll] = s.tiers!.by_locality
    expect(roll).toMatchObject({ own_spend_pence: 15_000 + 9 * 2_250, tiers_spend_pence: 75_750, spend_pence: 111_000, passed_down_pence: 40_500 })
    // The line's spend includes what the ward commissioned with the budget passed down.
    expect(s.money.localities[0]!.agencies[0]!.actual_pence).toBe(111_000)
    expect(s.money.localities[0]!.spb_reduction_pence).toBe(9_000)
    // What is passed down leaves the pool as its pooled funding: 9 × (4,500 + 4,500).
    expect(s.money.single_place_budget.totals).toMatchObject({ line_funding_pence: 90_000, pooled_funding_pence: 81_000, reduction_pence: 9_000 })
  })
})

describe("outcomes, running costs and the fixed cash envelope", () => {
  // Brum (flat) starts with an elected mayor; the deal (pooling from period 3) agrees one outcome,
  // emergency admissions from 1,000 a year to 950 by month 9, paid at £120 a unit a year below the
  // baseline. A programme from period 0 (at no cost, no savings: unit cost 0) moves it: 100 people ×
  // 1.2 admissions a year × 50% = 60 a year avoided from period 0 (no lag, no ramp), so 940 a year, and
  // 60 × 12,000p / 12 = 60,000p a month once the deal is in force (periods 3–11). The deal's envelope is
  // fixed cash: 10,000p − 10% = 9,000p a month, set at period 3; the council's demand falls 20% a year
  // (in April: period 6) to 8,000p, so from period 6 the Treasury tops the envelope up by 1,000p a month.
  const { tiers: _flat, ...sc } = base({
    agencies: [{ id: "council", name: "Council", trendBasisPoints: -2000 }],
    localities: [brum({ accountability: { level: 2, elections: [], adopts: -1 }, deal: { outcomes: [{ id: "admissions", name: "Emergency admissions", baselinePerYear: 1000, targetPerYear: 950, by: 9, paymentPencePerUnit: 12_000 }] } })],
    deal: pooled({ envelope: "fixed_cash" }),
    runningCosts: { centreMonthlyPence: 1000, centrePerNegotiationMonthPence: 300, mayoralOfficeMonthlyPence: 500 },
    programmes: [
      {
        id: "falls",
        locality: 0,
        payer: 0,
        starts: 0,
        durationMonths: 24,
        upfrontPence: 0,
        monthlyPence: 0,
        cohort: 100,
        effects: [{ beneficiary: 0, service: "admissions", unitCostPence: 0, per: "event", demandPerMemberPerYear: 1.2, reduction: 0.5, lagMonths: 0, rampMonths: 0, decayPerYear: 0, deadweight: 0, optimismBias: 0, outcome: "admissions" }]
      }
    ]
  })
  const { log } = runScenario(sc)
  const s = summarize(log)

  it("the outcome: achieved 940 a year against a target of 950 (met at month 9), 60,000p a month from period 3", () => {
    expect(s.outcomes).toHaveLength(1)
    const o = s.outcomes![0]!
    expect(o).toMatchObject({ locality: "Brum", measure: "admissions", name: "Emergency admissions", baseline_per_year: 1000, target_per_year: 950, by: 9, payment_pence_per_unit: 12_000, from_period: 3, achieved_at_by: 940, met: true, payments_pence: 9 * 60_000 })
    expect(o.by_financial_year).toEqual([
      { financial_year: "2024-25", achieved_per_year: 940, units_avoided_per_year: 60, payments_pence: 3 * 60_000 },
      { financial_year: "2025-26", achieved_per_year: 940, units_avoided_per_year: 60, payments_pence: 6 * 60_000 }
    ])
    expect(o.achieved_by_period).toEqual(new Array(12).fill(940))
    // The payments are what the log posted (Treasury → SPB, caused by OutcomesAgreed).
    const agreed = log.controls.find((c) => c._tag === "OutcomesAgreed")!.seq
    let posted = 0
    for (let i = 0; i < log.postings.length; i++) if (log.postings.cause[i] === agreed) posted += log.postings.amount[i]!
    expect(posted).toBe(o.payments_pence)
  })

  it("a target not met: the same run with a target of 900 a year", () => {
    const harder: Scenario = { ...sc, localities: [brum({ ...sc.localities[0]!, deal: { outcomes: [{ ...sc.localities[0]!.deal!.outcomes![0]!, targetPerYear: 900 }] } })] }
    expect(summarize(runScenario(harder).log).outcomes![0]).toMatchObject({ achieved_at_by: 940, met: false })
  })

  it("running costs: the centre 1,000p a month plus 300p a month of negotiation (periods 0–2), the mayoral office 500p a month", () => {
    expect(s.running_costs).toEqual({
      total_pence: 12_900 + 6_000,
      centre_pence: 12 * 1_000 + 3 * 300,
      mayoral_offices_pence: 12 * 500,
      by_financial_year: [
        { financial_year: "2024-25", centre_pence: 6 * 1_000 + 3 * 300, mayoral_offices_pence: 3_000 },
        { financial_year: "2025-26", centre_pence: 6_000, mayoral_offices_pence: 3_000 }
      ],
      mayoral_offices: [
        {
          locality: "Brum",
          total_pence: 6_000,
          by_financial_year: [
            { financial_year: "2024-25", pence: 3_000 },
            { financial_year: "2025-26", pence: 3_000 }
          ]
        }
      ]
    })
  })

  it("the fixed cash envelope: 9,000p a month; 1,000p a month back to the Treasury in periods 3–5, a 1,000p top-up in 6–11; the reduction is their difference", () => {
    expect(s.envelopes).toEqual([
      {
        locality: "Brum",
        envelope_pence: 9 * 9_000,
        by_agency: [{ agency: "council", envelope_pence: 9 * 9_000 }],
        returned_pence: 3_000,
        top_ups_pence: 6_000,
        reduction_pence: -3_000,
        by_financial_year: [
          { financial_year: "2024-25", returned_pence: 3_000, top_ups_pence: 0 },
          { financial_year: "2025-26", returned_pence: 0, top_ups_pence: 6_000 }
        ]
      }
    ])
    const brumMoney = s.money.localities[0]!
    expect(brumMoney.spb_reduction_pence).toBe(-3_000)
    expect(brumMoney.by_financial_year!.map((y) => y.spb_reduction_pence)).toEqual([3_000, -6_000])
    // The pool balances with the top-ups as a negative reduction: funding in = pooled funding + reduction.
    const spb = s.money.single_place_budget
    for (let m = 0; m < 12; m++) expect(spb.by_period.line_funding_pence[m]! + spb.by_period.transfers_pence[m]!).toBe(spb.by_period.pooled_funding_pence[m]! + spb.by_period.reduction_pence[m]!)
    // The line spends the envelope: 3 × 10,000 before the deal, then 9,000 a month.
    expect(brumMoney.actual_pence).toBe(30_000 + 81_000)
    // The SPB keeps its outcome payments: its balance at the end is gainshare kept (0) + 540,000p.
  })
})
