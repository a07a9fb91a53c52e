/**
 * The sweep's report.html from hand-built SweepReport fixtures (a sobol sweep with a variants factor
 * and a PRIM box, a morris sweep whose condition no run meets, an lhs sweep with a switching value
 * that does not cross): the sentences a reader acts on in the file, and in headless Chromium the
 * marks of every chart, a screenshot that is not blank, and tables that print whole on A4.
 */
import fc from "fast-check"
import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { renderSweepReport, restrictionText, switchingValueText, sweepOutcomeOrder } from "../src/sweep-html.ts"
import type { SobolOutcome, SweepFactor, SweepOutcomeTornado, SweepReport } from "../src/sweep.ts"
import { A4_CONTENT_PX, launch, load, overlappingTicks, pixelStats, SKIP_BROWSER, type Browser } from "./chromium.ts"

/** Column order of experiments.arrow: coverage before NPV, so the report must reorder them. */
const KEY_OUTCOMES = ["coverage_50pct_months", "savings_realised_pence", "npv_pence", "net_position_nhs_pence", "net_position_council_pence"] as const

const capacity: SweepFactor = { name: "centre.capacity", role: "lever", kind: "range", low: 4, high: 46, rounding: "integer" }
const duration: SweepFactor = { name: "negotiation.duration_months", role: "uncertainty", kind: "range", low: 6, high: 18, rounding: "hundredths" }
const rollout: SweepFactor = { name: "rollout", role: "lever", kind: "variants", levels: ["base", "forerunners-first", "largest-first"] }

/** A tornado of three bars (capacity, duration, rollout), sorted by swing, for an outcome around `base`. */
const tornadoOf = (base: number, scale: number): SweepOutcomeTornado => ({
  baseline: base,
  bars: [
    { factor: "negotiation.duration_months", low_value: 6, high_value: 18, low: base + 3 * scale, high: base - 5 * scale, swing: 8 * scale },
    { factor: "centre.capacity", low_value: 4, high_value: 46, low: base - 2 * scale, high: base + 2 * scale, swing: 4 * scale },
    {
      factor: "rollout",
      low_value: "largest-first",
      high_value: "forerunners-first",
      low: base - scale,
      high: base + scale,
      swing: 2 * scale,
      levels: [
        { level: "base", mean: base },
        { level: "forerunners-first", mean: base + scale },
        { level: "largest-first", mean: base - scale }
      ]
    }
  ]
})

const sobolOf = (variance: number | null, s1: ReadonlyArray<number>, st: ReadonlyArray<number>): SobolOutcome => {
  const names = [capacity.name, duration.name, rollout.name]
  const interval = (x: number) => ({ estimate: x, low: x - 0.04, high: x + 0.05 })
  return {
    S1: Object.fromEntries(names.map((n, j) => [n, interval(s1[j]!)])),
    ST: Object.fromEntries(names.map((n, j) => [n, interval(st[j]!)])),
    variance
  }
}

const TRAJECTORY = [
  { coverage: 1, density: 0.3856, mass: 1, count: 3200 },
  { coverage: 0.99, density: 0.45, mass: 0.848, count: 2714 },
  { coverage: 0.97, density: 0.55, mass: 0.68, count: 2176 },
  { coverage: 0.95, density: 0.66, mass: 0.555, count: 1776 },
  { coverage: 0.93, density: 0.78, mass: 0.46, count: 1471 },
  { coverage: 0.912, density: 0.88, mass: 0.4, count: 1279 },
  { coverage: 0.7, density: 0.93, mass: 0.29, count: 929 },
  { coverage: 0.4, density: 0.97, mass: 0.159, count: 509 }
]

const sobolReport: SweepReport = {
  format: "devosim-sweep-results/1",
  engine_version: "0.9.0",
  scenario: "Route map rollout",
  file: "scenarios/route-map-rollout-options.yaml",
  design: "sobol",
  samples: 64,
  experiments: 320,
  replications: 10,
  seed: 7,
  scenario_seed: 42,
  settings: ["centre.start=\"2010-11\""],
  factors: [capacity, duration, rollout],
  outcomes: ["deals", ...KEY_OUTCOMES],
  key_outcomes: KEY_OUTCOMES,
  means_per_experiment: Object.fromEntries(KEY_OUTCOMES.map((o) => [o, Array.from({ length: 320 }, (_, e) => e)])),
  sensitivity: {
    tornado: {
      coverage_50pct_months: tornadoOf(30, 2),
      savings_realised_pence: tornadoOf(3_111_000_000, 0),
      npv_pence: tornadoOf(25_000_000, 4_000_000),
      net_position_nhs_pence: tornadoOf(-120_000_000, 10_000_000),
      net_position_council_pence: tornadoOf(60_000_000, 2_000_000)
    },
    switching_values: [
      { factor: "centre.capacity", kind: "crossing", value: 17.5, bracket: [17, 18], at_bracket: [120_000, -80_000], direction: "falling", runs: 14 },
      { factor: "negotiation.duration_months", kind: "no-crossing", at_low: 50_000_000, at_high: 12_000_000, runs: 20 }
    ],
    sobol: {
      coverage_50pct_months: sobolOf(16.2, [0.52, 0.21, 0.08], [0.6, 0.3, 0.12]),
      // Savings are the same in every experiment: variance 0, no indices to draw.
      savings_realised_pence: sobolOf(0, [0, 0, 0], [0, 0, 0]),
      npv_pence: sobolOf(4.1e13, [0.4, 0.35, 0.02], [0.48, 0.45, 0.05]),
      // One interval too wide to trust (a small sample): the report says so.
      net_position_nhs_pence: (() => {
        const s = sobolOf(2.2e14, [0.1, 0.6, 0.2], [0.15, 0.7, 0.25])
        return { ...s, ST: { ...s.ST, rollout: { estimate: 0.25, low: -0.3, high: 0.9 } } }
      })(),
      // A variance JSON wrote as null (NaN): reported as not varying.
      net_position_council_pence: { S1: {}, ST: {}, variance: null }
    },
    sobol_resamples: 200
  },
  discovery: {
    condition: "coverage_50pct_months > 36",
    rows: 3200,
    rows_meeting: 1234,
    trajectory: TRAJECTORY,
    chosen_step: 5,
    box: {
      ...TRAJECTORY[5]!,
      restricted: [
        { factor: "centre.capacity", lower: 4, upper: 12, restricts_lower: false, restricts_upper: true },
        { factor: "rollout", lower: 1, upper: 2, levels: ["forerunners-first", "largest-first"], restricts_lower: true, restricts_upper: false }
      ]
    }
  }
}

const morrisFactors: ReadonlyArray<SweepFactor> = [
  capacity,
  duration,
  { name: "prevention.reduction_pct", role: "uncertainty", kind: "range", low: 30, high: 70, rounding: "none" },
  { name: "tranche.order", role: "lever", kind: "levels", levels: ["alphabetical", "by-population"] }
]
const morrisReport: SweepReport = {
  ...sobolReport,
  design: "morris",
  samples: 10,
  experiments: 50,
  replications: 4,
  settings: [],
  factors: morrisFactors,
  key_outcomes: ["npv_pence", "coverage_50pct_months"],
  outcomes: ["npv_pence", "coverage_50pct_months"],
  means_per_experiment: {},
  sensitivity: {
    tornado: {
      npv_pence: {
        baseline: 25_000_000,
        bars: [
          { factor: "prevention.reduction_pct", low_value: 30, high_value: 70, low: -5_000_000, high: 60_000_000, swing: 65_000_000 },
          { factor: "centre.capacity", low_value: 4, high_value: 46, low: 10_000_000, high: 30_000_000, swing: 20_000_000 },
          { factor: "negotiation.duration_months", low_value: 6, high_value: 18, low: 30_000_000, high: 20_000_000, swing: 10_000_000 },
          { factor: "tranche.order", low_value: "by-population", high_value: "alphabetical", low: 24_000_000, high: 25_000_000, swing: 1_000_000, levels: [{ level: "alphabetical", mean: 25_000_000 }, { level: "by-population", mean: 24_000_000 }] }
        ]
      },
      coverage_50pct_months: tornadoOf(30, 1.5)
    },
    morris: {
      npv_pence: {
        "centre.capacity": { mu: 1_000_000, mu_star: 2_500_000, sigma: 3_000_000 },
        "negotiation.duration_months": { mu: -800_000, mu_star: 900_000, sigma: 200_000 },
        "prevention.reduction_pct": { mu: 6_000_000, mu_star: 6_000_000, sigma: 1_000_000 },
        "tranche.order": { mu: 0, mu_star: 100_000, sigma: 50_000 }
      },
      coverage_50pct_months: {
        "centre.capacity": { mu: -4, mu_star: 4, sigma: 1.2 },
        "negotiation.duration_months": { mu: 6, mu_star: 6, sigma: 0.5 },
        "prevention.reduction_pct": { mu: 0, mu_star: 0, sigma: 0 },
        "tranche.order": { mu: 0.5, mu_star: 1, sigma: 2 }
      }
    }
  },
  discovery: { condition: "npv_pence < -1000000000", rows: 200, rows_meeting: 0, box: null }
}

/** A factor whose name needs escaping, as a variants factor of a file may be named. */
const oddName = `cohort <size> & "share"`
const lhsReport: SweepReport = {
  ...sobolReport,
  scenario: "Rollout <draft>",
  design: "lhs",
  samples: 100,
  experiments: 100,
  replications: 5,
  factors: [duration, { name: oddName, role: "uncertainty", kind: "levels", levels: ["small", "large"] }],
  key_outcomes: ["npv_pence", "coverage_50pct_months", "coverage_75pct_months"],
  outcomes: ["npv_pence", "coverage_50pct_months", "coverage_75pct_months"],
  means_per_experiment: {},
  sensitivity: {
    tornado: {
      // Not reached in the base case; reached with the negotiations short.
      coverage_75pct_months: {
        baseline: null,
        bars: [{ factor: "negotiation.duration_months", low_value: 6, high_value: 18, low: 51.5, high: null, swing: null }]
      },
      npv_pence: {
        baseline: 40_000_000,
        bars: [
          { factor: "negotiation.duration_months", low_value: 6, high_value: 18, low: 50_000_000, high: 12_000_000, swing: 38_000_000 },
          { factor: oddName, low_value: "small", high_value: "large", low: 38_000_000, high: 41_000_000, swing: 3_000_000, levels: [{ level: "small", mean: 38_000_000 }, { level: "large", mean: 41_000_000 }] }
        ]
      },
      coverage_50pct_months: {
        baseline: 28.25,
        bars: [
          { factor: "negotiation.duration_months", low_value: 6, high_value: 18, low: 20.5, high: 39.75, swing: 19.25 },
          // No change at either level: one "no change" label on the chart.
          { factor: oddName, low_value: "small", high_value: "large", low: 28.25, high: 28.25, swing: 0, levels: [{ level: "small", mean: 28.25 }, { level: "large", mean: 28.25 }] }
        ]
      }
    },
    switching_values: [{ factor: "negotiation.duration_months", kind: "no-crossing", at_low: 50_000_000, at_high: 12_000_000, runs: 10 }]
  }
}
const { discovery: _none, ...lhsWithoutDiscovery } = lhsReport

describe("the sweep report's text", () => {
  const html = renderSweepReport(sobolReport)

  it("orders the key outcomes NPV, savings, coverage months, net positions", () => {
    expect(sweepOutcomeOrder(KEY_OUTCOMES)).toEqual(["npv_pence", "savings_realised_pence", "coverage_50pct_months", "net_position_nhs_pence", "net_position_council_pence"])
    expect(sweepOutcomeOrder(["net_position_a_pence", "coverage_75pct_months", "deals", "coverage_25pct_months"])).toEqual(["coverage_25pct_months", "coverage_75pct_months", "net_position_a_pence", "deals"])
    // The first tornado chart is NPV's, headed with its base case.
    const first = html.indexOf('<div class="figure-card">')
    expect(html.slice(first)).toMatch(/^<div class="figure-card"><h3>NPV of prevention \(Green Book discounting\) <span class="badge">base case: £250\.0k<\/span><\/h3><div class="plot" id="chart-tornado-0"/)
  })

  it("orders any outcomes as a permutation with NPV, then savings, then coverage by threshold, then net positions", () => {
    const name = fc.oneof(
      fc.constantFrom("npv_pence", "savings_realised_pence", "deals"),
      fc.integer({ min: 1, max: 99 }).map((q) => `coverage_${q}pct_months`),
      fc.constantFrom("nhs", "council", "police").map((a) => `net_position_${a}_pence`)
    )
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 12 }), (outcomes) => {
        const ordered = sweepOutcomeOrder(outcomes)
        expect([...ordered].sort()).toEqual([...outcomes].sort())
        const rank = (o: string) => (o === "npv_pence" ? 0 : o === "savings_realised_pence" ? 1 : o.startsWith("coverage_") ? 2 : o.startsWith("net_position_") ? 3 : 4)
        for (let i = 1; i < ordered.length; i++) {
          const [a, b] = [ordered[i - 1]!, ordered[i]!]
          expect(rank(a)).toBeLessThanOrEqual(rank(b))
          if (rank(a) === 2 && rank(b) === 2) expect(Number(/\d+/.exec(a)![0])).toBeLessThan(Number(/\d+/.exec(b)![0]))
        }
      })
    )
  })

  it("says NPV stays on one side when both ends agree, and names only the bounds a box moved", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 1, max: 1e12 }), fc.boolean(), (a, b, negative) => {
        const sign = negative ? -1 : 1
        const text = switchingValueText({ factor: "centre.capacity", kind: "no-crossing", at_low: sign * a, at_high: sign * b, runs: 2 }, capacity)
        expect(text).toContain(negative ? "NPV stays below £0" : "NPV stays above £0")
        expect(text.startsWith("no switching value in 4–46: ")).toBe(true)
      })
    )
    expect(switchingValueText({ factor: "centre.capacity", kind: "crossing", value: 9, bracket: [8, 10], at_bracket: [-1_000, 2_000], direction: "rising", runs: 6 }, capacity)).toBe(
      "NPV crosses £0 at centre.capacity = 9 (between 8 and 10): NPV falls below £0 as centre.capacity falls below it (it rises with the factor); -£10.00 at 8, £20.00 at 10."
    )
    // A bisection's narrow bracket: to one decimal finer than its width.
    expect(
      switchingValueText(
        { factor: "programmes.reablement.investment.monthly", kind: "crossing", value: 11145.553588867188, bracket: [11145.172119140625, 11145.93505859375], at_bracket: [72163, -46918], direction: "falling", runs: 54 },
        { name: "programmes.reablement.investment.monthly", role: "uncertainty", kind: "range", low: 10000, high: 60000, rounding: "none" }
      )
    ).toBe(
      "NPV crosses £0 at programmes.reablement.investment.monthly = 11,145.55 (between 11,145.17 and 11,145.94): NPV falls below £0 as programmes.reablement.investment.monthly rises past it; £721.63 at 11,145.17, -£469.18 at 11,145.94."
    )
    const bound = (restricts_lower: boolean, restricts_upper: boolean) => restrictionText({ factor: "centre.capacity", lower: 8, upper: 12.5, restricts_lower, restricts_upper }, capacity)
    expect([bound(true, true), bound(true, false), bound(false, true)]).toEqual(["8 ≤ centre.capacity ≤ 12.5", "centre.capacity ≥ 8", "centre.capacity ≤ 12.5"])
    // A variants factor bounded by level index, its levels not listed: named from the factor's.
    expect(restrictionText({ factor: "rollout", lower: 0, upper: 1, restricts_lower: false, restricts_upper: true }, rollout)).toBe("rollout in {base, forerunners-first}")
    expect(restrictionText({ factor: "rollout", lower: 0, upper: 0, levels: ["base"], restricts_lower: false, restricts_upper: true }, rollout)).toBe("rollout = base")
  })

  it("heads the page with the design, experiments × replications = runs, the seeds, the factors and the --set settings", () => {
    expect(html).toContain("<b>320</b> experiments × <b>10</b> replications = <b>3,200</b> runs")
    expect(html).toContain("design <b>Sobol (Saltelli sampling)</b>, 64 base points")
    expect(html).toContain("seeds: design <b>7</b>, scenario <b>42</b>")
    expect(html).toMatch(/<td><code>centre\.capacity<\/code><\/td><td>lever<\/td><td>4 to 46 \(whole numbers\)<\/td>/)
    expect(html).toMatch(/<td><code>negotiation\.duration_months<\/code><\/td><td>uncertainty<\/td><td>6 to 18 \(to hundredths\)<\/td>/)
    expect(html).toContain("<td>variants: base, forerunners-first, largest-first</td>")
    expect(html).toContain("<code>centre.start=&quot;2010-11&quot;</code>")
  })

  it("writes the PRIM box as a sentence with its numbers, only the bounds that moved", () => {
    expect(html).toContain(
      "Of the 1,234 runs where coverage_50pct_months &gt; 36, 91% have centre.capacity ≤ 12 and rollout in {forerunners-first, largest-first}; within that box 88% of runs meet the condition."
    )
    expect(html).toContain("1,234 of the 3,200 runs (39%) meet the condition over the whole sweep; the box holds 1,279 runs (40% of all).")
    expect(html).toMatch(/<td><code>centre\.capacity<\/code><\/td><td>centre\.capacity ≤ 12<\/td><td>4 to 46 \(whole numbers\)<\/td>/)
  })

  it("states each switching value and which way NPV goes", () => {
    expect(html).toContain("NPV crosses £0 at centre.capacity = 17.5 (between 17 and 18): NPV falls below £0 as centre.capacity rises past it; £1.2k at 17, -£800.00 at 18.")
    expect(html).toContain("no switching value in 6–18: NPV stays above £0 (from £500.0k at 6 to £120.0k at 18).")
  })

  it("gives the tornado's numbers in pounds and months, every level's mean for a levels factor", () => {
    // NPV: base £250.0k; duration at 6 → £370.0k, at 18 → £50.0k; swing 8 × £40k.
    expect(html).toMatch(/<td><code>negotiation\.duration_months<\/code><\/td><td class="num"><span class="value">£370\.0k<\/span><span class="sub">at 6<\/span><\/td><td class="num"><span class="value">£50\.0k<\/span><span class="sub">at 18<\/span><\/td><td class="num">£320\.0k<\/td>/)
    expect(html).toContain('<span class="value">26 months</span><span class="sub">at 4</span>')
    expect(html).toContain('<span class="sub">level largest-first (lowest)</span>')
    expect(html).toContain('<span class="sub">base: £250.0k; forerunners-first: £290.0k; largest-first: £210.0k</span>')
  })

  it("says an outcome with no variance does not vary, instead of drawing its indices", () => {
    expect(html).not.toContain('id="chart-sobol-1"') // savings: variance 0
    expect(html).not.toContain('id="chart-sobol-4"') // council: variance null
    expect(html).toContain("Savings realised does not vary in this sweep")
    expect(html).toContain("Net position of council (savings − investment + transfers) does not vary in this sweep")
    for (const i of [0, 2, 3]) expect(html).toContain(`id="chart-sobol-${i}"`)
    // Only the outcome with an interval wider than half the scale is flagged.
    expect(html.match(/class="note unreliable"/g)).toHaveLength(1)
    expect(html).toMatch(/id="chart-sobol-3" data-chart="chart-sobol-3"><\/div><p class="note unreliable">These estimates are not to be trusted yet/)
    expect(html).toContain("Net position of council (savings − investment + transfers) does not vary in this sweep: it is the same in every experiment or not reached in some (its variance is undefined)")
    // S1, its interval, and ST − S1 as shares of variance.
    expect(html).toMatch(/<td><code>centre\.capacity<\/code><\/td><td class="num"><span class="value">52%<\/span><span class="sub">48% to 57%<\/span><\/td><td class="num"><span class="value">60%<\/span><span class="sub">56% to 65%<\/span><\/td><td class="num">8\.0%<\/td>/)
    // 0.7 − 0.6 in floating point is 0.0999…: still 10%.
    expect(html).toMatch(/<td><code>negotiation\.duration_months<\/code><\/td><td class="num"><span class="value">60%<\/span><span class="sub">56% to 65%<\/span><\/td><td class="num"><span class="value">70%<\/span><span class="sub">66% to 75%<\/span><\/td><td class="num">10%<\/td>/)
  })

  it("says when no run meets the condition, and draws Morris effects in the outcome's units", () => {
    const m = renderSweepReport(morrisReport)
    expect(m).toContain("No run meets npv_pence &lt; -1000000000: none of the 200 runs does, so there is no box to describe.")
    expect(m).not.toContain('id="chart-trajectory"')
    expect(m).not.toContain('id="sobol"')
    expect(m).toMatch(/<td><code>prevention\.reduction_pct<\/code><\/td><td class="num">£60\.0k<\/td><td class="num">£60\.0k<\/td><td class="num">£10\.0k<\/td>/)
    expect(m).toMatch(/<td><code>centre\.capacity<\/code><\/td><td class="num">4 months<\/td><td class="num">-4 months<\/td><td class="num">1\.20 months<\/td>/)
  })

  it("escapes factor and scenario names, and leaves out the panels a sweep does not have", () => {
    const l = renderSweepReport(lhsWithoutDiscovery)
    expect(l).toContain("<code>cohort &lt;size&gt; &amp; &quot;share&quot;</code>")
    expect(l).not.toContain("<size>")
    expect(l).toContain("<h1>Rollout &lt;draft&gt;: 2 factors swept</h1>")
    expect(l).toContain("<td>levels: small, large</td>")
    expect(l).toContain('<span class="badge">not reached in the base case</span>')
    expect(l).toContain('<span class="value">51.5 months</span><span class="sub">at 6</span></td><td class="num"><span class="value">–</span><span class="sub">at 18</span></td><td class="num">–</td>')
    for (const id of ['id="sobol"', 'id="morris"', 'id="discovery"']) expect(l).not.toContain(id)
    // The name survives in the chart data, escaped for the script element.
    expect(l).toContain("cohort \\u003csize\\u003e \\u0026 \\\"share\\\"")
    // The per-experiment means stay in sweep.json, not the page.
    expect(renderSweepReport(sobolReport)).not.toContain("means_per_experiment")
  })
})

describe.skipIf(SKIP_BROWSER)("the sweep report in headless Chromium", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
    console.info(`sweep report pages, screenshots and PDFs: ${browser.out}`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  const count = (page: Page, selector: string) => page.locator(selector).count()

  /** Text of the charts' marks that falls outside its svg (a label cut off at the edge). */
  const clippedText = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll("[data-chart] svg")].flatMap((svg) => {
      const box = svg.getBoundingClientRect()
      return [...svg.querySelectorAll("text")].filter((t) => {
        const r = t.getBoundingClientRect()
        return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
      }).map((t) => svg.closest("[data-chart]").id + ": " + t.textContent)
    })`) as Promise<Array<string>>

  /** Prints at A4 width: every table fits its box, and the PDF has pages. */
  const printsWhole = async (page: Page, name: string, tables: ReadonlyArray<string>, minPages: number) => {
    await page.setViewportSize({ width: A4_CONTENT_PX, height: 1000 })
    await page.emulateMedia({ media: "print" })
    const printed = (await page.evaluate(`[...document.querySelectorAll(".table-wrap")].map((w) => {
      const t = w.querySelector("table")
      return { id: t.id, wrap: w.clientWidth, scroll: w.scrollWidth, table: t.scrollWidth, client: t.clientWidth }
    })`)) as Array<{ id: string; wrap: number; scroll: number; table: number; client: number }>
    expect(printed.map((t) => t.id)).toEqual(tables)
    for (const t of printed) {
      expect(t.wrap, t.id).toBeLessThanOrEqual(A4_CONTENT_PX)
      expect(t.scroll, t.id).toBeLessThanOrEqual(t.wrap)
      expect(t.table, t.id).toBeLessThanOrEqual(t.client)
    }
    const pdf = await page.pdf({ format: "A4", printBackground: true })
    writeFileSync(path.join(browser.out, `${name}.pdf`), pdf)
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-")
    expect((pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length).toBeGreaterThanOrEqual(minPages)
  }

  it("draws the sobol sweep: two tornado bars per factor, S1 and ST with intervals, the trajectory with its chosen box", async () => {
    const { page, problems } = await load(browser, "sweep-sobol", renderSweepReport(sobolReport))
    expect(await count(page, '[data-rendered="error"]')).toBe(0)
    const order = sweepOutcomeOrder(sobolReport.key_outcomes)
    for (const [i, o] of order.entries()) {
      const t = sobolReport.sensitivity.tornado[o]!
      // Savings: no factor moves them, so a sentence with their value instead of bars of length 0.
      const still = o === "savings_realised_pence"
      expect(await count(page, `#chart-tornado-${i} g.tornado-bar rect`), o).toBe(still ? 0 : 2 * t.bars.length)
      expect(await count(page, `#chart-tornado-${i} g.tornado-base line`), o).toBe(still ? 0 : 1)
    }
    expect(await page.locator("#chart-tornado-1").textContent()).toBe("Moving any one factor to either end leaves this outcome at its base case, £31.1m.")
    // NPV's bars are labelled with the factor's values at each end, the levels factor with its levels.
    const labels = await page.locator("#chart-tornado-0 g.tornado-label text").allTextContents()
    expect([...labels].sort()).toEqual(["18", "4", "46", "6", "forerunners-first", "largest-first"])
    // Money ticks in pounds on NPV's tornado; the factors in order of swing down the y axis.
    for (const t of await page.locator('#chart-tornado-0 svg g[aria-label="x-axis tick label"] text').allTextContents()) expect(t).toMatch(/^-?£\d+(\.\d+)?(k|m|bn)?$/)
    expect(await page.locator('#chart-tornado-0 svg g[aria-label="y-axis tick label"] text').allTextContents()).toEqual(["negotiation.duration_months", "centre.capacity", "rollout"])
    // Sobol: three varying outcomes, S1 and ST for each of the three factors, each with its interval.
    expect(await count(page, "[id^=chart-sobol-]")).toBe(3)
    for (const i of [0, 2, 3]) {
      expect(await count(page, `#chart-sobol-${i} g.sobol-bar rect`)).toBe(6)
      expect(await count(page, `#chart-sobol-${i} g.sobol-interval line`)).toBe(6)
    }
    // NPV's factors by ST, largest first.
    expect(await page.locator('#chart-sobol-0 svg g[aria-label="fy-axis tick label"] text').allTextContents()).toEqual(["centre.capacity", "negotiation.duration_months", "rollout"])
    expect(await count(page, "#chart-trajectory g.trajectory-dot circle")).toBe(TRAJECTORY.length)
    expect(await count(page, "#chart-trajectory g.trajectory-chosen circle")).toBe(1)
    // The "chosen box" label covers no step's dot.
    expect(
      await page.evaluate(`(() => {
        const l = document.querySelector("#chart-trajectory g.trajectory-chosen-label text").getBoundingClientRect()
        return [...document.querySelectorAll("#chart-trajectory g.trajectory-dot circle")].filter((c) => {
          const r = c.getBoundingClientRect()
          return r.left < l.right && r.right > l.left && r.top < l.bottom && r.bottom > l.top
        }).length
      })()`)
    ).toBe(0)
    expect(await page.locator("#discovery-box").textContent()).toBe(
      "Of the 1,234 runs where coverage_50pct_months > 36, 91% have centre.capacity ≤ 12 and rollout in {forerunners-first, largest-first}; within that box 88% of runs meet the condition."
    )
    expect(await overlappingTicks(page)).toEqual([])
    expect(await clippedText(page)).toEqual([])

    const png = path.join(browser.out, "sweep-sobol.png")
    await page.screenshot({ path: png, fullPage: true })
    const stats = await pixelStats(browser, readFileSync(png))
    expect(stats.width).toBe(1200)
    expect(stats.height).toBeGreaterThan(3000)
    expect(stats.distinct, "a screenshot of one colour").toBeGreaterThan(50)
    expect(stats.inked, "a screenshot with almost nothing drawn").toBeGreaterThan(0.02)
    await printsWhole(page, "sweep-sobol", ["table-factors", "table-tornado", "table-switching", "table-sobol", "table-box"], 4)
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the morris sweep: one labelled dot per factor, and no trajectory when no run meets the condition", async () => {
    const { page, problems } = await load(browser, "sweep-morris", renderSweepReport(morrisReport))
    expect(await count(page, '[data-rendered="error"]')).toBe(0)
    expect(await count(page, "#chart-tornado-0 g.tornado-bar rect")).toBe(8)
    expect(await count(page, "#chart-tornado-1 g.tornado-bar rect")).toBe(6)
    for (const i of [0, 1]) {
      expect(await count(page, `#chart-morris-${i} g.morris-dot circle`)).toBe(4)
      expect(await page.locator(`#chart-morris-${i} g.morris-label text`).allTextContents()).toEqual(morrisFactors.map((f) => f.name))
    }
    expect(await count(page, "#chart-trajectory")).toBe(0)
    expect(await page.locator("#discovery-box").textContent()).toContain("No run meets npv_pence < -1000000000")
    expect(await overlappingTicks(page)).toEqual([])
    expect(await clippedText(page)).toEqual([])
    const png = path.join(browser.out, "sweep-morris.png")
    await page.screenshot({ path: png, fullPage: true })
    const stats = await pixelStats(browser, readFileSync(png))
    expect(stats.distinct, "a screenshot of one colour").toBeGreaterThan(50)
    expect(stats.inked).toBeGreaterThan(0.02)
    await printsWhole(page, "sweep-morris", ["table-factors", "table-tornado", "table-morris"], 2)
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws the lhs sweep with an escaped factor name and prints it whole", async () => {
    const { page, problems } = await load(browser, "sweep-lhs", renderSweepReport(lhsWithoutDiscovery))
    expect(await count(page, '[data-rendered="error"]')).toBe(0)
    expect(await count(page, "[data-chart]")).toBe(3)
    expect(await count(page, "#chart-tornado-0 g.tornado-bar rect")).toBe(4)
    expect(await count(page, "#chart-tornado-1 g.tornado-bar rect")).toBe(4)
    expect(await page.locator("#chart-tornado-1 g.tornado-label text").allTextContents()).toEqual(["6", "18", "no change"])
    expect(await page.locator("#chart-tornado-2").textContent()).toBe("The base case does not reach this outcome, so there is no bar to draw from it; the table lists the ends where it is reached.")
    expect(await page.locator('#chart-tornado-0 svg g[aria-label="y-axis tick label"] text').nth(1).textContent()).toBe(oddName)
    // Months on the coverage tornado: plain numbers, not pounds.
    for (const t of await page.locator('#chart-tornado-1 svg g[aria-label="x-axis tick label"] text').allTextContents()) expect(t).toMatch(/^\d+(\.\d+)?$/)
    expect(await page.locator("#table-switching td.no-crossing").textContent()).toBe("no switching value in 6–18: NPV stays above £0 (from £500.0k at 6 to £120.0k at 18).")
    expect(await overlappingTicks(page)).toEqual([])
    expect(await clippedText(page)).toEqual([])
    const png = path.join(browser.out, "sweep-lhs.png")
    await page.screenshot({ path: png, fullPage: true })
    expect((await pixelStats(browser, readFileSync(png))).distinct).toBeGreaterThan(50)
    await printsWhole(page, "sweep-lhs", ["table-factors", "table-tornado", "table-switching"], 1)
    expect(problems).toEqual([])
    await page.close()
  })
})
