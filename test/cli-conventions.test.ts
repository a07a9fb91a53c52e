/**
 * The command line's conventions (issue 14, item 5), as a user and a script meet them: mistakes on
 * the command line are one line on stderr naming the command's help, exit 2; `--json` prints one
 * JSON document; `validate` takes several files; `-` reads a scenario from stdin; `explain` takes
 * calendar months and says what its net figure is net of; a replication set has one report.html
 * and its runs none unless asked; progress never reaches a stderr that is not a terminal.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { syntheticScenario } from "../bench/synthetic.ts"
import { devosim, devosimWithInput, ROOT, tempDir } from "./cli-helpers.ts"

const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const EARLY_YEARS = path.join(ROOT, "scenarios", "early-years-city-region.yaml")
const COMMANDS = "run, validate, compare, sweep, merge, worker, fork, replay, explain, export, schema, verify"

const dir = tempDir("conventions")

describe("mistakes on the command line: one line on stderr, nothing on stdout, exit 2", () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
    [["experiments"], `devosim: unknown command "experiments" (did you mean sweep?); the commands are ${COMMANDS}; see devosim --help`],
    [["valdiate", "x.yaml"], `devosim: unknown command "valdiate" (did you mean validate?); the commands are ${COMMANDS}; see devosim --help`],
    [["frobnicate"], `devosim: unknown command "frobnicate"; the commands are ${COMMANDS}; see devosim --help`],
    [["run", "--bogus", "x"], "devosim: unknown flag --bogus; see devosim run --help"],
    [["run", ROUTE_MAP, "--replication", "5"], "devosim: unknown flag --replication (did you mean --replications?); see devosim run --help"],
    [["run"], "devosim: missing FILE; see devosim run --help"],
    [["run", ROUTE_MAP, "--seed", "1.5"], 'devosim: --seed: expected an integer, found "1.5"; see devosim run --help'],
    [["run", ROUTE_MAP, "--replications"], "devosim: --replications: missing its value (expected an integer); see devosim run --help"],
    [["explain", "runs/x"], "devosim: missing required flag --locality; see devosim explain --help"],
    [["compare", "--replications", "2"], "devosim: missing INPUT; see devosim compare --help"],
    [["export", "runs/x"], "devosim: missing required flag --out; see devosim export --help"]
  ]
  for (const [args, line] of cases) {
    it(`devosim ${args.map((a) => path.basename(a)).join(" ")}`, () => {
      const r = devosim(...args)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe(`${line}\n`)
      expect(r.status).toBe(2)
    })
  }

  it("a bare devosim: the help on stdout (what there is to run), exit 2", () => {
    const r = devosim()
    expect(r.status).toBe(2)
    expect(r.stderr).toBe("")
    expect(r.stdout).toMatch(/SUBCOMMANDS\n {2}run /)
  })

  it("help asked for is still help: on stdout, exit 0", () => {
    const r = devosim("run", "--help")
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toMatch(/--replications/)
  })
})

describe("devosim run: text for people, --json for scripts, progress only on a terminal", () => {
  const out = path.join(dir, "route-map")

  it("rounds for people (makespan with its calendar month), counts with the right plural", () => {
    const r = devosim("run", ROUTE_MAP, "--out", out)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const summary = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
    // Exact in the file, rounded on the terminal: 23.0764… months from April 2010 falls in March 2012.
    expect(summary.centre.makespan).toBeCloseTo(23.0764, 3)
    expect(Number.isInteger(summary.centre.makespan * 100)).toBe(false)
    expect(r.stdout).toContain("8 of 8 localities reached a deal within the run; centre makespan 23.08 months (Mar 2012); mean wait 0 months")
    expect(r.stdout).toMatch(/^ {2}8372 events \(102 control, 8270 postings\) run and written in \d+ ms$/m)
  })

  it("one locality, one deal: singular words", () => {
    const r = devosim("run", EARLY_YEARS, "--out", path.join(dir, "early-years"))
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("1 of 1 locality reached a deal within the run; centre makespan 9.45 months (Jan 2012)")
    const v = devosim("validate", EARLY_YEARS)
    expect(v.stdout).toBe(`${EARLY_YEARS}: valid scenario "Greater Manchester - early years prevention under a city region deal": 1 locality, 4 agencies, 1 tranche, 120 months from 2011-04\n`)
  })

  it("--json: one JSON document, its figures exactly summary.json's and its files the manifest's", () => {
    const j = path.join(dir, "json-run")
    const r = devosim("run", ROUTE_MAP, "--out", j, "--json")
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("")
    const doc = JSON.parse(r.stdout)
    const summary = JSON.parse(readFileSync(path.join(j, "summary.json"), "utf8"))
    const manifest = JSON.parse(readFileSync(path.join(j, "manifest.json"), "utf8"))
    expect(doc).toMatchObject({
      command: "run",
      out: j,
      scenario: "Route-map 2010 - forerunners then a second tranche",
      seed: 2010,
      start: "2010-04",
      months: 60,
      events: { total: manifest.event_count, control: manifest.control_event_count, postings: manifest.posting_count },
      localities: 8,
      deals: 8,
      makespan_months: summary.centre.makespan,
      mean_wait_months: summary.centre.mean_wait,
      money: { baseline_pence: summary.money.baseline_pence, spb_reduction_pence: summary.money.spb_reduction_pence, npv_pence: summary.money.appraisal.npv_pence },
      snapshots: 0
    })
    expect([...doc.files].sort()).toEqual(readdirSync(j).sort())
  })

  it("a run long enough to draw progress leaves a stderr that is not a terminal empty", () => {
    const file = path.join(dir, "long.json")
    writeFileSync(file, JSON.stringify(syntheticScenario({ localities: 300, agencies: 8, months: 120 })))
    const r = devosim("run", file, "--out", path.join(dir, "long"))
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toMatch(/run and written in (\d+) ms/)
  })
})

describe("devosim validate FILE…, and - for stdin", () => {
  const bad = path.join(dir, "bad.yaml")
  writeFileSync(bad, "version: 1\nname: no start\n")
  const badLine = `devosim: ${bad}:1:1: start: expected a key "start" with a month like 2010-04 (YYYY-MM, month 01..12, year 1900..2200), found nothing`

  it("reports every file, each valid one on stdout and each failure on stderr, and exits 2 if any fails", () => {
    const r = devosim("validate", ROUTE_MAP, bad, EARLY_YEARS)
    expect(r.status).toBe(2)
    expect(r.stdout.split("\n").filter((l) => l !== "").map((l) => l.split(":")[0])).toEqual([ROUTE_MAP, EARLY_YEARS])
    expect(r.stderr).toBe(`${badLine}\ndevosim: 1 of 3 files failed validation\n`)
    const ok = devosim("validate", ROUTE_MAP, EARLY_YEARS)
    expect(ok.status).toBe(0)
    expect(ok.stderr).toBe("")
  })

  it("one bad file: its error alone, as before", () => {
    const r = devosim("validate", bad)
    expect(r.status).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe(`${badLine}\n`)
  })

  it("--json: every file's verdict in one document, exit 2 if any fails, stderr empty", () => {
    const r = devosimWithInput(readFileSync(ROUTE_MAP), "validate", "-", bad, "--json")
    expect(r.status).toBe(2)
    expect(r.stderr).toBe("")
    expect(JSON.parse(r.stdout)).toEqual({
      command: "validate",
      valid: false,
      files: [
        { file: "-", valid: true, scenario: "Route-map 2010 - forerunners then a second tranche", start: "2010-04", months: 60, localities: 8, agencies: 6, tranches: 3, variants: [] },
        { file: bad, valid: false, error: badLine.slice("devosim: ".length) }
      ]
    })
  })

  it("run - reads the scenario from stdin: the same run as from the file; errors name <stdin>", () => {
    const fromFile = path.join(dir, "from-file")
    const fromStdin = path.join(dir, "from-stdin")
    expect(devosim("run", ROUTE_MAP, "--out", fromFile, "--quiet").status).toBe(0)
    const r = devosimWithInput(readFileSync(ROUTE_MAP), "run", "-", "--out", fromStdin)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    for (const f of ["events.arrow", "scenario.yaml", "summary.json", "manifest.json"]) {
      expect(readFileSync(path.join(fromStdin, f)).equals(readFileSync(path.join(fromFile, f))), f).toBe(true)
    }
    const broken = devosimWithInput("version: 1\nname: x\n", "run", "-", "--out", path.join(dir, "never"))
    expect(broken.status).toBe(2)
    expect(broken.stderr).toMatch(/^devosim: <stdin>:1:1: start: expected a key "start"/)
    expect(existsSync(path.join(dir, "never"))).toBe(false)
    const json = devosimWithInput(JSON.stringify({ version: 1 }), "validate", "-")
    expect(json.status).toBe(2)
    expect(json.stderr).toMatch(/^devosim: <stdin>/)
  })
})

describe("devosim explain: calendar months, a labelled net figure, --json", () => {
  const run = path.join(dir, "explain-run")

  it("--month 2012-03 is period 23 of a run from 2010-04, the same postings; the net figure says what it is net of", () => {
    expect(devosim("run", ROUTE_MAP, "--out", run, "--quiet").status).toBe(0)
    const byPeriod = devosim("explain", run, "--locality", "Kent", "--agency", "nhs", "--period", "23")
    const byMonth = devosim("explain", run, "--locality", "Kent", "--agency", "nhs", "--month", "2012-03")
    expect(byMonth.status).toBe(0)
    expect(byMonth.stdout).toBe(byPeriod.stdout)
    const [head, net] = byMonth.stdout.split("\n")
    expect(head).toMatch(/^Kent · nhs · period 23 \(2012-03\): \d+ postings moved this budget; newest first$/)
    expect(net).toMatch(/^ {2}net -?£[\d,.]+ into Kent's nhs accounts in the period = £[\d,.]+ in from outside them − £[\d,.]+ out \(moves between them, such as a department funding its agency, cancel\); accounts: department nhs, agency nhs$/)
  })

  it("--json: the postings with their calendar months, and net = in − out", () => {
    const r = devosim("explain", run, "--locality", "Kent", "--month", "2012-03", "--limit", "2", "--json")
    expect(r.status).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ command: "explain", dir: run, start: "2010-04", locality: "Kent", agency: null, period: 23, month: "2012-03" })
    expect(doc.postings).toHaveLength(2)
    for (const p of doc.postings) expect(p).toMatchObject({ period: 23, month: "2012-03" })
    expect(doc.net_pence).toBe(doc.in_pence - doc.out_pence)
    expect(doc.matched).toBeGreaterThan(2)
  })

  it("a month outside the run, or both --period and --month: exit 2, one line", () => {
    const outside = devosim("explain", run, "--locality", "Kent", "--month", "2015-04")
    expect(outside.status).toBe(2)
    expect(outside.stderr).toBe("devosim: --month 2015-04: outside the run, which spends periods 0–59 (2010-04 to 2015-03)\n")
    const both = devosim("explain", run, "--locality", "Kent", "--month", "2012-03", "--period", "3")
    expect(both.status).toBe(2)
    expect(both.stderr).toBe("devosim: --period and --month name the same thing: give one of them\n")
  })
})

describe("devosim verify --json and compare --json", () => {
  const run = path.join(dir, "verify-run")

  it("verify: the verdict; damage as problems with verify's exit code", () => {
    expect(devosim("run", ROUTE_MAP, "--out", run, "--quiet").status).toBe(0)
    const manifest = JSON.parse(readFileSync(path.join(run, "manifest.json"), "utf8"))
    const ok = devosim("verify", run, "--json")
    expect(ok.status).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual({
      command: "verify",
      dir: run,
      intact: true,
      exit_code: 0,
      format: "devosim-run/1",
      files: Object.keys(manifest.files).length + 1, // and events.arrow, sealed by log_sha256
      runs: 1,
      events: manifest.event_count,
      state_sha256: manifest.state_sha256
    })
    const summary = path.join(run, "summary.json")
    writeFileSync(summary, readFileSync(summary, "utf8").replace('"seed": 2010', '"seed": 2011'))
    const damaged = devosim("verify", run, "--json")
    expect(damaged.status).toBe(4)
    expect(damaged.stderr).toBe("")
    const doc = JSON.parse(damaged.stdout)
    expect(doc).toMatchObject({ command: "verify", intact: false, exit_code: 4 })
    expect(doc.problems[0]).toMatchObject({ file: summary, kind: "content changed", exit_code: 4 })
  })

  it("compare: the comparison, as compare.json holds it", () => {
    const out = path.join(dir, "cmp")
    // Two timetables over the same localities (compare warns on stderr when they differ).
    const r = devosim("compare", ROUTE_MAP, ROUTE_MAP, "--replications", "2", "--out", out, "--json")
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("")
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ command: "compare", out, files: ["compare.json", "compare.arrow", "report.html", "manifest.json"] })
    expect(doc.comparison).toEqual(JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8")))
  })
})

describe("devosim run --replications: one report.html across the replications, none per replication unless asked", () => {
  it("a set without runs: report.html of the figures across replications, sealed by the manifest", () => {
    const set = path.join(dir, "set")
    const r = devosim("run", ROUTE_MAP, "--replications", "4", "--out", set, "--json")
    expect(r.status).toBe(0)
    expect(readdirSync(set).sort()).toEqual(["manifest.json", "report.html", "scenario.yaml", "summary.json"])
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ command: "run", replications: 4, runs_kept: false, files: ["report.html", "scenario.yaml", "summary.json", "manifest.json"] })
    const summary = JSON.parse(readFileSync(path.join(set, "summary.json"), "utf8"))
    expect(doc.figures["centre.makespan"]).toEqual(summary.figures["centre.makespan"])
    const html = readFileSync(path.join(set, "report.html"), "utf8")
    expect(html).toContain("<b>4</b> replications, each with its own seed")
    expect(html).not.toContain('id="paired-table"')
    expect(html).toContain("Route-map 2010 - forerunners then a second tranche")
    expect(devosim("verify", set).status).toBe(0)
  })

  it("--keep-runs: run directories without report.html; --run-reports adds them; both verify", () => {
    const kept = path.join(dir, "kept")
    const r = devosim("run", ROUTE_MAP, "--replications", "2", "--keep-runs", "--out", kept, "--quiet")
    expect(r.status, r.stderr).toBe(0)
    expect(readdirSync(kept).sort()).toEqual(["manifest.json", "replications", "report.html", "scenario.yaml", "summary.json"])
    for (const rep of ["r0000", "r0001"]) expect(readdirSync(path.join(kept, "replications", rep))).not.toContain("report.html")
    expect(devosim("verify", kept).status).toBe(0)
    const withReports = path.join(dir, "kept-reports")
    expect(devosim("run", ROUTE_MAP, "--replications", "2", "--keep-runs", "--run-reports", "--out", withReports, "--quiet").status).toBe(0)
    for (const rep of ["r0000", "r0001"]) expect(readdirSync(path.join(withReports, "replications", rep))).toContain("report.html")
    expect(devosim("verify", withReports).status).toBe(0)
    const alone = devosim("run", ROUTE_MAP, "--replications", "2", "--run-reports", "--out", path.join(dir, "never-set"))
    expect(alone.status).toBe(2)
    expect(alone.stderr).toBe("devosim: --run-reports: each replication's report.html, which --replications writes only with --keep-runs\n")
  })
})
