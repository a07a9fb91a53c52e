/**
 * The scenario file's tiers, budgets passed down, personal budgets, agreed outcomes, the fixed
 * cash envelope and running costs: compiled into core's types (`Scenario.tiers`, `passDowns`,
 * `personalBudgets`, `runningCosts`, `LocalityDealTerms.outcomes/envelope`, `DealTerms.envelope`,
 * `ProgrammeEffect.outcome`), their errors located, and files without them compiled as before.
 */
import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parse as parseYamlText } from "yaml"
import { shareOfFraction, type Scenario } from "@devosim/core"
import {
  compileScenarioText,
  compileScenarioVariantsText,
  compileScenarioWithSettings,
  parseSetting,
  scenarioJsonSchema,
  type ScenarioError,
  type Setting
} from "../src/index.ts"
import { fastDecode } from "../src/fast.ts"
import { compileFile } from "../src/compile.ts"
import type { ScenarioFile } from "../src/schema.ts"
import { MAX_PASS_DOWNS, MAX_TIERS } from "../src/limits.ts"

const HEAD = `version: 1
name: Tiers
start: 2010-04
months: 120
seed: 1
centre: { capacity: 2 }
tranches: [{ id: t1, opens: 0 }]
agencies:
  - { id: council, name: Council }
  - { id: nhs, name: NHS }
`

const BIRMINGHAM = `  - id: Birmingham
    name: Birmingham
    population: 1000000
    tranche: t1
    negotiation: { months: 6 }
    baseline: { council: 3.1bn, nhs: 1.2bn }
`

/** A file with every new field (the brief's example, filled in). */
const FULL = `${HEAD}running_costs:
  centre: { monthly: 1.5m, per_negotiation_month: 80k }
  mayoral_office: { monthly: 250k }
deal:
  reduction_pct: 2
  horizon_months: 36
  envelope: fixed_cash
powers:
  - { id: housing, name: Housing, agencies: [council], accountability: leader_cabinet, to_level: ward }
  - { id: health, name: Health, agencies: [nhs], accountability: leader_cabinet }
localities:
${BIRMINGHAM}    tiers:
      - id: Ladywood
        name: Ladywood constituency
        level: constituency
        population: 110000
        share_pct: 10
        baseline: { council: 300m }
        tiers:
          - { id: Aston, name: Aston ward, level: ward, population: 30000 }
          - { id: Nechells, name: Nechells ward, level: ward, population: 40000, share_pct: 50 }
      - id: Edgbaston
        name: Edgbaston constituency
        level: constituency
        population: 100000
    pass_down:
      - { id: ward-budgets, agency: council, share_pct: 2, to: { level: ward }, split_by: baseline, starts: 2016-04, months: 36 }
      - { id: fixed, agency: nhs, amount: 5m, to: [Ladywood, Ladywood/Aston] }
    personal_budgets:
      - id: direct-payments
        agency: council
        share_pct: 20
        starts: 2012-04
        take_up: { initial_pct: 25, ramp_months: 36 }
        cost_change_pct: -10
    deal:
      envelope: share_of_demand
      outcomes:
        - { id: emergency-admissions, name: Emergency admissions, baseline: 12000, target: 10800, by: 2014-03, payment: 500 }
        - { id: delayed, name: Delayed discharges, baseline: 300, target: 200 }
  - id: Solihull
    name: Solihull
    population: 200000
    tranche: t1
    negotiation: { months: 6 }
    baseline: { council: 400m }
    deal: { powers: [health] }
    tiers:
      - { id: Shirley, name: Shirley, level: ward, population: 20000 }
programmes:
  - id: reablement
    locality: Birmingham
    payer: council
    starts: 2011-04
    duration_months: 12
    cohort: 100
    effects:
      - { beneficiary: nhs, service: Admissions, unit_cost: { amount: 1500, per: event }, baseline_demand: 0.5, reduction_pct: 20, lag_months: 0, ramp_months: 0, outcome: emergency-admissions }
`

const compileOk = (text: string, file = "t.yaml"): Scenario => {
  const r = compileScenarioText(text, file)
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`)
  return r.value.scenario
}

const compileErr = (text: string, file = "t.yaml"): ScenarioError => {
  const r = compileScenarioText(text, file)
  if (r.ok) throw new Error("expected an error")
  return r.error
}

const BN31 = 310_000_000_000 // £3.1bn in pence
const BN12 = 120_000_000_000

describe("tiers", () => {
  const sc = compileOk(FULL)

  it("are listed depth-first, a parent before its children, with paths, parents and localities", () => {
    expect(sc.tiers!.map((t) => [t.id, t.parent, t.locality, t.level])).toEqual([
      ["Birmingham/Ladywood", -1, 0, "constituency"],
      ["Birmingham/Ladywood/Aston", 0, 0, "ward"],
      ["Birmingham/Ladywood/Nechells", 0, 0, "ward"],
      ["Birmingham/Edgbaston", -1, 0, "constituency"],
      ["Solihull/Shirley", -1, 1, "ward"]
    ])
    expect(sc.tiers![0]!.name).toBe("Ladywood constituency")
    expect(sc.tiers![0]!.population).toBe(110000)
  })

  it("take an explicit line, else share_pct of the parent's, else the population's share", () => {
    const [ladywood, aston, nechells, edgbaston, shirley] = sc.tiers!
    // Ladywood: council explicit £300m; nhs 10% of Birmingham's £1.2bn.
    expect(ladywood!.baseline).toEqual([30_000_000_000, 12_000_000_000])
    // Aston: 30,000 of Ladywood's 110,000 people.
    expect(aston!.baseline).toEqual([shareOfFraction(30_000_000_000, 30000, 110000), shareOfFraction(12_000_000_000, 30000, 110000)])
    expect(aston!.baseline[0]).toBe(8_181_818_182)
    // Nechells: 50% of Ladywood's lines.
    expect(nechells!.baseline).toEqual([15_000_000_000, 6_000_000_000])
    // Edgbaston: 100,000 of Birmingham's 1,000,000.
    expect(edgbaston!.baseline).toEqual([BN31 / 10, BN12 / 10])
    // Shirley: 20,000 of Solihull's 200,000; Solihull has no nhs line.
    expect(shirley!.baseline).toEqual([4_000_000_000, 0])
  })

  it("of a parent with no population take nothing by default", () => {
    const text = FULL.replace("    population: 1000000\n", "    population: 0\n").replace("population: 110000", "population: 0").replace("population: 100000", "population: 0")
      .replace("population: 30000 }", "population: 0 }").replace("population: 40000,", "population: 0,")
    const t = compileOk(text).tiers!
    expect(t[3]!.baseline).toEqual([0, 0]) // Edgbaston: population share of a locality of 0 people
    expect(t[1]!.baseline).toEqual([0, 0]) // Aston under a Ladywood of 0 people
  })

  it("children exceeding the parent's line: located at the tier that tips it over", () => {
    const text = FULL.replace("share_pct: 50 }", "share_pct: 80 }")
    const e = compileErr(text)
    expect(e.path).toBe("localities[0].tiers[0].tiers[1].share_pct")
    expect(e.message).toBe(
      `t.yaml:${lineOf(text, "id: Nechells")}:${colOf(text, "id: Nechells", "80 }")}: localities[0].tiers[0].tiers[1].share_pct: expected tiers' baselines of "council" that sum to at most their parent's ("Birmingham/Ladywood": £300,000,000.00 a year), found £321,818,181.82 a year by the first 2 tiers`
    )
    const explicit = compileErr(FULL.replace("baseline: { council: 300m }", "baseline: { council: 3.2bn }"))
    expect(explicit.path).toBe("localities[0].tiers[0].baseline.council")
    expect(explicit.expected).toBe(`tiers' baselines of "council" that sum to at most their parent's ("Birmingham": £3,100,000,000.00 a year)`)
    expect(explicit.found).toBe("£3,200,000,000.00 a year by this tier")
  })

  it("children's populations exceeding the parent's", () => {
    const e = compileErr(FULL.replace("population: 40000,", "population: 90000,"))
    expect(e.path).toBe("localities[0].tiers[0].tiers[1].population")
    expect(e.expected).toBe(`tiers' populations that sum to at most their parent's ("Birmingham/Ladywood": 110000)`)
    expect(e.found).toBe("120000 by the first 2 tiers")
  })

  it("ids unique among siblings (the same id in another parent is fine)", () => {
    const text = FULL.replace("id: Edgbaston", "id: Ladywood")
    const e = compileErr(text)
    expect(e.path).toBe("localities[0].tiers[1].id")
    expect(e.message).toMatch(/expected a tier id not used before \(localities\[0\]\.tiers\[0\] already has it\), found "Ladywood" \(the first at \d+:\d+\)$/)
    const cousins = compileOk(FULL.replace("id: Shirley", "id: Ladywood"))
    expect(cousins.tiers![4]!.id).toBe("Solihull/Ladywood")
  })

  it("an unknown agency in a tier's baseline, at the key", () => {
    const text = FULL.replace("baseline: { council: 300m }", "baseline: { police: 300m }")
    const e = compileErr(text)
    expect(e.path).toBe("localities[0].tiers[0].baseline.police")
    expect(e.message).toBe(
      `t.yaml:${lineOf(text, "police")}:${colOf(text, "police", "police")}: localities[0].tiers[0].baseline.police: expected one of the agency ids ("council", "nhs"), found an unknown agency "police"`
    )
  })

  it("schema errors inside nested tiers are located", () => {
    const text = FULL.replace("population: 30000 }", "population: -1 }")
    const e = compileErr(text)
    expect(e.path).toBe("localities[0].tiers[0].tiers[0].population")
    expect(e.message).toContain("expected a whole number of people >= 0, found -1")
    expect(compileErr(FULL.replace("population: 30000 }", "population: 2.5 }")).message).toContain("tiers[0].population: expected a whole number of people >= 0, found 2.5")
    expect(compileErr(FULL.replace("level: constituency\n        population: 110000", "population: 110000")).message).toContain(
      `localities[0].tiers[0].level: expected a key "level" with a non-empty level name`
    )
  })

  it("at most 8 levels deep", () => {
    const nest = (depth: number): string => {
      let tiers = "[]"
      for (let d = depth; d >= 1; d--) tiers = `[{ id: d${d}, name: d, level: l${d}, population: 0, tiers: ${tiers} }]`
      return `${HEAD}localities:\n${BIRMINGHAM}    tiers: ${tiers}\n`
    }
    const e = compileErr(nest(9))
    expect(e.path).toBe(`localities[0]${".tiers[0]".repeat(8)}.tiers`)
    expect(e.expected).toBe("at most 8 levels of tiers below a locality")
    expect(e.found).toBe(`tiers 9 levels below "Birmingham"`)
    const deepest = compileOk(nest(8)).tiers!
    expect(deepest.length).toBe(8)
    expect(deepest[7]!.id).toBe("Birmingham/d1/d2/d3/d4/d5/d6/d7/d8")
    expect(deepest.map((t) => t.parent)).toEqual([-1, 0, 1, 2, 3, 4, 5, 6])
  })
})

describe("pass-downs", () => {
  const sc = compileOk(FULL)

  it("by level and by list, then the powers' to_level ones, with defaults", () => {
    expect(sc.passDowns).toEqual([
      { id: "ward-budgets", locality: 0, agency: 0, shareBasisPoints: 200, annualPence: 0, tiers: [1, 2], splitBy: "baseline", starts: 72, months: 36 },
      { id: "fixed", locality: 0, agency: 1, shareBasisPoints: 0, annualPence: 500_000_000, tiers: [0, 1], splitBy: "population", starts: 0, months: 120 },
      // Birmingham seeks every power (the deal's default: the whole menu) and has wards.
      { id: "housing@Birmingham:council", locality: 0, agency: 0, shareBasisPoints: 10000, annualPence: 0, tiers: [1, 2], splitBy: "baseline", starts: 0, months: 120 }
      // Solihull has wards but seeks only health, which has no to_level: no pass-down.
    ])
  })

  it("a power's to_level: none for a seeking locality without tiers at that level", () => {
    const text = FULL.replace("to_level: ward", "to_level: neighbourhood")
    expect(compileOk(text).passDowns!.map((p) => p.id)).toEqual(["ward-budgets", "fixed"])
    const solihull = compileOk(FULL.replace("deal: { powers: [health] }", "deal: { powers: [housing] }"))
    expect(solihull.passDowns!.map((p) => [p.id, p.tiers])).toEqual([
      ["ward-budgets", [1, 2]],
      ["fixed", [0, 1]],
      ["housing@Birmingham:council", [1, 2]],
      ["housing@Solihull:council", [4]]
    ])
  })

  it("default months run to the end of the run from starts", () => {
    const p = compileOk(FULL.replace("starts: 2016-04, months: 36", "starts: 12")).passDowns![0]!
    expect([p.starts, p.months]).toEqual([12, 108])
  })

  it("errors: unknown agency, level, tier; a tier twice; share and amount both or neither", () => {
    const cases: ReadonlyArray<[string, string, string, string]> = [
      ["agency: council, share_pct: 2", "agency: police, share_pct: 2", "localities[0].pass_down[0].agency", `expected one of the agency ids ("council", "nhs"), found "police"`],
      ["to: { level: ward }", "to: { level: parish }", "localities[0].pass_down[0].to.level", `expected one of "Birmingham"'s tier levels ("constituency", "ward"), found "parish"`],
      ["[Ladywood, Ladywood/Aston]", "[Ladywood, Ladywood/Nowhere]", "localities[0].pass_down[1].to[1]", `expected one of "Birmingham"'s tier paths ("Ladywood", "Ladywood/Aston", "Ladywood/Nechells", "Edgbaston"), found "Ladywood/Nowhere"`],
      ["[Ladywood, Ladywood/Aston]", "[Ladywood, Ladywood]", "localities[0].pass_down[1].to[1]", `expected each tier listed once, found "Ladywood" again`],
      ["amount: 5m,", "amount: 5m, share_pct: 3,", "localities[0].pass_down[1].amount", `expected either share_pct or amount, not both, found amount "5m" and share_pct 3`],
      ["amount: 5m,", "", "localities[0].pass_down[1].share_pct", `expected a key "share_pct" (a percentage of the line's pooled funding) or "amount" (pounds a year), found nothing`],
      ["amount: 5m,", "amount: 0,", "localities[0].pass_down[1].amount", "expected an amount of pounds > 0 (at least a penny, after rounding to the penny), found 0"],
      ["starts: 2016-04", "starts: 2020-04", "localities[0].pass_down[0].starts", "expected a month before the end of the run (months 0..119, 2010-04 onwards), found \"2020-04\""],
      ["share_pct: 2, to:", "share_pct: 0, to:", "localities[0].pass_down[0].share_pct", "expected a percentage > 0 and <= 100, to at most two decimals (held exactly as basis points, 0.01%), found 0"]
    ]
    for (const [from, to, path, tail] of cases) {
      const text = FULL.replace(from, to)
      expect(text).not.toBe(FULL)
      const e = compileErr(text)
      expect(e.path, to).toBe(path)
      expect(e.message, to).toMatch(new RegExp(`^t\\.yaml:\\d+:\\d+: ${escape(path)}: ${escape(tail)}$`))
    }
  })

  it("tiers of a locality without any", () => {
    const text = FULL.replace("    pass_down:\n", "    pass_down: []\n    x_pass_down:\n").replace("x_pass_down", "pass_down_unused")
    // A pass-down in Solihull naming a tier path Solihull does not have, and one in a locality without tiers.
    const noTiers = `${HEAD}localities:\n${BIRMINGHAM}    pass_down: [{ id: p, agency: council, share_pct: 1, to: { level: ward } }]\n`
    expect(compileErr(noTiers).message).toMatch(/localities\[0\]\.pass_down\[0\]\.to\.level: expected a tier level, but "Birmingham" has no tiers, found "ward"$/)
    expect(text).toContain("pass_down_unused") // (the unknown key is the schema's error)
    expect(compileErr(text).message).toMatch(/localities\[0\]\.pass_down_unused: expected only the keys .*, found an unknown key "pass_down_unused"$/)
  })

  it("ids unique in the scenario, and free for the ids to_level makes", () => {
    const dup = FULL.replace("{ id: Shirley, name: Shirley, level: ward, population: 20000 }", "{ id: Shirley, name: Shirley, level: ward, population: 20000 }\n    pass_down: [{ id: fixed, agency: council, amount: 1, to: [Shirley] }]")
    const e = compileErr(dup)
    expect(e.path).toBe("localities[1].pass_down[0].id")
    expect(e.message).toMatch(/expected a pass-down id not used before \(localities\[0\]\.pass_down\[1\] already has it\), found "fixed" \(the first at \d+:\d+\)$/)
    const clash = compileErr(FULL.replace("id: fixed,", "id: housing@Birmingham:council,"))
    expect(clash.path).toBe("localities[0].pass_down[1].id")
    expect(clash.expected).toBe(`a pass-down id other than "housing@Birmingham:council", the id of the pass-down powers[0].to_level makes for "Birmingham"'s "council" line`)
  })
})

describe("personal budgets", () => {
  it("compile with basis points, take-up and the cost change as fractions; defaults", () => {
    expect(compileOk(FULL).personalBudgets).toEqual([
      { id: "direct-payments", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 24, rampMonths: 36, initialTakeUp: 0.25, costChange: -0.1 }
    ])
    const bare = compileOk(FULL.replace(/        starts: 2012-04\n        take_up: \{[^}]*\}\n        cost_change_pct: -10\n/, ""))
    expect(bare.personalBudgets).toEqual([{ id: "direct-payments", locality: 0, agency: 0, shareBasisPoints: 2000, starts: 0, rampMonths: 0, initialTakeUp: 1, costChange: 0 }])
  })

  it("errors: range, agency, duplicate id", () => {
    expect(compileErr(FULL.replace("cost_change_pct: -10", "cost_change_pct: 5")).message).toMatch(/personal_budgets\[0\]\.cost_change_pct: expected a percentage in \[-100, 0\], found 5$/)
    expect(compileErr(FULL.replace("share_pct: 20", "share_pct: 120")).path).toBe("localities[0].personal_budgets[0].share_pct")
    expect(compileErr(FULL.replace("initial_pct: 25", "initial_pct: 101")).path).toBe("localities[0].personal_budgets[0].take_up.initial_pct")
    expect(compileErr(FULL.replace("        agency: council\n        share_pct: 20", "        agency: nope\n        share_pct: 20")).path).toBe("localities[0].personal_budgets[0].agency")
    const twice = FULL.replace("        cost_change_pct: -10\n", "        cost_change_pct: -10\n      - { id: direct-payments, agency: nhs, share_pct: 5 }\n")
    expect(compileErr(twice).message).toMatch(/localities\[0\]\.personal_budgets\[1\]\.id: expected a personal budget id not used before \(localities\[0\]\.personal_budgets\[0\] already has it\)/)
  })
})

describe("outcomes, effects that move them, the envelope", () => {
  const sc = compileOk(FULL)

  it("a locality's outcomes and envelope; the scenario's envelope", () => {
    expect(sc.deal.envelope).toBe("fixed_cash")
    expect(sc.localities[0]!.deal).toEqual({
      outcomes: [
        { id: "emergency-admissions", name: "Emergency admissions", baselinePerYear: 12000, targetPerYear: 10800, by: 47, paymentPencePerUnit: 50000 },
        { id: "delayed", name: "Delayed discharges", baselinePerYear: 300, targetPerYear: 200, by: 120, paymentPencePerUnit: 0 }
      ],
      envelope: "share_of_demand"
    })
    expect(sc.localities[1]!.deal).toEqual({ powers: [1] })
    expect(sc.programmes[0]!.effects[0]!.outcome).toBe("emergency-admissions")
  })

  it("an effect's outcome must be one its locality's deal agrees", () => {
    const text = FULL.replace("outcome: emergency-admissions", "outcome: readmissions")
    const e = compileErr(text)
    expect(e.message).toBe(
      `t.yaml:${lineOf(text, "outcome: readmissions")}:${colOf(text, "outcome: readmissions", "readmissions")}: programmes[0].effects[0].outcome: expected one of the outcome ids of "Birmingham"'s deal ("emergency-admissions", "delayed"), found "readmissions"`
    )
    const all = compileErr(FULL.replace("locality: Birmingham\n    payer", "locality: all\n    payer"))
    expect(all.path).toBe("programmes[0].effects[0].outcome")
    expect(all.expected).toBe(`an outcome id of "Solihull"'s deal, but it agrees no outcomes (localities[1].deal.outcomes) (locality "all": each locality's deal must agree it)`)
  })

  it("for locality: all, each instance checks its own locality", () => {
    const both = FULL.replace("locality: Birmingham\n    payer", "locality: all\n    payer").replace(
      "deal: { powers: [health] }",
      "deal: { powers: [health], outcomes: [{ id: emergency-admissions, name: EA, baseline: 10, target: 5 }] }"
    )
    const sc2 = compileOk(both)
    expect(sc2.programmes.map((p) => [p.id, p.effects[0]!.outcome])).toEqual([
      ["reablement@Birmingham", "emergency-admissions"],
      ["reablement@Solihull", "emergency-admissions"]
    ])
  })

  it("outcome ids unique within a locality; envelope values", () => {
    const e = compileErr(FULL.replace("id: delayed,", "id: emergency-admissions,"))
    expect(e.path).toBe("localities[0].deal.outcomes[1].id")
    expect(e.expected).toBe("an outcome id not used before (localities[0].deal.outcomes[0] already has it)")
    expect(compileErr(FULL.replace("envelope: fixed_cash", "envelope: fixed")).message).toMatch(/deal\.envelope: expected one of "share_of_demand", "fixed_cash", found "fixed"$/)
    expect(compileErr(FULL.replace("target: 200 }", "target: -1 }")).path).toBe("localities[0].deal.outcomes[1].target")
  })
})

describe("running costs", () => {
  it("compile to pence, absent parts 0", () => {
    expect(compileOk(FULL).runningCosts).toEqual({ centreMonthlyPence: 150_000_000, centrePerNegotiationMonthPence: 8_000_000, mayoralOfficeMonthlyPence: 25_000_000 })
    const part = compileOk(FULL.replace("  mayoral_office: { monthly: 250k }\n", "").replace("monthly: 1.5m, ", ""))
    expect(part.runningCosts).toEqual({ centreMonthlyPence: 0, centrePerNegotiationMonthPence: 8_000_000, mayoralOfficeMonthlyPence: 0 })
    expect(compileOk(FULL.replace(/running_costs:\n(  .*\n)+/, "running_costs: {}\n")).runningCosts).toEqual({ centreMonthlyPence: 0, centrePerNegotiationMonthPence: 0, mayoralOfficeMonthlyPence: 0 })
  })

  it("errors are located", () => {
    const text = FULL.replace("monthly: 250k", "monthly: lots")
    expect(compileErr(text).message).toMatch(new RegExp(`^t\\.yaml:${lineOf(text, "lots")}:\\d+: running_costs\\.mayoral_office\\.monthly: expected an amount of pounds >= 0`))
    expect(compileErr(FULL.replace("per_negotiation_month", "per_month")).path).toBe("running_costs.centre.per_month")
  })
})

describe("files without the new fields", () => {
  // Hashes of JSON.stringify of each compiled scenario (base and variants) of scenarios/, computed
  // from main at cfac814, before these fields existed.
  const BEFORE: Record<string, string> = {
    "early-years-city-region.yaml null": "722d56284226b4e5fe8b8cf9781056ef26f9933968e08c3d0f7ae9b9134a1010",
    "older-people-bdp.yaml null": "9c626c77f47ecd1d79bcd4f2ec1997121dd21c52e51d5b22f1d578dfa9fe86b4",
    "route-map-2010.yaml null": "5b3e7e4afc8855ebf963756c38da32cf452df7778887a6f3962db1ac6040e293",
    "route-map-rollout-options.yaml null": "be42ef7ed5e84992ec2ab8978fd1021425ee7635c472f48b7a72e101f5afd1c2",
    "route-map-rollout-options.yaml forerunners-first-capacity-4": "b2510eded4e24a64b89860d16f407aaf4a564c647610f5860b844fa629c2e760",
    "route-map-rollout-options.yaml forerunners-first-capacity-46": "00c553552251976b8ba8eb94f5d4a0779e42dfcda2ab77406426b53c4c5c5fd7",
    "route-map-rollout-options.yaml all-at-once-capacity-4": "6b8a034b5771778561e25835426dfe9b8df798c98e773158af7aaf40994eb707",
    "route-map-rollout-options.yaml all-at-once-capacity-12": "2459de183637fc42f243803d4d4ebb5aa792b861292c1739f1f347d6ca75ff4e",
    "route-map-rollout-options.yaml all-at-once-capacity-46": "e51704ad171db0c85e353c710028697afafb7c292cdea9021ed6104875225b9e",
    "route-map-rollout-options.yaml largest-first-capacity-4": "f7036fb1433670b33ca91721738d17a8bb1a4e311ce5309fcbcd69ff017c37f3",
    "route-map-rollout-options.yaml largest-first-capacity-12": "5333c2d97c94744f75f58ec6c119e6e85a5a63f9c590adb5b0b904a58f7ae0b7",
    "route-map-rollout-options.yaml largest-first-capacity-46": "cabd4a9b0cf5d0f3e77a20bd99a84fdb519da608ecdd5f68dedff9a652e0acb3",
    "stockport-mental-health.yaml null": "242f52f0179e266689a7ac17dc4ea92295d91edf3c7a90a1b31967c01a77129b"
  }
  const dir = join(import.meta.dirname, "../../../scenarios")

  it("compile to exactly the scenarios they did before (the examples, every variant)", () => {
    const seen: Record<string, string> = {}
    // The examples that were there before the new fields (later ones use them).
    for (const f of readdirSync(dir).sort().filter((f) => Object.keys(BEFORE).some((k) => k.startsWith(`${f} `)))) {
      const r = compileScenarioVariantsText(readFileSync(join(dir, f), "utf8"), f)
      if (!r.ok) throw new Error(r.error.message)
      for (const v of r.value) seen[`${f} ${v.variant}`] = createHash("sha256").update(JSON.stringify(v.scenario)).digest("hex")
    }
    expect(seen).toEqual(BEFORE)
  })

  it("have none of the new keys", () => {
    const sc = compileOk(`${HEAD}deal: { reduction_pct: 1, horizon_months: 12 }\nlocalities:\n${BIRMINGHAM}    deal: { reduction_pct: 2 }\n`)
    for (const k of ["tiers", "passDowns", "personalBudgets", "runningCosts"]) expect(Object.hasOwn(sc, k), k).toBe(false)
    expect(Object.hasOwn(sc.deal, "envelope")).toBe(false)
    expect(Object.keys(sc.localities[0]!.deal!)).toEqual(["reductionBasisPoints"])
    // Empty lists are no tiers.
    const empty = compileOk(`${HEAD}localities:\n${BIRMINGHAM}    tiers: []\n    pass_down: []\n    personal_budgets: []\n`)
    for (const k of ["tiers", "passDowns", "personalBudgets"]) expect(Object.hasOwn(empty, k), k).toBe(false)
  })
})

describe("variants and --set", () => {
  it("a variant or a --set may change the new fields; a variant's tiers replace the locality's", () => {
    const text = `${FULL}variants:
  - name: cash
    deal: { envelope: share_of_demand }
    running_costs: { mayoral_office: { monthly: 300k } }
    localities: { Solihull: { tiers: [{ id: Olton, name: Olton, level: ward, population: 10000 }] } }
`
    const r = compileScenarioVariantsText(text, "v.yaml")
    if (!r.ok) throw new Error(r.error.message)
    const v = r.value[1]!.scenario
    expect(v.deal.envelope).toBe("share_of_demand")
    expect(v.runningCosts).toEqual({ centreMonthlyPence: 150_000_000, centrePerNegotiationMonthPence: 8_000_000, mayoralOfficeMonthlyPence: 30_000_000 })
    expect(v.tiers!.map((t) => t.id).slice(-1)).toEqual(["Solihull/Olton"])
    const set = compileScenarioWithSettings(FULL, "s.yaml", [parseSettingOk("localities.Birmingham.deal.envelope=fixed_cash"), parseSettingOk("localities.Birmingham.personal_budgets=[]")])
    if (!set.ok) throw new Error(set.error.message)
    expect(set.value.scenario.localities[0]!.deal!.envelope).toBe("fixed_cash")
    expect(Object.hasOwn(set.value.scenario, "personalBudgets")).toBe(false)
  })
})

describe("limits", () => {
  const file = (locality: Record<string, unknown>, agencies = 2) =>
    ({
      version: 1,
      name: "n",
      start: "2010-04",
      months: 12,
      seed: 1,
      centre: { capacity: 1 },
      tranches: [{ id: "t", opens: 0 }],
      agencies: Array.from({ length: agencies }, (_, i) => ({ id: `a${i}`, name: "a" })),
      localities: [{ id: "A", name: "A", population: 1, tranche: "t", negotiation: { months: 1 }, ...locality }]
    }) as unknown as ScenarioFile
  const tier = { id: "w", name: "w", level: "ward", population: 0 }

  it("tiers over all the localities, and pass-downs, before anything is built", () => {
    const many = compileFile(file({ tiers: [{ ...tier, tiers: new Array(MAX_TIERS).fill(tier) }] }))
    expect(many.ok ? [] : many.problems).toEqual([
      { path: ["localities", 0, "tiers"], anchor: "value", expected: "at most 1,000,000 tiers over all the localities", found: "1,000,001 by this locality's" }
    ])
    const pd = { id: "p", agency: "a0", share_pct: 1, to: { level: "ward" } }
    const passDowns = compileFile(file({ pass_down: new Array(MAX_PASS_DOWNS + 1).fill(pd) }))
    expect(passDowns.ok ? [] : passDowns.problems[0]!.expected).toBe("at most 100,000 pass-downs over all the localities")
  })

  it("tiers' lines count with the localities' against the locality × agency lines", () => {
    const r = compileFile(file({ tiers: new Array(10_000).fill(tier) }, 1000))
    expect(r.ok ? [] : r.problems).toEqual([
      { path: ["agencies"], anchor: "value", expected: "at most 10,000,000 (locality and tier) × agency lines", found: "1 localities and 10,000 tiers × 1,000 agencies" }
    ])
  })
})

describe("the README's scenario example", () => {
  it("compiles, with each new field", () => {
    const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8")
    const start = readme.indexOf("```yaml\nversion: 1\nname: Forerunners then a second tranche")
    expect(start).toBeGreaterThan(0)
    const text = readme.slice(start + "```yaml\n".length, readme.indexOf("```", start + 7))
    const sc = compileOk(text, "readme.yaml")
    expect(sc.tiers!.map((t) => t.id)).toEqual(["Birmingham/Ladywood", "Birmingham/Ladywood/Aston"])
    expect(sc.passDowns!.map((p) => p.id)).toEqual(["ward-budgets"]) // housing is on the menu but not in deal.powers
    expect(sc.personalBudgets!.map((p) => p.id)).toEqual(["direct-payments"])
    expect(sc.runningCosts).toEqual({ centreMonthlyPence: 150_000_000, centrePerNegotiationMonthPence: 8_000_000, mayoralOfficeMonthlyPence: 25_000_000 })
    expect(sc.deal.envelope).toBe("fixed_cash")
    expect(sc.localities[0]!.deal!.outcomes!.map((o) => o.id)).toEqual(["emergency-admissions"])
    expect(sc.programmes[0]!.effects[0]!.outcome).toBe("emergency-admissions")
  })
})

describe("the fast path and the schema", () => {
  it("the fast path takes a file with every new field, as the schema does", () => {
    const r = compileScenarioText(FULL.replace(/^/, ""), "t.yaml")
    expect(r.ok).toBe(true)
    // The same document as JSON goes through the same checks: same scenario.
    const json = compileScenarioText(JSON.stringify(yamlToJson(FULL)), "t.json")
    expect(json.ok && r.ok && JSON.stringify(json.value.scenario) === JSON.stringify(r.value.scenario)).toBe(true)
    expect(fastDecode(yamlToJson(FULL))).toBeDefined()
  })

  it("a distribution in a new field is a clear error (they are not uncertain inputs)", () => {
    const e = compileErr(FULL.replace("population: 110000", "population: { uniform: [100000, 120000] }"))
    expect(e.message).toMatch(/localities\[0\]\.tiers\[0\]\.population: expected a whole number of people >= 0, found \{"uniform":\[100000,120000\]\}$/)
    const pd = compileErr(FULL.replace("share_pct: 2, to:", "share_pct: { triangular: [1, 2, 3] }, to:"))
    expect(pd.message).toMatch(/localities\[0\]\.pass_down\[0\]\.share_pct: expected a percentage > 0 and <= 100, .*found \{"triangular":\[1,2,3\]\}$/)
  })

  it("the JSON Schema has the new fields, tiers recursive", () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; $defs: Record<string, { properties?: Record<string, unknown> }> }
    expect(Object.keys(schema.properties)).toContain("running_costs")
    expect(Object.keys(schema.$defs["Tier"]!.properties!)).toEqual(["id", "name", "level", "population", "share_pct", "baseline", "tiers"])
    expect(schema.$defs["Tier"]!.properties!["tiers"]).toEqual({ $ref: "#/$defs/Tiers" })
  })

  it("tiers' population shares: each within a penny of exact, never above the parent's line, exactly it when they cover its population (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.array(fc.integer({ min: 0, max: 100000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        (line, pops, rest) => {
          const total = pops.reduce((a, b) => a + b, 0) + rest
          const tiers = pops.map((p, i) => `{ id: w${i}, name: w, level: ward, population: ${p} }`).join(", ")
          const text = `${HEAD}localities:\n  - { id: A, name: A, population: ${total}, tranche: t1, negotiation: { months: 1 }, baseline: { council: ${line / 100} }, tiers: [${tiers}] }\n`
          const r = compileScenarioText(text, "p.yaml")
          if (!r.ok) throw new Error(r.error.message)
          const lines = r.value.scenario.tiers!.map((t) => t.baseline[0]!)
          const sum = lines.reduce((a, b) => a + b, 0)
          expect(sum).toBeLessThanOrEqual(line)
          if (rest === 0 && total > 0) expect(sum).toBe(line)
          if (total === 0) expect(lines.every((x) => x === 0)).toBe(true)
          else lines.forEach((x, i) => expect(Math.abs(x - (line * pops[i]!) / total)).toBeLessThan(1.0001))
          if (pops.length === 1 && total > 0) expect(lines[0]).toBe(shareOfFraction(line, pops[0]!, total))
        }
      ),
      { numRuns: 200, seed: 17 }
    )
  })

  it("three equal thirds of 100 pence: 34, 33, 33 (largest remainder), not 33 × 3 or 34 × 3", () => {
    const tiers = [0, 1, 2].map((i) => `{ id: w${i}, name: w, level: ward, population: 1 }`).join(", ")
    const text = `${HEAD}localities:\n  - { id: A, name: A, population: 3, tranche: t1, negotiation: { months: 1 }, baseline: { council: 1 }, tiers: [${tiers}] }\n`
    expect(compileOk(text).tiers!.map((t) => t.baseline[0])).toEqual([34, 33, 33])
    // Two halves of 3 pence would each round up to 2 on their own: 2 + 1.
    const halves = text.replace("population: 3,", "population: 2,").replace(", { id: w2, name: w, level: ward, population: 1 }", "").replace("council: 1 }", "council: 0.03 }")
    expect(compileOk(halves).tiers!.map((t) => t.baseline[0])).toEqual([2, 1])
  })
})

// ---------------------------------------------------------------------------------------------

const parseSettingOk = (text: string): Setting => {
  const r = parseSetting(text)
  if (!r.ok) throw new Error(r.message)
  return r.setting
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split("\n").length
/** 1-based column of `what`, on the line holding `needle`. */
const colOf = (text: string, needle: string, what: string): number => {
  const lineStart = text.lastIndexOf("\n", text.indexOf(needle)) + 1
  return text.indexOf(what, lineStart) - lineStart + 1
}
const yamlToJson = (text: string): unknown => parseYamlText(text) as unknown
