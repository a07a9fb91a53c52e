/**
 * The format's optional extensions (still version 1): discount rate, the powers menu, gainshare,
 * accountability, prevention programmes, transfers and spending reviews.
 */
import { describe, expect, it } from "vitest"
import { compileScenarioText, formatScenarioError, scenarioJsonSchema, type ScenarioError } from "../src/index.ts"

const FULL = `version: 1
name: Powers, programmes and reviews
start: 2010-04
months: 60
seed: 1
discount_rate_pct: 3.5
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
  - { id: nhs, name: NHS }
  - { id: skills, name: Skills Funding Agency }
  - { id: police, name: Police }
powers:
  - id: skills
    name: Adult skills budget
    agencies: [skills]
    accountability: leader_cabinet
  - id: health
    name: Health and care
    agencies: [nhs, council]
    accountability: governor
deal:
  reduction_pct: 5
  horizon_months: 36
  gainshare_pct: 50
  powers: [health, skills]
localities:
  - id: Kent
    name: Kent
    population: 1500000
    tranche: t1
    negotiation: { months: 6 }
    baseline: { council: 1bn, nhs: 2bn }
  - id: Greater Manchester
    name: Greater Manchester
    population: 2700000
    tranche: t1
    negotiation: { months: 9 }
    accountability:
      model: combined_authority
      elections: [2012-05, 73]
      adopts: elected_mayor
programmes:
  - id: early-years
    locality: all
    payer: council
    starts: 2011-04
    duration_months: 36
    investment: { upfront: 2m, monthly: 150k }
    cohort: 5000
    effects:
      - beneficiary: nhs
        service: A&E attendances
        unit_cost: { amount: 1500, per: event }
        baseline_demand: 0.8
        reduction_pct: 20
        lag_months: 6
        ramp_months: 12
        decay_pct_per_year: 25
        deadweight_pct: 10
        optimism_bias_pct: 15
      - beneficiary: police
        service: Call-outs
        unit_cost: { amount: "£12.34", per: year }
        baseline_demand: 0
        reduction_pct: 100
        lag_months: 0
        ramp_months: 0
  - id: troubled-families
    locality: Greater Manchester
    payer: council
    starts: 3
    duration_months: 1
    cohort: 0.5
    effects:
      - { beneficiary: police, service: Arrests, unit_cost: { amount: 0.005, per: event }, baseline_demand: 2, reduction_pct: 0.5, lag_months: 56, ramp_months: 0 }
transfers:
  - { id: nhs-funds-care, locality: Kent, from: nhs, to: council, amount: 5m, starts: 2011-04, months: 24 }
spending_reviews:
  - id: sr2010
    starts: 2011-04
    months: 48
    changes: { council: -10.9, police: -5 }
`

const compileOk = (text: string) => {
  const r = compileScenarioText(text, "full.yaml")
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`)
  return r.value.scenario
}

const compileErr = (text: string, file = "scenarios/x.yaml"): ScenarioError => {
  const r = compileScenarioText(text, file)
  if (r.ok) throw new Error("expected an error")
  return r.error
}

/** Applies "old|new" replacements to `base`. */
const editOf =
  (base: string) =>
  (...edits: Array<string>): string =>
    edits.reduce((t, e) => {
      const [a, b] = e.split("|") as [string, string]
      if (!t.includes(a)) throw new Error(`edit does not apply: ${a}`)
      return t.replace(a, b)
    }, base)
const edit = editOf(FULL)

describe("the extended format compiles to exact core values", () => {
  it("every new key", () => {
    const s = compileOk(FULL)
    expect(s.discountRateBasisPoints).toBe(350)
    expect(s.powers).toEqual([
      { id: "skills", name: "Adult skills budget", agencies: [2], requiredLevel: 0 },
      { id: "health", name: "Health and care", agencies: [1, 0], requiredLevel: 2 }
    ])
    // With a powers menu the deal pools through its powers; pooledAgencies stays empty.
    expect(s.deal).toEqual({ reductionBasisPoints: 500, pooledAgencies: [], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [1, 0] })
    expect(s.localities.map((l) => l.accountability)).toEqual([
      { level: 0, elections: [], adopts: -1 },
      { level: 1, elections: [25, 73], adopts: 2 }
    ])
    const earlyYears = {
      payer: 0,
      starts: 12,
      durationMonths: 36,
      upfrontPence: 200000000,
      monthlyPence: 15000000,
      cohort: 5000,
      effects: [
        {
          beneficiary: 1,
          service: "A&E attendances",
          unitCostPence: 150000,
          per: "event",
          demandPerMemberPerYear: 0.8,
          reduction: 0.2,
          lagMonths: 6,
          rampMonths: 12,
          decayPerYear: 0.25,
          deadweight: 0.1,
          optimismBias: 0.15
        },
        {
          beneficiary: 3,
          service: "Call-outs",
          unitCostPence: 1234,
          per: "year",
          demandPerMemberPerYear: 0,
          reduction: 1,
          lagMonths: 0,
          rampMonths: 0,
          decayPerYear: 0,
          deadweight: 0,
          optimismBias: 0
        }
      ]
    }
    expect(s.programmes).toEqual([
      { id: "early-years@Kent", locality: 0, ...earlyYears },
      { id: "early-years@Greater Manchester", locality: 1, ...earlyYears },
      {
        id: "troubled-families",
        locality: 1,
        payer: 0,
        starts: 3,
        durationMonths: 1,
        upfrontPence: 0,
        monthlyPence: 0,
        cohort: 0.5,
        effects: [
          {
            beneficiary: 3,
            service: "Arrests",
            unitCostPence: 1, // half a penny rounds up to the penny
            per: "event",
            demandPerMemberPerYear: 2,
            reduction: 0.005,
            lagMonths: 56,
            rampMonths: 0,
            decayPerYear: 0,
            deadweight: 0,
            optimismBias: 0
          }
        ]
      }
    ])
    expect(s.transfers).toEqual([{ id: "nhs-funds-care", locality: 0, from: 1, to: 0, annualPence: 500000000, starts: 12, months: 24 }])
    expect(s.spendingReviews).toEqual([{ id: "sr2010", starts: 12, months: 48, changeBasisPoints: [-1090, 0, 0, -500], persists: true, phasing: "flat" }])
  })

  it("defaults: no discount rate, no deal powers, no gainshare, adopts none", () => {
    const s = compileOk(
      edit(
        "discount_rate_pct: 3.5\n|",
        "  gainshare_pct: 50\n  powers: [health, skills]\n|",
        "      adopts: elected_mayor\n|"
      )
    )
    expect(s.discountRateBasisPoints).toBe(350)
    expect(s.deal.powers).toEqual([0, 1]) // every power on the menu, in menu order
    expect(s.deal.gainshareBasisPoints).toBe(10000)
    expect(s.localities[1]!.accountability).toEqual({ level: 1, elections: [25, 73], adopts: -1 })
  })

  it("sheriff and commissioner are elected_mayor; adopts none; empty pooled_agencies with a menu; discount 0", () => {
    const s = compileOk(
      edit(
        "discount_rate_pct: 3.5|discount_rate_pct: 0",
        "accountability: leader_cabinet|accountability: sheriff",
        "  reduction_pct: 5\n|  reduction_pct: 5\n  pooled_agencies: []\n",
        "adopts: elected_mayor|adopts: none",
        "model: combined_authority|model: commissioner"
      )
    )
    expect(s.discountRateBasisPoints).toBe(0)
    expect(s.powers.map((p) => p.requiredLevel)).toEqual([2, 2])
    expect(s.localities[1]!.accountability).toEqual({ level: 2, elections: [25, 73], adopts: -1 })
  })

  it("JSON works too, and an empty spending review changes nothing", () => {
    const json = JSON.stringify({
      version: 1,
      name: "j",
      start: "2010-04",
      months: 12,
      seed: 1,
      centre: { capacity: 1 },
      tranches: [{ id: "t1", opens: 0 }],
      agencies: [{ id: "a", name: "A" }],
      localities: [{ id: "L", name: "L", population: 1, tranche: "t1", negotiation: { months: 1 } }],
      spending_reviews: [{ id: "flat", starts: 0, months: 12, changes: {} }],
      discount_rate_pct: 1.5
    })
    const r = compileScenarioText(json, "j.json")
    expect(r.ok && r.value.scenario.spendingReviews).toEqual([{ id: "flat", starts: 0, months: 12, changeBasisPoints: [0], persists: true, phasing: "flat" }])
    expect(r.ok && r.value.scenario.discountRateBasisPoints).toBe(150)
  })

  it("the JSON Schema describes the new keys", () => {
    const schema = scenarioJsonSchema()
    const text = JSON.stringify(schema)
    const props = schema["properties"] as Record<string, unknown>
    for (const k of ["discount_rate_pct", "powers", "programmes", "transfers", "spending_reviews"]) expect(props).toHaveProperty(k)
    for (const k of ["gainshare_pct", "accountability", "adopts", "elections", "unit_cost", "deadweight_pct", "optimism_bias_pct", "decay_pct_per_year", "changes"]) {
      expect(text).toContain(`"${k}"`)
    }
    for (const m of ["leader_cabinet", "combined_authority", "elected_mayor", "governor", "sheriff", "commissioner"]) expect(text).toContain(`"${m}"`)
    expect(schema["required"]).not.toContain("powers")
  })
})

interface BadCase {
  readonly name: string
  readonly text: string
  readonly path: string
  readonly at: string
  readonly expected: RegExp
  readonly found: string | RegExp
}

const bad: Array<BadCase> = [
  { name: "unknown payer", text: edit("payer: council\n    starts: 2011-04|payer: fire\n    starts: 2011-04"), path: "programmes[0].payer", at: "48:12", expected: /one of the agency ids \("council", "nhs", "skills", "police"\)/, found: '"fire"' },
  { name: "unknown beneficiary", text: edit("beneficiary: nhs|beneficiary: dwp"), path: "programmes[0].effects[0].beneficiary", at: "54:22", expected: /one of the agency ids/, found: '"dwp"' },
  { name: "unknown power agency", text: edit("agencies: [nhs, council]|agencies: [nhs, dwp]"), path: "powers[1].agencies[1]", at: "22:21", expected: /one of the agency ids/, found: '"dwp"' },
  { name: "a power with no agencies", text: edit("agencies: [skills]|agencies: []"), path: "powers[0].agencies", at: "18:15", expected: /non-empty list of agency ids/, found: "[]" },
  { name: "two powers pooling one agency", text: edit("agencies: [nhs, council]|agencies: [nhs, skills]"), path: "powers[1].agencies[1]", at: "22:21", expected: /no other power pools \(powers\[0\] pools it\)/, found: '"skills"' },
  { name: "unknown transfer from", text: edit("from: nhs|from: dwp"), path: "transfers[0].from", at: "80:49", expected: /one of the agency ids/, found: '"dwp"' },
  { name: "unknown transfer to", text: edit("to: council, amount|to: dwp, amount"), path: "transfers[0].to", at: "80:58", expected: /one of the agency ids/, found: '"dwp"' },
  { name: "unknown agency in review changes", text: edit("police: -5 }|fire: -5 }"), path: 'spending_reviews[0].changes.fire', at: "85:32", expected: /one of the agency ids/, found: 'an unknown agency "fire"' },
  { name: "review change of -100%", text: edit("police: -5 }|police: -100 }"), path: "spending_reviews[0].changes.police", at: "85:40", expected: /^a percentage change > -100 and <= 100, to at most two decimals/, found: "-100" },
  { name: "unknown programme locality", text: edit("locality: Greater Manchester\n    payer|locality: Greater London\n    payer"), path: "programmes[1].locality", at: "72:15", expected: /one of the locality ids \("Kent", "Greater Manchester"\) or "all"/, found: '"Greater London"' },
  { name: "unknown transfer locality", text: edit("locality: Kent, from|locality: Surrey, from"), path: "transfers[0].locality", at: "80:37", expected: /^one of the locality ids \("Kent", "Greater Manchester"\)$/, found: '"Surrey"' },
  { name: "unknown power in deal.powers", text: edit("powers: [health, skills]|powers: [health, transport]"), path: "deal.powers[1]", at: "28:20", expected: /one of the power ids \("skills", "health"\)/, found: '"transport"' },
  { name: "a deal power twice", text: edit("powers: [health, skills]|powers: [health, health]"), path: "deal.powers[1]", at: "28:20", expected: /each power listed once/, found: '"health" again' },
  { name: "negative unit cost", text: edit("amount: 1500|amount: -1500"), path: "programmes[0].effects[0].unit_cost.amount", at: "56:30", expected: /amount of pounds >= 0/, found: "-1500" },
  { name: "zero unit cost", text: edit("amount: 1500|amount: 0"), path: "programmes[0].effects[0].unit_cost.amount", at: "56:30", expected: /amount of pounds > 0/, found: "0" },
  { name: "negative investment", text: edit("upfront: 2m|upfront: -2"), path: "programmes[0].investment.upfront", at: "51:28", expected: /amount of pounds >= 0/, found: "-2" },
  { name: "negative investment as text", text: edit("monthly: 150k|monthly: -150k"), path: "programmes[0].investment.monthly", at: "51:41", expected: /amount of pounds >= 0/, found: '"-150k"' },
  { name: "reduction over 100%", text: edit("reduction_pct: 20|reduction_pct: 120"), path: "programmes[0].effects[0].reduction_pct", at: "58:24", expected: /^a percentage > 0 and <= 100$/, found: "120" },
  { name: "reduction 0%", text: edit("reduction_pct: 20|reduction_pct: 0"), path: "programmes[0].effects[0].reduction_pct", at: "58:24", expected: /^a percentage > 0 and <= 100$/, found: "0" },
  { name: "deadweight 100%", text: edit("deadweight_pct: 10|deadweight_pct: 100"), path: "programmes[0].effects[0].deadweight_pct", at: "62:25", expected: /^a percentage in \[0, 100\)$/, found: "100" },
  { name: "optimism bias 100%", text: edit("optimism_bias_pct: 15|optimism_bias_pct: 100"), path: "programmes[0].effects[0].optimism_bias_pct", at: "63:28", expected: /^a percentage in \[0, 100\)$/, found: "100" },
  { name: "lag beyond the horizon", text: edit("lag_months: 56|lag_months: 57"), path: "programmes[1].effects[0].lag_months", at: "78:144", expected: /lag that ends inside the run \(starts 3 \+ lag < 60 months; lag at most 56\)/, found: "57" },
  { name: "fractional lag", text: edit("lag_months: 6|lag_months: 6.5"), path: "programmes[0].effects[0].lag_months", at: "59:21", expected: /whole number of months >= 0/, found: "6.5" },
  { name: "programme starts not a whole month", text: edit("starts: 3|starts: 3.5"), path: "programmes[1].starts", at: "74:13", expected: /whole number of months since start/, found: "3.5" },
  { name: "programme starts at the end of the run", text: edit("starts: 3|starts: 60"), path: "programmes[1].starts", at: "74:13", expected: /a month before the end of the run \(months 0\.\.59/, found: "60" },
  { name: "programme starts before start", text: edit("    starts: 2011-04\n    duration|    starts: 2009-04\n    duration"), path: "programmes[0].starts", at: "49:13", expected: /not before the start 2010-04/, found: '"2009-04"' },
  { name: "programme duration 0", text: edit("duration_months: 1|duration_months: 0"), path: "programmes[1].duration_months", at: "75:22", expected: /^an integer >= 1 \(at most 120,000\)$/, found: "0" },
  { name: "programme with no effects", text: FULL.replace(/    effects:\n      - \{ beneficiary: police, service: Arrests.*\n/u, "    effects: []\n"), path: "programmes[1].effects", at: "77:14", expected: /non-empty list of effects/, found: "[]" },
  { name: "cohort 0", text: edit("cohort: 5000|cohort: 0"), path: "programmes[0].cohort", at: "52:13", expected: /^a cohort > 0$/, found: "0" },
  { name: "unit cost per month", text: edit("per: event }\n        baseline_demand: 0.8|per: month }\n        baseline_demand: 0.8"), path: "programmes[0].effects[0].unit_cost.per", at: "56:41", expected: /one of "event", "year"/, found: '"month"' },
  { name: "duplicate programme id", text: edit("id: troubled-families|id: early-years"), path: "programmes[1].id", at: "71:9", expected: /programmes\[0\] already has it/, found: '"early-years"' },
  { name: "programme id colliding with an expansion", text: edit("id: troubled-families|id: early-years@Kent"), path: "programmes[1].id", at: "71:9", expected: /programmes\[0\] already has "early-years@Kent"/, found: '"early-years@Kent"' },
  { name: "duplicate transfer id", text: edit("months: 24 }\n|months: 24 }\n  - { id: nhs-funds-care, locality: Kent, from: council, to: nhs, amount: 1m, starts: 0, months: 1 }\n"), path: "transfers[1].id", at: "81:11", expected: /transfers\[0\] already has it/, found: '"nhs-funds-care"' },
  { name: "duplicate review id", text: edit("police: -5 }\n|police: -5 }\n  - { id: sr2010, starts: 0, months: 1, changes: {} }\n"), path: "spending_reviews[1].id", at: "86:11", expected: /spending_reviews\[0\] already has it/, found: '"sr2010"' },
  { name: "duplicate power id", text: edit("  - id: health|  - id: skills"), path: "powers[1].id", at: "20:9", expected: /powers\[0\] already has it/, found: '"skills"' },
  { name: "transfer from == to", text: edit("to: council, amount|to: nhs, amount"), path: "transfers[0].to", at: "80:58", expected: /an agency other than the payer "nhs"/, found: '"nhs"' },
  { name: "transfer amount 0", text: edit("amount: 5m|amount: 0"), path: "transfers[0].amount", at: "80:75", expected: /amount of pounds > 0/, found: "0" },
  { name: "transfer starting after the run", text: edit("starts: 2011-04, months: 24|starts: 2015-04, months: 24"), path: "transfers[0].starts", at: "80:87", expected: /a month before the end of the run/, found: '"2015-04"' },
  { name: "review months 0", text: edit("months: 48|months: 0"), path: "spending_reviews[0].months", at: "84:13", expected: /^an integer >= 1 \(at most 120,000\)$/, found: "0" },
  { name: "elections not ascending", text: edit("elections: [2012-05, 73]|elections: [2012-05, 25]"), path: "localities[1].accountability.elections[1]", at: "43:28", expected: /after the one before it .*month 25/, found: "25" },
  { name: "election before start", text: edit("elections: [2012-05, 73]|elections: [2009-05, 73]"), path: "localities[1].accountability.elections[0]", at: "43:19", expected: /not before the start 2010-04/, found: '"2009-05"' },
  { name: "adopts not above model", text: edit("adopts: elected_mayor|adopts: combined_authority"), path: "localities[1].accountability.adopts", at: "44:15", expected: /a model above the locality's model combined_authority \(elected_mayor\)/, found: '"combined_authority"' },
  { name: "adopts below model", text: edit("adopts: elected_mayor|adopts: leader_cabinet"), path: "localities[1].accountability.adopts", at: "44:15", expected: /above the locality's model/, found: '"leader_cabinet"' },
  { name: "pooled_agencies with a powers menu", text: edit("  reduction_pct: 5\n|  reduction_pct: 5\n  pooled_agencies: [council]\n"), path: "deal.pooled_agencies", at: "26:20", expected: /with a powers menu, pooled agencies come from deal\.powers/, found: 'pooled agencies ["council"]' },
  { name: "unknown accountability model of a power", text: edit("accountability: governor|accountability: king"), path: "powers[1].accountability", at: "23:21", expected: /one of the accountability models leader_cabinet, combined_authority, elected_mayor/, found: '"king"' },
  { name: "unknown accountability model of a locality", text: edit("model: combined_authority|model: parish_council"), path: "localities[1].accountability.model", at: "42:14", expected: /one of the accountability models/, found: '"parish_council"' },
  { name: "unknown adopted model", text: edit("adopts: elected_mayor|adopts: monarch"), path: "localities[1].accountability.adopts", at: "44:15", expected: /"none" or one of the accountability models/, found: '"monarch"' },
  { name: "gainshare over 100%", text: edit("gainshare_pct: 50|gainshare_pct: 101"), path: "deal.gainshare_pct", at: "27:18", expected: /^a percentage in \[0, 100\], to at most two decimals/, found: "101" },
  { name: "a reduction to three decimals is refused, not rounded", text: edit("gainshare_pct: 50|gainshare_pct: 12.345"), path: "deal.gainshare_pct", at: "27:18", expected: /held exactly as basis points, 0\.01%/, found: "12.345" },
  { name: "discount rate 100%", text: edit("discount_rate_pct: 3.5|discount_rate_pct: 100"), path: "discount_rate_pct", at: "6:20", expected: /^a percentage in \[0, 100\), to at most two decimals/, found: "100" },
  { name: "unknown key in an effect", text: edit("ramp_months: 12|ramp_months: 12\n        ramp_up: 3"), path: "programmes[0].effects[0].ramp_up", at: "61:9", expected: /only the keys beneficiary, service/, found: 'an unknown key "ramp_up"' }
]

describe("bad extensions get one clear error", () => {
  for (const c of bad) {
    it(c.name, () => {
      const e = compileErr(c.text)
      expect(e.path).toBe(c.path)
      expect(`${e.line}:${e.column}`).toBe(c.at)
      expect(e.expected).toMatch(c.expected)
      if (typeof c.found === "string") expect(e.found).toBe(c.found)
      else expect(e.found).toMatch(c.found)
      expect(e.message).toBe(formatScenarioError(e))
      expect(e.message.startsWith(`scenarios/x.yaml:${c.at}: ${c.path}: expected `)).toBe(true)
    })
  }

  it("deal.powers without a menu", () => {
    const noMenu = edit("powers:\n  - id: skills|unused:\n  - id: skills").replace(/unused:\n(?:  - [\s\S]*?)deal:/u, "deal:")
    const e = compileErr(noMenu)
    expect(e.path).toBe("deal.powers")
    expect(`${e.line}:${e.column}`).toBe("19:11")
    expect(e.expected).toMatch(/no powers menu/)
    // An empty list is the same as no key.
    expect(compileOk(noMenu.replace("powers: [health, skills]", "powers: []")).deal.powers).toEqual([])
  })

  it("pooled_agencies still work without a menu", () => {
    const noMenu = edit("powers:\n  - id: skills|unused:\n  - id: skills", "  reduction_pct: 5\n|  reduction_pct: 5\n  pooled_agencies: [nhs]\n")
      .replace(/unused:\n(?:  - [\s\S]*?)deal:/u, "deal:")
      .replace("  powers: [health, skills]\n", "")
    const s = compileOk(noMenu)
    expect(s.powers).toEqual([])
    expect(s.deal).toEqual({ reductionBasisPoints: 500, pooledAgencies: [1], horizonMonths: 36, gainshareBasisPoints: 5000, powers: [] })
  })
})
