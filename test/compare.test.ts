import { decodeTable } from "@devosim/store"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const OPTIONS = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")

describe("devosim run --replications", () => {
  const out = path.join(tempDir("reps"), "set")

  it("writes one run directory per replication and the distribution of every figure", () => {
    const r = devosim("run", ROUTE_MAP, "--replications", "5", "--keep-runs", "--out", out)
    expect(r.stderr).toBe("") // not a terminal: no progress bar
    expect(r.status).toBe(0)
    expect(readdirSync(path.join(out, "replications"))).toEqual(["r0000", "r0001", "r0002", "r0003", "r0004"])
    const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
    expect(summary.replications).toBe(5)
    expect(summary.seeds[0]).toBe(2010) // replication 0 is the scenario as written
    const makespan = summary.figures["centre.makespan"]
    const each = summary.seeds.map((_: number, r: number) =>
      JSON.parse(readFileSync(path.join(out, "replications", `r000${r}`, "summary.json"), "utf8")).centre.makespan as number
    )
    expect(makespan.n).toBe(5)
    expect(makespan.mean).toBeCloseTo(each.reduce((a: number, b: number) => a + b, 0) / 5, 12)
    expect(makespan.min).toBe(Math.min(...each))
    expect(makespan.max).toBe(Math.max(...each))
    expect(summary.figures["negotiations[Kent].deal"].n).toBe(5)
    expect(summary.figures["money.total_balance_pence"]).toMatchObject({ mean: 0, sd: 0 })
  })

  it("each replication replays; the set itself points to one", () => {
    expect(devosim("replay", path.join(out, "replications", "r0003")).status).toBe(0)
    const r = devosim("replay", out)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("holds 5 replications; name one of them")
  })
})

describe("devosim compare", () => {
  const dir = tempDir("compare")

  it("a scenario against itself: every paired difference is exactly zero", () => {
    const out = path.join(dir, "same")
    const r = devosim("compare", ROUTE_MAP, ROUTE_MAP, "--replications", "4", "--out", out)
    expect(r.status).toBe(0)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    expect(c.scenarios.map((s: { name: string }) => s.name)).toEqual([
      "Route-map 2010 - forerunners then a second tranche",
      "Route-map 2010 - forerunners then a second tranche (2)"
    ])
    for (const f of c.figures) if (f.paired[0].n > 0) expect([f.figure, f.paired[0].mean_diff, f.paired[0].ci95]).toEqual([f.figure, 0, [0, 0]])
  })

  it("the rollout options file: base and eight variants, a readable table, compare.json and compare.arrow", () => {
    const out = path.join(dir, "options")
    const r = devosim("compare", OPTIONS, "--replications", "3", "--out", out)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Comparing 9 scenarios over 3 replications with common random numbers/)
    expect(r.stdout).toMatch(/Months until 50% of the population is covered by a deal \[coverage_50pct_months, lower is better\] — best: all-at-once-capacity-46/)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    expect(c.scenarios).toHaveLength(9)
    expect(c.scenarios[1].source).toBe(`${OPTIONS}#forerunners-first-capacity-4`)
    const coverage = c.coverage[0]
    expect(coverage.share_mean[0]).toBe(0)
    expect(coverage.share_mean[coverage.share_mean.length - 1]).toBe(1)
    const table = decodeTable(readFileSync(path.join(out, "compare.arrow")))
    expect(table.numRows).toBe(9 * 3 * c.figures.length)
    expect(table.fields.map((f: { name: string }) => f.name)).toEqual(["scenario", "replication", "seed", "figure", "value"])
  })

  it("needs two scenarios", () => {
    const r = devosim("compare", ROUTE_MAP, "--out", path.join(dir, "one"))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("compare needs at least two scenarios")
  })
})
