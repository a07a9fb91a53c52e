/**
 * Uncertain inputs through `devosim run`: a zero-width distribution writes the point value's run
 * directory file for file, but for the three files that say what was run (events.arrow, whose
 * RunStarted lists the inputs; scenario.yaml, the file as written; manifest.json, their hashes);
 * a run with wide distributions verifies and replays from the log alone; each replication draws its
 * own inputs, the same in every variant (common random numbers).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const POINT = readFileSync(path.join(ROOT, "scenarios/stockport-mental-health.yaml"), "utf8")

/** The scenario with fields replaced (each `from` must occur once). */
const edited = (edits: ReadonlyArray<readonly [string, string]>): string =>
  edits.reduce((text, [from, to]) => {
    expect(text.split(from).length - 1, from).toBe(1)
    return text.replace(from, to)
  }, POINT)

const ZERO_WIDTH = edited([
  ["  capacity: 12 ", "  capacity: { uniform: [12, 12] } "],
  ["baseline: { council: 450m,", "baseline: { council: { discrete: [450m] },"],
  ["    cohort: 2000\n", "    cohort: { normal: { mean: 2000, sd: 0 } }\n"],
  ["        reduction_pct: 60 ", "        reduction_pct: { triangular: [60, 60, 60] } "],
  ["amount: 250k,", "amount: { uniform: [250k, 250k] },"]
])

const WIDE = edited([
  ["  capacity: 12 ", "  capacity: { uniform: [10, 14] } "],
  ["baseline: { council: 450m,", "baseline: { council: { triangular: [400m, 450m, 500m] },"],
  ["    cohort: 2000\n", "    cohort: { lognormal: { median: 2000, sigma: 0.3, min: 500 } }\n"],
  ["        reduction_pct: 60 ", "        reduction_pct: { triangular: [30, 60, 70] } "]
])

describe("uncertain inputs in a run directory", () => {
  it("a zero-width distribution is the point value's run: every file the same but events.arrow, scenario.yaml and manifest.json", () => {
    const dir = tempDir("uncertain-zero")
    writeFileSync(path.join(dir, "zero.yaml"), ZERO_WIDTH)
    writeFileSync(path.join(dir, "point.yaml"), POINT)
    for (const name of ["zero", "point"]) {
      const r = devosim("run", path.join(dir, `${name}.yaml`), "--out", path.join(dir, name))
      expect(r.status, r.stderr).toBe(0)
    }
    const files = readdirSync(path.join(dir, "point")).sort()
    expect(readdirSync(path.join(dir, "zero")).sort()).toEqual(files)
    const differing = files.filter((f) => !readFileSync(path.join(dir, "zero", f)).equals(readFileSync(path.join(dir, "point", f))))
    expect(differing).toEqual(["events.arrow", "manifest.json", "scenario.yaml"])
    expect(files).toEqual(expect.arrayContaining(["summary.json", "ledger.arrow", "accounts.arrow", "report.html"]))
    // The log differs by the recorded inputs: the point values, by path.
    const events = readFileSync(path.join(dir, "zero", "events.arrow"), "latin1")
    expect(events).toContain(
      '"inputs":[{"path":"centre.capacity","value":12},{"path":"localities[Stockport].baseline.council","value":450000000},{"path":"programmes[wellbeing-pathways].cohort","value":2000},{"path":"programmes[wellbeing-pathways].effects[0].reduction_pct","value":60},{"path":"transfers[s75-community-offer].amount","value":250000}]'
    )
    expect(readFileSync(path.join(dir, "point", "events.arrow"), "latin1")).not.toContain('"inputs"')
  })

  it("a run with wide distributions records its draws, verifies and replays", () => {
    const dir = tempDir("uncertain-wide")
    const file = path.join(dir, "wide.yaml")
    writeFileSync(file, WIDE)
    const out = path.join(dir, "run")
    const r = devosim("run", file, "--out", out)
    expect(r.status, r.stderr).toBe(0)
    const events = readFileSync(path.join(out, "events.arrow"), "latin1")
    const recorded = /"inputs":(\[.*?\}\])/.exec(events)
    expect(JSON.parse(recorded![1]!).map((i: { path: string }) => i.path)).toEqual([
      "centre.capacity",
      "localities[Stockport].baseline.council",
      "programmes[wellbeing-pathways].cohort",
      "programmes[wellbeing-pathways].effects[0].reduction_pct"
    ])
    const verify = devosim("verify", out)
    expect(verify.status, verify.stdout + verify.stderr).toBe(0)
    const replay = devosim("replay", out)
    expect(replay.status, replay.stdout + replay.stderr).toBe(0)
  })

  it("each replication draws its own inputs (kept runs verify); a variant that changes nothing pairs with the base exactly", () => {
    const dir = tempDir("uncertain-reps")
    const file = path.join(dir, "wide.yaml")
    writeFileSync(file, `${WIDE}\nvariants:\n  - { name: same, months: 60 }\n`)
    const out = path.join(dir, "reps")
    const r = devosim("run", file, "--replications", "3", "--keep-runs", "--out", out)
    expect(r.status, r.stderr).toBe(0)
    const capacities = ["r0000", "r0001", "r0002"].map((d) => {
      const events = readFileSync(path.join(out, "replications", d, "events.arrow"), "latin1")
      return JSON.parse(/"inputs":(\[.*?\}\])/.exec(events)![1]!) as Array<{ path: string; value: number }>
    })
    expect(new Set(capacities.map((c) => JSON.stringify(c))).size).toBe(3)
    const verify = devosim("verify", out)
    expect(verify.status, verify.stdout + verify.stderr).toBe(0)
    // Without --keep-runs, the same replications: the same summary.
    const unkept = path.join(dir, "unkept")
    expect(devosim("run", file, "--replications", "3", "--out", unkept).status).toBe(0)
    expect(readFileSync(path.join(unkept, "summary.json"), "utf8")).toBe(readFileSync(path.join(out, "summary.json"), "utf8"))
    const cmp = path.join(dir, "compare")
    const c = devosim("compare", file, "--replications", "6", "--out", cmp)
    expect(c.status, c.stderr).toBe(0)
    const report = JSON.parse(readFileSync(path.join(cmp, "compare.json"), "utf8")) as {
      figures: Array<{ figure: string; by_scenario: Array<{ sd: number }>; paired: Array<{ mean_diff: number; sd_diff: number }> }>
    }
    const npv = report.figures.find((f) => f.figure === "npv_pence")!
    expect(npv.by_scenario[0]!.sd).toBeGreaterThan(0) // the inputs vary across replications
    for (const f of report.figures) {
      expect(f.paired[0]!.mean_diff, f.figure).toBe(0)
      expect(f.paired[0]!.sd_diff, f.figure).toBe(0)
    }
  })
})
