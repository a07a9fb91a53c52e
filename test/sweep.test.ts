/**
 * `devosim sweep` through the real CLI: the rollout example with an experiments section (a lever,
 * centre capacity 4..46, and an uncertainty, the deal's reduction 2..10%), an LHS of 8 experiments
 * × 2 replications. Given the sweep, experiments.arrow has the documented columns and rows in
 * (experiment, replication) order; a row's outcomes are a `devosim run --set …` of its settings with
 * its seed; the same sweep is the same bytes; the factors' order in the section does not change the
 * rows; `--where` gives a PRIM box; verify passes; a bad factor path is one line, exit 2.
 */
import { decodeTable } from "@devosim/store"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { launch, load, SKIP_BROWSER } from "../packages/report/test/chromium.ts"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const EXAMPLE = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
// The example without its own experiments section (the section and the comment above it come last).
const ROLLOUT = (() => {
  const text = readFileSync(EXAMPLE, "utf8")
  return text.slice(0, text.indexOf("\n# `devosim sweep scenarios/route-map-rollout-options.yaml"))
})()
const LEVER = "    - { path: centre.capacity, low: 4, high: 46 }\n"
const UNCERTAINTY = "    - { path: deal.reduction_pct, low: 2, high: 10 }\n"
const withExperiments = (section: string) => `${ROLLOUT}\nexperiments:\n${section}`

type Json = Record<string, unknown>
const dir = tempDir("sweep")
const file = path.join(dir, "rollout.yaml")
const sweepArgs = (f: string, out: string, ...more: Array<string>) => ["sweep", f, "--design", "lhs", "--samples", "8", "--replications", "2", "--out", out, "--quiet", "--workers", "0", ...more]
let first: ReturnType<typeof devosim>

beforeAll(() => {
  writeFileSync(file, withExperiments(`  levers:\n${LEVER}  uncertainties:\n${UNCERTAINTY}`))
  first = devosim(...sweepArgs(file, path.join(dir, "a"), "--where", "coverage_50pct_months > 33"))
})

const tableOf = (out: string) => decodeTable(readFileSync(path.join(out, "experiments.arrow")))

describe("devosim sweep", () => {
  it("writes experiments.arrow: experiment, replication, seed, each factor, each outcome, rows in (experiment, replication) order", () => {
    expect(first.stderr).toBe("")
    expect(first.status).toBe(0)
    const t = tableOf(path.join(dir, "a"))
    const names = Object.keys(t.columns)
    expect(names.slice(0, 5)).toEqual(["experiment", "replication", "seed", "centre.capacity", "deal.reduction_pct"])
    for (const o of ["npv_pence", "savings_realised_pence", "coverage_50pct_months", "deals", "net_position_council_pence", "net_position_nhs_pence"]) expect(names).toContain(o)
    expect(t.numRows).toBe(16)
    expect(Array.from({ length: 16 }, (_, i) => [t.columns["experiment"]![i], t.columns["replication"]![i]])).toEqual(Array.from({ length: 16 }, (_, i) => [Math.floor(i / 2), i % 2]))
    // Common random numbers: replication r has the same seed in every experiment (r = 0: the scenario's).
    for (let i = 0; i < 16; i++) expect(t.columns["seed"]![i]).toBe(t.columns["seed"]![i % 2])
    expect(t.columns["seed"]![0]).toBe(2010)
    // The capacity is an integer field: its values are whole; LHS puts one in each eighth of 4..46.
    const caps = Array.from({ length: 8 }, (_, e) => t.columns["centre.capacity"]![2 * e] as number)
    for (const c of caps) expect(Number.isInteger(c)).toBe(true)
    expect(new Set(caps.map((c) => Math.min(7, Math.floor(((c - 4) / 42) * 8)))).size).toBeGreaterThanOrEqual(7)
    const sweep = JSON.parse(readFileSync(path.join(dir, "a", "sweep.json"), "utf8")) as Json
    expect(sweep["experiments"]).toBe(8)
    expect(sweep["replications"]).toBe(2)
  })

  it("a row's outcomes are those of devosim run --set with its settings and its replication's seed", () => {
    const t = tableOf(path.join(dir, "a"))
    for (const row of [3, 10]) {
      const cap = t.columns["centre.capacity"]![row] as number
      const red = t.columns["deal.reduction_pct"]![row] as number
      const seed = t.columns["seed"]![row] as number
      const out = path.join(dir, `run-${row}`)
      const run = devosim("run", file, "--set", `centre.capacity=${cap}`, "--set", `deal.reduction_pct=${red}`, "--seed", String(seed), "--out", out, "--quiet")
      expect(run.status).toBe(0)
      const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { centre: { deals: number; makespan: number; mean_wait: number }; money: { spb_reduction_pence: number; savings_realised_pence: number } }
      expect(t.columns["deals"]![row]).toBe(summary.centre.deals)
      expect(t.columns["makespan_months"]![row]).toBe(summary.centre.makespan)
      expect(t.columns["mean_wait_months"]![row]).toBe(summary.centre.mean_wait)
      expect(t.columns["spb_reduction_pence"]![row]).toBe(summary.money.spb_reduction_pence)
      expect(t.columns["savings_realised_pence"]![row]).toBe(summary.money.savings_realised_pence)
    }
  })

  it("the same sweep gives the same bytes, and the factors' order in the section does not change the rows", () => {
    const again = devosim(...sweepArgs(file, path.join(dir, "b"), "--where", "coverage_50pct_months > 33"))
    expect(again.status).toBe(0)
    for (const f of ["experiments.arrow", "sweep.json", "report.html", "manifest.json"]) expect(readFileSync(path.join(dir, "b", f))).toEqual(readFileSync(path.join(dir, "a", f)))
    // The factors the other way round, in one list: a full factorial is the same points in another
    // order, so the rows, sorted by their inputs, are the same outcomes.
    const swapped = path.join(dir, "swapped.yaml")
    writeFileSync(swapped, withExperiments(`  uncertainties:\n${UNCERTAINTY}${LEVER}`))
    const grid = (f: string, out: string) => devosim("sweep", f, "--design", "full_factorial", "--samples", "3", "--replications", "2", "--out", out, "--quiet", "--workers", "0")
    expect(grid(file, path.join(dir, "c1")).status).toBe(0)
    expect(grid(swapped, path.join(dir, "c2")).status).toBe(0)
    const rowsOf = (t: ReturnType<typeof tableOf>) =>
      Array.from({ length: t.numRows }, (_, i) =>
        ["replication", "centre.capacity", "deal.reduction_pct", "npv_pence", "deals", "mean_wait_months", "coverage_50pct_months", "net_position_nhs_pence"].map((c) => String(t.columns[c]![i])).join(" ")
      ).sort()
    const c1 = tableOf(path.join(dir, "c1"))
    const c2 = tableOf(path.join(dir, "c2"))
    expect(c1.numRows).toBe(18)
    expect(Object.keys(c2.columns).slice(3, 5)).toEqual(["deal.reduction_pct", "centre.capacity"])
    expect(rowsOf(c2)).toEqual(rowsOf(c1))
    expect(new Set(rowsOf(c1).map((r) => r.split(" ").slice(1, 3).join(" "))).size).toBe(9)
  })

  it("the same bytes for any number of worker threads (each builds the plan from the file and runs blocks of rows)", () => {
    const threads = devosim(...sweepArgs(file, path.join(dir, "threads"), "--where", "coverage_50pct_months > 33").filter((a, i, all) => a !== "--workers" && all[i - 1] !== "--workers"), "--workers", "2")
    expect(threads.stderr).toBe("")
    expect(threads.status).toBe(0)
    for (const f of ["experiments.arrow", "sweep.json", "report.html", "manifest.json"]) expect(readFileSync(path.join(dir, "threads", f)).equals(readFileSync(path.join(dir, "a", f))), f).toBe(true)
  })

  it("--where gives a PRIM box with its trajectory", () => {
    const sweep = JSON.parse(readFileSync(path.join(dir, "a", "sweep.json"), "utf8")) as { discovery: { condition: string; rows: number; rows_meeting: number; trajectory: Array<Json>; box: { coverage: number; density: number; restricted: Array<{ factor: string; lower: number; upper: number }> } } }
    const d = sweep.discovery
    expect(d.condition).toBe("coverage_50pct_months > 33")
    expect(d.rows).toBe(16)
    expect(d.rows_meeting).toBeGreaterThan(0)
    expect(d.rows_meeting).toBeLessThan(16)
    expect(d.trajectory.length).toBeGreaterThan(1)
    expect(d.box.coverage).toBeGreaterThan(0)
    expect(d.box.density).toBeGreaterThan(d.rows_meeting / 16)
    // Slow coverage is a small centre: the box bounds the capacity from above.
    expect(d.box.restricted.map((r) => r.factor)).toContain("centre.capacity")
    expect(first.stdout).toMatch(/--where coverage_50pct_months > 33: \d+ of 16 rows; a box covering/)
  })

  it("verify passes on the sweep's directory", () => {
    const v = devosim("verify", path.join(dir, "a"))
    expect(v.status).toBe(0)
    expect(v.stdout).toMatch(/intact sweep: 3 files match the manifest/)
  })

  it("a factor path the scenario does not have is one line, exit 2, nothing written", () => {
    const bad = path.join(dir, "bad.yaml")
    writeFileSync(bad, withExperiments(`  levers:\n    - { path: centre.capcity, low: 4, high: 46 }\n`))
    const r = devosim(...sweepArgs(bad, path.join(dir, "bad-out")))
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/experiments\.levers\[0\] \(centre\.capcity = 4\)/)
    expect(existsSync(path.join(dir, "bad-out"))).toBe(false)
  })

  it("a --where naming no outcome is one line naming the outcomes, exit 2, nothing written", () => {
    const out = path.join(dir, "bad-where")
    const r = devosim(...sweepArgs(file, out, "--where", "covrage > 3"))
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/^devosim: --where "covrage > 3": column 1: unknown outcome 'covrage'; the outcomes are coverage_25pct_months, .*npv_pence/)
    expect(existsSync(out)).toBe(false)
  })

  it("an experiments section of the wrong shape is a line:column error of the file", () => {
    const bad = path.join(dir, "shape.yaml")
    writeFileSync(bad, withExperiments(`  levers:\n    - { path: centre.capacity, low: four }\n`))
    const r = devosim("validate", bad)
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/experiments/)
    expect(r.stderr).toMatch(/:\d+:\d+/)
  })
})

/** NPV and the centre's figures of `devosim run FILE … --seed S` (its summary.json). */
const runFigures = (out: string, ...args: Array<string>) => {
  const r = devosim("run", ...args, "--out", out, "--quiet", "--force")
  expect(r.stderr).toBe("")
  const s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as { centre: { deals: number; makespan: number }; money: { appraisal: { npv_pence: number } } }
  return { npv: s.money.appraisal.npv_pence, deals: s.centre.deals, makespan: s.centre.makespan }
}

describe("devosim sweep of the README's example: capacity × rollout order (variants) × the programme's spend, with --set", () => {
  const ex = path.join(dir, "example")
  let result: ReturnType<typeof devosim>
  let sweep: import("@devosim/report").SweepReport
  const SET = "deal.gainshare_pct=40"
  beforeAll(() => {
    result = devosim("sweep", EXAMPLE, "--samples", "4", "--replications", "2", "--set", SET, "--where", "coverage_50pct_months > 30", "--parquet", "--out", ex, "--quiet", "--workers", "0")
    sweep = JSON.parse(readFileSync(path.join(ex, "sweep.json"), "utf8")) as typeof sweep
  })

  it("runs the file's own design (sobol: 4 × (3 + 2) experiments) and records the --set in sweep.json and the manifest", () => {
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    expect(sweep.design).toBe("sobol")
    expect(sweep.experiments).toBe(20)
    expect(sweep.settings).toEqual([SET])
    expect(sweep.factors.map((f) => [f.name, f.kind, f.role])).toEqual([
      ["centre.capacity", "range", "lever"],
      ["rollout", "variants", "lever"],
      ["programmes.reablement.investment.monthly", "range", "uncertainty"]
    ])
    const manifest = JSON.parse(readFileSync(path.join(ex, "manifest.json"), "utf8")) as Json
    expect(manifest["settings"]).toEqual([SET])
    const t = tableOf(ex)
    expect(t.numRows).toBe(40)
    const levels = new Set(Array.from({ length: 40 }, (_, i) => t.columns["rollout"]![i]))
    expect([...levels].every((l) => ["base", "all-at-once-capacity-12", "largest-first-capacity-12"].includes(l as string))).toBe(true)
    expect(levels.size).toBeGreaterThan(1)
    // Sobol indices for every key outcome and factor; NPV does not depend on the deals' timing.
    const npv = sweep.sensitivity.sobol!["npv_pence"]!
    expect(Object.keys(npv.S1)).toEqual(["centre.capacity", "rollout", "programmes.reablement.investment.monthly"])
    expect(npv.ST["centre.capacity"]!.estimate).toBe(0)
    expect(npv.ST["rollout"]!.estimate).toBe(0)
    expect(npv.ST["programmes.reablement.investment.monthly"]!.estimate).toBeGreaterThan(0)
  })

  it("experiments.parquet (--parquet) loads in DuckDB with the documented column types and the Arrow file's values", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api")
    const db = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" })
    const sql = await db.connect()
    try {
      const at = `'${path.join(ex, "experiments.parquet").replaceAll("'", "''")}'`
      const types = (await sql.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${at})`)).getRowObjects().map((r) => [r["column_name"], r["column_type"]])
      expect(types.slice(0, 6)).toEqual([
        ["experiment", "INTEGER"],
        ["replication", "INTEGER"],
        ["seed", "BIGINT"],
        ["centre.capacity", "DOUBLE"],
        ["rollout", "VARCHAR"],
        ["programmes.reablement.investment.monthly", "DOUBLE"]
      ])
      expect(types.slice(6).every(([, t]) => t === "DOUBLE")).toBe(true)
      const t = tableOf(ex)
      const rows = (await sql.runAndReadAll(`SELECT experiment, replication, rollout, npv_pence, deals FROM read_parquet(${at}) ORDER BY experiment, replication`)).getRowObjects()
      expect(rows).toHaveLength(40)
      rows.forEach((r, i) => {
        expect([r["experiment"], r["replication"], r["rollout"], r["npv_pence"], r["deals"]]).toEqual([t.columns["experiment"]![i], t.columns["replication"]![i], t.columns["rollout"]![i], t.columns["npv_pence"]![i], t.columns["deals"]![i]])
      })
      // A question of the sweep in SQL: the mean months to 50% coverage per rollout order.
      const byRollout = (await sql.runAndReadAll(`SELECT rollout, avg(coverage_50pct_months) AS months FROM read_parquet(${at}) GROUP BY rollout ORDER BY rollout`)).getRowObjects()
      expect(byRollout.length).toBeGreaterThan(1)
    } finally {
      sql.closeSync()
      db.closeSync()
    }
  })

  it.skipIf(SKIP_BROWSER)("its report.html, drawn in Chromium, shows the tornado, the Sobol indices, the switching value and the PRIM box", async () => {
    const browser = await launch()
    try {
      const { page, problems } = await load(browser, "sweep-example", readFileSync(path.join(ex, "report.html"), "utf8"))
      expect(await page.locator('[data-rendered="error"]').count()).toBe(0)
      // NPV's tornado first: two bars per factor.
      expect(await page.locator("#chart-tornado-0 g.tornado-bar rect").count()).toBe(2 * 3)
      expect(await page.locator("[id^=chart-sobol-]").count()).toBeGreaterThan(0)
      const text = await page.locator("body").textContent()
      expect(text).toMatch(/NPV crosses £0 at programmes\.reablement\.investment\.monthly/)
      expect(await page.locator("#table-spread tbody tr").count()).toBe(sweep.key_outcomes.length)
      const box = sweep.discovery!.box
      if (box !== null) expect(await page.locator("#discovery-box").textContent()).toMatch(new RegExp(`^Of the ${sweep.discovery!.rows_meeting} runs where coverage_50pct_months > 30`))
      expect(problems).toEqual([])
      await page.close()
    } finally {
      await browser.close()
    }
  }, 60_000)

  it("splits each outcome's spread into within experiments (the replications' draws) and between them, by the law of total variance", () => {
    const t = tableOf(ex)
    const y = Array.from({ length: 40 }, (_, i) => t.columns["coverage_50pct_months"]![i] as number)
    const grand = y.reduce((a, b) => a + b, 0) / 40
    const total = y.reduce((a, v) => a + (v - grand) ** 2, 0)
    let within = 0
    for (let e = 0; e < 20; e++) {
      const m = (y[2 * e]! + y[2 * e + 1]!) / 2
      within += (y[2 * e]! - m) ** 2 + (y[2 * e + 1]! - m) ** 2
    }
    const spread = sweep.sensitivity.replication_spread!["coverage_50pct_months"]!
    expect(spread.variance).toBeCloseTo(total / 40, 9)
    expect(spread.within_share).toBeCloseTo(within / total, 12)
    // The negotiation durations are drawn per replication: some, not all, of the spread is theirs.
    expect(spread.within_share!).toBeGreaterThan(0)
    expect(spread.within_share!).toBeLessThan(1)
    // NPV does not depend on the draws: none of its spread is within experiments.
    expect(sweep.sensitivity.replication_spread!["npv_pence"]!.within_share).toBe(0)
  })

  it("a row with a variant is devosim run FILE#VARIANT with the --set, the row's settings and its seed", () => {
    const t = tableOf(ex)
    const row = Array.from({ length: 40 }, (_, i) => i).find((i) => t.columns["rollout"]![i] !== "base" && t.columns["replication"]![i] === 1)!
    expect(row).toBeDefined()
    const got = runFigures(
      path.join(dir, "row-run"),
      `${EXAMPLE}#${String(t.columns["rollout"]![row])}`,
      "--set", SET,
      "--set", `centre.capacity=${String(t.columns["centre.capacity"]![row])}`,
      "--set", `programmes.reablement.investment.monthly=${String(t.columns["programmes.reablement.investment.monthly"]![row])}`,
      "--seed", String(t.columns["seed"]![row])
    )
    expect(t.columns["npv_pence"]![row]).toBe(got.npv)
    expect(t.columns["deals"]![row]).toBe(got.deals)
    expect(t.columns["makespan_months"]![row]).toBe(got.makespan)
  })

  it("the tornado is one factor at a time from the base case: each end is the mean of runs with only that factor moved", () => {
    const t = tableOf(ex)
    const seeds = [t.columns["seed"]![0] as number, t.columns["seed"]![1] as number]
    const meanNpv = (...sets: Array<string>) => {
      const each = seeds.map((seed, r) => runFigures(path.join(dir, `oat-${r}`), EXAMPLE, "--set", SET, ...sets.flatMap((x) => ["--set", x]), "--seed", String(seed)).npv)
      return (each[0]! + each[1]!) / 2
    }
    const npv = sweep.sensitivity.tornado["npv_pence"]!
    expect(npv.baseline).toBe(meanNpv())
    const spend = npv.bars.find((b) => b.factor === "programmes.reablement.investment.monthly")!
    expect([spend.low_value, spend.high_value]).toEqual([10000, 60000])
    expect(spend.low).toBe(meanNpv("programmes.reablement.investment.monthly=10000"))
    expect(spend.high).toBe(meanNpv("programmes.reablement.investment.monthly=60000"))
    expect(npv.bars[0]!.factor).toBe("programmes.reablement.investment.monthly")
    // The deals' timing moves coverage, not the programme's NPV: their NPV bars are 0 long, their coverage bars are not.
    expect(npv.bars.filter((b) => b.factor !== spend.factor).map((b) => b.swing)).toEqual([0, 0])
    const coverage = sweep.sensitivity.tornado["coverage_50pct_months"]!
    const capacity = coverage.bars.find((b) => b.factor === "centre.capacity")!
    expect(capacity.swing).toBeGreaterThan(1)
    const rollout = coverage.bars.find((b) => b.factor === "rollout")!
    expect(rollout.levels!.map((l) => l.level)).toEqual(["base", "all-at-once-capacity-12", "largest-first-capacity-12"])
    expect(rollout.low).toBe(Math.min(...rollout.levels!.map((l) => l.mean!)))
  })

  it("the switching value brackets NPV's crossing of £0 within the bisection's tolerance, on exact runs; capacity has none", () => {
    const values = sweep.sensitivity.switching_values!
    const capacity = values.find((v) => v.factor === "centre.capacity")!
    expect(capacity.kind).toBe("no-crossing")
    const spend = values.find((v) => v.factor === "programmes.reablement.investment.monthly")!
    expect(spend.kind).toBe("crossing")
    if (spend.kind !== "crossing") return
    expect(spend.direction).toBe("falling")
    expect(spend.bracket[1] - spend.bracket[0]).toBeLessThanOrEqual(50000 * 2 ** -16)
    expect(spend.at_bracket[0]).toBeGreaterThan(0)
    expect(spend.at_bracket[1]).toBeLessThan(0)
    expect(spend.value).toBeGreaterThanOrEqual(spend.bracket[0])
    expect(spend.value).toBeLessThanOrEqual(spend.bracket[1])
    expect(result.stdout).toMatch(/NPV crosses £0 at programmes\.reablement\.investment\.monthly = [\d,.]+ \(between/)
  })

  it("--where names the levels of a variants factor inside the box", () => {
    const d = sweep.discovery!
    expect(d.rows).toBe(40)
    const rollout = d.box?.restricted.find((x) => x.factor === "rollout")
    if (rollout !== undefined) expect(rollout.levels!.length).toBeLessThan(3)
  })

  it("a variants factor naming a variant the file does not have is one line, exit 2", () => {
    const bad = path.join(dir, "bad-variant.yaml")
    writeFileSync(bad, withExperiments(`  levers:\n    - { name: rollout, variants: [base, all-at-once] }\n`))
    const r = devosim(...sweepArgs(bad, path.join(dir, "bad-variant-out")))
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/experiments\.levers\[0\]\.variants: expected base or one of the file's variants .*found "all-at-once"/)
    expect(existsSync(path.join(dir, "bad-variant-out"))).toBe(false)
  })

  it("--keep-runs writes a run directory per row, which verify checks with the sweep", () => {
    const kept = path.join(dir, "kept")
    const r = devosim("sweep", EXAMPLE, "--design", "lhs", "--samples", "2", "--replications", "2", "--keep-runs", "--out", kept, "--quiet", "--workers", "0")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const t = tableOf(kept)
    for (const [i, d] of ["e0000-r00", "e0000-r01", "e0001-r00", "e0001-r01"].entries()) {
      const s = JSON.parse(readFileSync(path.join(kept, "runs", d, "summary.json"), "utf8")) as { centre: { deals: number; makespan: number } }
      expect(s.centre.makespan).toBe(t.columns["makespan_months"]![i])
    }
    const v = devosim("verify", kept)
    expect(v.stderr).toBe("")
    expect(v.status).toBe(0)
  })
})
