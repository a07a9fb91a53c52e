// Start-up of `devosim` from the sources and from the bundle (README, "How the CLI is built and
// run"): medians of N (default 5) wall times of node_modules/.bin/devosim as a user runs it, the
// two interleaved so that load on the machine falls on both alike.
//
//   node scripts/startup-times.ts [--repeat N]
//
// "to the first event" of the small run is its wall time less the "run and written in N ms" it
// prints (which starts just before the centre's first decision): start-up, loading the command's
// modules, reading and validating the scenario, and the exit.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const ROOT = path.resolve(import.meta.dirname, "..")
const BIN = path.join(ROOT, "node_modules", ".bin", "devosim")
const repeatAt = process.argv.indexOf("--repeat")
const N = repeatAt > 0 ? Number(process.argv[repeatAt + 1]) : 5
const entry = (await import(pathToFileURL(path.join(ROOT, "packages", "cli", "bin", "entry.js")).href)) as { bundleIsFresh: () => boolean }
const work = mkdtempSync(path.join(tmpdir(), "devosim-startup-"))

const ensureBundle = (): void => {
  if (entry.bundleIsFresh()) return
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-cli.ts")], { cwd: ROOT, stdio: "inherit" })
  if (r.status !== 0) throw new Error("build-cli failed")
}

type From = "source" | "bundle"
const time = (from: From, args: ReadonlyArray<string>): { wall: number; ran: number } => {
  if (from === "bundle") ensureBundle()
  const env = { ...process.env, DEVOSIM_FROM_SOURCE: from === "source" ? "1" : "" }
  const t0 = performance.now()
  const r = spawnSync(BIN, args, { cwd: ROOT, env, encoding: "utf8" })
  const wall = performance.now() - t0
  if (r.status !== 0) throw new Error(`devosim ${args.join(" ")}: exit ${r.status}\n${r.stderr}`)
  const ran = Number(/run and written in (\d+) ms/.exec(r.stdout)?.[1] ?? 0)
  return { wall, ran }
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["--version", ["--version"]],
  ["--help", ["--help"]],
  ["run route-map-2010", ["run", "scenarios/route-map-2010.yaml", "--out", path.join(work, "run"), "--force", "--quiet"]]
]
// One warm-up each (the compile cache in the OS temp dir fills on a first run).
for (const from of ["source", "bundle"] as const) for (const [, args] of cases) time(from, args)

const rows: Array<string> = []
for (const [name, args] of cases) {
  const t: Record<From, Array<{ wall: number; ran: number }>> = { source: [], bundle: [] }
  for (let i = 0; i < N; i++) for (const from of ["source", "bundle"] as const) t[from].push(time(from, args))
  const cell = (from: From) => {
    const wall = t[from].map((x) => x.wall / 1000)
    const first = t[from].map((x) => (x.wall - x.ran) / 1000)
    const s = (xs: Array<number>) => `${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)})`
    return name.startsWith("run") ? `${s(wall)}; first event ${s(first)}` : s(wall)
  }
  rows.push(`| \`devosim ${name}\` | ${cell("source")} | ${cell("bundle")} |`)
}
rmSync(work, { recursive: true, force: true })
console.log(`medians of ${N} (and the fastest), wall time of node_modules/.bin/devosim:\n`)
console.log("| command | from source | from the bundle |\n|---|---|---|")
console.log(rows.join("\n"))
