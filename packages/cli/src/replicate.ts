/**
 * Many small runs (issue 13, item 7): replications of one or more scenarios, each reduced at once to
 * what the caller keeps (replication.ts), on a pool of worker threads.
 *
 * The pool: each worker gets the compiled scenarios once (structured clone), then blocks of
 * replication indices of a scenario, and returns each replication's result as compact data (a Map
 * of figures and transferred Float64Array curves; or a key list, sent only when it changes, and a
 * transferred Float64Array of values). Results are placed by (scenario, replication) index, so the
 * output is the same bytes for any number of workers. A worker is given blocks once it has loaded
 * (two at a time, so it never waits for the next); until the first has, the main thread runs
 * replications itself, one at a time, when they are small. Blocks shrink towards the end (a share
 * of what is left), so no worker idles long on the last ones. SIGINT/SIGTERM abort: the workers
 * are terminated at once.
 */
import { siblingModule } from "@devosim/core/sibling"
import type { Scenario } from "@devosim/core/model"
import { Worker } from "node:worker_threads"
import { turn } from "./interrupt.ts"
import { defaultWorkers, SMALL_RUN_LINE_PERIODS } from "./shards.ts"
import { Numbers, replicationResult, type Block, type ReplicationKind, type ReplicationResult, type SetItemMessage, type WorkerMessage, type WorkerSetup } from "./replication.ts"

export { Numbers, numbersOf, replicationResult, replicationSummary, type ReplicationKind, type ReplicationNumbers, type ReplicationResult, type ReplicationSetItem } from "./replication.ts"

/**
 * Worker threads for `replications` replications of each of `scenarios` when `--workers` was not
 * given: none when all of them together are small (threads would cost more than they save), else
 * the machine's cores; never more than there are replications.
 */
export const replicationWorkersFor = (scenarios: ReadonlyArray<Scenario>, replications: number, requested: number | undefined): number => {
  const jobs = scenarios.length * replications
  if (requested !== undefined) return Math.min(requested, jobs)
  let linePeriods = 0
  for (const sc of scenarios) linePeriods += replications * Math.max(1, sc.localities.length) * Math.max(1, sc.agencies.length) * Math.max(1, sc.months)
  return linePeriods < SMALL_RUN_LINE_PERIODS ? 0 : Math.min(defaultWorkers(), jobs)
}

/** Blocks in the order they are handed out: a share of what is left, so the last ones are small. */
const nextBlock = (state: { scenario: number; next: number }, scenarios: number, replications: number, remaining: number, workers: number): Block | undefined => {
  if (state.scenario >= scenarios) return undefined
  const size = Math.max(1, Math.min(32, Math.ceil(remaining / (workers * 4))))
  const block = { scenario: state.scenario, from: state.next, to: Math.min(replications, state.next + size) }
  state.next = block.to
  if (state.next >= replications) {
    state.scenario++
    state.next = 0
  }
  return block
}

export interface ReplicateOptions<K extends ReplicationKind> {
  readonly scenarios: ReadonlyArray<Scenario>
  readonly replications: number
  readonly kind: K
  /** Worker threads (0: on the main thread, yielding between replications). */
  readonly workers: number
  readonly signal: AbortSignal
  /** Called once per replication as its result arrives (any order). */
  readonly tick: () => void
}

/**
 * Replications 0..K−1 of every scenario: `results[s][r]` is replication r of scenario s, the same
 * for any number of workers. Stops with `signal.reason` when aborted (workers terminated).
 */
export const replicateAll = async <K extends ReplicationKind>(options: ReplicateOptions<K>): Promise<Array<Array<ReplicationResult<K>>>> => {
  const { scenarios, replications: K, kind, signal, tick } = options
  const results: Array<Array<ReplicationResult<K>>> = scenarios.map(() => new Array<ReplicationResult<K>>(K))
  // Replications computed on this thread share their key lists the same way.
  const numbers = new Numbers()
  const here = (s: number, r: number) => {
    results[s]![r] = replicationResult(kind, scenarios[s]!, r, numbers)
    tick()
  }
  if (options.workers <= 0 || K === 0 || scenarios.length === 0) {
    for (let s = 0; s < scenarios.length; s++) {
      for (let r = 0; r < K; r++) {
        signal.throwIfAborted()
        here(s, r)
        await turn()
      }
    }
    return results
  }
  signal.throwIfAborted()
  const total = scenarios.length * K
  const workers = Math.min(options.workers, total)
  const setup: WorkerSetup = { scenarios, kind }
  // While the threads start (they load the engine first), this one runs replications too, one at a
  // time, if they are small enough to keep it responsive.
  const helps = scenarios.every((sc) => sc.localities.length * sc.agencies.length * sc.months < SMALL_RUN_LINE_PERIODS)
  return new Promise((resolve, reject) => {
    const pool: Array<Worker> = []
    let settled = false
    let received = 0
    let handedOut = 0
    let ready = 0
    const cursor = { scenario: 0, next: 0 }
    const finish = (error: unknown) => {
      if (settled) return
      settled = true
      signal.removeEventListener("abort", onAbort)
      // Terminated at once: a replication in progress is abandoned.
      void Promise.all(pool.map((w) => w.terminate())).then(
        () => (error === undefined ? resolve(results) : reject(error)),
        () => (error === undefined ? resolve(results) : reject(error))
      )
    }
    const onAbort = () => finish(signal.reason)
    signal.addEventListener("abort", onAbort, { once: true })
    const give = (w: Worker) => {
      const block = nextBlock(cursor, scenarios.length, K, total - handedOut, workers)
      if (block === undefined) return
      handedOut += block.to - block.from
      w.postMessage(block)
    }
    const received_ = (n: number) => {
      received += n
      if (received === total) finish(undefined)
    }
    for (let i = 0; i < workers; i++) {
      const w = new Worker(siblingModule(import.meta.url, "replication-worker"), { workerData: setup })
      pool.push(w)
      // The last keys this worker sent: `keys: null` means the same again.
      let keys: ReadonlyArray<string> = []
      w.on("message", (m: WorkerMessage) => {
        if (settled) return
        if (!m.ok) return finish(new Error(m.error))
        if ("ready" in m) {
          ready++
          // Two blocks each: the next is queued in the worker while it posts this one's results.
          give(w)
          give(w)
          return
        }
        const placed = results[m.scenario]!
        for (let j = 0; j < m.items.length; j++) {
          const item = m.items[j]!
          if (kind === "numbers") {
            const n = item as SetItemMessage
            if (n.keys !== null) keys = n.keys
            placed[m.from + j] = { keys, values: n.values, figures: n.figures } as ReplicationResult<K>
          } else placed[m.from + j] = item as ReplicationResult<K>
          tick()
        }
        if (m.done) give(w)
        received_(m.items.length)
      })
      w.on("error", (e) => finish(e))
      w.on("exit", (code) => finish(new Error(`a replication worker exited with code ${code}`)))
    }
    if (!helps) return
    void (async () => {
      try {
        while (!settled && ready === 0) {
          const one = nextBlock(cursor, scenarios.length, K, 1, 1)
          if (one === undefined) return
          handedOut++
          here(one.scenario, one.from)
          received_(1)
          await turn()
        }
      } catch (e) {
        finish(e)
      }
    })()
  })
}
