/**
 * `pnpm bench`: the benchmarks of issues 5 and 13. Each suite prints a table and writes
 * bench/results/<suite>.json (events, postings, wall and CPU seconds, events/s, peak RSS, bytes per
 * event, machine, git commit). Medians of `--repeat` runs (default 5). Nothing here asserts a time.
 *
 * Every figure stands beside anchors measured in this same process run (bench/anchors.ts), as
 * ratios: `x_bare` = the row's seconds / a bare typed-array loop's on the same number of postings
 * (or events, for a run that posts no money), and for the queue `x_plain` = devosim's seconds / a
 * plain Node script's doing the same work (bench/plain-queue.ts, its deal times checked against
 * devosim's) and `x_simpy` = devosim's / a SimPy model's where SimPy is installed. The last table,
 * bench/results/targets.json, sets each of issue 13's targets against its figure: met or missed.
 *
 *   node bench/run-all.ts                     every suite (about 50 minutes here; `streaming` needs
 *                                             ≈ 50 GB of free disk and is skipped, with a note, without it)
 *   node bench/run-all.ts --only queue,large  some suites (--skip streaming: all but some)
 *   DEVOSIM_BENCH_DIR=/big/disk …             where the scenarios and runs go (default: the OS tmpdir)
 *   node bench/run-all.ts --smoke             one small case of each kind, once (CI)
 *
 * Suites: stages (in-process: load + validation, the centre, posting, writing the log, replay),
 * workers (posting and merging alone, in-process and on 1 and 2 worker threads),
 * large (10,000 × 8 × 120 with a programme per locality, `devosim run` as a process: the default
 * command, --workers 1 and --workers 2), replay (of the large run: `devosim replay DIR` as a
 * process, and reading + decoding its events.arrow in this process), queue (100,000 localities,
 * capacity 12, no agencies, JSON, as a process: fixed durations over 120 months, and issue 13's
 * mixed durations over 1,200 months, where every locality deals), startup (`devosim --version`,
 * beside `node -e 0`), small (`devosim compare` of scenarios/route-map-rollout-options.yaml with
 * 50 replications: runs per second), sweep (`devosim sweep` of the same file's experiments, 640 ×
 * 10: rows per second), scaling (wall time against localities × months, log-log
 * slope), streaming (peak RSS of a run far larger than memory would hold). Then the targets.
 */
import { accountCount, applyLog, initialState, replicationSeed, type LogChunk, type RunStarted } from "@devosim/core"
import { decideCentre, logChunks, runScenario } from "@devosim/engine"
import { LedgerProjection, SummaryBuilder } from "@devosim/report"
import { compileScenarioText, compileScenarioVariantsText } from "@devosim/scenario"
import { EventLogWriter, FileSink, LedgerWriter, readEventLogChunks } from "@devosim/store"
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import * as path from "node:path"
import { shardedLogChunks } from "../packages/cli/src/shards.ts"
import {
  bareLoop,
  findSimPy,
  median,
  nodeStartup,
  plainQueue,
  readPlainQueue,
  round,
  sameDeals,
  SIMPY_REFERENCE_S,
  simpyQueue,
  timedProcess,
  type DealCheck
} from "./anchors.ts"
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
const timeFile = () => path.join(WORK, `time-${Math.random().toString(36).slice(2)}`)

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()
  } catch {
    return "unknown"
  }
})()
const machine = () => ({
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? "unknown",
  memory_gib: Math.round(totalmem() / 2 ** 30),
  commit
})

const scenarioFile = (name: string, o: SyntheticOptions): string => {
  const file = path.join(WORK, `${name}.json`)
  writeFileSync(file, JSON.stringify(syntheticScenario(o)))
  return file
}
const accountsOf = (o: SyntheticOptions) => accountCount({ localityCount: o.localities, agencyCount: o.queueOnly ? 0 : o.agencies })

/** Wall seconds, CPU seconds (user + system) and the result of `f`, in this process. */
const timed = <T>(f: () => T): { value: T; wall: number; cpu: number } => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = f()
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  return { value, wall, cpu: (c.user + c.system) / 1e6 }
}

/**
 * The bare-loop anchor of a row: `seconds` over a bare typed-array loop's on `n` postings (the
 * run's postings; its events when it posts no money: `bare_basis` says which), measured here.
 */
const bareColumns = (seconds: number, n: number, accounts: number, basis: "postings" | "events" = "postings") => {
  if (!(n > 0)) return { x_bare: null, bare_s: null, bare_postings_per_s: null, bare_basis: "none (no postings)" }
  const b = bareLoop(n, accounts, repeat)
  return { x_bare: round(seconds / b.seconds, 1), bare_s: Number(b.seconds.toPrecision(3)), bare_postings_per_s: b.postings_per_s, bare_basis: basis }
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

/**
 * `devosim run FILE --out DIR [extra]` as a process, timed end to end (GNU time for CPU and peak
 * RSS); the run directory is removed after, or handed to `keep`.
 */
const runProcess = (file: string, extra: ReadonlyArray<string>, keep?: (dir: string) => void): ProcessRun => {
  const out = path.join(WORK, `out-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const p = timedProcess(DEVOSIM, ["run", file, "--out", out, ...extra], timeFile())
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { event_count: number; posting_count: number }
  const ledger = path.join(out, "ledger.arrow")
  const result = {
    wall: p.wall,
    cpu: p.cpu,
    rssMiB: p.rssMiB,
    events: manifest.event_count,
    postings: manifest.posting_count,
    logBytes: statSync(path.join(out, "events.arrow")).size,
    // Written only up to a size (or with --ledger).
    ledgerBytes: existsSync(ledger) ? statSync(ledger).size : 0
  }
  if (keep !== undefined) keep(out)
  else rmSync(out, { recursive: true, force: true })
  return result
}

/** Median of `times` process runs, as a result row with its bare-loop ratio; `keep` gets the first run's directory. */
const processRow = (name: string, file: string, extra: ReadonlyArray<string>, o: SyntheticOptions, options: { times?: number; keep?: (dir: string) => void } = {}) => {
  const times = options.times ?? repeat
  const runs = Array.from({ length: times }, (_, k) => runProcess(file, extra, k === 0 ? options.keep : undefined))
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
    ...(r.postings > 0 ? bareColumns(wall, r.postings, accountsOf(o)) : bareColumns(wall, r.events, accountsOf(o), "events")),
    wall_runs_s: runs.map((x) => round(x.wall))
  }
}

type Row = Record<string, unknown>
interface SuiteResult {
  readonly rows: ReadonlyArray<Row>
  readonly extra: Record<string, unknown>
  readonly commit: string
  readonly thisRun: boolean
}
const results = new Map<string, SuiteResult>()

const report = (suite: string, rows: ReadonlyArray<Row>, extra: Record<string, unknown> = {}) => {
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(path.join(RESULTS, `${suite}.json`), JSON.stringify({ suite, machine: machine(), ...extra, rows }, null, 2) + "\n")
  results.set(suite, { rows, extra, commit, thisRun: true })
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => !k.endsWith("_runs_s"))
  const times = (rows[0]?.["repeat"] as number | undefined) ?? repeat
  console.log(`\n## ${suite} (medians of ${times}; bench/results/${suite}.json)`)
  console.log(cols.join("\t"))
  for (const r of rows) console.log(cols.map((k) => r[k] ?? "").join("\t"))
  for (const [k, v] of Object.entries(extra)) console.log(`${k}: ${JSON.stringify(v)}`)
}

/** A suite's result from this run, or else from its file in bench/results (an earlier run). */
const resultOf = (suite: string): SuiteResult | undefined => {
  const r = results.get(suite)
  if (r !== undefined) return r
  try {
    const j = JSON.parse(readFileSync(path.join(RESULTS, `${suite}.json`), "utf8")) as { rows: Array<Row>; machine: { commit: string } } & Record<string, unknown>
    const { rows, machine: m, suite: _, ...extra } = j
    return { rows, extra, commit: m.commit, thisRun: false }
  } catch {
    return undefined
  }
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
  const run = m("load_s") + m("centre_s") + m("post_s") + m("write_s")
  const bare = bareColumns(run, counts.postings, accountsOf(o))
  const x = (k: string) => (bare.bare_s === null ? null : round(m(k) / bare.bare_s, 1))
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
    bytes_per_event: round(counts.bytes / counts.events, 1),
    // x_bare: load + centre + post + write (a run, in this process) over the bare loop.
    ...bare,
    x_bare_post: x("post_s"),
    x_bare_replay: x("replay_s"),
    x_bare_apply: x("apply_s")
  }
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
    let postings = 0
    for (let k = 0; k < repeat; k++) {
      const t0 = performance.now()
      events = 0
      postings = 0
      for await (const c of shardedLogChunks(decisions, workers)) {
        events += c.controls.length + c.postings.length
        postings += c.postings.length
      }
      walls.push((performance.now() - t0) / 1000)
    }
    const wall = median(walls)
    rows.push({ case: name, workers, events, postings, post_and_merge_s: round(wall), events_per_s: Math.round(events / wall), ...bareColumns(wall, postings, accountsOf(o)) })
  }
  const one = rows[1]!["post_and_merge_s"] as number
  const two = rows[2]!["post_and_merge_s"] as number
  return { rows, speedup_2_over_1: round(one / two, 2) }
}


// ---------------------------------------------------------------------------------------------
// queue: `devosim run` beside the plain queue (and SimPy where installed), deal times checked

/** "equal/localities"; a difference is said on stderr (the smoke test fails on any stderr). */
const dealsEqual = (c: DealCheck, what: string, name: string): string => {
  if (c.equal !== c.localities || c.first_difference !== null) {
    process.stderr.write(`bench: ${name}: ${what}'s deal times differ from devosim's (${c.equal} of ${c.localities} equal; ${c.first_difference})\n`)
  }
  return `${c.equal}/${c.localities}`
}

const queueRow = (name: string, o: SyntheticOptions): Row => {
  const file = scenarioFile(name.replace(/[^\w]+/g, "-"), o)
  let dir = ""
  const row = processRow(name, file, [], o, { keep: (d) => (dir = d) })
  const plainOut = path.join(WORK, "plain-queue.bin")
  const plain = plainQueue(file, plainOut, repeat)
  const plainEqual = dealsEqual(sameDeals(dir, readPlainQueue(plainOut)), "the plain queue", name)
  const sp = findSimPy()
  const simpy = sp.available ? simpyQueue(sp.python, file, path.join(WORK, "simpy-queue.txt"), repeat) : undefined
  const simpyEqual = simpy === undefined ? null : dealsEqual(sameDeals(dir, simpy), "SimPy", name)
  rmSync(dir, { recursive: true, force: true })
  return {
    ...row,
    durations: o.mixedDurations === true ? "mixed" : o.fixedDurations === true ? "fixed" : "drawn",
    capacity: o.capacity ?? 12,
    deals: plain.deals,
    plain_s: round(plain.seconds),
    plain_cpu_s: round(plain.cpu_s),
    plain_peak_rss_mib: plain.peak_rss_mib,
    plain_deals_equal: plainEqual,
    x_plain: round(row.wall_s / plain.seconds, 2),
    simpy_s: simpy === undefined ? null : round(simpy.seconds),
    simpy_peak_rss_mib: simpy === undefined ? null : simpy.peak_rss_mib,
    simpy_deals_equal: simpyEqual,
    x_simpy: simpy === undefined ? null : round(row.wall_s / simpy.seconds, 3),
    plain_wall_runs_s: plain.wall_runs_s,
    ...(simpy === undefined ? {} : { simpy_wall_runs_s: simpy.wall_runs_s })
  }
}

const simpyNote = () => {
  const sp = findSimPy()
  return sp.available ? { simpy: `${sp.simpy} (${sp.python})` } : { simpy: `unavailable (${sp.reason}); the issue's reference ${SIMPY_REFERENCE_S} s is not measured here` }
}

// ---------------------------------------------------------------------------------------------
// replay: `devosim replay DIR` as a process, and reading + decoding events.arrow in this process

const replayRows = (name: string, dir: string, o: SyntheticOptions): Array<Row> => {
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as { event_count: number; posting_count: number }
  const { event_count: events, posting_count: postings } = manifest
  const runs = Array.from({ length: repeat }, () => timedProcess(DEVOSIM, ["replay", dir], timeFile()))
  const wall = median(runs.map((r) => r.wall))
  // Its own figure for the fold alone (applyLog), in millions a second.
  const applied = /postings applied at (\d+(?:\.\d+)?) million\/s/.exec(runs[0]!.stdout)
  const file = path.join(dir, "events.arrow")
  const decodes = Array.from({ length: repeat }, () =>
    timed(() => {
      let n = 0
      // As replay, verify and export read a log: one pass, one set of buffers (reuseBuffers).
      for (const c of readEventLogChunks(file, { verifyChecksum: false, reuseBuffers: true })) n += c.controls.length + c.postings.length
      return n
    })
  )
  if (decodes[0]!.value !== events) throw new Error(`${file}: decoded ${decodes[0]!.value} events, the manifest says ${events}`)
  const decode = median(decodes.map((d) => d.wall))
  return [
    {
      case: `devosim replay ${name}`,
      repeat,
      events,
      postings,
      wall_s: round(wall),
      cpu_s: round(median(runs.map((r) => r.cpu))),
      postings_per_s: Math.round(postings / wall),
      events_per_s: Math.round(events / wall),
      apply_only_postings_per_s: applied === null ? null : Math.round(Number(applied[1]) * 1e6),
      peak_rss_mib: Math.round(median(runs.map((r) => r.rssMiB))),
      ...bareColumns(wall, postings, accountsOf(o)),
      wall_runs_s: runs.map((r) => round(r.wall))
    },
    {
      case: `read+decode events.arrow ${name} (in-process)`,
      repeat,
      events,
      postings,
      wall_s: round(decode),
      cpu_s: round(median(decodes.map((d) => d.cpu))),
      postings_per_s: Math.round(postings / decode),
      events_per_s: Math.round(events / decode),
      bytes_per_s: Math.round(statSync(file).size / decode),
      ...bareColumns(decode, postings, accountsOf(o)),
      wall_runs_s: decodes.map((d) => round(d.wall))
    }
  ]
}

// ---------------------------------------------------------------------------------------------
// startup and many small runs

const startupRow = (times: number): Row => {
  const runs = Array.from({ length: times }, () => timedProcess(DEVOSIM, ["--version"], timeFile()))
  const wall = median(runs.map((r) => r.wall))
  const node = nodeStartup(times, timeFile())
  return {
    case: "devosim --version",
    repeat: times,
    wall_s: round(wall),
    cpu_s: round(median(runs.map((r) => r.cpu))),
    peak_rss_mib: Math.round(median(runs.map((r) => r.rssMiB))),
    node_startup_s: round(node.seconds),
    node_peak_rss_mib: node.peak_rss_mib,
    x_node: round(wall / node.seconds, 2),
    ...bareColumns(wall, 0, 0),
    wall_runs_s: runs.map((r) => round(r.wall))
  }
}

const SMALL_SCENARIO = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")

/** The columns of a row of many small runs (compare, sweep): n runs timed as processes, per second, and against a bare loop over their postings. */
const manyRunsColumns = (runs: ReadonlyArray<{ readonly wall: number; readonly cpu: number; readonly rssMiB: number }>, n: number, postings: number, accounts: number) => {
  const wall = median(runs.map((r) => r.wall))
  return {
    runs: n,
    postings,
    wall_s: round(wall),
    cpu_s: round(median(runs.map((r) => r.cpu))),
    runs_per_s: round(n / wall, 1),
    peak_rss_mib: Math.round(median(runs.map((r) => r.rssMiB))),
    ...bareColumns(wall, postings, accounts),
    wall_runs_s: runs.map((r) => round(r.wall))
  }
}

/** `devosim compare FILE --replications R --quiet --out DIR` as a process: runs (variants × R) per second. */
const smallRow = (scenario: string, replications: number): Row => {
  const out = path.join(WORK, "compare")
  let variants = 0
  const runs = Array.from({ length: repeat }, () => {
    const r = timedProcess(DEVOSIM, ["compare", scenario, "--replications", String(replications), "--quiet", "--out", out], timeFile())
    variants = (JSON.parse(readFileSync(path.join(out, "compare.json"), "utf8")) as { scenarios: ReadonlyArray<unknown> }).scenarios.length
    rmSync(out, { recursive: true, force: true })
    return r
  })
  // The bare loop's basis: those runs' postings, counted here by running them again (untimed).
  const compiled = compileScenarioVariantsText(readFileSync(scenario, "utf8"), scenario)
  if (!compiled.ok) throw new Error(compiled.error.message)
  let postings = 0
  let accounts = 0
  for (const v of compiled.value) {
    accounts = Math.max(accounts, accountCount({ localityCount: v.scenario.localities.length, agencyCount: v.scenario.agencies.length }))
    for (let r = 0; r < replications; r++) postings += runScenario({ ...v.scenario, seed: replicationSeed(v.scenario.seed, r) }).log.postings.length
  }
  const n = variants * replications
  return {
    case: `compare ${path.relative(ROOT, scenario)} --replications ${replications}`,
    repeat,
    variants,
    replications,
    ...manyRunsColumns(runs, n, postings, accounts)
  }
}

/**
 * `devosim sweep FILE --replications R [--samples N] --where … --quiet --out DIR` as a process (issue
 * 15's done-means sweep: the example's own Sobol section): rows (experiments × R) per second, and
 * against a bare loop over those rows' postings (counted by running the rows again here, untimed;
 * the tornado's and switching values' few hundred runs are in the wall time, not in the count).
 */
const sweepRow = async (scenario: string, replications: number, samples?: number): Promise<Row> => {
  const out = path.join(WORK, "sweep")
  const args = ["sweep", scenario, "--replications", String(replications), ...(samples === undefined ? [] : ["--samples", String(samples)]), "--where", "coverage_50pct_months > 30", "--quiet", "--out", out]
  let experiments = 0
  const runs = Array.from({ length: repeat }, () => {
    const r = timedProcess(DEVOSIM, args, timeFile())
    experiments = (JSON.parse(readFileSync(path.join(out, "sweep.json"), "utf8")) as { experiments: number }).experiments
    rmSync(out, { recursive: true, force: true })
    return r
  })
  const { Effect } = await import("effect")
  const { planSweep, rowScenarios, sweepDesign } = await import("../packages/cli/src/sweep.ts")
  const { plan, spec } = await Effect.runPromise(planSweep({ file: scenario, replications, ...(samples === undefined ? {} : { samples }) }))
  const { points, rows } = sweepDesign(spec)
  let postings = 0
  let accounts = 0
  for (let a = 0; a < rows; a += 1024) {
    const batch = rowScenarios(plan, points, a, Math.min(rows, a + 1024))
    if (!Array.isArray(batch)) throw new Error(batch.message)
    for (const sc of batch) {
      accounts = Math.max(accounts, accountCount({ localityCount: sc.localities.length, agencyCount: sc.agencies.length }))
      postings += runScenario(sc).log.postings.length
    }
  }
  return {
    case: `sweep ${path.relative(ROOT, scenario)} --replications ${replications}${samples === undefined ? "" : ` --samples ${samples}`}`,
    repeat,
    experiments,
    replications,
    ...manyRunsColumns(runs, rows, postings, accounts)
  }
}

// ---------------------------------------------------------------------------------------------
// targets: issue 13's, each against its figure

interface Target {
  readonly target: string
  readonly bound: number
  readonly unit: string
  readonly better: "lower" | "higher"
  readonly measured: number | null
  /** The anchors beside it: ratios measured in the same run as the figure. */
  readonly anchor: string
  readonly met: boolean | null
  readonly source: string
}

const targets = (name: string, suites: { queue: string; large: string; replay: string; startup: string; small: string }, note?: string) => {
  const out: Array<Target> = []
  const add = (t: Omit<Target, "met">) => {
    const met = t.measured === null ? null : t.better === "lower" ? t.measured <= t.bound : t.measured >= t.bound
    out.push({ ...t, met })
  }
  const from = (suite: string) => {
    const r = resultOf(suite)
    return { r, source: r === undefined ? `${suite}: not measured` : `${suite}.json (${r.thisRun ? "this run" : `an earlier run, ${r.commit}`})` }
  }
  const num = (v: unknown) => (typeof v === "number" ? v : null)
  const M = (v: unknown) => (typeof v === "number" ? round(v / 1e6, 1) : null)

  const queue = from(suites.queue)
  const q = queue.r?.rows.find((row) => row["durations"] === "mixed")
  add({
    target: "queue: 100,000 localities, capacity 12, mixed durations, 1,200 months, JSON, as a process ≤ 1.1 s",
    bound: 1.1,
    unit: "s",
    better: "lower",
    measured: num(q?.["wall_s"]),
    anchor: q === undefined ? "" : `x_plain ${q["x_plain"]} (plain queue ${q["plain_s"]} s, deals equal ${q["plain_deals_equal"]}); x_bare ${q["x_bare"]}`,
    source: queue.source
  })
  const wall = num(q?.["wall_s"])
  const simpyS = num(q?.["simpy_s"])
  if (simpyS !== null) {
    add({
      target: "queue: ≥ 5× faster than SimPy (SimPy measured here, same run)",
      bound: 5,
      unit: "× (SimPy s / devosim s)",
      better: "higher",
      measured: wall === null ? null : round(simpyS / wall, 2),
      anchor: `SimPy ${simpyS} s (${String(queue.r?.extra["simpy"] ?? "")}), deals equal ${q?.["simpy_deals_equal"]}; x_simpy ${q?.["x_simpy"]}`,
      source: queue.source
    })
  }
  add({
    target: `queue: ≥ 5× faster than the issue's SimPy figure (${SIMPY_REFERENCE_S} s, not measured here)`,
    bound: 5,
    unit: "× (5.5 s / devosim s)",
    better: "higher",
    measured: wall === null ? null : round(SIMPY_REFERENCE_S / wall, 2),
    anchor: simpyS === null ? "SimPy unavailable here" : `SimPy here: ${simpyS} s`,
    source: queue.source
  })

  const large = from(suites.large)
  const d = large.r?.rows.find((row) => row["flags"] === "")
  const w1 = large.r?.rows.find((row) => row["flags"] === "--workers 1")
  const w2 = large.r?.rows.find((row) => row["flags"] === "--workers 2")
  add({
    target: "large: 10,000 × 8 × 120 with a programme per locality, default command, ≤ 20× the bare loop on its postings",
    bound: 20,
    unit: "× bare",
    better: "lower",
    measured: num(d?.["x_bare"]),
    anchor: d === undefined ? "" : `devosim ${d["wall_s"]} s; bare loop ${d["bare_s"]} s for ${M(d["postings"])} M postings (${M(d["bare_postings_per_s"])} M/s)`,
    source: large.source
  })
  add({
    target: "large: peak RSS ≤ 1 GiB (default command)",
    bound: 1024,
    unit: "MiB",
    better: "lower",
    measured: num(d?.["peak_rss_mib"]),
    anchor: d === undefined ? "" : `x_bare ${d["x_bare"]}`,
    source: large.source
  })
  const s1 = num(w1?.["wall_s"])
  const s2 = num(w2?.["wall_s"])
  add({
    target: "large: 2 workers ≥ 1.6× faster than 1",
    bound: 1.6,
    unit: "×",
    better: "higher",
    measured: s1 !== null && s2 !== null ? round(s1 / s2, 2) : null,
    anchor: s1 !== null && s2 !== null ? `--workers 1 ${s1} s (x_bare ${w1?.["x_bare"]}), --workers 2 ${s2} s (x_bare ${w2?.["x_bare"]})` : "",
    source: large.source
  })

  const replay = from(suites.replay)
  const rp = replay.r?.rows[0]
  const dec = replay.r?.rows[1]
  add({
    // The issue pairs two figures: postings applied (the fold, as `devosim replay` reports it), and
    // reading + decoding the log (the next target).
    target: "replay of the large run (`devosim replay DIR`): ≥ 100 M postings applied per second (its fold)",
    bound: 100,
    unit: "M postings/s",
    better: "higher",
    measured: M(rp?.["apply_only_postings_per_s"]),
    anchor: rp === undefined ? "" : `end to end (read, decode, apply) ${M(rp["postings_per_s"]) ?? "?"} M/s in ${rp["wall_s"]} s; x_bare ${rp["x_bare"]}`,
    source: replay.source
  })
  add({
    target: "read + decode events.arrow (readEventLogChunks, in-process): ≥ 30 M events/s",
    bound: 30,
    unit: "M events/s",
    better: "higher",
    measured: M(dec?.["events_per_s"]),
    anchor: dec === undefined ? "" : `${dec["wall_s"]} s; x_bare ${dec["x_bare"]}`,
    source: replay.source
  })

  const startup = from(suites.startup)
  const st = startup.r?.rows[0]
  add({
    target: "start-up: `devosim --version` ≤ 0.15 s (median of 10)",
    bound: 0.15,
    unit: "s",
    better: "lower",
    measured: num(st?.["wall_s"]),
    anchor: st === undefined ? "" : `x_node ${st["x_node"]} (node -e 0: ${st["node_startup_s"]} s)`,
    source: startup.source
  })

  const small = from(suites.small)
  const sm = small.r?.rows[0]
  add({
    target: "many small runs: `devosim compare scenarios/route-map-rollout-options.yaml --replications 50` ≥ 300 runs/s",
    bound: 300,
    unit: "runs/s",
    better: "higher",
    measured: num(sm?.["runs_per_s"]),
    anchor: sm === undefined ? "" : `${sm["runs"]} runs in ${sm["wall_s"]} s; x_bare ${sm["x_bare"]} (${M(sm["postings"])} M postings)`,
    source: small.source
  })

  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(path.join(RESULTS, `${name}.json`), JSON.stringify({ suite: name, machine: machine(), ...(note === undefined ? {} : { note }), rows: out }, null, 2) + "\n")
  console.log(`\n## ${name} (issue 13; bench/results/${name}.json)\n`)
  if (note !== undefined) console.log(`${note}\n`)
  console.log("| target | measured | anchors (same run) | |")
  console.log("|---|---|---|---|")
  for (const t of out) console.log(`| ${t.target} | ${t.measured ?? "—"} ${t.unit} | ${t.anchor} | ${t.met === null ? "not measured" : t.met ? "met" : "missed"} |`)
}

// ---------------------------------------------------------------------------------------------

const LARGE: SyntheticOptions = { localities: 10_000, agencies: 8, months: 120, programmesPerLocality: 1 }
const QUEUE_FIXED: SyntheticOptions = { localities: 100_000, agencies: 0, months: 120, capacity: 12, fixedDurations: true, queueOnly: true }
/** Issue 13's queue case: every locality deals (≈ 300,000 events). */
const QUEUE_MIXED: SyntheticOptions = { localities: 100_000, agencies: 0, months: 1200, capacity: 12, mixedDurations: true, queueOnly: true }

if (smoke) {
  const o: SyntheticOptions = { localities: 50, agencies: 4, months: 24, programmesPerLocality: 1 }
  report("smoke", [stages("smoke-50x4x24", o)])
  let dir = ""
  report("smoke-e2e", [processRow("smoke-50x4x24", scenarioFile("smoke", o), ["--workers", "2"], o, { keep: (d) => (dir = d) })])
  report("smoke-replay", replayRows("smoke-50x4x24", dir, o))
  rmSync(dir, { recursive: true, force: true })
  report("smoke-queue", [queueRow("smoke-queue 2000 mixed", { localities: 2000, agencies: 0, months: 1200, capacity: 12, mixedDurations: true, queueOnly: true })], simpyNote())
  report("smoke-startup", [startupRow(3)])
  report("smoke-small", [smallRow(SMALL_SCENARIO, 2)])
  report("smoke-sweep", [await sweepRow(SMALL_SCENARIO, 2, 4)])
  targets(
    "smoke-targets",
    { queue: "smoke-queue", large: "smoke-e2e", replay: "smoke-replay", startup: "smoke-startup", small: "smoke-small" },
    "smoke: the small cases above stand in for the issue's, so no figure here says whether a target is met"
  )
} else {
  if (wanted("stages")) {
    const rows = [
      stages("1000x8x120", { localities: 1000, agencies: 8, months: 120, programmesPerLocality: 1 }),
      stages("10000x8x120", LARGE)
    ]
    report("stages", rows, { bare_loop_postings_per_s: rows[1]!.bare_postings_per_s })
  }
  if (wanted("workers")) {
    const r = await sharded("10000x8x120", LARGE)
    report("workers", r.rows, { speedup_2_over_1: r.speedup_2_over_1 })
  }
  const largeFile = wanted("large") || wanted("replay") ? scenarioFile("large", LARGE) : ""
  let largeDir: string | undefined
  if (wanted("large")) {
    const keep = wanted("replay") ? (d: string) => (largeDir = d) : undefined
    const rows = [
      processRow("10000x8x120 default", largeFile, [], LARGE, keep === undefined ? {} : { keep }),
      processRow("10000x8x120 workers=1", largeFile, ["--workers", "1"], LARGE),
      processRow("10000x8x120 workers=2", largeFile, ["--workers", "2"], LARGE)
    ]
    report("large", rows, { speedup_2_over_1: round(rows[1]!.wall_s / rows[2]!.wall_s, 2) })
  }
  if (wanted("replay")) {
    if (largeDir === undefined) runProcess(largeFile, [], (d) => (largeDir = d))
    report("replay", replayRows("10000x8x120", largeDir!, LARGE))
    rmSync(largeDir!, { recursive: true, force: true })
  }
  if (wanted("queue")) report("queue", [queueRow("queue 100000 fixed", QUEUE_FIXED), queueRow("queue 100000 mixed 1200", QUEUE_MIXED)], simpyNote())
  if (wanted("startup")) report("startup", [startupRow(10)])
  if (wanted("small")) report("small", [smallRow(SMALL_SCENARIO, 50)])
  if (wanted("sweep")) report("sweep", [await sweepRow(SMALL_SCENARIO, 10)])
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
    else report("streaming", [processRow("100000x8x240", scenarioFile("streaming", o), ["--workers", "2"], o, { times: 1 })])
  }
  if (["queue", "large", "replay", "startup", "small"].some(wanted)) targets("targets", { queue: "queue", large: "large", replay: "replay", startup: "startup", small: "small" })
}
rmSync(WORK, { recursive: true, force: true })
