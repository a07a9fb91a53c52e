/**
 * The comparison report of the rollout options example (the base and eight variants, real runs
 * over a few replications), in the file and in headless Chromium: labels that tell the scenarios
 * apart, full names that are not clipped, axis ticks that do not overlap, figures the same in every
 * replication drawn as a value (no range bar), the warning when localities differ, a full-page
 * screenshot, and tables that print whole to an A4 PDF.
 */
import { replicationSeed } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { compileScenarioVariantsText } from "@devosim/scenario"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { compareRuns, formatComparison, uniqueLabels, type ReplicatedRun } from "../src/compare.ts"
import { renderComparisonReport } from "../src/html.ts"
import { summarize } from "../src/summary.ts"
import { figuresOf } from "../src/compare.ts"
import { A4_CONTENT_PX, launch, load, overlappingTicks, pixelStats, SKIP_BROWSER, type Browser } from "./chromium.ts"

const ROOT = path.resolve(import.meta.dirname, "../../..")
const OPTIONS = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const K = 4

/** The base and each variant of the rollout options file, K replications each, as `devosim compare` reads them. */
const optionRuns = (): Array<ReplicatedRun> => {
  const compiled = compileScenarioVariantsText(readFileSync(OPTIONS, "utf8"), OPTIONS)
  if (!compiled.ok) throw new Error(compiled.error.message)
  return compiled.value.map((v) => {
    const seeds = Array.from({ length: K }, (_, r) => replicationSeed(v.scenario.seed, r))
    return {
      name: v.variant ?? v.scenario.name,
      source: "scenarios/route-map-rollout-options.yaml",
      variant: v.variant,
      description: v.description,
      fork: null,
      localities: v.scenario.localities.map((l) => l.id),
      replications: seeds.map((seed) => figuresOf(summarize(runScenario({ ...v.scenario, seed }).log))),
      seeds
    }
  })
}

const runs = optionRuns()
const report = compareRuns(runs)
const names = report.scenarios.map((s) => s.name)
/** One of the variants without six of the baseline's localities (as a file with fewer places would be). */
const fewer = compareRuns(runs.map((r, i) => (i === 3 ? { ...r, localities: r.localities!.slice(0, 40) } : r)))

describe("the comparison of the rollout options", () => {
  it("labels each scenario with its input, variant and description", () => {
    expect(names).toHaveLength(9)
    expect(names).toContain("forerunners-first-capacity-46")
    const s = report.scenarios[1]!
    expect(s).toMatchObject({ source: "scenarios/route-map-rollout-options.yaml", variant: "forerunners-first-capacity-4", localities: 46 })
    expect(s.description).toBe("the route-map's forerunners, then the second tranche, then the rest; the centre runs 4 negotiations at once")
    const text = formatComparison(report)
    expect(text).toContain("From scenarios/route-map-rollout-options.yaml:")
    expect(text).toMatch(/\n {2}all-at-once-capacity-12 +every area invited in November 2010; the centre runs 12 negotiations at once\n/)
  })

  it("says for whom each direction is better, and none for counts by tranche or money invested", () => {
    const by = new Map(report.figures.map((f) => [f.figure, f]))
    expect(by.get("spb_reduction_pence")).toMatchObject({ better: "higher", better_for: "the Treasury (lower is better for the places pooling)" })
    expect(by.get("net_position_nhs_pence")).toMatchObject({ better: "higher", better_for: "nhs" })
    expect(by.get("coverage_50pct_months")).toMatchObject({ better: "lower", better_for: "the places waiting for a deal" })
    expect(by.get("deals_in_tranche_forerunners")).toMatchObject({ better: "none", better_for: "", winner: null })
    expect(by.get("prevention_invested_pence")).toMatchObject({ better: "none", winner: null })
    for (const f of report.figures) expect(f.better === "none" || f.better_for !== "", f.figure).toBe(true)
  })

  it("marks figures the same in every replication as constant, and prints them as a value", () => {
    const savings = report.figures.find((f) => f.figure === "savings_realised_pence")!
    expect(savings.by_scenario.every((b) => b.constant && b.q05 === b.q95)).toBe(true)
    expect(savings.paired.every((p) => p.constant && p.mean_diff === 0)).toBe(true)
    const wait = report.figures.find((f) => f.figure === "mean_wait_months")!
    expect(wait.by_scenario.some((b) => !b.constant)).toBe(true)
    const text = formatComparison(report)
    const block = text.slice(text.indexOf("Savings realised"), text.indexOf("\n\n", text.indexOf("Savings realised")))
    expect(block).toMatch(/forerunners-first-capacity-4 +£31\.11m +in every replication +Δ £0 in every replication/)
  })

  it("warns when a scenario does not share the baseline's localities, naming how many differ", () => {
    expect(report.warnings).toEqual([])
    expect(fewer.warnings).toEqual([
      "all-at-once-capacity-4 does not share the baseline's localities: 6 of the baseline's 46 localities are missing from it; common random numbers pair only the 40 shared, so a difference from the baseline is partly the places, not only the timetable"
    ])
  })

  it("tells two inputs of one name apart by their file or directory", () => {
    const two = uniqueLabels([
      { name: "Route map", source: "runs/route-map" },
      { name: "Route map", source: "runs/route-map-cap16/" },
      { name: "Other", source: "a.yaml" }
    ])
    expect(two.map((r) => r.name)).toEqual(["Route map (route-map)", "Route map (route-map-cap16)", "Other"])
    expect(uniqueLabels([{ name: "X", source: "a/x.yaml" }, { name: "X", source: "b/x.yaml" }]).map((r) => r.name)).toEqual(["X (x.yaml)", "X (x.yaml) (2)"])
  })

  it("splits the figures table so no table has more than five scenario columns", () => {
    const html = renderComparisonReport(report)
    expect(html).toContain('id="table-figures"')
    expect(html).toContain('id="table-figures-2"')
    expect(html).not.toContain('id="table-figures-3"')
    expect(html).toContain("Scenarios 6–9 of 9.")
    expect(html).toContain("the centre runs 46 negotiations at once")
  })
})

describe.skipIf(SKIP_BROWSER)("the comparison report in headless Chromium", () => {
  let browser: Browser

  beforeAll(async () => {
    browser = await launch()
    console.info(`comparison report pages, screenshots and PDF: ${browser.out}`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** Each table's width and its box's, as the page lays them out now (under print media, in the tests). */
  const printedTables = (page: Page) =>
    page.evaluate(`[...document.querySelectorAll(".table-wrap")].map((w) => {
      const t = w.querySelector("table")
      return { id: t.id, wrap: w.clientWidth, scroll: w.scrollWidth, table: t.scrollWidth, client: t.clientWidth }
    })`) as Promise<Array<{ id: string; wrap: number; scroll: number; table: number; client: number }>>

  it("draws every figure with full, unclipped names and ticks that do not overlap; constant figures without a range", async () => {
    const { page, problems } = await load(browser, "compare-options", renderComparisonReport(report))
    expect(await page.locator('[data-rendered="error"]').count()).toBe(0)
    expect(await page.locator("#warnings").count()).toBe(0)

    // Each figure chart's y labels are the nine full names (wrapped onto lines, never cut), inside the svg.
    const labels = (await page.evaluate(`[...document.querySelectorAll("[id^=chart-figure-]")].map((chart) => {
      const svg = chart.querySelector("svg").getBoundingClientRect()
      return [...chart.querySelectorAll('svg g[aria-label="y-axis tick label"] text')].map((t) => {
        const r = t.getBoundingClientRect()
        return { text: t.textContent, lines: t.querySelectorAll("tspan").length, inside: r.left >= svg.left - 0.5 && r.right <= svg.right + 0.5 && r.top >= svg.top - 0.5 && r.bottom <= svg.bottom + 0.5 }
      })
    })`)) as Array<Array<{ text: string; lines: number; inside: boolean }>>
    expect(labels).toHaveLength(report.figures.length)
    const squash = (s: string) => s.replace(/★|\s/g, "")
    for (const [i, chart] of labels.entries()) {
      expect(chart.map((l) => squash(l.text)), report.figures[i]!.figure).toEqual(names.map(squash))
      expect(chart.every((l) => l.inside), report.figures[i]!.figure).toBe(true)
    }
    // The longest name wraps (onto two lines at this width) rather than being cut.
    expect(Math.max(...labels[0]!.map((l) => l.lines))).toBe(2)
    expect(await page.evaluate(`[...document.querySelectorAll("svg text")].filter((t) => t.textContent.includes("…")).length`)).toBe(0)
    expect(await overlappingTicks(page)).toEqual([])
    // Money ticks are compact pounds, more than one per axis.
    const npv = report.figures.findIndex((f) => f.figure === "spb_reduction_pence")
    const ticks = (await page.locator(`#chart-figure-${npv} svg g[aria-label="x-axis tick label"] text`).allTextContents())
    expect(ticks.length).toBeGreaterThan(2)
    for (const t of ticks) expect(t).toMatch(/^-?£\d+(\.\d+)?(k|m|bn)?$/)

    // A range bar only where replications differ; a figure the same in each is a dot with its value.
    let allConstant = 0
    let mixed = 0
    for (const [i, f] of report.figures.entries()) {
      const drawn = f.by_scenario.filter((b) => b.n > 0)
      const ranged = drawn.filter((b) => !b.constant).length
      expect(await page.locator(`#chart-figure-${i} g.figure-range line`).count(), f.figure).toBe(ranged)
      expect(await page.locator(`#chart-figure-${i} g.figure-constant text`).count(), f.figure).toBe(drawn.length - ranged)
      expect(await page.locator(`#chart-figure-${i} g.figure-mean circle`).count(), f.figure).toBe(drawn.length)
      if (ranged === 0) allConstant++
      else if (ranged < drawn.length) mixed++
    }
    expect(allConstant).toBeGreaterThan(0)
    expect(mixed).toBeGreaterThan(0)
    const savings = report.figures.findIndex((f) => f.figure === "savings_realised_pence")
    expect(await page.locator(`#chart-figure-${savings} g.figure-constant text`).first().textContent()).toBe("£31.1m")

    const png = path.join(browser.out, "compare-options.png")
    await page.screenshot({ path: png, fullPage: true })
    expect(statSync(png).size).toBeGreaterThan(100_000)
    const stats = await pixelStats(browser, readFileSync(png))
    expect(stats.width).toBe(1200)
    expect(stats.height).toBeGreaterThan(5000)
    expect(stats.distinct, "a screenshot of one colour").toBeGreaterThan(50)
    expect(stats.inked, "a screenshot with almost nothing drawn").toBeGreaterThan(0.02)
    expect(problems).toEqual([])
    await page.close()
  })

  it("prints whole: on an A4 page every table fits its width, and the PDF has pages", async () => {
    const { page, problems } = await load(browser, "compare-options-print", renderComparisonReport(report))
    await page.setViewportSize({ width: A4_CONTENT_PX, height: 1000 })
    await page.emulateMedia({ media: "print" })
    const tables = await printedTables(page)
    expect(tables.map((t) => t.id)).toEqual(["table-scenarios", "table-figures", "table-figures-2", "table-paired"])
    for (const t of tables) {
      expect(t.wrap, t.id).toBeLessThanOrEqual(A4_CONTENT_PX)
      expect(t.scroll, t.id).toBeLessThanOrEqual(t.wrap)
      expect(t.table, t.id).toBeLessThanOrEqual(t.client)
      expect(t.client, t.id).toBeLessThanOrEqual(t.wrap)
    }
    // Every scenario's column is in a printed table.
    const headers = (await page.locator(".figure-table thead th").allTextContents()).map((h) => h.replace(/\s*baseline$/, ""))
    expect(headers.filter((h) => h !== "figure")).toEqual(names)
    const pdf = await page.pdf({ format: "A4", printBackground: true })
    writeFileSync(path.join(browser.out, "compare-options.pdf"), pdf)
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-")
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length
    expect(pages).toBeGreaterThan(3)
    expect(problems).toEqual([])
    await page.close()
  })

  it("draws a replication set (one scenario across its replications) without paired differences, and prints it whole", async () => {
    // What `devosim run FILE --replications K` writes as its report.html: the base scenario alone.
    const set = compareRuns([runs[0]!])
    const { page, problems } = await load(browser, "replication-set", renderComparisonReport(set))
    expect(await page.locator("p.kicker").textContent()).toBe("devosim replication set report")
    expect(await page.locator("header .meta").textContent()).toBe(`${K} replications, each with its own seed`)
    expect(await page.locator("#paired-table").count()).toBe(0)
    expect(await page.locator('[data-rendered="error"]').count()).toBe(0)
    // One chart per figure, one mean each where the figure is reached; a range only where replications differ.
    for (const [i, f] of set.figures.entries()) {
      const b = f.by_scenario[0]!
      expect(await page.locator(`#chart-figure-${i} g.figure-mean circle`).count(), f.figure).toBe(b.n > 0 ? 1 : 0)
      expect(await page.locator(`#chart-figure-${i} g.figure-range line`).count(), f.figure).toBe(b.n > 0 && !b.constant ? 1 : 0)
    }
    expect(set.figures.some((f) => f.by_scenario[0]!.n > 0 && !f.by_scenario[0]!.constant)).toBe(true)
    const png = path.join(browser.out, "replication-set.png")
    await page.screenshot({ path: png, fullPage: true })
    const stats = await pixelStats(browser, readFileSync(png))
    expect(stats.distinct, "a screenshot of one colour").toBeGreaterThan(50)
    await page.setViewportSize({ width: A4_CONTENT_PX, height: 1000 })
    await page.emulateMedia({ media: "print" })
    const tables = await printedTables(page)
    expect(tables.map((t) => t.id)).toEqual(["table-scenarios", "table-figures"])
    for (const t of tables) {
      expect(t.scroll, t.id).toBeLessThanOrEqual(t.wrap)
      expect(t.table, t.id).toBeLessThanOrEqual(t.client)
    }
    const pdf = await page.pdf({ format: "A4", printBackground: true })
    writeFileSync(path.join(browser.out, "replication-set.pdf"), pdf)
    expect((pdf.toString("latin1").match(/\/Type\s*\/Page(?!s)/g) ?? []).length).toBeGreaterThan(1)
    expect(problems).toEqual([])
    await page.close()
  })

  it("shows the warning when a scenario does not share the baseline's localities", async () => {
    const { page, problems } = await load(browser, "compare-fewer-localities", renderComparisonReport(fewer))
    const warning = page.locator("#warnings")
    expect(await warning.isVisible()).toBe(true)
    expect(await warning.textContent()).toContain("all-at-once-capacity-4 does not share the baseline's localities: 6 of the baseline's 46 localities are missing from it")
    const box = await warning.boundingBox()
    expect(box!.y).toBeLessThan(400) // above the scenarios table, where a reader starts
    await page.screenshot({ path: path.join(browser.out, "compare-fewer-localities.png"), fullPage: false })
    expect(problems).toEqual([])
    await page.close()
  })
})
