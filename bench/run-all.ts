/**
 * `pnpm bench`: the benchmarks of issue 5. Each suite prints a table and writes
 * bench/results/<suite>.json (events, postings, wall and CPU seconds, events/s, peak RSS, bytes per
 * event, machine, git commit). Medians of `--repeat` runs (default 5). Nothing here asserts a time.
 *
 *   node bench/run-all.ts                     every suite (about 40 minutes here; `streaming` needs
 *                                             ≈ 50 GB of free disk and is skipped, with a note, without it)
 *   node bench/run-all.ts --only large,queue  some suites (--skip streaming: all but some)
 *   DEVOSIM_BENCH_DIR=/big/disk …             where the scenarios and runs go (default: the OS tmpdir)
 *   node bench/run-all.ts --smoke             one small case of each kind, once (CI)
 *
 * Suites: stages (in-process: load + validation, the centre, posting, writing the log, replay),
 * workers (posting and merging alone, in-process and on 1 and 2 worker threads),
 * large (10,000 × 8 × 120 with a programme per locality, `devosim run` as a process, 1 and 2
 * workers), queue (100,000 localities, capacity 12, fixed durations, JSON, as a process), scaling
 * (wall time against localities × months, log-log slope), streaming (peak RSS of a run far larger
 * than memory would hold).
 */
import { applyLog, initialState, type LogChunk, type RunStarted } from "@devosim/core"
import { decideCentre, logChunks } from "@devosim/engine"
import { LedgerProjection, SummaryBuilder } from "@devosim/report"
import { compileScenarioText } from "@devosim/scenario"
import { EventLogWriter, FileSink, LedgerWriter, readEventLogChunks } from "@devosim/store"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import * as path from "node:path"
import { shardedLogChunks } from "../packages/cli/src/shards.ts"
import { syntheticScenario, type SyntheticOptions } from "./synthetic.ts"

const args = process.argv.slice(2)
const smoke = args.includes("--smoke")
const valueOf = (name: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const repeat = smoke ? 1 : Math.max(1, Number(valueOf("repeat") ?? 5) || 5)
const only = valueOf("only")?.split(",")
const skip = valueOf("skip")?.split(",") ?? []
const wanted = (suite: string) => (only === undefined || only.includes(suite)) && !skip.includes(suite)
const ROOT = path.resolve(import.meta.dirname, "..")
const RESULTS = process.env["DEVOSIM_BENCH_RESULTS"] ?? path.join(ROOT, "bench", "results")
const DEVOSIM = path.join(ROOT, "node_modules", ".bin", "devosim")
const WORK = mkdtempSync(path.join(process.env["DEVOSIM_BENCH_DIR"] ?? tmpdir(), "devosim-bench-"))

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}
const round = (x: number, digits = 3) => +x.toFixed(digits)

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

const scenarioFile = (name: string, o: SyntheticOptions): string => {
  const file = path.join(WORK, `${name}.json`)
  writeFileSync(file, JSON.stringify(syntheticScenario(o)))
  return file
}

/** Wall seconds, CPU seconds (user + system) and the result of `f`, in this process. */
const timed = <T>(f: () => T): { value: T; wall: number; cpu: number } => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = f()
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  return { value, wall, cpu: (c.user + c.system) / 1e6 }
}

interface ProcessRun {
  readonly wall: number
  readonly cpu: number
  readonly rssMiB: number
  readonly events: number
  readonly postings: number
  readonly logBytes: number
  readonly ledgerBytes: number
}

/** `devosim run FILE` as a process (GNU time for CPU and peak RSS); the run directory is removed after. */
const runProcess = (file: string, extra: ReadonlyArray<string>): ProcessRun => {
  const out = path.join(WORK, `out-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const t0 = performance.now()
  const p = spawnSync("/usr/bin/time", ["-f", "%U %S %M", DEVOSIM, "run", file, "--out", out, "--no-parquet", "--quiet", ...extra], {
    encoding: "utf8",
    maxBuffer: 1 << 26
  })
  const wall = (performance.now() - t0) / 1000
  if (p.status !== 0) throw new Error(`devosim run ${file} failed: ${p.stderr}`)
  const [user, sys, rssKb] = p.stderr.trim().split("\n").pop()!.split(" ").map(Number) as [number, number, number]
  const manifest = JSON.parse(execFileSync("cat", [path.join(out, "manifest.json")], { encoding: "utf8" })) as { event_count: number; posting_count: number }
  const result = {
    wall,
    cpu: user + sys,
    rssMiB: rssKb / 1024,
    events: manifest.event_count,
    postings: manifest.posting_count,
    logBytes: statSync(path.join(out, "events.arrow")).size,
    ledgerBytes: statSync(path.join(out, "ledger.arrow")).size
  }
  rmSync(out, { recursive: true, force: true })
  return result
}

/** Median of `repeat` process runs, as a result row. */
const processRow = (name: string, file: string, extra: ReadonlyArray<string>, o: SyntheticOptions, times = repeat) => {
  const runs = Array.from({ length: times }, () => runProcess(file, extra))
  const wall = median(runs.map((r) => r.wall))
  const r = runs[0]!
  return {
    case: name,
    localities: o.localities,
    agencies: o.queueOnly ? 0 : o.agencies,
    months: o.months,
    flags: extra.join(" "),
    repeat: times,
    events: r.events,
    postings: r.postings,
    wall_s: round(wall),
    cpu_s: round(median(runs.map((x) => x.cpu))),
    events_per_s: Math.round(r.events / wall),
    peak_rss_mib: Math.round(median(runs.map((x) => x.rssMiB))),
    events_arrow_bytes: r.logBytes,
    ledger_arrow_bytes: r.ledgerBytes,
    bytes_per_event: round(r.logBytes / r.events, 1),
    wall_runs_s: runs.map((x) => round(x.wall))
  }
}

const report = (suite: string, rows: ReadonlyArray<Record<string, unknown>>, extra: Record<string, unknown> = {}) => {
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(path.join(RESULTS, `${suite}.json`), JSON.stringify({ suite, machine: machine(), ...extra, rows }, null, 2) + "\n")
  const cols = Object.keys(rows[0] ?? {}).filter((k) => !k.endsWith("_runs_s"))
  const times = (rows[0]?.["repeat"] as number | undefined) ?? repeat
  console.log(`\n## ${suite} (medians of ${times}; bench/results/${suite}.json)`)
  console.log(cols.join("\t"))
  for (const r of rows) console.log(cols.map((k) => r[k]).join("\t"))
  for (const [k, v] of Object.entries(extra)) console.log(`${k}: ${JSON.stringify(v)}`)
}

// ---------------------------------------------------------------------------------------------
// stages: each step in this process, timed separately (the log held between steps)

const stages = (name: string, o: SyntheticOptions) => {
  const text = JSON.stringify(syntheticScenario(o))
  const samples: Array<Record<string, number>> = []
  let counts = { events: 0, postings: 0, bytes: 0 }
  for (let k = 0; k < repeat; k++) {
    const load = timed(() => compileScenarioText(text, `${name}.json`))
    if (!load.value.ok) throw new Error(load.value.error.message)
    const sc = load.value.value.scenario
    const centre = timed(() => decideCentre(sc))
    const post = timed(() => [...logChunks(centre.value, { windowPeriods: 12 })])
    const chunks: ReadonlyArray<LogChunk> = post.value
    const run = centre.value.controls[0] as RunStarted
    const file = path.join(WORK, `${name}-events.arrow`)
    const write = timed(() => {
      const eventsSink = new FileSink(openSync(file, "w"), { hash: false })
      const events = new EventLogWriter(run, eventsSink)
      const ledgerSink = new FileSink(openSync(path.join(WORK, `${name}-ledger.arrow`), "w"), { hash: false })
      const ledger = new LedgerWriter(run, ledgerSink)
      const projection = new LedgerProjection(run)
      const summary = new SummaryBuilder(run)
      for (const c of chunks) {
        events.append(c)
        for (const p of projection.add(c)) ledger.append(p)
        summary.add(c)
      }
      const log = events.finish()
      eventsSink.close(log.sha256)
      for (const p of projection.finish()) ledger.append(p)
      ledgerSink.close(ledger.finish().sha256)
      summary.finish()
      return log
    })
    // Replay: read the file batch by batch and fold it; `apply` is the fold alone.
    let applyS = 0
    const replay = timed(() => {
      const s = initialState(run)
      for (const c of readEventLogChunks(file, { verifyChecksum: false })) {
        const t0 = performance.now()
        applyLog(s, c)
        applyS += (performance.now() - t0) / 1000
      }
      return s
    })
    counts = { events: write.value.events, postings: write.value.postings, bytes: write.value.bytes }
    samples.push({
      cpu_s: load.cpu + centre.cpu + post.cpu + write.cpu + replay.cpu,
      load_s: load.wall,
      centre_s: centre.wall,
      post_s: post.wall,
      post_cpu_s: post.cpu,
      write_s: write.wall,
      write_cpu_s: write.cpu,
      replay_s: replay.wall,
      apply_s: applyS
    })
  }
  const m = (k: string) => median(samples.map((s) => s[k]!))
  return {
    case: name,
    localities: o.localities,
    agencies: o.agencies,
    months: o.months,
    events: counts.events,
    postings: counts.postings,
    load_s: round(m("load_s")),
    centre_s: round(m("centre_s")),
    post_s: round(m("post_s")),
    post_events_per_s: Math.round(counts.events / m("post_s")),
    write_s: round(m("write_s")),
    replay_s: round(m("replay_s")),
    replay_postings_per_s: Math.round(counts.postings / m("replay_s")),
    apply_postings_per_s: Math.round(counts.postings / m("apply_s")),
    cpu_s: round(m("cpu_s")),
    // The stages hold the whole log between them (unlike `devosim run`): this is not the run's RSS.
    process_peak_rss_mib: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    bytes_per_event: round(counts.bytes / counts.events, 1)
  }
}

/** The replay ceiling quoted by the issue: a bare typed-array loop over the same postings. */
const bareLoop = (postings: number, accounts: number) => {
  const from = new Int32Array(postings)
  const to = new Int32Array(postings)
  const amount = new Float64Array(postings)
  for (let i = 0; i < postings; i++) {
    from[i] = (i * 7919) % accounts
    to[i] = (i * 104729 + 1) % accounts
    amount[i] = i % 1000
  }
  const b = new Float64Array(accounts)
  const times = Array.from({ length: repeat }, () => {
    const t0 = performance.now()
    for (let i = 0; i < postings; i++) {
      b[from[i]!]! -= amount[i]!
      b[to[i]!]! += amount[i]!
    }
    return (performance.now() - t0) / 1000
  })
  return Math.round(postings / median(times))
}

/** Posting and merging alone (no writing): the sharded part, in-process and on 1, 2 threads. */
const sharded = async (name: string, o: SyntheticOptions) => {
  const loaded = compileScenarioText(JSON.stringify(syntheticScenario(o)), `${name}.json`)
  if (!loaded.ok) throw new Error(loaded.error.message)
  const decisions = decideCentre(loaded.value.scenario)
  const rows: Array<Record<string, unknown>> = []
  for (const workers of [0, 1, 2]) {
    const walls: Array<number> = []
    let events = 0
    for (let k = 0; k < repeat; k++) {
      const t0 = performance.now()
      events = 0
      for await (const c of shardedLogChunks(decisions, workers)) events += c.controls.length + c.postings.length
      walls.push((performance.now() - t0) / 1000)
    }
    const wall = median(walls)
    rows.push({ case: name, workers, events, post_and_merge_s: round(wall), events_per_s: Math.round(events / wall) })
  }
  const one = rows[1]!["post_and_merge_s"] as number
  const two = rows[2]!["post_and_merge_s"] as number
  return { rows, speedup_2_over_1: round(one / two, 2) }
}

// ---------------------------------------------------------------------------------------------

const LARGE: SyntheticOptions = { localities: 10_000, agencies: 8, months: 120, programmesPerLocality: 1 }
const QUEUE: SyntheticOptions = { localities: 100_000, agencies: 0, months: 120, capacity: 12, fixedDurations: true, queueOnly: true }

if (smoke) {
  const o: SyntheticOptions = { localities: 50, agencies: 4, months: 24, programmesPerLocality: 1 }
  report("smoke", [stages("smoke-50x4x24", o)])
  report("smoke-e2e", [processRow("smoke-50x4x24", scenarioFile("smoke", o), ["--workers", "2"], o)])
} else {
  if (wanted("stages")) {
    const rows = [
      stages("1000x8x120", { localities: 1000, agencies: 8, months: 120, programmesPerLocality: 1 }),
      stages("10000x8x120", LARGE)
    ]
    report("stages", rows, { bare_loop_postings_per_s: bareLoop(rows[1]!.postings, 10_000 * 18 + 1) })
  }
  if (wanted("workers")) {
    const r = await sharded("10000x8x120", LARGE)
    report("workers", r.rows, { speedup_2_over_1: r.speedup_2_over_1 })
  }
  if (wanted("large")) {
    const file = scenarioFile("large", LARGE)
    report("large", [
      processRow("10000x8x120 workers=1", file, ["--workers", "1"], LARGE),
      processRow("10000x8x120 workers=2", file, ["--workers", "2"], LARGE)
    ])
  }
  if (wanted("queue")) report("queue", [processRow("queue 100000 fixed", scenarioFile("queue", QUEUE), [], QUEUE)])
  if (wanted("scaling")) {
    const cases: Array<SyntheticOptions> = [
      ...[1_000, 3_000, 10_000, 30_000, 100_000].map((localities) => ({ localities, agencies: 8, months: 24, capacity: 1000 })),
      ...[60, 120, 240].map((months) => ({ localities: 1_000, agencies: 8, months, capacity: 1000 }))
    ]
    const rows = cases.map((o) => processRow(`${o.localities}x8x${o.months}`, scenarioFile(`scale-${o.localities}-${o.months}`, o), ["--workers", "2"], o))
    // Least-squares slope of log(wall) on log(localities × months).
    const xs = rows.map((r) => Math.log(r.localities * r.months))
    const ys = rows.map((r) => Math.log(r.wall_s))
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length
    const my = ys.reduce((a, b) => a + b, 0) / ys.length
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0)
    const big = rows.filter((r) => r.localities * r.months >= 240_000)
    const bx = big.map((r) => Math.log(r.localities * r.months))
    const by = big.map((r) => Math.log(r.wall_s))
    const bmx = bx.reduce((a, b) => a + b, 0) / bx.length
    const bmy = by.reduce((a, b) => a + b, 0) / by.length
    const bigSlope = bx.reduce((a, x, i) => a + (x - bmx) * (by[i]! - bmy), 0) / bx.reduce((a, x) => a + (x - bmx) ** 2, 0)
    report("scaling", rows, { log_log_slope: round(slope, 3), log_log_slope_from_240k_line_months: round(bigSlope, 3) })
  }
  if (wanted("streaming")) {
    const o: SyntheticOptions = { localities: 100_000, agencies: 8, months: 240, capacity: 1000 }
    const free = statfsSync(WORK)
    const freeGb = (free.bavail * free.bsize) / 1e9
    if (freeGb < 60) console.log(`\n## streaming skipped: it writes about 50 GB and ${WORK} has ${freeGb.toFixed(0)} GB free (set DEVOSIM_BENCH_DIR)`)
    else report("streaming", [processRow("100000x8x240", scenarioFile("streaming", o), ["--workers", "2"], o, 1)])
  }
}
rmSync(WORK, { recursive: true, force: true })
