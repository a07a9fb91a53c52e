import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")

describe("devosim run / replay on the route-map example", () => {
  const dir = tempDir("cli")
  const a = path.join(dir, "a")

  it("writes a complete run directory and says where", () => {
    const r = devosim("run", ROUTE_MAP, "--out", a)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`outputs in ${a}/`)
    expect(readdirSync(a).sort()).toEqual([
      "accounts.arrow",
      "cost_shift.arrow",
      "effects.arrow",
      "events.arrow",
      "ledger.arrow",
      "line_years.arrow",
      "lines.arrow",
      "localities.arrow",
      "locality_years.arrow",
      "manifest.json",
      "negotiations.arrow",
      "pools.arrow",
      "report.html",
      "scenario.yaml",
      "summary.json",
      "transfers.arrow"
    ])
    expect(readFileSync(path.join(a, "scenario.yaml"), "utf8")).toBe(readFileSync(ROUTE_MAP, "utf8"))
    const summary = JSON.parse(readFileSync(path.join(a, "summary.json"), "utf8"))
    expect(summary.negotiations).toHaveLength(8) // London, in place from the start, and the seven to negotiate
    expect(summary.money.total_balance_pence).toBe(0)
    expect(summary.money.baseline_pence - summary.money.actual_pence).toBe(summary.money.spb_reduction_pence)
    expect(summary.money.spb_reduction_pence).toBeGreaterThan(0)
    // Forerunners are invited in November 2010 (period 7) and cannot land before it.
    expect(summary.negotiations[0]).toMatchObject({ locality: "London", eligible: 0, deal: 0 })
    for (const n of summary.negotiations.slice(1, 5)) expect(n.eligible).toBe(7)
  })

  it("replays events.arrow alone to the manifest's state", () => {
    const r = devosim("replay", a)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/replayed \d+ events .* final state matches the manifest/)
  })

  it("is deterministic: the same seed writes a byte-identical events.arrow; another seed does not", () => {
    const b = path.join(dir, "b")
    const c = path.join(dir, "c")
    expect(devosim("run", ROUTE_MAP, "--out", b).status).toBe(0)
    expect(devosim("run", ROUTE_MAP, "--out", c, "--seed", "7").status).toBe(0)
    const ea = readFileSync(path.join(a, "events.arrow"))
    expect(readFileSync(path.join(b, "events.arrow")).equals(ea)).toBe(true)
    expect(readFileSync(path.join(b, "manifest.json"), "utf8")).toBe(readFileSync(path.join(a, "manifest.json"), "utf8"))
    expect(readFileSync(path.join(c, "events.arrow")).equals(ea)).toBe(false)
    // The input as run records the overriding seed.
    expect(readFileSync(path.join(c, "scenario.yaml"), "utf8")).toMatch(/^seed: 7/m)
  })

  it("--parquet adds the Parquet copies; --no-parquet (the default) leaves them out", () => {
    const e = path.join(dir, "e")
    expect(devosim("run", ROUTE_MAP, "--out", e, "--parquet").status).toBe(0)
    expect(readdirSync(e).filter((f) => f.endsWith(".parquet")).sort()).toEqual(["events.parquet", "ledger.parquet"])
    expect(devosim("verify", e).status).toBe(0)
    const f = path.join(dir, "f")
    expect(devosim("run", ROUTE_MAP, "--out", f, "--no-parquet").status).toBe(0)
    expect(readdirSync(f).filter((x) => x.endsWith(".parquet"))).toEqual([])
  })

  it("refuses to overwrite a run directory unless --force", () => {
    const r = devosim("run", ROUTE_MAP, "--out", a)
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("--force")
    expect(devosim("run", ROUTE_MAP, "--out", a, "--force").status).toBe(0)
  })

  it("replay reports a manifest that does not match the log as verify does (exit 6)", () => {
    const d = path.join(dir, "d")
    expect(devosim("run", ROUTE_MAP, "--out", d).status).toBe(0)
    const m = path.join(d, "manifest.json")
    const manifest = JSON.parse(readFileSync(m, "utf8"))
    manifest.state_sha256 = "0".repeat(64)
    writeFileSync(m, JSON.stringify(manifest, null, 2))
    const r = devosim("replay", d)
    expect(r.status).toBe(6)
    expect(r.stderr).toContain("differs from the manifest")
    expect(devosim("verify", d).status).toBe(6)
  })
})

describe("bad scenario input: exit 2, file:line:col, path, no stack trace, no run directory", () => {
  const dir = tempDir("bad")
  const base = `version: 1
name: bad
start: 2010-04
months: 12
seed: 1
centre:
  capacity: 2
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
localities:
  - id: Kent
    name: Kent
    population: 1400000
    tranche: t1
    negotiation: { months: 3 }
    baseline: { council: 4.4bn }
`
  const cases: ReadonlyArray<readonly [string, string, string, RegExp]> = [
    ["yaml syntax", "s.yaml", base.replace("capacity: 2", "capacity: [2"), /s\.yaml:\d+:\d+: /],
    ["json syntax", "s.json", '{"version": 1, "name": }', /s\.json:1:24: expected valid JSON/],
    ["wrong type", "s.yaml", base.replace("months: 12", "months: twelve"), /s\.yaml:4:9: months: expected .*integer.*, found "twelve"/],
    ["missing key", "s.yaml", base.replace("seed: 1\n", ""), /s\.yaml:\d+:\d+: seed: expected .*, found nothing/],
    ["unknown tranche", "s.yaml", base.replace("tranche: t1", "tranche: t9"), /s\.yaml:16:14: localities\[0\]\.tranche: expected one of the tranche ids \("t1"\), found "t9"/],
    ["unknown agency", "s.yaml", base.replace("{ council: 4.4bn }", "{ nhs: 4.4bn }"), /s\.yaml:18:\d+: localities\[0\]\.baseline.*nhs.*expected/],
    ["duplicate id", "s.yaml", base + base.slice(base.indexOf("  - id: Kent")), /s\.yaml:19:\d+: localities\[1\]\.id: expected .*, found "Kent"/],
    ["zero capacity", "s.yaml", base.replace("capacity: 2", "capacity: 0"), /s\.yaml:7:13: centre\.capacity: expected an integer >= 1, found 0/],
    ["negative capacity", "s.yaml", base.replace("capacity: 2", "capacity: -1"), /centre\.capacity: expected an integer >= 1, found -1/],
    ["date out of range", "s.yaml", base.replace("opens: 0", "opens: 2009-01"), /s\.yaml:9:\d+: tranches\[0\]\.opens: expected .*, found "2009-01"/],
    ["empty file", "s.yaml", "", /s\.yaml: expected a scenario mapping, found an empty file/]
  ]
  for (const [what, file, text, message] of cases) {
    it(what, () => {
      const f = path.join(dir, what.replaceAll(" ", "-") + "-" + file)
      const out = path.join(dir, "out-" + what.replaceAll(" ", "-"))
      writeFileSync(f, text)
      const r = devosim("run", f, "--out", out)
      expect(r.status).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr).toMatch(message)
      expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(existsSync(out)).toBe(false)
      expect(devosim("validate", f).status).toBe(2)
    })
  }

  it("a missing file", () => {
    const r = devosim("run", path.join(dir, "nope.yaml"), "--out", path.join(dir, "x"))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("nope.yaml")
  })
})

describe("devosim explain", () => {
  const dir = tempDir("explain")
  const out = path.join(dir, "run")
  const file = path.join(dir, "prevention.yaml")
  writeFileSync(
    file,
    `version: 1
name: explain
start: 2010-04
months: 24
seed: 1
centre: { capacity: 1 }
tranches: [{ id: t1, opens: 0 }]
agencies: [{ id: council, name: Council }, { id: nhs, name: NHS }]
deal: { reduction_pct: 5, pooled_agencies: [council, nhs], horizon_months: 12, gainshare_pct: 50 }
localities:
  - { id: Kent, name: Kent, population: 1400000, tranche: t1, negotiation: { months: 3 }, baseline: { council: 120000, nhs: 240000 } }
programmes:
  - id: older-people
    locality: Kent
    payer: council
    starts: 2
    duration_months: 6
    investment: { upfront: 5000, monthly: 1000 }
    cohort: 100
    effects:
      - { beneficiary: nhs, service: A&E attendances, unit_cost: { amount: 250, per: event }, baseline_demand: 1.2, reduction_pct: 50, lag_months: 3, ramp_months: 4, decay_pct_per_year: 50, deadweight_pct: 20, optimism_bias_pct: 10 }
`
  )

  it("lists the postings that moved a budget in a period, with their causes, newest first", () => {
    expect(devosim("run", file, "--out", out).status).toBe(0)
    const r = devosim("explain", out, "--locality", "Kent", "--agency", "nhs", "--period", "11")
    expect(r.status).toBe(0)
    const lines = r.stdout.split("\n")
    expect(lines[0]).toMatch(/^Kent · nhs · period 11 \(2011-03\): 4 postings moved this budget/)
    // The saving of period 11 (84,949p, hand-computed in packages/engine/test/money.test.ts) goes back to the SPB,
    // caused by the programme's start.
    expect(r.stdout).toMatch(/saving\s+agency nhs → SPB\s+£849\.49\s+#\d+ ProgrammeStarted: programme older-people started in Kent: council pays, nhs benefit/)
    expect(r.stdout).toContain("DealAgreed: Kent agreed a deal: council, nhs pooled from period 3, 5% less, gainshare 50%")
  })

  it("names the localities when asked for one that is not there (exit 2)", () => {
    const r = devosim("explain", out, "--locality", "Essex")
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no locality "Essex" in this run; localities are "Kent"')
  })
})
