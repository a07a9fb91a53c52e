/**
 * Anchors for the benchmarks (issue 13, item 8): what the same work costs without devosim, measured
 * in the same `node bench/run-all.ts` process run as the figures they are set beside, so a figure
 * is also a ratio that does not depend on the machine.
 *
 * - `bareLoop(n)`: a bare typed-array loop applying n postings (from/to Int32Array account indices,
 *   amount Float64Array) to a Float64Array of balances; the data are prepared outside the timing.
 * - `plainQueue(file)`: bench/plain-queue.ts as its own process, end to end (read, parse, validate,
 *   rank, the capacity-C queue on heaps over typed arrays, binary columns written with sha256 and
 *   fsync); `sameDeals` checks its deal times against devosim's negotiations.arrow.
 * - `simpyQueue(file)`: bench/simpy-queue.py, an independent SimPy model of the queue, when some
 *   python3 has SimPy (3/4 as `simpy`, or 2.x as Debian's `SimPy`); otherwise unavailable, with the
 *   issue's reference figure (5.5 s, not measured here).
 * - `nodeStartup()`: `node -e 0`, beside `devosim --version`.
 */
import { decodeTable } from "@devosim/store"
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import * as path from "node:path"

const ROOT = path.resolve(import.meta.dirname, "..")
export const NODE = process.execPath

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)]!
}
export const round = (x: number, digits = 3): number => +x.toFixed(digits)

export interface TimedProcess {
  readonly wall: number
  readonly cpu: number
  readonly rssMiB: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * A command as a process, timed end to end (wall clock from spawn to exit); CPU seconds (user +
 * system) and peak RSS from GNU time (`-o FILE`, so the command's own stderr stays its own).
 */
export const timedProcess = (command: string, args: ReadonlyArray<string>, timeFile: string, env?: NodeJS.ProcessEnv): TimedProcess => {
  const t0 = performance.now()
  const p = spawnSync("/usr/bin/time", ["-o", timeFile, "-f", "%U %S %M", command, ...args], { encoding: "utf8", maxBuffer: 1 << 28, ...(env === undefined ? {} : { env }) })
  const wall = (performance.now() - t0) / 1000
  if (p.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed (${p.status ?? p.signal}): ${p.stderr}`)
  const [user, sys, rssKb] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number) as [number, number, number]
  rmSync(timeFile, { force: true })
  return { wall, cpu: user + sys, rssMiB: rssKb / 1024, stdout: p.stdout, stderr: p.stderr }
}

// ---------------------------------------------------------------------------------------------
// The bare loop

export interface BareLoop {
  /** Postings the figure is for. */
  readonly postings: number
  /** Postings in the arrays actually looped over (at most BARE_MAX; the time is scaled to `postings`). */
  readonly measured_postings: number
  readonly accounts: number
  readonly repeat: number
  /** Median seconds for `postings` postings. */
  readonly seconds: number
  readonly postings_per_s: number
}

/** At most this many postings in memory (16 bytes each); beyond, the rate of this many is used. */
const BARE_MAX = 50_000_000
/** Fewer postings than this are looped over several times per timing, to time something. */
const BARE_MIN_TIMED = 5_000_000

const bareCache = new Map<string, BareLoop>()

/**
 * A bare typed-array loop applying `postings` postings to `accounts` balances: median of `repeat`
 * timings of the loop alone, after one untimed warm-up pass.
 */
export const bareLoop = (postings: number, accounts: number, repeat: number): BareLoop => {
  const key = `${postings}/${accounts}/${repeat}`
  const cached = bareCache.get(key)
  if (cached !== undefined) return cached
  const n = Math.max(1, Math.min(postings, BARE_MAX))
  const A = Math.max(2, accounts)
  const from = new Int32Array(n)
  const to = new Int32Array(n)
  const amount = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    from[i] = (i * 7919) % A
    to[i] = (i * 104729 + 1) % A
    amount[i] = (i % 1000) + 0.5
  }
  const balances = new Float64Array(A)
  const passes = Math.max(1, Math.ceil(BARE_MIN_TIMED / n))
  const apply = () => {
    for (let i = 0; i < n; i++) {
      const x = amount[i]!
      balances[from[i]!]! -= x
      balances[to[i]!]! += x
    }
  }
  apply() // warm-up: the loop compiled before it is timed
  const times = Array.from({ length: repeat }, () => {
    const t0 = performance.now()
    for (let k = 0; k < passes; k++) apply()
    return (performance.now() - t0) / 1000 / passes
  })
  // Keep the work observable, so it is not optimised away.
  if (Number.isNaN(balances[0]!)) throw new Error("bare loop: NaN balance")
  const perPosting = median(times) / n
  const result: BareLoop = {
    postings,
    measured_postings: n,
    accounts: A,
    repeat,
    seconds: perPosting * postings,
    postings_per_s: Math.round(1 / perPosting)
  }
  bareCache.set(key, result)
  return result
}

// ---------------------------------------------------------------------------------------------
// The plain queue

export interface PlainQueueRun {
  readonly seconds: number
  readonly cpu_s: number
  readonly peak_rss_mib: number
  readonly events: number
  readonly deals: number
  readonly makespan: number
  readonly wall_runs_s: ReadonlyArray<number>
}

/** `node bench/plain-queue.ts FILE OUT`, `repeat` times, medians; OUT is left for `sameDeals`. */
export const plainQueue = (file: string, out: string, repeat: number): PlainQueueRun => {
  const runs = Array.from({ length: repeat }, () => timedProcess(NODE, [path.join(ROOT, "bench", "plain-queue.ts"), file, out], `${out}.time`))
  const r = JSON.parse(runs[0]!.stdout) as { events: number; deals: number; makespan: number }
  return {
    seconds: median(runs.map((x) => x.wall)),
    cpu_s: median(runs.map((x) => x.cpu)),
    peak_rss_mib: Math.round(median(runs.map((x) => x.rssMiB))),
    events: r.events,
    deals: r.deals,
    makespan: r.makespan,
    wall_runs_s: runs.map((x) => round(x.wall))
  }
}

/** The negotiations table of a plain-queue output: ids and deal times (NaN: none). */
export const readPlainQueue = (out: string): { readonly ids: ReadonlyArray<string>; readonly deal: Float64Array; readonly start: Float64Array } => {
  const bytes = readFileSync(out)
  const nl = bytes.indexOf(10)
  const h = JSON.parse(bytes.subarray(0, nl).toString("utf8")) as { localities: number; events: number }
  const L = h.localities
  const E = h.events
  let at = nl + 1
  const take = (bytesPer: number, count: number): Uint8Array => {
    at += (8 - (at % 8)) % 8
    const b = bytes.subarray(at, at + bytesPer * count)
    at += bytesPer * count
    return new Uint8Array(b) // a copy: aligned for the typed-array views below
  }
  take(8, E)
  take(4, E)
  take(1, E)
  take(8, L) // eligible
  const start = new Float64Array(take(8, L).buffer)
  const deal = new Float64Array(take(8, L).buffer)
  take(8, L) // wait
  const offsets = new Int32Array(take(4, L + 1).buffer)
  const utf8 = Buffer.from(take(1, offsets[L]!))
  const ids = Array.from({ length: L }, (_, i) => utf8.subarray(offsets[i]!, offsets[i + 1]!).toString("utf8"))
  return { ids, deal, start }
}

export interface DealCheck {
  readonly localities: number
  /** Localities whose deal time (or its absence) is the same, bit for bit, in both. */
  readonly equal: number
  readonly first_difference: string | null
}

/** Deal times of another model (by locality id) against devosim's negotiations.arrow in `runDir`. */
export const sameDeals = (runDir: string, other: { readonly ids: ReadonlyArray<string>; readonly deal: ArrayLike<number> }): DealCheck => {
  const t = decodeTable(readFileSync(path.join(runDir, "negotiations.arrow")))
  const ids = t.columns["locality"]!
  const deals = t.columns["deal"]!
  const mine = new Map<string, number>()
  other.ids.forEach((id, i) => mine.set(id, other.deal[i]!))
  let equal = 0
  let first: string | null = null
  for (let r = 0; r < t.numRows; r++) {
    const id = ids[r] as string
    const d = deals[r] === null ? Number.NaN : (deals[r] as number)
    const o = mine.get(id)
    if (o !== undefined && (Object.is(o, d) || o === d)) equal++
    else first ??= `${id}: devosim ${d}, other ${o}`
  }
  if (t.numRows !== other.ids.length) first ??= `devosim has ${t.numRows} localities, the other ${other.ids.length}`
  return { localities: t.numRows, equal, first_difference: first }
}

// ---------------------------------------------------------------------------------------------
// SimPy (optional)

/** The SimPy figure for the 100,000-locality queue, not measured here. */
export const SIMPY_REFERENCE_S = 5.5

export type SimPy =
  | { readonly available: false; readonly reason: string; readonly reference_s: number; readonly measured_here: false }
  | { readonly available: true; readonly python: string; readonly simpy: string }

let simpyFound: SimPy | undefined
/** The first python3 (on PATH, then /usr/bin) with SimPy 3/4 (`simpy`) or 2.x (`SimPy`). */
export const findSimPy = (): SimPy => {
  if (simpyFound !== undefined) return simpyFound
  const probe = "try:\n import simpy; print('simpy', simpy.__version__)\nexcept ImportError:\n import SimPy, SimPy.Simulation; print('SimPy', SimPy.__version__)"
  for (const python of ["python3", "/usr/bin/python3"]) {
    const p = spawnSync(python, ["-c", probe], { encoding: "utf8" })
    if (p.status === 0) return (simpyFound = { available: true, python, simpy: p.stdout.trim() })
  }
  return (simpyFound = { available: false, reason: "no python3 here has SimPy", reference_s: SIMPY_REFERENCE_S, measured_here: false })
}

export interface SimPyRun {
  readonly seconds: number
  readonly cpu_s: number
  readonly peak_rss_mib: number
  readonly wall_runs_s: ReadonlyArray<number>
  readonly ids: ReadonlyArray<string>
  readonly deal: Float64Array
}

/** bench/simpy-queue.py FILE OUT as a process, `repeat` times (medians); deal times read from OUT. */
export const simpyQueue = (python: string, file: string, out: string, repeat: number): SimPyRun => {
  const runs = Array.from({ length: repeat }, () => timedProcess(python, [path.join(ROOT, "bench", "simpy-queue.py"), file, out], `${out}.time`))
  const lines = readFileSync(out, "utf8").trimEnd().split("\n")
  const ids = lines.map((l) => l.slice(0, l.lastIndexOf("\t")))
  // Python's repr of a float round-trips, as JavaScript's Number() reads it.
  const deal = Float64Array.from(lines, (l) => {
    const v = l.slice(l.lastIndexOf("\t") + 1)
    return v === "nan" ? Number.NaN : Number(v)
  })
  return {
    seconds: median(runs.map((x) => x.wall)),
    cpu_s: median(runs.map((x) => x.cpu)),
    peak_rss_mib: Math.round(median(runs.map((x) => x.rssMiB))),
    wall_runs_s: runs.map((x) => round(x.wall)),
    ids,
    deal
  }
}

// ---------------------------------------------------------------------------------------------

/** `node -e 0`: a bare Node process's start-up, median of `times`. */
export const nodeStartup = (times: number, timeFile: string): { readonly seconds: number; readonly peak_rss_mib: number } => {
  const runs = Array.from({ length: times }, () => timedProcess(NODE, ["-e", "0"], timeFile))
  return { seconds: median(runs.map((r) => r.wall)), peak_rss_mib: Math.round(median(runs.map((r) => r.rssMiB))) }
}
