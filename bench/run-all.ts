/**
 * `pnpm bench`: times the stages of a run on synthetic scenarios and writes bench/results/<name>.json.
 * Medians of `--repeat` runs (default 5). `--smoke` runs one small case once (CI: no timing asserted).
 */
import { canonicalState, replay } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { ledgerByPeriod, summarize } from "@devosim/report"
import { compileScenarioText } from "@devosim/scenario"
import { decodeEventLog, encodeEventLog, encodeLedger } from "@devosim/store"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import * as path from "node:path"
import { syntheticScenario } from "./synthetic.ts"

const args = process.argv.slice(2)
const smoke = args.includes("--smoke")
const repeat = smoke ? 1 : Number(args[args.indexOf("--repeat") + 1] ?? 5) || 5
const ROOT = path.resolve(import.meta.dirname, "..")
const RESULTS = path.join(ROOT, "bench", "results")

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now()
  const r = f()
  return [r, (performance.now() - t0) / 1000]
}

const machine = () => ({
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  memory_gib: Math.round(totalmem() / 2 ** 30),
  commit: (() => {
    try {
      return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()
    } catch {
      return "unknown"
    }
  })()
})

const cases = smoke
  ? [{ name: "smoke-50x4x24", localities: 50, agencies: 4, months: 24 }]
  : [
      { name: "run-1000x8x120", localities: 1000, agencies: 8, months: 120 },
      { name: "run-100x8x120", localities: 100, agencies: 8, months: 120 }
    ]

mkdirSync(RESULTS, { recursive: true })
const rows: Array<Record<string, string | number>> = []
for (const c of cases) {
  const dir = mkdtempSync(path.join(tmpdir(), "devosim-bench-"))
  const file = path.join(dir, "scenario.json")
  const text = JSON.stringify(syntheticScenario(c))
  writeFileSync(file, text)
  const load: Array<number> = []
  const run: Array<number> = []
  const write: Array<number> = []
  const rep: Array<number> = []
  const e2e: Array<number> = []
  const rss: Array<number> = []
  let events = 0
  let postings = 0
  let bytes = 0
  for (let k = 0; k < repeat; k++) {
    const [loaded, tLoad] = time(() => compileScenarioText(text, file))
    if (!loaded.ok) throw new Error(loaded.error.message)
    const [result, tRun] = time(() => runScenario(loaded.value.scenario))
    const [encoded, tWrite] = time(() => {
      const ev = encodeEventLog(result.log)
      const run0 = result.log.controls[0]!
      if (run0._tag !== "RunStarted") throw new Error("no RunStarted")
      const led = encodeLedger({ run: run0, ...ledgerByPeriod(result.log) })
      summarize(result.log)
      return { ev, led }
    })
    const [replayed, tReplay] = time(() => {
      const d = decodeEventLog(encoded.ev)
      if (!d.ok) throw new Error(d.error.message)
      return replay(d.log)
    })
    if (canonicalState(replayed) !== canonicalState(result.state)) throw new Error("replay differs from run")
    events = result.state.applied
    postings = result.log.postings.length
    bytes = encoded.ev.byteLength
    load.push(tLoad)
    run.push(tRun)
    write.push(tWrite)
    rep.push(tReplay)
    const out = path.join(dir, `out-${k}`)
    const t0 = performance.now()
    const p = spawnSync("/usr/bin/time", ["-f", "%M", path.join(ROOT, "node_modules/.bin/devosim"), "run", file, "--out", out, "--no-parquet", "--quiet"], { encoding: "utf8" })
    e2e.push((performance.now() - t0) / 1000)
    if (p.status !== 0) throw new Error(`devosim run failed: ${p.stderr}`)
    rss.push(Number(p.stderr.trim().split("\n").pop()) / 1024)
  }
  rmSync(dir, { recursive: true, force: true })
  const result = {
    name: c.name,
    localities: c.localities,
    agencies: c.agencies,
    months: c.months,
    repeat,
    events,
    postings,
    events_arrow_bytes: bytes,
    bytes_per_event: +(bytes / events).toFixed(1),
    load_s: +median(load).toFixed(3),
    run_s: +median(run).toFixed(3),
    run_events_per_s: Math.round(events / median(run)),
    write_s: +median(write).toFixed(3),
    replay_s: +median(rep).toFixed(3),
    end_to_end_s: +median(e2e).toFixed(3),
    end_to_end_peak_rss_mib: Math.round(median(rss)),
    machine: machine()
  }
  writeFileSync(path.join(RESULTS, `${c.name}.json`), JSON.stringify(result, null, 2) + "\n")
  rows.push(result as unknown as Record<string, string | number>)
}

const cols = ["name", "events", "postings", "load_s", "run_s", "run_events_per_s", "write_s", "replay_s", "end_to_end_s", "end_to_end_peak_rss_mib", "bytes_per_event"]
console.log(cols.join("\t"))
for (const r of rows) console.log(cols.map((k) => r[k]).join("\t"))
console.log(`(medians of ${repeat}; JSON in bench/results/)`)
