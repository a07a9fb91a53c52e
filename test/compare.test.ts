import { compileScenarioVariantsText } from "@devosim/scenario"
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
    // The same file twice: one name, one file name, so a count tells them apart.
    expect(c.scenarios.map((s: { name: string }) => s.name)).toEqual([
      "Route-map 2010 - forerunners then a second tranche (route-map-2010.yaml)",
      "Route-map 2010 - forerunners then a second tranche (route-map-2010.yaml) (2)"
    ])
    expect(r.stderr).toBe("") // the same localities: no warning
    for (const f of c.figures) if (f.paired[0].n > 0) expect([f.figure, f.paired[0].mean_diff, f.paired[0].ci95]).toEqual([f.figure, 0, [0, 0]])
  })

  it("the rollout options file: base and eight variants, a readable table, compare.json and compare.arrow", () => {
    const out = path.join(dir, "options")
    const r = devosim("compare", OPTIONS, "--replications", "3", "--out", out)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Comparing 9 scenarios over 3 replications with common random numbers/)
    expect(r.stdout).toMatch(/Months until 50% of the population is covered by a deal \[coverage_50pct_months; lower is better for the places waiting for a deal\] — best: all-at-once-capacity-46/)
    // Each variant with its description from the file.
    expect(r.stdout).toContain(`From ${OPTIONS}:\n`)
    expect(r.stdout).toMatch(/\n {2}largest-first-capacity-12 +tranches by population: the 12 largest areas first, the next 12 second; the centre runs 12 negotiations at once\n/)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    expect(c.scenarios).toHaveLength(9)
    expect(c.scenarios[1]).toMatchObject({ source: OPTIONS, variant: "forerunners-first-capacity-4", description: "the route-map's forerunners, then the second tranche, then the rest; the centre runs 4 negotiations at once", fork: null, localities: 46 })
    const coverage = c.coverage[0]
    expect(coverage.share_mean[0]).toBe(0)
    expect(coverage.share_mean[coverage.share_mean.length - 1]).toBe(1)
    const table = decodeTable(readFileSync(path.join(out, "compare.arrow")))
    expect(table.numRows).toBe(9 * 3 * c.figures.length)
    expect(table.fields.map((f: { name: string }) => f.name)).toEqual(["scenario", "replication", "seed", "figure", "value", "source"])
    expect(new Set(table.columns["source"])).toEqual(new Set([OPTIONS]))
  })

  it("compare.arrow's source is the input each row came from, as given: a file, a run directory, a fork of it", () => {
    const runDir = path.relative(ROOT, path.join(dir, "rm2010"))
    const forkDir = path.relative(ROOT, path.join(dir, "rm2010-cap16"))
    expect(devosim("run", ROUTE_MAP, "--out", runDir).status).toBe(0)
    expect(devosim("fork", runDir, "--at", "18", "--set", "centre.capacity=16", "--out", forkDir).status).toBe(0)
    const out = path.join(dir, "sources")
    const r = devosim("compare", "scenarios/route-map-2010.yaml", runDir, forkDir, "--out", out)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    const name = "Route-map 2010 - forerunners then a second tranche"
    // One scenario name three times: each labelled by its file or directory.
    expect(c.scenarios.map((s: { name: string }) => s.name)).toEqual([`${name} (route-map-2010.yaml)`, `${name} (rm2010)`, `${name} (rm2010-cap16)`])
    expect(c.scenarios.map((s: { source: string }) => s.source)).toEqual(["scenarios/route-map-2010.yaml", runDir, forkDir])
    expect(c.scenarios[2].fork).toEqual({ parent: runDir, at: "18", forked_at_t: expect.any(Number), settings: ["centre.capacity=16"] })
    expect(r.stdout).toContain(`From ${forkDir}:\n  ${name} (rm2010-cap16)`)
    expect(r.stdout).toMatch(new RegExp(`\\(rm2010-cap16\\) +fork of ${runDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} at 18 \\(month 18\\.0\\): centre\\.capacity=16\\n`))
    const table = decodeTable(readFileSync(path.join(out, "compare.arrow")))
    const sourceOf = new Map<string, Set<string>>()
    const scenario = table.columns["scenario"] as ReadonlyArray<string>
    const source = table.columns["source"] as ReadonlyArray<string>
    scenario.forEach((s, i) => sourceOf.set(s, (sourceOf.get(s) ?? new Set()).add(source[i]!)))
    expect(sourceOf).toEqual(
      new Map([
        [`${name} (route-map-2010.yaml)`, new Set(["scenarios/route-map-2010.yaml"])],
        [`${name} (rm2010)`, new Set([runDir])],
        [`${name} (rm2010-cap16)`, new Set([forkDir])]
      ])
    )
    const html = readFileSync(path.join(out, "report.html"), "utf8")
    expect(html).toContain(`fork of ${runDir} at 18 (month `)
    expect(html).not.toContain('id="warnings"')
  })

  it("warns, on stderr and in the report, when the scenarios do not share the baseline's localities, with how many differ", () => {
    const ids = (file: string) => {
      const v = compileScenarioVariantsText(readFileSync(file, "utf8"), file)
      if (!v.ok) throw new Error(v.error.message)
      return new Set(v.value[0]!.scenario.localities.map((l) => l.id))
    }
    const base = ids(ROUTE_MAP)
    const other = ids(OPTIONS)
    const missing = [...base].filter((l) => !other.has(l)).length
    const extra = [...other].filter((l) => !base.has(l)).length
    expect([base.size, other.size]).toEqual([8, 46])
    expect(missing).toBeGreaterThan(0)
    const out = path.join(dir, "localities")
    const r = devosim("compare", ROUTE_MAP, OPTIONS, "--replications", "2", "--out", out)
    expect(r.status).toBe(0)
    const lines = r.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(9) // the base of the options file and each of its 8 variants
    const said = `does not share the baseline's localities: ${missing} of the baseline's 8 localities ${missing === 1 ? "is" : "are"} missing from it and it has ${extra} localities the baseline does not; common random numbers pair only the ${8 - missing} shared`
    expect(lines[1]).toBe(`devosim: warning: forerunners-first-capacity-4 ${said}, so a difference from the baseline is partly the places, not only the timetable`)
    for (const l of lines) expect(l).toContain(said)
    const c = JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8"))
    expect(c.warnings).toHaveLength(9)
    const html = readFileSync(path.join(out, "report.html"), "utf8")
    expect(html).toContain('<section class="warnings" id="warnings" role="alert">')
    expect(html).toContain(`forerunners-first-capacity-4 ${said.replace(/'/g, "&#39;")}`)
  })

  it("needs two scenarios", () => {
    const r = devosim("compare", ROUTE_MAP, "--out", path.join(dir, "one"))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("compare needs at least two scenarios")
  })
})
