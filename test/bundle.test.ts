/**
 * The bundled CLI (packages/cli/dist, scripts/build-cli.ts) against the sources: the same outputs
 * byte for byte (a run on the main thread and one with --workers 2 and --parquet, so every worker
 * module and parquet-wasm are reached from the bundle; a comparison; a Parquet export), both
 * verified; `--version` and `--help` from the bundle; and the bin's choice between them
 * (packages/cli/bin/entry.js: the bundle only while no source is newer, DEVOSIM_FROM_SOURCE=1).
 */
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { ROOT, tempDir } from "./cli-helpers.ts"

const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const BIN = path.join(ROOT, "packages", "cli", "bin", "devosim.js")
const BUNDLE = path.join(ROOT, "packages", "cli", "dist", "main.js")
const ENTRY = path.join(ROOT, "packages", "cli", "bin", "entry.js")

/** packages/cli/bin/entry.js (plain JavaScript, run before any TypeScript can be). */
interface Entry {
  readonly BUNDLE: string
  readonly SOURCE: string
  readonly bundleIsFresh: () => boolean
  readonly cliEntry: (env?: Record<string, string | undefined>) => string
}
const loadEntry = (file: string): Promise<Entry> => import(pathToFileURL(file).href) as Promise<Entry>

interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `devosim ARGS` from the sources (the bin with DEVOSIM_FROM_SOURCE=1) or the bundle itself. */
const cli = (from: "source" | "bundle", ...args: ReadonlyArray<string>): Result => {
  const env = { ...process.env, DEVOSIM_FROM_SOURCE: from === "source" ? "1" : "" }
  const r = spawnSync(process.execPath, [from === "source" ? BIN : BUNDLE, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Every file under `dir`, relative, sorted. */
const files = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .sort()

/** The two directories hold the same files with the same bytes. */
const expectSameBytes = (a: string, b: string): void => {
  const names = files(a)
  expect(names.length).toBeGreaterThan(0)
  expect(files(b)).toEqual(names)
  for (const f of names) {
    const same = readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f)))
    expect(same, f).toBe(true)
  }
}

/** The outputs' own paths differ (…/source/… and …/bundle/…); the rest of the lines is the same. */
const withoutDir = (s: string, dir: string): string => s.split(dir).join("DIR")

describe("the bundled CLI", () => {
  const dir = tempDir("bundle")

  beforeAll(async () => {
    // `pnpm test` builds it first; run alone, or after a source changed, this file builds it.
    const entry = await loadEntry(ENTRY)
    if (!entry.bundleIsFresh()) {
      const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-cli.ts")], { cwd: ROOT, encoding: "utf8" })
      expect(r.status, r.stderr).toBe(0)
    }
  }, 120_000)

  it("--version (the bin answers it without loading the CLI) and --help: the same as the bundled CLI prints", () => {
    const version = cli("bundle", "--version")
    expect(version.status).toBe(0)
    expect(version.stdout).toMatch(/^devosim v\d+\.\d+\.\d+\n$/)
    expect(version).toEqual(cli("source", "--version"))
    const help = cli("bundle", "--help")
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/SUBCOMMANDS\n  run /)
    expect(help).toEqual(cli("source", "--help"))
  })

  for (const [name, flags] of [
    ["main-thread", []],
    ["workers-2", ["--workers", "2", "--parquet"]]
  ] as const) {
    it(`route-map-2010 ${name === "main-thread" ? "on the main thread" : "with --workers 2 (shard threads) and --parquet"}: the same bytes in every file, both verified`, () => {
      const out = { source: path.join(dir, "source", name), bundle: path.join(dir, "bundle", name) }
      for (const from of ["source", "bundle"] as const) {
        mkdirSync(path.dirname(out[from]), { recursive: true })
        const r = cli(from, "run", ROUTE_MAP, "--out", out[from], "--quiet", ...flags)
        expect(r.stderr).toBe("")
        expect(r.status).toBe(0)
        if (flags.length > 0) expect(r.stdout).toContain("(2 worker threads)")
        const v = cli(from, "verify", out[from])
        expect(v.stdout).toMatch(/intact run/)
        expect(v.status).toBe(0)
      }
      expectSameBytes(out.source, out.bundle)
      expect(files(out.bundle)).toContain("report.html")
      if (flags.length > 0) expect(files(out.bundle)).toContain("events.parquet")
    })
  }

  it("compare (its report.html) and export --format parquet: the same bytes", () => {
    const runs = ["main-thread", "workers-2"].map((n) => path.join(dir, "source", n))
    for (const from of ["source", "bundle"] as const) {
      const c = cli(from, "compare", ...runs, "--out", path.join(dir, from, "compare"), "--quiet")
      expect(c.stderr).toBe("")
      expect(c.status).toBe(0)
      const e = cli(from, "export", runs[1]!, "--out", path.join(dir, from, "export"), "--format", "parquet")
      expect(e.stderr).toBe("")
      expect(e.status).toBe(0)
      expect(cli(from, "verify", path.join(dir, from, "export")).status).toBe(0)
    }
    expectSameBytes(path.join(dir, "source", "compare"), path.join(dir, "bundle", "compare"))
    expectSameBytes(path.join(dir, "source", "export"), path.join(dir, "bundle", "export"))
  })

  it("a bad scenario: the same message and exit code", () => {
    const bad = path.join(dir, "bad.yaml")
    writeFileSync(bad, readFileSync(ROUTE_MAP, "utf8").replace(/^seed: .*$/m, "seed: soon"))
    const r = cli("bundle", "run", bad, "--out", path.join(dir, "bad-out"))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^devosim: .*bad\.yaml:\d+:\d+: /)
    expect(withoutDir(r.stderr, dir)).toBe(withoutDir(cli("source", "run", bad, "--out", path.join(dir, "bad-out")).stderr, dir))
  })
})

describe("which code the bin runs (packages/cli/bin/entry.js)", () => {
  /** A copy of the bin's layout: packages/cli/{bin/entry.js,dist/main.js}, packages/core/src/…, all at time `t`. */
  const layout = () => {
    const root = tempDir("entry")
    const p = (...parts: Array<string>) => path.join(root, "packages", ...parts)
    const t = new Date("2024-01-01T00:00:00Z")
    for (const d of [p("cli", "bin"), p("cli", "dist"), p("cli", "src"), p("core", "src", "deep")]) mkdirSync(d, { recursive: true })
    copyFileSync(ENTRY, p("cli", "bin", "entry.js"))
    writeFileSync(p("cli", "package.json"), `{"type":"module"}`)
    for (const f of [p("cli", "src", "main.ts"), p("core", "src", "deep", "a.ts"), p("core", "package.json")]) writeFileSync(f, "")
    for (const f of [p("cli", "src", "main.ts"), p("core", "src", "deep", "a.ts"), p("core", "src", "deep"), p("core", "src"), p("cli", "src"), p("core", "package.json"), p("cli", "package.json")])
      utimesSync(f, t, t)
    writeFileSync(p("cli", "dist", "main.js"), "")
    utimesSync(p("cli", "dist", "main.js"), t, t)
    const later = new Date(t.getTime() + 1000)
    return { p, later, entry: () => loadEntry(p("cli", "bin", "entry.js")) }
  }

  it("the bundle while nothing under packages/*/src is newer; DEVOSIM_FROM_SOURCE=1 the sources", async () => {
    const { p, entry } = layout()
    const e = await entry()
    expect(e.BUNDLE).toBe(p("cli", "dist", "main.js"))
    expect(e.SOURCE).toBe(p("cli", "src", "main.ts"))
    expect(e.cliEntry({})).toBe(e.BUNDLE)
    expect(e.cliEntry({ DEVOSIM_FROM_SOURCE: "1" })).toBe(e.SOURCE)
    expect(e.cliEntry({ DEVOSIM_FROM_SOURCE: "0" })).toBe(e.BUNDLE)
  })

  it("the sources after an edit, a new file, or a changed package.json; or without a bundle", async () => {
    for (const change of ["edit", "add", "remove", "package.json", "no bundle"] as const) {
      const { p, later, entry } = layout()
      const e = await entry()
      expect(e.cliEntry({})).toBe(e.BUNDLE)
      if (change === "edit") utimesSync(p("core", "src", "deep", "a.ts"), later, later)
      if (change === "add") writeFileSync(p("core", "src", "deep", "b.ts"), "") // its directory's mtime is now
      if (change === "remove") rmSync(p("core", "src", "deep", "a.ts"))
      if (change === "package.json") utimesSync(p("core", "package.json"), later, later)
      if (change === "no bundle") rmSync(p("cli", "dist", "main.js"))
      expect(e.cliEntry({}), change).toBe(e.SOURCE)
    }
  })

  it("the real bin: the bundle when fresh", async () => {
    const e = await loadEntry(ENTRY)
    expect(e.BUNDLE).toBe(BUNDLE)
    if (e.bundleIsFresh()) expect(e.cliEntry({})).toBe(BUNDLE)
    expect(e.cliEntry({ DEVOSIM_FROM_SOURCE: "1" })).toBe(path.join(ROOT, "packages", "cli", "src", "main.ts"))
  })
})
