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
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const ROLLOUT = readFileSync(path.join(ROOT, "scenarios", "route-map-rollout-options.yaml"), "utf8")
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
    for (const f of ["experiments.arrow", "sweep.json", "manifest.json"]) expect(readFileSync(path.join(dir, "b", f))).toEqual(readFileSync(path.join(dir, "a", f)))
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
    expect(first.stdout).toMatch(/--where coverage_50pct_months > 33: box covering/)
  })

  it("verify passes on the sweep's directory", () => {
    const v = devosim("verify", path.join(dir, "a"))
    expect(v.status).toBe(0)
    expect(v.stdout).toMatch(/intact sweep: 2 files match the manifest/)
  })

  it("a factor path the scenario does not have is one line, exit 2, nothing written", () => {
    const bad = path.join(dir, "bad.yaml")
    writeFileSync(bad, withExperiments(`  levers:\n    - { path: centre.capcity, low: 4, high: 46 }\n`))
    const r = devosim(...sweepArgs(bad, path.join(dir, "bad-out")))
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/experiments\.levers\[0\] \(path centre\.capcity\)/)
    expect(existsSync(path.join(dir, "bad-out"))).toBe(false)
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
