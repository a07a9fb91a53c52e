/**
 * Give-when-then cases for the money model, worked out by hand (a spreadsheet's worth) in pence.
 *
 * The base case: one locality, Kent, from April 2010 for 24 months; council £120,000 a year
 * (1,000,000p a month) and NHS £240,000 a year (2,000,000p a month); the centre agrees a deal
 * after a fixed 3 months, so both lines pool from period 3 with a 5% 'more for less' reduction
 * and a 50% gainshare.
 *
 * The programme: the council invests £5,000 upfront and £1,000 a month for 6 months from period 2,
 * for 100 people who each cause 1.2 A&E attendances a year at £250 each: £30,000 a year avoidable
 * (250,000p a month). Full effect 50%, deadweight 20%, optimism bias 10%: 250,000 × 0.5 × 0.8 × 0.9
 * = 90,000p a month. Lag 3 months → the effect begins in period 5; ramp 4 months → 1/4, 2/4, 3/4,
 * then full from period 8; the programme ends after period 7, + lag → full until period 10; then
 * it halves each year: period 11 is 90,000 × 0.5^(1/12) = 84,948.69 → 84,949, …, period 22 is
 * 90,000 × 0.5 = 45,000 exactly.
 */
import type { Scenario } from "@devosim/core"
import { agencyAccount, departmentAccount, spbAccount, TREASURY } from "@devosim/core"
import { effectProfile, monthlySaving, shareOf } from "@devosim/core"
import { Plans, runScenario } from "@devosim/engine"
import { discountFactor, summarize } from "@devosim/report"
import { describe, expect, it } from "vitest"

const SAVINGS_BY_PERIOD = [
  0, 0, 0, 0, 0, 22_500, 45_000, 67_500, 90_000, 90_000, 90_000, 84_949, 80_181, 75_681, 71_433, 67_424, 63_640, 60_068, 56_696,
  53_514, 50_511, 47_676, 45_000, 42_474
]
const TOTAL_SAVINGS = 1_204_247

const base = (over: Partial<Scenario> = {}): Scenario => ({
  name: "kent",
  start: { year: 2010, month: 4 },
  months: 24,
  seed: 1,
  centre: { capacity: 1 },
  tranches: [{ id: "t1", opens: 0 }],
  agencies: [
    { id: "council", name: "Council", trendBasisPoints: 0 },
    { id: "nhs", name: "NHS", trendBasisPoints: 0 }
  ],
  localities: [
    {
      id: "Kent",
      name: "Kent",
      population: 1_400_000,
      tranche: 0,
      ready: 0,
      negotiation: { duration: { kind: "fixed", value: 3 }, failProbability: 0, coolOffMonths: 3, maxAttempts: 1 },
      baseline: [12_000_000, 24_000_000],
      accountability: { level: 0, elections: [], adopts: -1 }
    }
  ],
  deal: { reductionBasisPoints: 500, pooledAgencies: [0, 1], horizonMonths: 12, gainshareBasisPoints: 5000, powers: [] },
  powers: [],
  programmes: [
    {
      id: "older-people",
      locality: 0,
      payer: 0,
      starts: 2,
      durationMonths: 6,
      upfrontPence: 500_000,
      monthlyPence: 100_000,
      cohort: 100,
      effects: [
        {
          beneficiary: 1,
          service: "A&E attendances",
          unitCostPence: 25_000,
          per: "event",
          demandPerMemberPerYear: 1.2,
          reduction: 0.5,
          lagMonths: 3,
          rampMonths: 4,
          decayPerYear: 0.5,
          deadweight: 0.2,
          optimismBias: 0.1
        }
      ]
    }
  ],
  transfers: [],
  spendingReviews: [],
  discountRateBasisPoints: 350,
  ...over
})

const layout = { localityCount: 1, agencyCount: 2 }

describe("prevention effect over time (lag, ramp, decay, deadweight, optimism bias)", () => {
  it("given the programme, the saving in each period is the hand-computed figure", () => {
    const sc = base()
    const p = sc.programmes[0]!
    const e = p.effects[0]!
    expect(SAVINGS_BY_PERIOD.map((_, m) => monthlySaving(p, e, m))).toEqual(SAVINGS_BY_PERIOD)
    expect([4, 5, 6, 7, 8, 10].map((m) => effectProfile(p, e, m))).toEqual([0, 0.25, 0.5, 0.75, 1, 1])
    expect(effectProfile(p, e, 22)).toBe(0.5)
  })

  it("given a ramp longer than the programme, when the programme stops, then the effect holds at the level it reached and decays from there, never ramping on", () => {
    const sc = base()
    const p0 = sc.programmes[0]!
    const e0 = p0.effects[0]!
    // Starts at 2 for 6 months, no lag, a 12-month ramp, no decay: (k + 1) / 12 while running, then 6/12 for ever.
    const p = { ...p0, starts: 2, durationMonths: 6 }
    const still = { ...e0, lagMonths: 0, rampMonths: 12, decayPerYear: 0 }
    expect([1, 2, 3, 7, 8, 9, 13, 30].map((m) => effectProfile(p, still, m))).toEqual([0, 1 / 12, 2 / 12, 6 / 12, 0.5, 0.5, 0.5, 0.5])
    // With 50% a year decay, 12 months after the end the level is half of what it reached: 0.5 × 0.5.
    const decaying = { ...still, decayPerYear: 0.5 }
    expect(effectProfile(p, decaying, 8 + 11)).toBeCloseTo(0.25, 15)
    expect(effectProfile(p, decaying, 8)).toBeCloseTo(0.5 * Math.pow(0.5, 1 / 12), 15)
  })

  it("deadweight and optimism bias are haircuts on the effect: none of either gives 250,000 × 0.5 = 125,000 at full effect", () => {
    const sc = base()
    const p = sc.programmes[0]!
    const e = { ...p.effects[0]!, deadweight: 0, optimismBias: 0 }
    expect(monthlySaving(p, e, 8)).toBe(125_000)
    expect(monthlySaving(p, { ...e, deadweight: 0.2 }, 8)).toBe(100_000)
    expect(monthlySaving(p, { ...e, optimismBias: 0.1 }, 8)).toBe(112_500)
  })

  it("no lag, no ramp and no decay: full effect from the first month, for ever", () => {
    const sc = base()
    const p = sc.programmes[0]!
    const e = { ...p.effects[0]!, lagMonths: 0, rampMonths: 0, decayPerYear: 0 }
    expect([1, 2, 3, 23].map((m) => monthlySaving(p, e, m))).toEqual([0, 90_000, 90_000, 90_000])
  })
})

describe("a pooled deal with a prevention programme and gainshare", () => {
  const { log, state } = runScenario(base())
  const money = summarize(log).money
  const kent = money.localities[0]!

  it("when the deal lands at 3, both lines pool from period 3 and the SPB returns 5% of each", () => {
    // 21 pooled months × (50,000 + 100,000).
    expect(kent.spb_reduction_pence).toBe(3_150_000)
    expect(kent.baseline_pence).toBe(72_000_000)
  })

  it("the council pays 500,000 + 6 × 100,000 and the NHS saves the hand-computed total", () => {
    expect(kent.prevention_invested_pence).toBe(1_100_000)
    expect(kent.savings_realised_pence).toBe(TOTAL_SAVINGS)
    expect(kent.agencies.map((a) => [a.agency, a.savings_realised_pence, a.prevention_invested_pence, a.net_position_pence])).toEqual([
      ["council", 0, 1_100_000, -1_100_000],
      ["nhs", TOTAL_SAVINGS, 0, TOTAL_SAVINGS]
    ])
    expect(money.cost_shift).toEqual([
      {
        locality: "Kent",
        payer: "council",
        beneficiary: "nhs",
        savings_pence: TOTAL_SAVINGS,
        savings_by_period: Object.fromEntries(SAVINGS_BY_PERIOD.flatMap((v, m) => (v > 0 ? [[String(m), v]] : [])))
      }
    ])
  })

  it("gainshare: the locality keeps half of each month's saving (rounded half up), the Treasury gets the rest", () => {
    expect(kent.savings_on_pooled_lines_pence).toBe(TOTAL_SAVINGS)
    expect(kent.gainshare_returned_pence).toBe(602_121)
    expect(kent.gainshare_kept_pence).toBe(602_126)
    expect(state.balances[spbAccount(layout, 0)]).toBe(602_126)
  })

  it("actual = baseline − reduction − savings + investment, exactly", () => {
    expect(kent.actual_pence).toBe(72_000_000 - 3_150_000 - TOTAL_SAVINGS + 1_100_000)
  })

  it("the Treasury settles each financial year's envelope, investment included", () => {
    const settled = log.controls.filter((e) => e._tag === "EnvelopesSettled").map((e) => [e.financialYear, e.fromPeriod, e.toPeriod])
    expect(settled).toEqual([
      ["2010-11", 0, 12],
      ["2011-12", 12, 24]
    ])
    expect(money.settled_pence).toBe(72_000_000 + 1_100_000)
    expect(state.balances[TREASURY]).toBe(-(72_000_000 + 1_100_000) + 3_150_000 + 602_121)
    expect(state.balances[departmentAccount(layout, 0, 0)]).toBe(0)
    expect(state.balances[agencyAccount(layout, 0, 1)]).toBe(0)
  })

  it("payback: cumulative savings first cover cumulative investment in period 21", () => {
    // −600,000 in period 2; … −30,903 after period 20; +16,773 after period 21.
    expect(kent.payback_period).toBe(21)
  })

  it("the SPB is reset at its 12-month horizon", () => {
    const resets = log.controls.filter((e) => e._tag === "SinglePlaceBudgetReset").map((e) => [e.t, e.horizon, e.fromPeriod, e.toPeriod])
    expect(resets).toEqual([[15, 1, 15, 27]])
  })

  it("every saving posting is caused by the programme's start event", () => {
    const started = log.controls.find((e) => e._tag === "ProgrammeStarted")!
    expect(started.t).toBe(2)
    const p = log.postings
    let n = 0
    for (let i = 0; i < p.length; i++) if (p.from[i] === agencyAccount(layout, 0, 1) && p.to[i] === spbAccount(layout, 0)) {
      expect(p.cause[i]).toBe(started.seq)
      n++
    }
    expect(n).toBe(19)
  })
})

describe("discounting at the Green Book rate", () => {
  it("a pound a year from now is worth 1/1.035 today; a month is the twelfth root", () => {
    expect(discountFactor(350, 0)).toBe(1)
    expect(Math.round(1_035_000 * discountFactor(350, 12))).toBe(1_000_000)
    expect(Math.round(1_035_000 * 1_035_000 * discountFactor(350, 24))).toBe(1_000_000 * 1_000_000)
    expect(discountFactor(350, 6)).toBeCloseTo(1 / Math.sqrt(1.035), 15)
  })

  it("present values of the base case: investment 500,000 + 100,000 over periods 2..7, savings as above", () => {
    const kent = summarize(runScenario(base()).log).money.localities[0]!
    const f = (m: number) => Math.pow(1.035, -m / 12)
    let inv = 600_000 * f(2)
    for (let m = 3; m <= 7; m++) inv += 100_000 * f(m)
    const sav = SAVINGS_BY_PERIOD.reduce((s, v, m) => s + v * f(m), 0)
    expect(kent.present_values.prevention_invested_pence).toBe(Math.round(inv))
    expect(kent.present_values.savings_realised_pence).toBe(Math.round(sav))
    expect(kent.present_values.npv_pence).toBe(Math.round(sav) - Math.round(inv))
    // Worked out separately (a calculator, not this code): 1,089,457.91 and 1,158,717.14.
    expect(kent.present_values.prevention_invested_pence).toBe(1_089_458)
    expect(kent.present_values.savings_realised_pence).toBe(1_158_717)
    expect(kent.present_values.npv_pence).toBe(69_259)
  })
})

describe("accountability gates powers", () => {
  const gated = base({
    powers: [
      { id: "skills", name: "Skills", agencies: [0], requiredLevel: 0 },
      { id: "health", name: "Community health commissioning", agencies: [1], requiredLevel: 2 }
    ],
    deal: { reductionBasisPoints: 500, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [0, 1] },
    localities: [{ ...base().localities[0]!, accountability: { level: 0, elections: [2, 10, 22], adopts: 2 } }]
  })

  it("given a leader-and-cabinet locality that will elect a mayor, when the deal lands at 3, skills go live at once and health at the election in period 10", () => {
    const { log } = runScenario(gated)
    const seen = log.controls
      .filter((e) => e._tag === "PowerDevolved" || e._tag === "AccountabilityAdopted")
      .map((e) => (e._tag === "PowerDevolved" ? [e._tag, e.t, e.power, e.fromPeriod] : [e._tag, e.t, e.model]))
    expect(seen).toEqual([
      ["PowerDevolved", 3, "skills", 3],
      ["AccountabilityAdopted", 10, "elected_mayor"],
      ["PowerDevolved", 10, "health", 10]
    ])
    const kent = summarize(log).money.localities[0]!
    // NHS pooled only for periods 10..23: 14 × 100,000; council for 3..23: 21 × 50,000.
    expect(kent.spb_reduction_pence).toBe(14 * 100_000 + 21 * 50_000)
    // Savings in periods 5..9 land with the NHS's department (silo), from 10 in the pool.
    const silo = SAVINGS_BY_PERIOD.slice(5, 10).reduce((a, b) => a + b, 0)
    expect(kent.savings_on_pooled_lines_pence).toBe(TOTAL_SAVINGS - silo)
  })

  it("without an election to adopt a mayor, the health power never goes live", () => {
    const none = { ...gated, localities: [{ ...gated.localities[0]!, accountability: { level: 0, elections: [], adopts: 2 } }] }
    const { log } = runScenario(none)
    expect(log.controls.filter((e) => e._tag === "PowerDevolved").map((e) => e._tag === "PowerDevolved" && e.power)).toEqual(["skills"])
    expect(summarize(log).money.localities[0]!.savings_on_pooled_lines_pence).toBe(0)
  })
})

describe("transfers and spending reviews", () => {
  it("given the NHS funds £12,000 a year of the council's line for 6 months, the council's department pays that much less", () => {
    const sc = base({
      programmes: [],
      deal: { ...base().deal, pooledAgencies: [] },
      transfers: [{ id: "nhs-care", locality: 0, from: 1, to: 0, annualPence: 1_200_000, starts: 0, months: 6 }]
    })
    const { log } = runScenario(sc)
    const kent = summarize(log).money.localities[0]!
    expect(kent.agencies.map((a) => [a.agency, a.baseline_pence, a.actual_pence, a.transfers_in_pence, a.transfers_out_pence])).toEqual([
      ["council", 24_000_000, 24_000_000, 600_000, 0],
      ["nhs", 48_000_000, 48_000_000, 0, 600_000]
    ])
    const envelopes = []
    const p = log.postings
    for (let i = 0; i < p.length; i++) if (p.from[i] === TREASURY && p.t[i] === 0) envelopes.push(p.amount[i])
    expect(envelopes).toEqual([12_000_000 - 600_000, 24_000_000 + 600_000])
  })

  it("a review cutting the council 10% from period 18 splits the envelope at 18 and lowers the baseline", () => {
    const sc = base({
      programmes: [],
      spendingReviews: [{ id: "sr", starts: 18, months: 12, changeBasisPoints: [-1000, 0], persists: true, phasing: "flat" }]
    })
    const { log } = runScenario(sc)
    const blocks = log.controls.filter((e) => e._tag === "EnvelopesSettled").map((e) => [e.fromPeriod, e.toPeriod])
    expect(blocks).toEqual([
      [0, 12],
      [12, 18],
      [18, 24]
    ])
    expect(summarize(log).money.localities[0]!.agencies[0]!.baseline_pence).toBe(18 * 1_000_000 + 6 * 900_000)
  })
})

describe("spending reviews compound, persist and phase", () => {
  // The council line spends £120,000 a year: 1,000,000p a month (the run starts in April).
  const council = (reviews: Scenario["spendingReviews"]) => {
    const sc = base({ programmes: [], spendingReviews: reviews })
    const plans = new Plans(sc)
    return Array.from({ length: sc.months }, (_, m) => plans.baseline(0, 0, m))
  }
  it("given two reviews in force on one line, they compound: 10% off then 10% off is 810,000p, not 800,000p", () => {
    const b = council([
      { id: "a", starts: 6, months: 12, changeBasisPoints: [-1000, 0], persists: false, phasing: "flat" },
      { id: "b", starts: 12, months: 6, changeBasisPoints: [-1000, 0], persists: false, phasing: "flat" }
    ])
    expect([b[5], b[6], b[12], b[17], b[18]]).toEqual([1_000_000, 900_000, 810_000, 810_000, 1_000_000])
  })
  it("given a review that persists (the default), its change stays after its window as the new baseline", () => {
    const b = council([{ id: "a", starts: 6, months: 6, changeBasisPoints: [-1090, 0], persists: true, phasing: "flat" }])
    // −10.9% of 1,000,000p = −109,000p, in the window and after it.
    expect([b[5], b[6], b[11], b[12], b[23]]).toEqual([1_000_000, 891_000, 891_000, 891_000, 891_000])
  })
  it("given phasing even over a window of two financial years, it takes half the change in the first and all of it in the second", () => {
    const b = council([{ id: "a", starts: 0, months: 24, changeBasisPoints: [-1290, 0], persists: true, phasing: "even" }])
    // Year 1: −6.45% → 935,500p; year 2: −12.9% → 871,000p.
    expect([b[0], b[11], b[12], b[23]]).toEqual([935_500, 935_500, 871_000, 871_000])
  })
  it("given a run starting in January, a year is the financial year from 1 April: the trend applies from April, and twelfths follow the financial year", () => {
    const sc = base({ programmes: [], start: { year: 2010, month: 1 }, agencies: [{ id: "council", name: "Council", trendBasisPoints: 1000 }, { id: "nhs", name: "NHS", trendBasisPoints: 0 }] })
    const plans = new Plans(sc)
    // Jan–Mar 2010 are the end of FY 2009-10 (year 0): 1,000,000p a month; April 2010 starts year 1: +10%.
    expect([0, 1, 2, 3, 14, 15].map((m) => plans.baseline(0, 0, m))).toEqual([1_000_000, 1_000_000, 1_000_000, 1_100_000, 1_100_000, 1_210_000])
  })

  it("given an annual amount that does not divide by twelve, the extra pence fall in the financial year's first months (April first)", () => {
    const sc = base({ programmes: [], start: { year: 2010, month: 1 }, localities: base().localities.map((l) => ({ ...l, baseline: [12_000_005, 0] })) })
    const plans = new Plans(sc)
    // 12,000,005p: 1,000,000p a month, and one more in April–August (months 0–4 of the financial year).
    expect([0, 2, 3, 7, 8].map((m) => plans.baseline(0, 0, m))).toEqual([1_000_000, 1_000_000, 1_000_001, 1_000_001, 1_000_000])
  })

  it("rounds a percentage of money half away from zero: a 10.9% cut of 5p is −1p (0.545p)", () => {
    expect(shareOf(5, -1090)).toBe(-1)
    expect(shareOf(5, 1090)).toBe(1)
    expect(shareOf(-15, 1000)).toBe(-2)
  })
})

describe("money by period", () => {
  it("sums to the totals, period by period", () => {
    const money = summarize(runScenario(base()).log).money
    const total = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0)
    expect(money.by_period.savings_realised_pence).toEqual(SAVINGS_BY_PERIOD)
    expect(total(money.by_period.baseline_pence)).toBe(money.baseline_pence)
    expect(total(money.by_period.actual_pence)).toBe(money.actual_pence)
    expect(total(money.by_period.prevention_invested_pence)).toBe(1_100_000)
    expect(money.by_period.spb_reduction_pence.slice(2, 4)).toEqual([0, 150_000])
  })
})
