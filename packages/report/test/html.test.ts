import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPORT_LOCALITY_LIMIT, renderComparisonReport, renderRunReport } from "../src/html.ts"
import type { RunReportTotals } from "../src/html.ts"
import { pounds } from "../src/html/page.ts"
import { dealPowers, powerFactsOf } from "../src/powers.ts"
import type { RunStarted } from "@devosim/core"
import type { CompareReport } from "../src/compare.ts"
import type { AgencyMoney, CostShift, LocalityMoney, LocalityPool, MoneyFigures, PoolFlow } from "../src/money.ts"
import { POOL_FLOWS, poolColumns } from "../src/money.ts"
import type { NegotiationRecord } from "../src/negotiations.ts"
import type { Summary } from "../src/summary.ts"
import { summarize } from "../src/summary.ts"
import { devolvedScenario } from "./devolution-scenario.ts"
import { launch, load as loadPage, pixelStats, SKIP_BROWSER, type Browser, type Loaded } from "./chromium.ts"

const ROOT = path.resolve(import.meta.dirname, "../../..")

// ---------------------------------------------------------------------------------------------
// Fixtures

/** A locality name that would break out of a <script> or a table cell if anything were unescaped. */
const NASTY = `Ynys Môn </script><script>alert("x")</script> <!-- & "quotes"`

const agencies = ["council", "nhs", "dwp"] as const

const agencyMoney = (agency: string, baseline: number, actual: number, invested = 0, saved = 0): AgencyMoney => ({
  agency,
  baseline_pence: baseline,
  actual_pence: actual,
  prevention_invested_pence: invested,
  savings_realised_pence: saved,
  savings_claimed_pence: saved,
  savings_capped_pence: 0,
  transfers_in_pence: 0,
  transfers_out_pence: 0,
  net_position_pence: saved - invested
})

const localityMoney = (locality: string, scale: number, payback: number | null): LocalityMoney => {
  const a = [
    agencyMoney("council", 120_000_000_00 * scale, 113_000_000_00 * scale, 2_000_000_00 * scale, 600_000_00 * scale),
    agencyMoney("nhs", 90_000_000_00 * scale, 85_000_000_00 * scale, 0, 2_400_000_00 * scale),
    agencyMoney("dwp", 30_000_000_00 * scale, 30_000_000_00 * scale)
  ]
  const sum = (f: (x: AgencyMoney) => number) => a.reduce((s, x) => s + f(x), 0)
  return {
    locality,
    baseline_pence: sum((x) => x.baseline_pence),
    actual_pence: sum((x) => x.actual_pence),
    spb_reduction_pence: 11_000_000_00 * scale,
    prevention_invested_pence: sum((x) => x.prevention_invested_pence),
    savings_realised_pence: sum((x) => x.savings_realised_pence),
    savings_claimed_pence: sum((x) => x.savings_realised_pence),
    savings_capped_pence: 0,
    savings_on_pooled_lines_pence: 2_000_000_00 * scale,
    gainshare_kept_pence: 1_000_000_00 * scale,
    gainshare_returned_pence: 1_000_000_00 * scale,
    agencies: a,
    present_values: {
      prevention_invested_pence: 1_900_000_00 * scale,
      savings_realised_pence: 2_700_000_00 * scale,
      npv_pence: 800_000_00 * scale,
      spb_reduction_pence: 10_000_000_00 * scale
    },
    payback_period: payback
  }
}

const negotiation = (locality: string, tranche: string, population: number, eligible: number, start: number, deal: number | null, outcome: NegotiationRecord["outcome"], attempts = 1): NegotiationRecord => ({
  locality,
  tranche,
  population,
  eligible,
  start,
  deal,
  wait: start - eligible,
  attempts,
  outcome
})

const MONTHS = 36
const perPeriod = (total: number) => Array.from({ length: MONTHS }, () => Math.round(total / MONTHS))

/** A pool from month `from` to the end: `line` a month in, the reduction `cut` of it returned, savings from month 20. */
const poolOf = (locality: string, from: number, line: number, cut: number): LocalityPool => {
  const periods = Array.from({ length: MONTHS }, (_, m) => m)
  const savings = periods.map((m) => (m >= 20 ? 40_000_00 : 0))
  const pooled = (x: number) => periods.map((m) => (m >= from ? x : 0))
  return {
    locality,
    line_funding_pence: pooled(line),
    transfers_pence: pooled(0),
    investment_pence: pooled(0),
    savings_pence: savings,
    pooled_funding_pence: pooled(line - cut),
    reduction_pence: pooled(cut),
    gainshare_returned_pence: savings.map((x) => x / 2),
    gainshare_kept_pence: savings.map((x) => x / 2)
  }
}

/** The pools' totals, as MoneyBuilder makes them: by period, by financial year (of the fixture's three) and over the run. */
const poolTotals = (pools: ReadonlyArray<LocalityPool>): MoneyFigures["single_place_budget"] => {
  const by = poolColumns(() => new Array<number>(MONTHS).fill(0))
  for (const p of pools) POOL_FLOWS.forEach((k) => p[k].forEach((x, m) => (by[k][m]! += x)))
  const sum = (from: number, to: number) => poolColumns((k: PoolFlow) => by[k].slice(from, to).reduce((a, x) => a + x, 0))
  return {
    localities: pools.length,
    by_locality: true,
    totals: sum(0, MONTHS),
    by_period: by,
    by_financial_year: FIXTURE_YEARS.map((y) => ({ financial_year: y.financial_year, periods: y.periods, ...sum(y.periods[0], y.periods[1]) }))
  }
}

const FIXTURE_YEARS = [
  { financial_year: "2010-11", periods: [0, 12] as const },
  { financial_year: "2011-12", periods: [12, 24] as const },
  { financial_year: "2012-13", periods: [24, 36] as const }
]

const fixtureSummary = (): Summary => {
  const localities = [localityMoney("Birmingham", 1, 20), localityMoney(NASTY, 0.5, null), localityMoney("Kent", 0.8, 27), localityMoney("Cornwall", 0.3, null)]
  const shift = (locality: string, payer: string, beneficiary: string, savings: number): CostShift => ({
    locality,
    payer,
    beneficiary,
    savings_pence: savings,
    savings_by_period: { "12": savings / 2, "13": savings / 2 }
  })
  const total = (f: (l: LocalityMoney) => number) => localities.reduce((s, l) => s + f(l), 0)
  const pools = [poolOf("Birmingham", 13, 20_000_000_00, 1_000_000_00), poolOf("Kent", 25, 16_000_000_00, 800_000_00)]
  const by_period = {
    baseline_pence: perPeriod(total((l) => l.baseline_pence)),
    actual_pence: Array.from({ length: MONTHS }, (_, m) => Math.round((total((l) => l.baseline_pence) / MONTHS) * (m < 12 ? 1 : 0.95))),
    savings_realised_pence: Array.from({ length: MONTHS }, (_, m) => (m < 12 ? 0 : 50_000_00 * (m - 11))),
    prevention_invested_pence: Array.from({ length: MONTHS }, (_, m) => (m < 24 ? 150_000_00 : 0)),
    spb_reduction_pence: Array.from({ length: MONTHS }, (_, m) => (m < 12 ? 0 : 1_000_000_00))
  }
  const yearOf = (k: keyof typeof by_period, [from, to]: readonly [number, number]) => by_period[k].slice(from, to).reduce((a, x) => a + x, 0)
  return {
    scenario: "Fixture: two tranches, a wrong pocket & an abandoned negotiation",
    seed: 7,
    start: "2010-04",
    months: MONTHS,
    engine_version: "0.1.0",
    events: { total: 1234, control: 34, postings: 1200 },
    negotiations: [
      negotiation("Birmingham", "forerunners", 1_029_000, 7, 7, 12.1, "deal"),
      negotiation(NASTY, "forerunners", 70_000, 7, 7, 15.5, "deal"),
      negotiation("Kent", "second", 1_410_000, 12, 15.5, 24.2, "deal"),
      negotiation("Cornwall", "second", 530_000, 12, 14, null, "negotiating", 2),
      negotiation("Essex", "second", 1_400_000, 13, 16, null, "failed", 3)
    ],
    coverage: { population: 4_539_000, basis: "the scenario's localities", months_to_25pct: 12.1, months_to_50pct: 24.2, months_to_75pct: null },
    centre: { capacity: 2, makespan: 24.2, mean_wait: 1.5, max_concurrent: 2, negotiations_started: 8, deals: 3, failures: 4, makespan_after_end: false, open_at_end: { negotiating: 1, queued: 0, not_eligible: 0 } },
    money: {
      discount_rate_pct: 3.5,
      settled_pence: total((l) => l.baseline_pence),
      baseline_pence: total((l) => l.baseline_pence),
      actual_pence: total((l) => l.actual_pence),
      spb_reduction_pence: total((l) => l.spb_reduction_pence),
      prevention_invested_pence: total((l) => l.prevention_invested_pence),
      savings_realised_pence: total((l) => l.savings_realised_pence),
      savings_claimed_pence: total((l) => l.savings_realised_pence),
      savings_capped_pence: 0,
      effects: [],
      appraisal: {
        discounting: "green_book",
        first_financial_year: "2010-11",
        last_financial_year: "2011-12",
        pv_costs_pence: total((l) => l.prevention_invested_pence),
        pv_benefits_pence: total((l) => l.savings_realised_pence),
        npv_pence: total((l) => l.savings_realised_pence - l.prevention_invested_pence),
        benefit_cost_ratio: 1.5,
        payback_financial_year: "2011-12",
        pv_spb_reduction_pence: total((l) => l.spb_reduction_pence),
        by_financial_year: []
      },
      by_financial_year: FIXTURE_YEARS.map((y) => ({
        financial_year: y.financial_year,
        periods: y.periods,
        baseline_pence: yearOf("baseline_pence", y.periods),
        actual_pence: yearOf("actual_pence", y.periods),
        spb_reduction_pence: yearOf("spb_reduction_pence", y.periods),
        prevention_invested_pence: yearOf("prevention_invested_pence", y.periods),
        savings_realised_pence: yearOf("savings_realised_pence", y.periods)
      })),
      by_spending_review: [],
      savings_on_pooled_lines_pence: total((l) => l.savings_on_pooled_lines_pence),
      gainshare_kept_pence: total((l) => l.gainshare_kept_pence),
      gainshare_returned_pence: total((l) => l.gainshare_returned_pence),
      present_values: {
        prevention_invested_pence: total((l) => l.present_values.prevention_invested_pence),
        savings_realised_pence: total((l) => l.present_values.savings_realised_pence),
        npv_pence: total((l) => l.present_values.npv_pence),
        spb_reduction_pence: total((l) => l.present_values.spb_reduction_pence)
      },
      total_balance_pence: 0,
      localities,
      cost_shift: [
        shift("Birmingham", "council", "nhs", 2_400_000_00),
        shift("Birmingham", "council", "council", 600_000_00),
        shift(NASTY, "council", "nhs", 1_200_000_00),
        shift("Kent", "council", "nhs", 1_900_000_00),
        shift("Kent", "nhs", "dwp", 300_000_00)
      ],
      single_place_budget: poolTotals(pools),
      pools,
      transfers: [
        { locality: "Kent", from: "council", to: "nhs", amount_pence: 500_000_00 },
        { locality: NASTY, from: "dwp", to: "council", amount_pence: 120_000_00 }
      ],
      by_period
    }
  }
}

const T = Array.from({ length: 61 }, (_, m) => m)
const coverageOf = (scenario: string, lag: number) => {
  const mean = T.map((t) => Math.max(0, Math.min(1, (t - lag) / 20)))
  return {
    scenario,
    t: T,
    share_mean: mean,
    share_q05: mean.map((x, i) => Math.max(0, Math.min(x, (T[i]! - lag - 4) / 20))),
    share_q95: mean.map((x, i) => Math.min(1, Math.max(x, (T[i]! - lag + 4) / 20)))
  }
}

const fixtureCompare = (): CompareReport => ({
  format: "devosim-compare/1",
  replications: 200,
  baseline: "forerunners first",
  warnings: [],
  scenarios: [
    { name: "forerunners first", source: "scenarios/route-map-2010.yaml", variant: null, description: null, fork: null, seed: 2010, localities: 5 },
    { name: "big bang", source: "scenarios/big-bang.yaml", variant: null, description: null, fork: null, seed: 2010, localities: 5 },
    { name: `capacity 6 <&>`, source: "scenarios/capacity-6.yaml", variant: null, description: null, fork: null, seed: 2010, localities: 5 }
  ],
  figures: [
    {
      figure: "makespan",
      label: "Last deal (months)",
      better: "lower",
      better_for: "the places waiting",
      by_scenario: [
        { scenario: "forerunners first", n: 40, mean: 23.1, sd: 1.4, q05: 21, q50: 23, q95: 25.6, not_reached: 0, constant: false },
        { scenario: "big bang", n: 40, mean: 19.8, sd: 1.1, q05: 18.1, q50: 19.7, q95: 21.7, not_reached: 0, constant: false },
        { scenario: `capacity 6 <&>`, n: 40, mean: 31.5, sd: 2.7, q05: 27.2, q50: 31.4, q95: 36, not_reached: 0, constant: false }
      ],
      paired: [
        { scenario: "big bang", vs: "forerunners first", n: 40, mean_diff: -3.3, sd_diff: 0.9, ci95: [-3.42, -3.18], constant: false },
        { scenario: `capacity 6 <&>`, vs: "forerunners first", n: 40, mean_diff: 8.4, sd_diff: 2.1, ci95: [8.1, 8.7], constant: false }
      ],
      winner: "big bang"
    },
    {
      figure: "mean_wait",
      label: "Mean wait for a slot (months)",
      better: "lower",
      better_for: "the places waiting",
      by_scenario: [
        { scenario: "forerunners first", n: 40, mean: 0.4, sd: 0.3, q05: 0, q50: 0.35, q95: 1, not_reached: 0, constant: false },
        { scenario: "big bang", n: 40, mean: 0.45, sd: 0.35, q05: 0, q50: 0.4, q95: 1.1, not_reached: 0, constant: false },
        { scenario: `capacity 6 <&>`, n: 40, mean: 4.2, sd: 1.2, q05: 2.4, q50: 4.1, q95: 6.3, not_reached: 0, constant: false }
      ],
      paired: [
        { scenario: "big bang", vs: "forerunners first", n: 40, mean_diff: 0.05, sd_diff: 0.4, ci95: [-0.006, 0.106], constant: false },
        { scenario: `capacity 6 <&>`, vs: "forerunners first", n: 40, mean_diff: 3.8, sd_diff: 1.1, ci95: [3.65, 3.95], constant: false }
      ],
      winner: null
    },
    {
      figure: "spb_reduction_pv_pence",
      label: "'More for less' returned (PV)",
      better: "higher",
      better_for: "the Treasury",
      by_scenario: [
        { scenario: "forerunners first", n: 40, mean: 1_021_167_497_436, sd: 12_000_000_000, q05: 1_001_000_000_000, q50: 1_021_000_000_000, q95: 1_041_000_000_000, not_reached: 0, constant: false },
        { scenario: "big bang", n: 40, mean: 1_063_000_000_000, sd: 9_000_000_000, q05: 1_048_000_000_000, q50: 1_063_000_000_000, q95: 1_078_000_000_000, not_reached: 0, constant: false },
        { scenario: `capacity 6 <&>`, n: 40, mean: 968_000_000_000, sd: 15_000_000_000, q05: 944_000_000_000, q50: 968_000_000_000, q95: 993_000_000_000, not_reached: 0, constant: false }
      ],
      paired: [
        { scenario: "big bang", vs: "forerunners first", n: 40, mean_diff: 41_800_000_000, sd_diff: 4_000_000_000, ci95: [41_240_000_000, 42_360_000_000], constant: false },
        { scenario: `capacity 6 <&>`, vs: "forerunners first", n: 40, mean_diff: -53_100_000_000, sd_diff: 6_000_000_000, ci95: [-53_940_000_000, -52_260_000_000], constant: false }
      ],
      winner: "big bang"
    }
  ],
  coverage: [coverageOf("forerunners first", 7), coverageOf("big bang", 4), coverageOf(`capacity 6 <&>`, 10)]
})

/** A real run, as `devosim run` would summarise it. */
const summaryOf = (scenario: string): Summary => runOf(scenario).summary

/** A real run's summary and report, as `devosim run` writes them (with the deals' powers); `scenario` under scenarios/ or ROOT. */
const runOf = (scenario: string, text?: string): { readonly summary: Summary; readonly html: string; readonly powers: ReturnType<typeof dealPowers> } => {
  const file = scenario.includes("/") ? path.join(ROOT, scenario) : path.join(ROOT, "scenarios", scenario)
  const compiled = compileScenarioText(text ?? readFileSync(file, "utf8"), file)
  if (!compiled.ok) throw new Error(compiled.error.message)
  const log = runScenario(compiled.value.scenario).log
  const summary = summarize(log)
  const powers = dealPowers(log.controls[0] as RunStarted, log.controls, powerFactsOf(compiled.value.scenario))
  return { summary, powers, html: renderRunReport(summary, { powers }) }
}

// ---------------------------------------------------------------------------------------------
// The file itself

/** The data the page carries, as the client script reads it. */
const dataOf = (html: string): unknown => {
  const m = /<script type="application\/json" id="devosim-data">([\s\S]*?)<\/script>/.exec(html)
  if (m === null) throw new Error("no #devosim-data")
  return JSON.parse(m[1]!)
}

/** Absolute URLs the file may contain: XML namespace names (identifiers, never fetched) and d3's banner comment. */
const ALLOWED_URLS = new Set([
  "http://www.w3.org/1999/xhtml",
  "http://www.w3.org/1999/xlink",
  "http://www.w3.org/2000/svg",
  "http://www.w3.org/2000/xmlns/",
  "http://www.w3.org/XML/1998/namespace",
  "https://d3js.org"
])

const expectSelfContained = (html: string) => {
  expect(html.startsWith("<!doctype html>")).toBe(true)
  expect(html.trimEnd().endsWith("</html>")).toBe(true)
  expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i)
  expect(html).not.toMatch(/<link[\s>]/i)
  expect(html).not.toMatch(/<(img|iframe|object|embed|audio|video|source)[\s>]/i)
  expect(html).not.toMatch(/\b(src|href|action|poster)\s*=\s*["']?\s*(https?:)?\/\//i)
  expect(html).not.toMatch(/@import|url\(\s*["']?\s*(https?:)?\/\//i)
  const urls = new Set(html.match(/https?:\/\/[^\s"'`<>()\\]+/g) ?? [])
  for (const u of urls) expect(ALLOWED_URLS, `unexpected URL ${u}`).toContain(u)
  // Exactly one closing tag per opened script: nothing inside a script closes it early.
  expect((html.match(/<script[\s>]/gi) ?? []).length).toBe((html.match(/<\/script>/gi) ?? []).length)
}

/** Every chart of a run report (the powers chart only with the scenario's menu). */
const RUN_CHARTS = [
  "chart-timeline",
  "chart-coverage",
  "chart-money",
  "chart-money-parts",
  "chart-prevention",
  "chart-pool",
  "chart-pool-returns",
  "chart-pool-gainshare",
  "chart-cost-shift",
  "chart-budgets",
  "chart-years",
  "chart-years-prevention"
]

describe("renderRunReport", () => {
  const summary = fixtureSummary()
  const html = renderRunReport(summary)

  it("is one self-contained file: no external scripts, styles or images, only XML namespace URLs", () => {
    expectSelfContained(html)
    expect(html).toContain("Observable Plot")
    expect(html.length).toBeGreaterThan(400_000) // d3 + Plot inlined
  })

  it("carries the whole summary as JSON, with markup in the data escaped", () => {
    expect(dataOf(html)).toEqual({ kind: "run", summary: JSON.parse(JSON.stringify(summary)) })
    const json = /id="devosim-data">([\s\S]*?)<\/script>/.exec(html)![1]!
    expect(json).not.toMatch(/[<>&]/)
    // In the tables the name is text, not markup.
    expect(html).toContain("Ynys Môn &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;!-- &amp; &quot;quotes&quot;")
    expect(html).not.toContain(NASTY)
  })

  it("has the title, the run's identity and every section", () => {
    expect(html).toContain(`<title>Fixture: two tranches, a wrong pocket &amp; an abandoned negotiation: devosim run report</title>`)
    expect(html).toContain("seed <b>7</b>")
    expect(html).toContain("start <b>2010-04</b> (Apr 2010)")
    for (const title of [
      "Key figures",
      "Negotiations and deals",
      "Coverage: population under a deal",
      "Spending against the baseline",
      "Who pays, who saves: the cost-shift matrix",
      "Budgets by agency",
      "Money by locality",
      "Negotiations",
      "Powers and accountability",
      "Prevention: invested and saved",
      "Single place budgets over time",
      "Money by financial year"
    ])
      expect(html).toContain(`<h2>${title.replace(/'/g, "&#39;")}</h2>`)
    // Every chart section says how to read it (the powers section, without the scenario, says why it is empty).
    expect((html.match(/<p class="how">/g) ?? []).length).toBe(8)
    expect(html).toContain("rendered without the scenario, so the powers each deal sought are not known here")
    for (const id of RUN_CHARTS)
      expect(html).toContain(`id="${id}" data-chart="${id}"`)
  })

  it("tabulates money in £ k/m/bn and times with calendar months", () => {
    // Birmingham: baseline £240.0m, SPB reduction £11.0m, payback in period 20 = Dec 2011.
    expect(html).toContain(`<td>Birmingham</td><td class="num">£240.0m</td>`)
    expect(html).toContain("£11.0m")
    expect(html).toContain(`20 <span class="cal">(Dec 2011)</span>`)
    // Deal at 12.1 months after 2010-04 is in April 2011.
    expect(html).toContain(`12.1 <span class="cal">(Apr 2011)</span>`)
    expect(html).toContain("abandoned")
    expect(html).toContain("yes (all balances sum to £0)")
  })

  it("lists the deals' powers with every name escaped, in the table and in the data", () => {
    const powers = {
      menu: true,
      rows: [
        { locality: NASTY, power: "<b>care</b>", power_name: NASTY, requires: "leader_cabinet", deal: 3, devolved: 3, waiting: null },
        { locality: NASTY, power: "health", power_name: "Health", requires: "elected_mayor", deal: 3, devolved: null, waiting: "needs an elected mayor; no election before the end" }
      ],
      deals: 1,
      devolved: 1,
      waiting: 1,
      adopted: []
    }
    const withPowers = renderRunReport(summary, { powers })
    expectSelfContained(withPowers)
    expect(withPowers).not.toContain(NASTY)
    expect(withPowers).not.toContain("<b>care</b>")
    expect(withPowers).toContain("&lt;b&gt;care&lt;/b&gt;")
    expect((withPowers.match(/<tr class="power-(devolved|waiting)">/g) ?? []).length).toBe(2)
    expect(withPowers).toContain("<td>needs an elected mayor; no election before the end</td>")
    expect((dataOf(withPowers) as { powers: unknown }).powers).toEqual({ rows: powers.rows, adopted: [] })
    expect(withPowers).toContain('data-chart="chart-powers"')
  })

  it("tabulates the single place budgets by financial year, with the whole run's totals", () => {
    const spb = summary.money.single_place_budget
    // 2011-12: Birmingham's pool from month 13 (11 months): £20.0m a month in, £1.0m of it returned.
    expect(html).toContain(`<tr><td>2011-12</td><td class="num">${pounds(11 * 20_000_000_00)}</td><td class="num">${pounds(11 * 19_000_000_00)}</td><td class="num">${pounds(11 * 1_000_000_00)}</td>`)
    expect(html).toContain(`<tr class="total"><td>Whole run</td><td class="num">${pounds(spb.totals.line_funding_pence)}</td>`)
    expect(html).toContain("all 2 localities whose pool moved money")
  })
})

/** A summary of `n` localities (the fixture's four, repeated under new names), for the size bound. */
const largeSummary = (n: number): Summary => {
  const base = fixtureSummary()
  const localities = Array.from({ length: n }, (_, i) => ({ ...base.money.localities[i % 4]!, locality: `locality-${String(i).padStart(6, "0")}` }))
  const negotiations = Array.from({ length: n }, (_, i) => ({ ...base.negotiations[i % 5]!, locality: `locality-${String(i).padStart(6, "0")}`, deal: base.negotiations[i % 5]!.deal === null ? null : 10 + (i % 997) / 50 }))
  const cost_shift = localities.flatMap((l, i) => base.money.cost_shift.filter((_, k) => k % 4 === i % 4).map((c) => ({ ...c, locality: l.locality })))
  const original = base.money.localities.map((l) => l.locality)
  const pools = localities.flatMap((l, i) => base.money.pools.filter((p) => p.locality === original[i % 4]).map((p) => ({ ...p, locality: l.locality })))
  const transfers = localities.flatMap((l, i) => base.money.transfers.filter((x) => x.locality === original[i % 4]).map((x) => ({ ...x, locality: l.locality })))
  const population = negotiations.reduce((x, y) => x + y.population, 0)
  return {
    ...base,
    negotiations,
    coverage: { ...base.coverage, population },
    money: { ...base.money, localities, cost_shift, pools, transfers, single_place_budget: { ...poolTotals(pools), by_period: base.money.single_place_budget.by_period } }
  }
}

describe("renderRunReport of a very large run", () => {
  const n = 20_000
  const summary = largeSummary(n)
  const html = renderRunReport(summary)
  const data = dataOf(html) as { kind: string; summary: Summary; totals: RunReportTotals }

  it("stays small: the first REPORT_LOCALITY_LIMIT localities per chart and table, with a line on the rest", () => {
    expectSelfContained(html)
    expect(html.length).toBeLessThan(4_000_000)
    expect(data.summary.money.localities.length).toBe(REPORT_LOCALITY_LIMIT)
    expect(data.summary.negotiations.length).toBe(REPORT_LOCALITY_LIMIT)
    expect(new Set(data.summary.money.cost_shift.map((c) => c.locality)).size).toBeLessThanOrEqual(REPORT_LOCALITY_LIMIT)
    // Two tables of localities and their header rows, and the two financial-year tables (money, pools: a header and one row a year).
    expect((html.match(/<tr>/g) ?? []).length).toBe(2 * REPORT_LOCALITY_LIMIT + 2 + 2 * (1 + summary.money.by_financial_year.length))
    // Pools of the shown localities only (Birmingham's and Kent's copies: every other locality).
    expect(data.summary.money.pools.length).toBe(REPORT_LOCALITY_LIMIT / 2)
    expect(html).toContain(`Showing the first 250 of 10,000 localities with a single place budget`)
    expect(html).toContain("Showing the first 500 of 20,000 localities (in the scenario's order)")
    expect(html).toContain("the other 19,500 are not shown here. summary.json has them all")
    expect((html.match(/class="note not-shown"/g) ?? []).length).toBe(6)
  })

  it("lists the powers of the first REPORT_LOCALITY_LIMIT localities with a deal, with a line on the rest", () => {
    const rows = summary.negotiations.flatMap((x) =>
      ["care", "policing", "health"].map((power, k) => ({ locality: x.locality, power, power_name: power, requires: "elected_mayor", deal: 10, devolved: k === 2 ? null : 10, waiting: k === 2 ? "needs an elected mayor; the locality adopts no stronger model" : null }))
    )
    const withPowers = renderRunReport(summary, { powers: { menu: true, rows, deals: n, devolved: 2 * n, waiting: n, adopted: [] } })
    const shown = (dataOf(withPowers) as { powers: { rows: ReadonlyArray<{ locality: string }> } }).powers.rows
    expect(new Set(shown.map((r) => r.locality)).size).toBe(REPORT_LOCALITY_LIMIT)
    expect(shown).toHaveLength(3 * REPORT_LOCALITY_LIMIT)
    expect(withPowers).toContain("Showing the first 500 of 20,000 localities with a deal")
    expect(withPowers.length).toBeLessThan(4_500_000)
  })

  it("keeps the aggregates complete: key figures, the total row and the totals the charts draw", () => {
    const m = summary.money
    expect(html).toContain(`<dt>deals within the run</dt><dd>${summary.centre.deals.toLocaleString("en-GB")} of 20,000 localities</dd>`)
    expect(html).toContain(`<tr class="total"><td>All localities</td><td class="num">${pounds(m.baseline_pence)}</td><td class="num">${pounds(m.actual_pence)}</td>`)
    const t = data.totals
    expect(t.localities).toBe(n)
    expect(t.negotiations).toBe(n)
    expect(t.cost_shift).toBe(m.cost_shift.length)
    const sum = (xs: ReadonlyArray<number>) => xs.reduce((a, x) => a + x, 0)
    for (const a of t.agencies)
      expect(a.baseline_pence).toBe(sum(m.localities.map((l) => l.agencies.find((x) => x.agency === a.agency)!.baseline_pence)))
    expect(sum(t.cost_shift_totals.map((c) => c.savings_pence))).toBe(sum(m.cost_shift.map((c) => c.savings_pence)))
    // Coverage at the end: everyone with a deal.
    const dealt = sum(summary.negotiations.filter((x) => x.deal !== null).map((x) => x.population))
    expect(sum(t.coverage.by_tranche.map((x) => x.people[x.people.length - 1]!))).toBe(dealt)
    expect(t.coverage.t.length).toBeLessThanOrEqual(1001)
    expect(t.coverage.population).toBe(summary.coverage.population) // the summary's denominator, here the localities'
    expect(t.coverage.population).toBe(sum(summary.negotiations.map((x) => x.population)))
  })

  it("is unchanged for a run within the limit", () => {
    const small = fixtureSummary()
    expect(renderRunReport(small, { maxLocalities: 5 })).toBe(renderRunReport(small))
    expect(renderRunReport(small)).not.toContain("not-shown")
  })
})

describe("renderComparisonReport", () => {
  const compare = fixtureCompare()
  const html = renderComparisonReport(compare)

  it("is one self-contained file carrying the comparison as JSON", () => {
    expectSelfContained(html)
    expect(dataOf(html)).toEqual({ kind: "compare", compare: JSON.parse(JSON.stringify(compare)) })
    expect(html).toContain("capacity 6 &lt;&amp;&gt;")
    expect(html).not.toContain("capacity 6 <&>")
  })

  it("has the sections, one chart per figure and the winners highlighted", () => {
    for (const title of ["Scenarios", "Coverage over time", "Key figures across replications", "Figures by scenario", "Paired differences"])
      expect(html).toContain(`<h2>${title}</h2>`)
    for (let i = 0; i < compare.figures.length; i++) expect(html).toContain(`data-chart="chart-figure-${i}"`)
    // Two figures have a winner: their cells in the figures table are highlighted.
    expect((html.match(/<td class="num winner">/g) ?? []).length).toBe(2)
    expect(html).toContain("£10.2bn") // the PV figure, in £
    expect(html).toContain("no clear difference") // the CI of mean_wait straddles 0
    expect(html).toContain("favours big bang")
    expect(html).toContain("-3.42 to -3.18")
  })
})

// ---------------------------------------------------------------------------------------------
// In a real browser


/** Where the pages and screenshots go: DEVOSIM_REPORT_SCREENSHOTS, or a fresh temp dir (set in beforeAll). */
let OUT = ""

describe("renderRunReport: tiers, personal budgets, outcomes, running costs and envelopes (issue 17)", () => {
  const summary = summarize(runScenario(devolvedScenario()).log)
  const html = renderRunReport(summary)

  it("has a section for each, only when the run has it", () => {
    for (const title of ["Tiers: spending in districts, wards and neighbourhoods", "Personal budgets", "Outcomes against targets", "Running costs", "Fixed cash envelopes"]) expect(html).toContain(`<h2>${title}</h2>`)
    expectSelfContained(html)
    const plain = renderRunReport(fixtureSummary())
    for (const id of ["tiers", "personal-budgets", "outcomes", "running-costs", "envelopes"]) expect(plain).not.toContain(`<section id="${id}">`)
  })

  it("tabulates each place: the locality's own part, its tiers (indented under their parent), and a total row that is the locality's", () => {
    const t = summary.tiers!
    const brum = summary.money.localities.find((l) => l.locality === "Brum")!
    expect(t.by_locality[0]!.spend_pence).toBe(brum.actual_pence)
    const rows = /<table id="table-tiers">[\s\S]*?<\/table>/.exec(html)![0]!
    // Brum's own part, Ladywood, Aston, Edgbaston, the total.
    expect((rows.match(/<tr/g) ?? []).length).toBe(1 + 5)
    expect(rows).toContain(`<tr class="total"><td>Brum<span class="sub">all its places</span></td><td></td><td></td><td class="num">${pounds(brum.actual_pence)}</td>`)
    const aston = t.by_tier.find((x) => x.tier === "Brum/Ladywood/Aston")!
    expect(rows).toContain(`<td>&nbsp;&nbsp;&nbsp;&nbsp;Aston<span class="sub">&nbsp;&nbsp;&nbsp;&nbsp;Brum/Ladywood/Aston</span></td><td>neighbourhood</td><td class="num">30,000</td><td class="num">${pounds(aston.spend_pence)}</td>`)
    const ladywood = t.by_tier.find((x) => x.tier === "Brum/Ladywood")!
    expect(ladywood.passed_down_pence).toBeGreaterThan(0)
    expect(rows).toContain(pounds(ladywood.passed_down_pence))
  })

  it("lists outcomes against targets, names escaped, with one small chart per measure", () => {
    const rows = /<table id="table-outcomes">[\s\S]*?<\/table>/.exec(html)![0]!
    expect((rows.match(/<tr class="outcome-/g) ?? []).length).toBe(2)
    expect(rows).toContain("Falls &lt;at home&gt;")
    expect(html).not.toContain("Falls <at home>")
    const admissions = summary.outcomes!.find((o) => o.measure === "admissions")!
    expect(admissions.payments_pence).toBeGreaterThan(0)
    expect(rows).toContain(pounds(admissions.payments_pence))
    expect((html.match(/<svg class="outcome-chart"/g) ?? []).length).toBe(2)
    expect((html.match(/<polyline class="outcome-achieved"/g) ?? []).length).toBe(2)
  })

  it("tabulates running costs by financial year with the whole run's total, and the envelopes' top-ups", () => {
    const r = summary.running_costs!
    expect(html).toContain(`<tr class="total"><td>Whole run</td><td class="num">${pounds(r.centre_pence)}</td><td class="num">${pounds(r.mayoral_offices_pence)}</td><td class="num">${pounds(r.total_pence)}</td></tr>`)
    const bodyRows = (id: string) => (new RegExp(`<table id="${id}">[\\s\\S]*?<tbody>([\\s\\S]*?)</tbody>`).exec(html)![1]!.match(/<tr/g) ?? []).length
    // Each financial year and the whole run.
    expect(bodyRows("table-running-costs")).toBe(r.by_financial_year.length + 1)
    // Both localities' deals are on fixed cash envelopes.
    expect(summary.envelopes!.map((e) => e.locality)).toEqual(["Brum", "Kent"])
    expect(bodyRows("table-envelopes")).toBe(2)
    expect(summary.envelopes!.some((e) => e.top_ups_pence > 0)).toBe(true)
  })
})

describe.skipIf(SKIP_BROWSER)("report.html in headless Chromium", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
    OUT = browser.out
    console.info(`report.html pages and screenshots: ${OUT}`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** Opens `html` from a file:// URL; records console errors, page errors, dialogs and any network request. */
  const load = (name: string, html: string): Promise<Loaded> => loadPage(browser, name, html)

  /** Each chart drew an SVG of real size (or, for `empty`, an explanation instead); none failed. */
  const expectCharts = async (page: Page, drawn: ReadonlyArray<string>, empty: ReadonlyArray<string> = []) => {
    expect(await page.locator('[data-rendered="error"]').count()).toBe(0)
    for (const id of drawn) {
      const svg = page.locator(`#${id} svg`).last()
      const box = await svg.boundingBox()
      expect(box, `#${id} has no svg`).not.toBeNull()
      expect(box!.width, id).toBeGreaterThan(250)
      expect(box!.height, id).toBeGreaterThan(60)
      expect(await page.locator(`#${id} svg [aria-label]`).count(), `${id} has no marks`).toBeGreaterThan(0)
    }
    for (const id of empty) {
      expect(await page.locator(`#${id} svg`).count(), id).toBe(0)
      expect(await page.locator(`#${id} .plot-empty`).count(), id).toBe(1)
    }
  }

  const count = (page: Page, selector: string) => page.locator(selector).count()

  /** A full-page PNG, written to OUT; checked non-trivial by decoding it in the browser. */
  const screenshot = async (page: Page, name: string): Promise<string> => {
    const file = path.join(OUT, `${name}.png`)
    await page.screenshot({ path: file, fullPage: true })
    expect(statSync(file).size).toBeGreaterThan(20_000)
    const stats = await pixelStats(browser, readFileSync(file))
    expect(stats.distinct, "a screenshot of one colour").toBeGreaterThan(20)
    expect(stats.inked, "a screenshot with almost nothing drawn").toBeGreaterThan(0.02)
    return file
  }

  /**
   * Printed (print media, at A4's width inside the report's 12 mm margins: 186 mm = 703 CSS px) every
   * table fits its box and no cell's content is cut; then saved to PDF (written to OUT), with pages.
   */
  const expectPrintable = async (page: Page, name: string): Promise<number> => {
    await page.emulateMedia({ media: "print" })
    await page.setViewportSize({ width: 703, height: 1000 })
    const problems = (await page.evaluate(`(() => {
      const out = []
      const root = document.documentElement
      if (root.scrollWidth > root.clientWidth + 1) out.push("page " + root.scrollWidth + " > " + root.clientWidth)
      for (const t of document.querySelectorAll("table")) {
        const box = t.parentElement
        if (t.scrollWidth > box.clientWidth + 1) out.push(t.id + ": table " + t.scrollWidth + " > box " + box.clientWidth)
        for (let e = box; e !== null; e = e.parentElement) {
          const s = getComputedStyle(e)
          if (s.overflowX !== "visible" || s.overflowY !== "visible") out.push(t.id + ": inside overflow " + s.overflowX + "/" + s.overflowY)
        }
        const rows = [...t.rows]
        if (getComputedStyle(rows[rows.length - 1] || t).breakInside !== "avoid") out.push(t.id + ": rows may break")
        for (const c of t.querySelectorAll("td, th")) if (c.scrollWidth > c.clientWidth + 1) out.push(t.id + ": cell cut: " + c.textContent.slice(0, 40))
      }
      for (const f of document.querySelectorAll("section.chart")) if (getComputedStyle(f).breakInside !== "avoid") out.push(f.id + ": chart may break")
      return out
    })()`)) as Array<string>
    expect(problems).toEqual([])
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true })
    writeFileSync(path.join(OUT, `${name}.pdf`), pdf)
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-")
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length
    expect(pages).toBeGreaterThan(0)
    await page.emulateMedia({ media: "screen" })
    await page.setViewportSize({ width: 1200, height: 900 })
    return pages
  }

  it("draws the run report of a fixture with every kind of negotiation and a wrong pocket", async () => {
    const summary = fixtureSummary()
    const { page, problems } = await load("run-fixture", renderRunReport(summary))
    await expectCharts(page, RUN_CHARTS)
    // One bar per negotiation that started and did not end abandoned; × for the abandoned one; a diamond per locality.
    expect(await count(page, "#chart-timeline g.negotiation-bar rect")).toBe(4)
    expect(await count(page, "#chart-timeline g.abandoned-marker path")).toBe(1)
    expect(await count(page, "#chart-timeline g.eligible-marker path")).toBe(5)
    expect(await count(page, "#chart-coverage g.coverage-area path")).toBe(2) // one per tranche
    expect(await count(page, "#chart-money g.money-actual path")).toBe(1)
    // The gap, the reduction and prevention's net; invested and saved on their own scale, with their net.
    expect(await count(page, "#chart-money-parts g.money-series path")).toBe(3)
    expect(await count(page, "#chart-prevention g.prevention-series path")).toBe(3)
    // Single place budgets, all localities: in and out (top), the reduction, and gainshare kept and returned (each on its own scale).
    expect(await count(page, "#chart-pool g.pool-series path")).toBe(2)
    expect(await count(page, "#chart-pool-returns g.pool-return-series path")).toBe(1)
    expect(await count(page, "#chart-pool-gainshare g.pool-gainshare-series path")).toBe(2)
    expect(await page.locator("#select-pool option").allTextContents()).toEqual(["All localities (sum)", "Birmingham", "Kent"])
    expect(await count(page, "#table-pool-years tbody tr")).toBe(4)
    // By financial year: the reduction, then invested and saved, in each of three years.
    expect(await count(page, "#chart-years g.year-bar rect")).toBe(3)
    expect(await count(page, "#chart-years-prevention g.year-bar rect")).toBe(6)
    // All localities: council→council, council→nhs, nhs→dwp (3 of 2 payers × 3 beneficiaries), and two transfers in their own columns.
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBe(3)
    expect(await count(page, "#chart-cost-shift g.cost-transfer rect")).toBe(2)
    expect(await page.locator("#chart-cost-shift svg").last().textContent()).toContain("transfer → nhs")
    expect(await count(page, "#chart-budgets g.budget-baseline rect")).toBe(3)
    expect(await count(page, "#chart-budgets g.budget-actual rect")).toBe(3)
    // The locality selectors redraw: Birmingham has two cost-shift cells; the names are text.
    await page.selectOption("#select-cost-shift", "Birmingham")
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBe(2)
    expect(await count(page, "#chart-cost-shift g.cost-transfer rect")).toBe(0)
    await page.selectOption("#select-cost-shift", NASTY)
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBe(1)
    expect(await count(page, "#chart-cost-shift g.cost-transfer rect")).toBe(1) // dwp → council
    await page.selectOption("#select-pool", "Kent")
    expect(await count(page, "#chart-pool g.pool-series path")).toBe(2)
    await page.selectOption("#select-pool", { index: 0 })
    await page.selectOption("#select-budgets", "Kent")
    expect(await count(page, "#chart-budgets g.budget-baseline rect")).toBe(3)
    await page.selectOption("#select-cost-shift", { index: 0 })
    await page.selectOption("#select-budgets", { index: 0 })
    expect(await page.locator("#chart-timeline svg").last().textContent()).toContain("Ynys Môn </script>")
    expect(await page.evaluate("document.querySelectorAll('script').length")).toBe(4) // data, libraries, 2 client scripts: none injected
    await screenshot(page, "run-fixture")
    await expectPrintable(page, "run-fixture")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws and prints the run report of a run with tiers, personal budgets, outcomes, running costs and envelopes", async () => {
    const summary = summarize(runScenario(devolvedScenario()).log)
    const { page, problems } = await load("run-devolved", renderRunReport(summary))
    await expectCharts(page, ["chart-timeline", "chart-coverage", "chart-money", "chart-money-parts", "chart-budgets"])
    for (const id of ["tiers", "personal-budgets", "outcomes", "running-costs", "envelopes"]) expect(await count(page, `section#${id}`)).toBe(1)
    expect(await count(page, "#table-tiers tbody tr")).toBe(5)
    expect(await count(page, "#outcomes svg.outcome-chart polyline")).toBe(2)
    const box = await page.locator("#outcomes svg.outcome-chart").first().boundingBox()
    expect(box!.width).toBeGreaterThan(200)
    await screenshot(page, "run-devolved")
    await expectPrintable(page, "run-devolved")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the run report of route-map-2010 (no prevention: the cost-shift chart explains why it is empty)", async () => {
    const summary = summaryOf("route-map-2010.yaml")
    const { page, problems } = await load("run-route-map-2010", renderRunReport(summary))
    await expectCharts(page, ["chart-timeline", "chart-coverage", "chart-money", "chart-money-parts", "chart-budgets"], ["chart-cost-shift"])
    const bars = summary.negotiations.filter((n) => n.outcome === "deal" || n.outcome === "negotiating").length
    expect(bars).toBeGreaterThan(0)
    expect(await count(page, "#chart-timeline g.negotiation-bar rect")).toBe(bars)
    await screenshot(page, "run-route-map-2010")
    await expectPrintable(page, "run-route-map-2010")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the run report of older-people-bdp (prevention in silos against a pooled budget)", async () => {
    const summary = summaryOf("older-people-bdp.yaml")
    const { page, problems } = await load("run-older-people-bdp", renderRunReport(summary))
    await expectCharts(page, ["chart-timeline", "chart-coverage", "chart-money", "chart-money-parts", "chart-cost-shift", "chart-budgets"])
    // A bar for each deal and each negotiation still open at the end (to the end-of-run line); none for one not yet started.
    expect(await count(page, "#chart-timeline g.negotiation-bar rect")).toBe(summary.negotiations.filter((n) => n.outcome === "deal" || n.outcome === "negotiating").length)
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBeGreaterThan(0)
    await screenshot(page, "run-older-people-bdp")
    await expectPrintable(page, "run-older-people-bdp")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws a bounded run report with the same totals as the whole one", async () => {
    const summary = fixtureSummary()
    const { page, problems } = await load("run-fixture-bounded", renderRunReport(summary, { maxLocalities: 2 }))
    await expectCharts(page, RUN_CHARTS)
    expect(await count(page, "p.not-shown")).toBe(6)
    // Two of five negotiations drawn; coverage has both tranches (from the totals).
    expect(await count(page, "#chart-timeline g.eligible-marker path")).toBe(2)
    expect(await count(page, "#chart-coverage g.coverage-area path")).toBe(2)
    // All localities: the same three cells as the whole report, from the totals.
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBe(3)
    expect(await count(page, "#chart-budgets g.budget-baseline rect")).toBe(3)
    const allText = await page.locator("#chart-cost-shift svg").last().textContent()
    // Selectors offer the shown localities only.
    expect(await page.locator("#select-budgets option").count()).toBe(3)
    await page.selectOption("#select-cost-shift", "Birmingham")
    expect(await count(page, "#chart-cost-shift g.cost-cell rect")).toBe(2)
    const whole = await load("run-fixture-whole", renderRunReport(summary))
    expect(await whole.page.locator("#chart-cost-shift svg").last().textContent()).toBe(allText)
    await whole.page.close()
    await screenshot(page, "run-fixture-bounded")
    await expectPrintable(page, "run-fixture-bounded")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the report of a 20,000-locality run", async () => {
    const summary = largeSummary(20_000)
    const { page, problems } = await load("run-large", renderRunReport(summary))
    await expectCharts(page, RUN_CHARTS)
    expect(await count(page, "#chart-timeline g.eligible-marker path")).toBe(REPORT_LOCALITY_LIMIT)
    expect(await page.locator("#select-pool option").count()).toBe(1 + REPORT_LOCALITY_LIMIT / 2)
    await screenshot(page, "run-large")
    await expectPrintable(page, "run-large")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws powers and accountability on the deal timeline (golden case G): devolved at the deal or an election, or waiting, and why", async () => {
    const { html, powers } = runOf("test/golden/money/cases/g_accountability/scenario.yaml")
    const { page, problems } = await load("run-g-accountability", html)
    const none = ["chart-cost-shift", "chart-prevention", "chart-pool-gainshare", "chart-years-prevention"]
    await expectCharts(page, [...RUN_CHARTS.filter((c) => !none.includes(c)), "chart-powers"], none)
    // Four deals; powers live at G4's deal (2), G2's (3) and its election (25), G3's (5.5), G1's (14.2) and its election (25).
    expect(await count(page, "#chart-powers g.power-deal line")).toBe(4)
    expect(await count(page, "#chart-powers g.power-devolved circle")).toBe(6)
    expect(await count(page, "#chart-powers g.accountability-adopted circle")).toBe(2)
    expect(await count(page, "#chart-powers g.power-waiting path")).toBe(2) // G1 and G4
    expect(await count(page, "#table-powers tbody tr")).toBe(12)
    expect(await count(page, "#table-powers tbody tr.power-waiting")).toBe(powers.waiting)
    const g1 = await page.locator("#table-powers tbody tr.power-waiting", { hasText: "G1" }).textContent()
    expect(g1).toContain("needs an elected mayor; the locality adopts no stronger model than a combined authority")
    const g2 = await page.locator("#table-powers tbody tr", { hasText: "Community health commissioning" }).filter({ hasText: "G2" }).textContent()
    expect(g2).toContain("25.0 (May 2012)")
    // All four pools: the reduction in their table is the run's.
    expect(await page.locator("#table-pool-years tr.total td").nth(3).textContent()).toBe(pounds(runOf("test/golden/money/cases/g_accountability/scenario.yaml").summary.money.spb_reduction_pence))
    expect(await page.locator("#select-pool option").count()).toBe(5)
    await screenshot(page, "run-g-accountability")
    await expectPrintable(page, "run-g-accountability")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws a power still waiting for an election after the end of the run", async () => {
    const { html } = runOf("packages/report/test/powers-waiting.yaml")
    const { page, problems } = await load("run-powers-waiting", html)
    await expectCharts(page, ["chart-powers", "chart-pool", "chart-pool-returns"], ["chart-pool-gainshare", "chart-prevention"])
    expect(await count(page, "#chart-powers g.power-waiting path")).toBe(2)
    expect(await page.locator("#table-powers tbody tr.power-waiting").first().textContent()).toContain("needs an elected mayor; no election before the end (the next is month 37, May 2013)")
    await screenshot(page, "run-powers-waiting")
    await expectPrintable(page, "run-powers-waiting")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws early-years-city-region: a pool growing as powers arrive at the 2017 election, prevention paid from it", async () => {
    const { html, summary } = runOf("early-years-city-region.yaml")
    const { page, problems } = await load("run-early-years", html)
    await expectCharts(page, [...RUN_CHARTS, "chart-powers"])
    const spb = summary.money.single_place_budget
    expect(spb.localities).toBe(1)
    expect(await count(page, "#table-pool-years tbody tr")).toBe(spb.by_financial_year.length + 1)
    expect(await page.locator("#table-pool-years tr.total td").nth(1).textContent()).toBe(pounds(spb.totals.line_funding_pence + spb.totals.transfers_pence))
    await page.selectOption("#select-pool", "Greater Manchester")
    expect(await count(page, "#chart-pool g.pool-series path")).toBe(2)
    expect(await count(page, "#chart-powers g.accountability-adopted circle")).toBe(1)
    expect(await count(page, "#chart-years g.year-bar rect")).toBe(summary.money.by_financial_year.length)
    expect(await count(page, "#chart-years-prevention g.year-bar rect")).toBe(2 * summary.money.by_financial_year.length)
    // Health and policing went live at the May 2017 election, when Greater Manchester adopted an elected mayor.
    expect(await page.locator("#table-powers tbody tr", { hasText: "policing" }).textContent()).toContain("at the election, adopting elected mayor")
    await screenshot(page, "run-early-years")
    await expectPrintable(page, "run-early-years")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws stockport-mental-health: an agreed transfer in the cost-shift matrix", async () => {
    const { html } = runOf("stockport-mental-health.yaml")
    const { page, problems } = await load("run-stockport", html)
    await expectCharts(page, [...RUN_CHARTS, "chart-powers"])
    expect(await count(page, "#chart-cost-shift g.cost-transfer rect")).toBe(1)
    expect(await page.locator("#chart-cost-shift svg").last().textContent()).toContain(pounds(100_000_000))
    await screenshot(page, "run-stockport")
    await expectPrintable(page, "run-stockport")
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the comparison report", async () => {
    const compare = fixtureCompare()
    const { page, problems } = await load("compare-fixture", renderComparisonReport(compare))
    const figures = compare.figures.map((_, i) => `chart-figure-${i}`)
    await expectCharts(page, ["chart-coverage", ...figures])
    expect(await count(page, "#chart-coverage g.coverage-band path")).toBe(3)
    expect(await count(page, "#chart-coverage g.coverage-mean path")).toBe(3)
    for (const id of figures) {
      expect(await count(page, `#${id} g.figure-mean circle`), id).toBe(3)
      expect(await count(page, `#${id} g.figure-range line`), id).toBe(3)
    }
    expect(await count(page, "#chart-figure-0 g.figure-winner circle")).toBe(1)
    expect(await count(page, "#chart-figure-1 g.figure-winner circle")).toBe(0)
    await screenshot(page, "compare-fixture")
    expect(problems).toEqual([])
    await page.close()
  })
})
