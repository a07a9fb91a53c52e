/**
 * Many small runs (issue 13, item 7): a replication computes only its summary (no joined log, no
 * state), and `compare` and `run --replications` run replications on a pool of worker threads.
 *  - the summary of a replication is exactly `summarize(runScenario(…).log)`'s, for any scenario;
 *  - compare.json, compare.arrow and report.html are the same bytes for --workers 0, 1, 2 and 3;
 *  - `run --replications K` writes summary.json, manifest.json and scenario.yaml, the same bytes for
 *    any --workers and as with --keep-runs (which adds a run directory per replication); such a set
 *    verifies as intact, and compare and replay refuse it (exit 2), saying why.
 */
import fc from "fast-check"
import { replicationSeed, type Scenario } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { figuresOf, flattenNumbers, summarize, type Summary } from "@devosim/report"
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { Numbers, numbersOf, replicationResult, replicationSummary } from "../packages/cli/src/replication.ts"
import { arbMoneyScenario } from "./arbitraries.ts"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const OPTIONS = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const dir = tempDir("replications")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("one replication: the summary folded as the log is posted", () => {
  it("property: the same summary as summarize(runScenario(…).log), figures and numbers included", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), fc.integer({ min: 0, max: 4 }), (sc, r) => {
        const whole = summarize(runScenario({ ...sc, seed: replicationSeed(sc.seed, r) }).log)
        const one = replicationSummary(sc, r)
        expect(one).toEqual(whole)
        // Bit for bit: -0 and NaN included.
        const flat = numbersOf(whole)
        const mine = replicationResult("numbers", sc, r)
        expect(mine.keys).toEqual(flat.keys)
        expect(Buffer.from(mine.values.buffer).equals(Buffer.from(flat.values.buffer))).toBe(true)
        expect(replicationResult("figures", sc, r)).toEqual(figuresOf(whole))
      }),
      { numRuns: 40 }
    )
  })

  it("property: Numbers over one summary after another gives flattenNumbers' keys and values, sharing a key list while the shape stays", () => {
    const one = (sc: Scenario, r: number) => summarize(runScenario({ ...sc, seed: replicationSeed(sc.seed, r) }).log)
    fc.assert(
      fc.property(fc.array(fc.tuple(arbMoneyScenario(), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 4 }), (cases) => {
        const numbers = new Numbers()
        for (const [sc, r] of cases) {
          for (const s of [one(sc, r), one(sc, r + 1)]) {
            const flat = flattenNumbers(s)
            const got = numbers.of(s)
            expect(got.keys).toEqual([...flat.keys()])
            expect(Buffer.from(got.values.buffer).equals(Buffer.from(Float64Array.from(flat.values()).buffer))).toBe(true)
          }
        }
      }),
      { numRuns: 30 }
    )
    const compiled = compileScenarioText(readFileSync(OPTIONS, "utf8"), OPTIONS)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const sc = compiled.value.scenario
    const numbers = new Numbers()
    const a = numbers.of(one(sc, 0))
    expect(a.keys.length).toBeGreaterThan(5000)
    expect(numbers.of(one(sc, 1)).keys).toBe(a.keys)
    // Paths that repeat (flattenNumbers keeps the last number of each) are never taken as a shape.
    const twice = { ...one(sc, 0), extra: [{ locality: "x", n: 1 }, { locality: "x", n: 2 }] } as unknown as Summary
    const first = numbers.of(twice)
    expect(first.keys.filter((k) => k === "extra[x].n")).toHaveLength(1)
    expect(numbers.of(twice).values).toEqual(first.values)
    expect(first.values[first.keys.indexOf("extra[x].n")]).toBe(2)
  })
})

const files = (d: string, names: ReadonlyArray<string>) => names.map((n) => readFileSync(path.join(d, n)))

describe("devosim compare on worker threads", () => {
  it("compare.json, compare.arrow and report.html are the same bytes for --workers 0, 1, 2 and 3", () => {
    const names = ["compare.json", "compare.arrow", "report.html"]
    const outs = ["0", "1", "2", "3"].map((w) => {
      const out = path.join(dir, `cmp-w${w}`)
      const r = devosim("compare", OPTIONS, "--replications", "7", "--workers", w, "--out", out, "--quiet")
      expect(r.status, r.stderr).toBe(0)
      return files(out, names)
    })
    for (const o of outs.slice(1)) o.forEach((bytes, i) => expect(bytes.equals(outs[0]![i]!), names[i]).toBe(true))
    const c = JSON.parse(outs[0]![0]!.toString("utf8"))
    expect(c.scenarios).toHaveLength(9)
    expect(c.replications).toBe(7)
  })

  it("--workers out of range is bad input", () => {
    const r = devosim("compare", ROUTE_MAP, ROUTE_MAP, "--workers", "-1", "--out", path.join(dir, "bad"))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--workers: expected a whole number from 0/)
  })
})

describe("devosim run --replications without and with --keep-runs", () => {
  const set = (name: string) => path.join(dir, name)
  const SET_FILES = ["manifest.json", "report.html", "scenario.yaml", "summary.json"]

  it("writes summary.json, report.html (across the replications), manifest.json and scenario.yaml only; the same summary and report for any --workers and with --keep-runs", () => {
    for (const [name, extra] of [
      ["figures-w0", ["--workers", "0"]],
      ["figures-w2", ["--workers", "2"]],
      ["kept", ["--keep-runs"]]
    ] as const) {
      const r = devosim("run", ROUTE_MAP, "--replications", "6", "--out", set(name), "--quiet", ...extra)
      expect(r.status, r.stderr).toBe(0)
    }
    expect(readdirSync(set("figures-w0")).sort()).toEqual(SET_FILES)
    expect(readdirSync(set("kept")).sort()).toEqual(["manifest.json", "replications", "report.html", "scenario.yaml", "summary.json"])
    const [summary, scenario, report] = files(set("kept"), ["summary.json", "scenario.yaml", "report.html"])
    for (const name of ["figures-w0", "figures-w2"]) {
      const [s, y, h] = files(set(name), ["summary.json", "scenario.yaml", "report.html"])
      expect(s!.equals(summary!), name).toBe(true)
      expect(y!.equals(scenario!), name).toBe(true)
      expect(h!.equals(report!), name).toBe(true)
    }
    expect(readFileSync(path.join(set("figures-w0"), "manifest.json")).equals(readFileSync(path.join(set("figures-w2"), "manifest.json")))).toBe(true)
    const m = JSON.parse(readFileSync(path.join(set("figures-w0"), "manifest.json"), "utf8"))
    expect(m.format).toBe("devosim-replications/1")
    expect(m.replications).toEqual(JSON.parse(summary!.toString("utf8")).seeds.map((seed: number) => ({ seed })))
    expect(Object.keys(m.files).sort()).toEqual(["report.html", "scenario.yaml", "summary.json"])
  })

  it("a set without runs verifies as intact; damage to it is caught", () => {
    const s = set("figures-w0")
    const ok = devosim("verify", s)
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/intact replication set \(written without --keep-runs: no runs\): 3 files match the manifest/)
    const summary = readFileSync(path.join(s, "summary.json"))
    writeFileSync(path.join(s, "summary.json"), Buffer.concat([summary.subarray(0, 100), Buffer.from("9"), summary.subarray(101)]))
    expect(devosim("verify", s).status).toBe(4)
    writeFileSync(path.join(s, "summary.json"), summary)
    writeFileSync(path.join(s, "stray.txt"), "x")
    expect(devosim("verify", s).status).toBe(6)
    rmSync(path.join(s, "stray.txt"))
    const manifest = readFileSync(path.join(s, "manifest.json"), "utf8")
    const m = JSON.parse(manifest)
    m.replications[2].seed += 1
    writeFileSync(path.join(s, "manifest.json"), JSON.stringify(m, null, 2))
    const seed = devosim("verify", s)
    expect(seed.status).toBe(6)
    expect(seed.stderr).toMatch(/replications\[2\]\.seed is/)
    writeFileSync(path.join(s, "manifest.json"), manifest)
    expect(devosim("verify", s).status).toBe(0)
  })

  it("compare and replay refuse a set without runs (exit 2), saying why; the kept set compares", () => {
    const c = devosim("compare", set("figures-w0"), set("kept"), "--out", path.join(dir, "cmp-set"))
    expect(c.status).toBe(2)
    expect(c.stderr).toMatch(/written without --keep-runs has no per-replication runs .* devosim run FILE --replications 6 --keep-runs/)
    const r = devosim("replay", set("figures-w0"))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/holds the figures of 6 replications but no runs \(written without --keep-runs\)/)
    const kept = devosim("compare", set("kept"), set("kept"), "--out", path.join(dir, "cmp-kept"))
    expect(kept.status, kept.stderr).toBe(0)
    expect(kept.stdout).toMatch(/over 6 replications/)
  })

  it("files of each run (--ledger, --parquet, --snapshot-every) need --keep-runs", () => {
    for (const flag of [["--ledger"], ["--parquet"], ["--snapshot-every", "6"]]) {
      const r = devosim("run", ROUTE_MAP, "--replications", "2", "--out", set("x"), ...flag)
      expect(r.status, flag[0]).toBe(2)
      expect(r.stderr).toMatch(/which --replications writes only with --keep-runs/)
    }
  })
})
