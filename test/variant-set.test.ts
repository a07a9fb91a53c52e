/**
 * One variant of a file, and amended scenarios, through the real CLI: `run FILE --variant NAME`
 * (or `FILE#NAME`) is the run compare makes of that variant; `--set PATH=VALUE` on run and compare
 * amends the scenario as fork does, the run's scenario.yaml is the amended scenario, its manifest
 * records the settings, and verify passes; mistakes are one line, exit 2, nothing written.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { devosim, devosimWithInput, tempDir } from "./cli-helpers.ts"

const locality = (id: string, population: number, tranche: string) =>
  `  - { id: ${id}, name: ${id}, population: ${population}, tranche: ${tranche}, negotiation: { months: { triangular: [2, 5, 11] } }, baseline: { council: 40m, nhs: 20m } }\n`

const SCENARIO = `version: 1
name: variants and settings
start: 2010-04
months: 36
seed: 7
centre: { capacity: 1 }
tranches:
  - { id: first, opens: 0 }
  - { id: second, opens: 2010-10 }
agencies:
  - { id: council, name: Councils }
  - { id: nhs, name: NHS }
localities:
${locality("Avon", 900000, "first")}${locality("Bury", 400000, "first")}${locality("Crewe", 300000, "second")}${locality("Derby", 700000, "second")}${locality("Ely", 100000, "second")}variants:
  - name: cap-4
    description: "the centre runs 4 negotiations at once"
    centre: { capacity: 4 }
  - name: together
    description: "every place invited at the start"
    tranches: { second: { opens: 0 } }
`

type Json = Record<string, unknown>
const readJson = (file: string): Json => JSON.parse(readFileSync(file, "utf8")) as Json
/** Every file of a run directory (recursively), name → bytes. */
const filesOf = (dir: string): Map<string, Buffer> =>
  new Map(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const full = path.join(e.parentPath, e.name)
        return [path.relative(dir, full), readFileSync(full)] as const
      })
  )

/** Exit 2, nothing on stdout, one line on stderr containing each of `parts`. */
const refused = (r: ReturnType<typeof devosim>, ...parts: ReadonlyArray<string>) => {
  expect(r.status, r.stderr).toBe(2)
  expect(r.stdout).toBe("")
  const lines = r.stderr.trimEnd().split("\n")
  expect(lines, r.stderr).toHaveLength(1)
  for (const p of parts) expect(lines[0]).toContain(p)
  expect(lines[0]).not.toMatch(/internal error|    at /)
}

/** compare.json's means per figure for two columns: [figure, mean of a, mean of b]. */
const meansOf = (compareJson: string, a: number, b: number) =>
  (readJson(compareJson)["figures"] as ReadonlyArray<{ figure: string; by_scenario: ReadonlyArray<{ mean: number | null }> }>).map((f) => [f.figure, f.by_scenario[a]!.mean, f.by_scenario[b]!.mean] as const)

let dir: string
let file: string

beforeAll(() => {
  dir = tempDir("variant-set")
  file = path.join(dir, "options.yaml")
  writeFileSync(file, SCENARIO)
})

describe("run FILE --variant NAME", () => {
  it("runs that variant alone: FILE#NAME is the same run, byte for byte; the text and --json name the variant and its description", () => {
    const flag = devosim("run", file, "--variant", "cap-4", "--out", path.join(dir, "v-flag"), "--quiet")
    expect(flag.status, flag.stderr).toBe(0)
    expect(flag.stdout).toContain(`ran "variants and settings / cap-4" (seed 7)`)
    expect(flag.stdout).toContain(`  variant "cap-4" of ${file}: the centre runs 4 negotiations at once`)
    const hash = devosim("run", `${file}#cap-4`, "--out", path.join(dir, "v-hash"), "--quiet", "--json")
    expect(hash.status, hash.stderr).toBe(0)
    const doc = JSON.parse(hash.stdout) as Json
    expect(doc["scenario"]).toBe("variants and settings / cap-4")
    expect(doc["variant"]).toEqual({ name: "cap-4", description: "the centre runs 4 negotiations at once" })
    expect(doc).not.toHaveProperty("settings")
    expect(filesOf(path.join(dir, "v-hash"))).toEqual(filesOf(path.join(dir, "v-flag")))
    const manifest = readJson(path.join(dir, "v-flag", "manifest.json"))
    expect(manifest["variant"]).toBe("cap-4")
    expect(manifest).not.toHaveProperty("settings")
    expect(devosim("verify", path.join(dir, "v-flag")).status).toBe(0)
  })

  it("is the run of the variant's own scenario.yaml as a file: every file the same bytes but the manifest's input fields", () => {
    const standalone = path.join(dir, "cap-4-standalone.yaml")
    copyFileSync(path.join(dir, "v-flag", "scenario.yaml"), standalone)
    expect(devosim("run", standalone, "--out", path.join(dir, "v-standalone"), "--quiet").status).toBe(0)
    const a = filesOf(path.join(dir, "v-flag"))
    const b = filesOf(path.join(dir, "v-standalone"))
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
    for (const [name, bytes] of a) if (name !== "manifest.json") expect(bytes.equals(b.get(name)!), name).toBe(true)
    const { input_sha256: ia, variant, ...restA } = readJson(path.join(dir, "v-flag", "manifest.json"))
    const { input_sha256: ib, ...restB } = readJson(path.join(dir, "v-standalone", "manifest.json"))
    expect(variant).toBe("cap-4")
    expect(ia).not.toBe(ib)
    expect(restA).toEqual(restB)
  })

  it("gives the figures compare gives that variant with one replication (every figure equal)", () => {
    const out = path.join(dir, "cmp-variant")
    const c = devosim("compare", `${file}#cap-4`, path.join(dir, "v-flag"), "--out", out, "--quiet", "--json")
    expect(c.status, c.stderr).toBe(0)
    const report = JSON.parse(c.stdout) as { comparison: { scenarios: ReadonlyArray<{ variant: string | null; description: string | null }> } }
    // FILE#NAME in compare: that variant alone, with its description.
    expect(report.comparison.scenarios[0]).toMatchObject({ variant: "cap-4", description: "the centre runs 4 negotiations at once" })
    const means = meansOf(path.join(out, "compare.json"), 0, 1)
    expect(means.length).toBeGreaterThan(5)
    for (const [figure, a, b] of means) expect(b, figure).toBe(a)
  })

  it("refuses an unknown variant with one line naming the file, variants and the names it has, and the command's help (exit 2, nothing written)", () => {
    const out = path.join(dir, "nope")
    refused(devosim("run", file, "--variant", "cap-5", "--out", out), file, "variants: expected one of the variant names (\"cap-4\", \"together\"), found \"cap-5\"", "; see devosim run --help")
    refused(devosim("run", `${file}#cap-5`, "--out", out), "found \"cap-5\"", "; see devosim run --help")
    refused(devosim("compare", file, `${file}#cap-5`, "--out", out), "found \"cap-5\"", "; see devosim compare --help")
    refused(devosim("validate", `${file}#cap-5`), "found \"cap-5\"", "; see devosim validate --help")
    refused(devosim("run", `${file}#cap-4`, "--variant", "together", "--out", out), "--variant", "give one of them")
    expect(existsSync(out)).toBe(false)
  })

  it("runs a variant of the scenario on stdin (run - --variant NAME)", () => {
    const out = path.join(dir, "stdin-cap-4")
    const r = devosimWithInput(SCENARIO, "run", "-", "--variant", "cap-4", "--out", out, "--quiet")
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(path.join(out, "summary.json")).equals(readFileSync(path.join(dir, "v-flag", "summary.json")))).toBe(true)
  })

  it("validate FILE#NAME checks the base and that variant", () => {
    const r = devosim("validate", `${file}#together`, "--json")
    expect(r.status, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as { files: ReadonlyArray<Json> }).files[0]).toMatchObject({ valid: true, scenario: "variants and settings / together", variant: "together", variants: [] })
  })

  it("reaches a file whose name holds #: a path that exists as given is the file", () => {
    const odd = path.join(dir, "odd#name.yaml")
    copyFileSync(file, odd)
    const base = devosim("run", odd, "--out", path.join(dir, "odd-base"), "--quiet", "--json")
    expect(base.status, base.stderr).toBe(0)
    expect(JSON.parse(base.stdout)).not.toHaveProperty("variant")
    expect(readJson(path.join(dir, "odd-base", "manifest.json"))).not.toHaveProperty("variant")
    const variant = devosim("run", `${odd}#cap-4`, "--out", path.join(dir, "odd-cap-4"), "--quiet")
    expect(variant.status, variant.stderr).toBe(0)
    expect(readFileSync(path.join(dir, "odd-cap-4", "summary.json")).equals(readFileSync(path.join(dir, "v-flag", "summary.json")))).toBe(true)
  })
})

describe("--set PATH=VALUE on run and compare", () => {
  it("amends the base: the same figures as the variant that sets it; scenario.yaml is the amended scenario, the manifest lists the settings, verify passes", () => {
    const out = path.join(dir, "set-4")
    const r = devosim("run", file, "--set", "centre.capacity=4", "--out", out, "--quiet")
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain("  amended with centre.capacity=4")
    expect(readJson(path.join(out, "manifest.json"))["settings"]).toEqual(["centre.capacity=4"])
    expect(readFileSync(path.join(out, "scenario.yaml"), "utf8")).toMatch(/^centre:\n  capacity: 4$/m)
    expect(devosim("verify", out).status).toBe(0)
    const c = devosim("compare", path.join(dir, "v-flag"), out, "--out", path.join(dir, "cmp-set"), "--quiet")
    expect(c.status, c.stderr).toBe(0)
    for (const [figure, a, b] of meansOf(path.join(dir, "cmp-set", "compare.json"), 0, 1)) expect(b, figure).toBe(a)
    // The events are the variant's, bar the scenario's name in RunStarted.
    const events = (d: string) => readJson(path.join(d, "summary.json"))["events"]
    expect(events(out)).toEqual(events(path.join(dir, "v-flag")))
    // And the setting matters: the base, at capacity 1, is another run.
    const base = path.join(dir, "base-1")
    expect(devosim("run", file, "--out", base, "--quiet").status).toBe(0)
    const centre = (d: string) => readJson(path.join(d, "summary.json"))["centre"]
    expect(centre(base)).not.toEqual(centre(out))
  })

  it("applies to every replication of run --replications K (and to a variant's run), which verify passes", () => {
    const viaSet = path.join(dir, "reps-set")
    const viaVariant = path.join(dir, "reps-variant")
    expect(devosim("run", file, "--set", "centre.capacity=4", "--replications", "3", "--keep-runs", "--out", viaSet, "--quiet").status).toBe(0)
    expect(devosim("run", file, "--variant", "cap-4", "--replications", "3", "--out", viaVariant, "--quiet").status).toBe(0)
    const figures = (d: string) => readJson(path.join(d, "summary.json"))["figures"]
    expect(figures(viaSet)).toEqual(figures(viaVariant))
    expect(readJson(path.join(viaSet, "manifest.json"))["settings"]).toEqual(["centre.capacity=4"])
    expect(readJson(path.join(viaSet, "replications", "r0002", "manifest.json"))["settings"]).toEqual(["centre.capacity=4"])
    expect(devosim("verify", viaSet).status).toBe(0)
    const both = path.join(dir, "variant-and-set")
    const r = devosim("run", `${file}#together`, "--set", "centre.capacity=2", "--set", "localities.Ely.tranche=first", "--out", both, "--quiet", "--json")
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ variant: { name: "together" }, settings: ["centre.capacity=2", "localities.Ely.tranche=first"] })
    expect(readJson(path.join(both, "manifest.json"))).toMatchObject({ variant: "together", settings: ["centre.capacity=2", "localities.Ely.tranche=first"] })
    expect(devosim("verify", both).status).toBe(0)
  })

  it("keeps a JSON input JSON", () => {
    const jsonFile = path.join(dir, "plain.json")
    writeFileSync(jsonFile, JSON.stringify({ version: 1, name: "plain", start: "2010-04", months: 24, seed: 3, centre: { capacity: 1 }, tranches: [{ id: "t", opens: 0 }], agencies: [{ id: "nhs", name: "NHS" }], localities: [{ id: "A", name: "A", population: 10, tranche: "t", negotiation: { months: 3 }, baseline: { nhs: "1m" } }] }))
    const out = path.join(dir, "plain-set")
    const r = devosim("run", jsonFile, "--set", "centre.capacity=2", "--out", out, "--quiet")
    expect(r.status, r.stderr).toBe(0)
    const text = readFileSync(path.join(out, "scenario.yaml"), "utf8")
    expect(text.startsWith("{")).toBe(true)
    expect((JSON.parse(text) as { centre: unknown }).centre).toEqual({ capacity: 2 })
    expect(devosim("verify", out).status).toBe(0)
  })

  it("compare --set amends every scenario read from a file: the base amended to capacity 4 is the cap-4 variant", () => {
    const out = path.join(dir, "cmp-all")
    const r = devosim("compare", file, "--set", "centre.capacity=4", "--out", out, "--quiet")
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^every scenario read from a file amended with centre.capacity=4\n/)
    expect(readJson(path.join(out, "manifest.json"))["settings"]).toEqual(["centre.capacity=4"])
    // Columns: base, cap-4, together; all three at capacity 4, so the base and cap-4 agree.
    for (const [figure, a, b] of meansOf(path.join(out, "compare.json"), 0, 1)) expect(b, figure).toBe(a)
    expect(devosim("verify", out).status).toBe(0)
  })

  it("refuses a bad --set, and --set on a run directory in compare, with one line and exit 2, writing nothing", () => {
    const out = path.join(dir, "bad-set")
    refused(devosim("run", file, "--set", "centre.capacty=4", "--out", out), "--set: centre.capacty", "; see devosim run --help")
    refused(devosim("run", file, "--set", "capacity", "--out", out), "expected PATH=VALUE", "; see devosim run --help")
    refused(devosim("run", file, "--set", "centre.capacity=0", "--replications", "2", "--out", out), "--set: centre.capacity: expected an integer >= 1, found 0")
    refused(devosim("compare", file, "--set", "localities.Nowhere.tranche=first", "--out", out), "Nowhere", "; see devosim compare --help")
    refused(devosim("compare", file, path.join(dir, "v-flag"), "--set", "centre.capacity=2", "--out", out), "--set: amends the scenarios read from files", "is a run directory", "devosim fork")
    expect(existsSync(out)).toBe(false)
  })

  it("leaves runs without --variant or --set as they were: no variant or settings in the manifest or --json", () => {
    const out = path.join(dir, "plain-base")
    const r = devosim("run", file, "--out", out, "--quiet", "--json")
    expect(r.status).toBe(0)
    const doc = JSON.parse(r.stdout) as Json
    expect(doc).not.toHaveProperty("variant")
    expect(doc).not.toHaveProperty("settings")
    const manifest = readJson(path.join(out, "manifest.json"))
    expect(Object.keys(manifest)).toEqual(["format", "engine_version", "event_schema_version", "scenario", "seed", "input_sha256", "event_count", "control_event_count", "posting_count", "state_sha256", "log_sha256", "files"])
    expect(readFileSync(path.join(out, "scenario.yaml"), "utf8")).toBe(SCENARIO)
  })
})
