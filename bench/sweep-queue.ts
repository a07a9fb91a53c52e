/**
 * Queued sweeps (issue 16): rows per second on 1, 2 and 3 local `devosim worker`s over a
 * redis-server of this script's own, and what the queue costs per job against the rows run locally.
 * Nothing here asserts a time; it prints a table and writes bench/results/sweep-queue.json.
 *
 *   node bench/sweep-queue.ts [--samples 16] [--replications 4] [--block 16] [--repeat 3]
 *
 * The sweep: scenarios/route-map-rollout-options.yaml (Saltelli, 3 factors: --samples 16 ×
 * --replications 4 is 80 experiments × 4 = 320 rows). For each count of workers (each a process,
 * --concurrency 1, warmed by a sweep of another seed first):
 *  - rows/s: the jobs added by a coordinator that is then killed (so nothing else competes for the
 *    cores), from their adding to the last one done (Redis's completed set, polled every 50 ms);
 *  - end to end: `devosim sweep … --queue` from its start to its exit, its tornado and switching
 *    values run on its main thread (--workers 0) beside the workers, its files checked to be the
 *    local sweep's bytes.
 * Locally: `devosim sweep … --workers 1` end to end; in this process, the rows alone on one
 * replication thread started for them (as the local sweep runs them), and on a warm thread (the
 * work itself: compiling the rows' scenarios and running them). The overhead per job: one worker's seconds per job less the block's rows at the
 * warm thread's seconds per row; and where it goes, from the jobs' stamps in Redis: a job's time in
 * the worker, the first job's (the thread builds the sweep's plan once), the gap between jobs.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { replicate } from "../packages/cli/src/commands.ts"
import { planSweep, rowScenarios, sweepDesign } from "../packages/cli/src/sweep.ts"
import { startRedis, until } from "../test/redis-server.ts"
import { median, round } from "./anchors.ts"

const args = process.argv.slice(2)
const valueOf = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const SAMPLES = valueOf("samples", 16)
const K = valueOf("replications", 4)
const BLOCK = valueOf("block", 16)
const REPEAT = valueOf("repeat", 3)

const ROOT = path.resolve(import.meta.dirname, "..")
const RESULTS = process.env["DEVOSIM_BENCH_RESULTS"] ?? path.join(ROOT, "bench", "results")
const ENTRY = path.join(ROOT, "packages", "cli", "bin", "devosim.js")
const FILE = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const WORK = mkdtempSync(path.join(process.env["DEVOSIM_BENCH_DIR"] ?? tmpdir(), "devosim-bench-queue-"))
const SWEEP = ["sweep", FILE, "--samples", String(SAMPLES), "--replications", String(K)]
const FILES = ["experiments.arrow", "sweep.json", "report.html", "manifest.json"]

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim()
  } catch {
    return "unknown"
  }
})()

/** A devosim process; `stderr()` so far; `exit` when it ends. */
const devosim = (argv: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [ENTRY, ...argv], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] })
  let err = ""
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d))
  const exit = new Promise<number | null>((done) => child.on("close", (code) => done(code)))
  return { child, stderr: () => err, exit }
}

const redisDir = path.join(WORK, "redis")
mkdirSync(redisDir)
const redis = await startRedis(redisDir)
const url = redis.url
const completed = () => Number(redis.cli("zcard", "bull:devosim-sweep:completed"))
const workers: Array<ReturnType<typeof devosim>> = []
try {

  // Locally: the sweep end to end, and its rows alone on one replication thread.
  const local = path.join(WORK, "local")
  const localWall: Array<number> = []
  for (let i = 0; i < REPEAT; i++) {
    rmSync(local, { recursive: true, force: true })
    const t0 = performance.now()
    const r = spawnSync(process.execPath, [ENTRY, ...SWEEP, "--workers", "1", "--quiet", "--out", local], { cwd: ROOT, encoding: "utf8" })
    if (r.status !== 0) throw new Error(r.stderr)
    localWall.push((performance.now() - t0) / 1000)
  }
  const { plan, spec } = await Effect.runPromise(planSweep({ file: FILE, samples: SAMPLES, replications: K }))
  const { points, rows: T } = sweepDesign(spec)
  // Compiling the rows' scenarios is a worker's job too (each job compiles its own).
  const compiling: Array<number> = []
  let batch = rowScenarios(plan, points, 0, T)
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now()
    batch = rowScenarios(plan, points, 0, T)
    compiling.push((performance.now() - t0) / 1000)
  }
  if (!Array.isArray(batch)) throw new Error(batch.message)
  // The rows on one replication thread as the local sweep starts one (its start included), and on
  // this warm thread alone: the work itself, what a worker's warm thread does per row.
  const rowsLocal: Array<number> = []
  const rowsWarm: Array<number> = []
  const never = new AbortController().signal
  await replicate(batch, 1, "figures", 0, () => undefined, never)
  for (let i = 0; i < REPEAT; i++) {
    let t0 = performance.now()
    await replicate(batch, 1, "figures", 1, () => undefined, never)
    rowsLocal.push((performance.now() - t0) / 1000)
    t0 = performance.now()
    await replicate(batch, 1, "figures", 0, () => undefined, never)
    rowsWarm.push((performance.now() - t0) / 1000)
  }
  const perRow = (median(rowsWarm) + median(compiling)) / T
  const jobs = Math.ceil(T / BLOCK)

  const rows: Array<Record<string, number | string>> = []
  rows.push({ case: "local, --workers 1", workers: 1, rows_per_s: round(T / median(rowsLocal), 1), end_to_end_s: round(median(localWall), 2) })
  rows.push({ case: "local, a warm thread", workers: 1, rows_per_s: round(T / (median(rowsWarm) + median(compiling)), 1) })
  /**
   * One worker's jobs as Redis stamped them (processedOn, finishedOn; ms): each job's time in the
   * worker, the first one's (it builds the sweep's plan in the thread: the factors probed, the design
   * drawn), and the gap from one job's end to the next one's start (the queue's hand-over).
   */
  const timings: Array<{ readonly first: number; readonly job: number; readonly gap: number }> = []
  const jobTimings = () => {
    const ids = redis.cli("zrange", "bull:devosim-sweep:completed", "0", "-1").split("\n")
    const spans = ids.map((id) => redis.cli("hmget", `bull:devosim-sweep:${id}`, "processedOn", "finishedOn").split("\n").map(Number) as [number, number]).sort((a, b) => a[0] - b[0])
    const gaps = spans.slice(1).map((x, i) => x[0] - spans[i]![1])
    return { first: spans[0]![1] - spans[0]![0], job: median(spans.slice(1).map((x) => x[1] - x[0])), gap: median(gaps) }
  }
  let seed = 1000
  for (const n of [1, 2, 3]) {
    while (workers.length < n) {
      const w = devosim(["worker", "--queue", url, "--quiet", FILE])
      workers.push(w)
    }
    // Warm: every worker's thread has loaded the engine and run rows.
    const warm = devosim([...SWEEP, "--seed", String(seed++), "--queue", url, "--block", String(BLOCK), "--quiet", "--workers", "0", "--out", path.join(WORK, `warm-${n}`)])
    if ((await warm.exit) !== 0) throw new Error(warm.stderr())
    const rowsWall: Array<number> = []
    const endToEnd: Array<number> = []
    for (let i = 0; i < REPEAT; i++) {
      // The rows alone: a coordinator adds the jobs and is killed; the workers run them.
      const s = String(seed++)
      const adder = devosim([...SWEEP, "--seed", s, "--queue", url, "--block", String(BLOCK), "--workers", "0", "--out", path.join(WORK, `rows-${n}-${i}`)])
      await until("the jobs added", () => / jobs? of up to /.test(adder.stderr()), 60_000, 5)
      const t0 = performance.now()
      adder.child.kill("SIGKILL")
      await until("the jobs done", () => completed() >= jobs, 600_000, 50)
      rowsWall.push((performance.now() - t0) / 1000)
      await adder.exit
      if (n === 1) timings.push(jobTimings())
      // Done: a coordinator of the same sweep finds them and removes them.
      const finisher = devosim([...SWEEP, "--seed", s, "--queue", url, "--block", String(BLOCK), "--quiet", "--workers", "0", "--out", path.join(WORK, `rows-${n}-${i}`)])
      if ((await finisher.exit) !== 0) throw new Error(finisher.stderr())
      // End to end, the coordinator's extras beside the workers; the files as the local sweep's.
      const out = path.join(WORK, `queued-${n}-${i}`)
      const t1 = performance.now()
      const c = devosim([...SWEEP, "--queue", url, "--block", String(BLOCK), "--quiet", "--workers", "0", "--out", out])
      if ((await c.exit) !== 0) throw new Error(c.stderr())
      endToEnd.push((performance.now() - t1) / 1000)
      for (const f of FILES) if (!readFileSync(path.join(out, f)).equals(readFileSync(path.join(local, f)))) throw new Error(`${f} differs from the local sweep's`)
    }
    const row: Record<string, number | string> = { case: `queue, ${n} worker${n === 1 ? "" : "s"}`, workers: n, rows_per_s: round(T / median(rowsWall), 1), end_to_end_s: round(median(endToEnd), 2) }
    if (n === 1) {
      row["s_per_job"] = round(median(rowsWall) / jobs, 4)
      row["overhead_per_job_ms"] = round((median(rowsWall) / jobs - BLOCK * perRow) * 1000, 1)
      row["job_ms"] = median(timings.map((x) => x.job))
      row["first_job_ms"] = median(timings.map((x) => x.first))
      row["gap_ms"] = median(timings.map((x) => x.gap))
    }
    rows.push(row)
  }

  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", memory_gib: Math.round(totalmem() / 2 ** 30), commit }
  const result = { suite: "sweep-queue", machine, sweep: { file: path.relative(ROOT, FILE), samples: SAMPLES, replications: K, rows: T, block: BLOCK, jobs, repeat: REPEAT, local_ms_per_row: round(perRow * 1000, 2) }, rows }
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(path.join(RESULTS, "sweep-queue.json"), JSON.stringify(result, null, 2) + "\n")
  console.log(`sweep of ${result.sweep.file}: ${T} rows in ${jobs} jobs of ${BLOCK}; local ${result.sweep.local_ms_per_row} ms per row on one thread; ${machine.cpus} cores (${machine.cpu})`)
  console.table(rows)
} finally {
  for (const w of workers) w.child.kill("SIGTERM")
  await Promise.all(workers.map((w) => w.exit))
  await redis.stop()
  rmSync(WORK, { recursive: true, force: true })
}
