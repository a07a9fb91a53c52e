/**
 * `--workers N`: the localities' postings on N worker threads, one shard each, window by window.
 * The centre has decided already (engine's decideCentre); each worker gets the decisions once,
 * posts its localities at its own pace, and the main thread merges the shards' windows in the
 * log's one order (engine's LogAssembler), so the log is the same bytes for any N. Windows are
 * requested ahead, so the workers post the next window while the main thread writes this one.
 */
import { siblingModule } from "@devosim/core/sibling"
import { availableParallelism } from "node:os"
import { Worker } from "node:worker_threads"
import type { LogChunk } from "@devosim/core"
import { controlsForShard, LogAssembler, logChunks, postingBuffers, shardRanges, slotWindows, type CentreDecisions, type ShardPostings } from "@devosim/engine"

/**
 * Spending periods per window: about 250,000 locality × agency lines' worth of postings at a time
 * (a year of them for up to 20,000 lines, a single period from 250,000 lines), so a window's
 * memory does not grow with the number of localities. Smaller windows cost nothing measurable
 * here and keep less in flight: the 10,000 × 8 × 120 run peaked at 1.13 GB with a million
 * line-periods a window (12 periods), at 0.78–0.84 GB with 3.
 */
export const windowPeriodsFor = (decisions: CentreDecisions): number => {
  const sc = decisions.scenarios[0]!
  const lines = Math.max(1, sc.localities.length * sc.agencies.length)
  return Math.max(1, Math.min(12, Math.floor(250_000 / lines)))
}

/** How many windows each worker may run ahead of the writer. */
const AHEAD = 2

/** Below this many line-periods (localities × agencies × months) threads cost more than they save. */
export const SMALL_RUN_LINE_PERIODS = 200_000

export const defaultWorkers = (): number => availableParallelism()

/** Worker threads for a run: none for a small run (the same shards run in-process, same bytes). */
export const workersFor = (decisions: CentreDecisions, requested: number | undefined): number => {
  const sc = decisions.scenarios[0]!
  const linePeriods = sc.localities.length * sc.agencies.length * sc.months
  if (requested !== undefined) return requested
  return linePeriods < SMALL_RUN_LINE_PERIODS || decisions.slots.length === 0 ? 0 : defaultWorkers()
}

type Reply = { readonly ok: true; readonly postings: ShardPostings } | { readonly ok: false; readonly error: string }

class ShardWorker {
  private readonly worker: Worker
  private readonly pending: Array<{ resolve: (p: ShardPostings) => void; reject: (e: Error) => void }> = []
  private failed: Error | undefined

  constructor(decisions: CentreDecisions, firstLocality: number, endLocality: number) {
    const { slots } = decisions
    // Only what this shard's money depends on is copied to its thread: its control events, and its
    // own localities of each scenario (the others stand in as one shared object, cloned once).
    const controls = controlsForShard(decisions, firstLocality, endLocality)
    const scenarios = decisions.scenarios.map((sc) => {
      const elsewhere = sc.localities[firstLocality]
      return { ...sc, localities: sc.localities.map((l, i) => (i >= firstLocality && i < endLocality ? l : elsewhere!)) }
    })
    this.worker = new Worker(siblingModule(import.meta.url, "shard-worker"), {
      workerData: { decisions: { scenarios, controls, slots }, firstLocality, endLocality }
    })
    this.worker.on("message", (reply: Reply) => {
      const p = this.pending.shift()
      if (p === undefined) return
      if (reply.ok) p.resolve(reply.postings)
      else p.reject(new Error(`shard ${firstLocality}..${endLocality - 1}: ${reply.error}`))
    })
    const fail = (e: Error) => {
      this.failed ??= e
      for (const p of this.pending.splice(0)) p.reject(e)
    }
    this.worker.on("error", fail)
    this.worker.on("exit", (code) => fail(new Error(`shard worker exited with code ${code}`)))
  }

  post(from: number, to: number): Promise<ShardPostings> {
    if (this.failed !== undefined) return Promise.reject(this.failed)
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject })
      this.worker.postMessage({ from, to })
    })
  }

  /** Hands a window's buffers back to the worker (transferred) for its next window. */
  recycle(p: ShardPostings): void {
    if (this.failed !== undefined) return
    const buffers = postingBuffers(p)
    this.worker.postMessage({ recycle: buffers }, [...new Set([buffers.from, buffers.to, buffers.amount, buffers.cause])])
  }

  stop(): Promise<number> {
    return this.worker.terminate()
  }
}

/**
 * The run's log, chunk by chunk (one per window), posted by `workers` threads (0: in-process).
 * A chunk is valid until the next is asked for (its columns are reused). Stop early by
 * `return`ing from the iteration: the workers are terminated.
 */
export async function* shardedLogChunks(decisions: CentreDecisions, workers: number, windowPeriods = windowPeriodsFor(decisions)): AsyncGenerator<LogChunk> {
  if (workers <= 0) {
    yield* logChunks(decisions, { windowPeriods })
    return
  }
  const L = decisions.scenarios[0]!.localities.length
  const pool = shardRanges(L, workers).map(([a, b]) => new ShardWorker(decisions, a, b))
  // Every consumer (a run's writer, a fork's prefix check) is done with a chunk before the next.
  const assembler = new LogAssembler(decisions, { reuseBuffers: true })
  const windows = slotWindows(decisions, windowPeriods).filter(([a, b]) => b > a)
  const requested: Array<Promise<Array<ShardPostings>>> = []
  const request = (k: number) => {
    const w = windows[k]
    if (w !== undefined) requested[k] = Promise.all(pool.map((s) => s.post(w[0], w[1])))
  }
  try {
    for (let k = 0; k < Math.min(AHEAD, windows.length); k++) request(k)
    for (let k = 0; k < windows.length; k++) {
      const posted = await requested[k]!
      delete requested[k]
      request(k + AHEAD)
      yield assembler.merge(windows[k]![0], windows[k]![1], posted)
      // The chunk is read (the consumer asked for the next): its shards' buffers go back to them.
      posted.forEach((p, i) => pool[i]!.recycle(p))
    }
    yield assembler.rest()
  } finally {
    // Requests still in flight fail when their worker stops: nobody awaits them any more.
    for (const r of requested) r?.catch(() => undefined)
    await Promise.all(pool.map((s) => s.stop()))
  }
}
