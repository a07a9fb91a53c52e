/**
 * One replication of a scenario, reduced at once to what is kept of it (issue 13, item 7): the
 * centre decides, the localities post, the summary folds the log chunk by chunk (engine's
 * decideCentre → logChunks → report's SummaryBuilder). The log is never joined into one and the
 * state never folded: neither `compare` nor `run --replications` keeps them. `compare` keeps
 * `figuresOf` the summary; `run --replications` every number of it (`flattenNumbers`). Also what a
 * replication worker thread runs (replication-worker.ts), with the messages it exchanges.
 */
import { replicationSeed } from "@devosim/core/model"
import type { Scenario } from "@devosim/core/model"
import { decideCentre, logChunks } from "@devosim/engine"
import { figuresOf, flattenNumbers, SummaryBuilder } from "@devosim/report"
import type { ReplicationFigures, Summary } from "@devosim/report"
import { parentPort, workerData } from "node:worker_threads"

/** What is kept of each replication: `compare`'s figures, or every number of the summary. */
export type ReplicationKind = "figures" | "numbers"

/** Every number of one replication's summary, by `flattenNumbers`' paths (in its order). */
export interface ReplicationNumbers {
  readonly keys: ReadonlyArray<string>
  readonly values: Float64Array
}

export type ReplicationResult<K extends ReplicationKind> = K extends "figures" ? ReplicationFigures : ReplicationNumbers

/**
 * Replication `r` of `scenario` (seed `replicationSeed(scenario.seed, r)`): its summary, folded
 * from the log as it is posted. `detail: false`: only what `figuresOf` reads (report's MoneyOptions).
 */
export const replicationSummary = (scenario: Scenario, r: number, detail = true): Summary => {
  const decisions = decideCentre(r === 0 ? scenario : { ...scenario, seed: replicationSeed(scenario.seed, r) })
  const summary = new SummaryBuilder(undefined, { detail })
  for (const chunk of logChunks(decisions)) summary.add(chunk)
  return summary.finish()
}

/** Every number of a summary, as a key list and a value array (the keys of `previous` when they are the same: shared, not repeated). */
export const numbersOf = (summary: Summary, previous?: ReadonlyArray<string>): ReplicationNumbers => {
  const flat = flattenNumbers(summary)
  const values = new Float64Array(flat.size)
  let i = 0
  let same = previous !== undefined && previous.length === flat.size
  for (const [k, v] of flat) {
    if (same && previous![i] !== k) same = false
    values[i++] = v
  }
  return { keys: same ? previous! : [...flat.keys()], values }
}

/** One replication's result of the given kind. */
export const replicationResult = <K extends ReplicationKind>(kind: K, scenario: Scenario, r: number, previousKeys?: ReadonlyArray<string>): ReplicationResult<K> => {
  const summary = replicationSummary(scenario, r, kind === "numbers")
  return (kind === "figures" ? figuresOf(summary) : numbersOf(summary, previousKeys)) as ReplicationResult<K>
}

/** A block of work: replications [from, to) of scenario `scenario`. */
export interface Block {
  readonly scenario: number
  readonly from: number
  readonly to: number
}

/** Worker → main: ready (loaded), or results for replications [from, from + items.length) of a scenario; `done` ends the block. */
export type WorkerMessage =
  | { readonly ok: true; readonly scenario: number; readonly from: number; readonly items: ReadonlyArray<ReplicationFigures | { readonly keys: ReadonlyArray<string> | null; readonly values: Float64Array }>; readonly done: boolean }
  | { readonly ok: true; readonly ready: true }
  | { readonly ok: false; readonly error: string }

export interface WorkerSetup {
  readonly scenarios: ReadonlyArray<Scenario>
  readonly kind: ReplicationKind
}

/**
 * The body of a replication worker thread (replication-worker.ts): it takes the compiled scenarios
 * from its workerData, then blocks of replication indices, and sends back each replication's
 * figures (or every number of its summary) in batches: at the end of a block, and every 100 ms
 * within a long one (so the progress bar moves). Curves and values travel as transferred
 * Float64Array buffers; a key list only when it differs from the last one this worker sent.
 */
export const serveReplications = (): void => {
  const { scenarios, kind } = workerData as WorkerSetup
  const port = parentPort!
  let lastKeys: ReadonlyArray<string> | undefined
  port.on("message", (block: Block) => {
    try {
      const scenario = scenarios[block.scenario]!
      let from = block.from
      let items: Array<ReplicationFigures | { readonly keys: ReadonlyArray<string> | null; readonly values: Float64Array }> = []
      let transfer: Array<ArrayBuffer> = []
      let posted = performance.now()
      for (let r = block.from; r < block.to; r++) {
        if (kind === "figures") {
          const f = replicationResult("figures", scenario, r)
          items.push(f)
          transfer.push(f.dealTimes.buffer as ArrayBuffer, f.coveredShare.buffer as ArrayBuffer)
        } else {
          const n: ReplicationNumbers = replicationResult("numbers", scenario, r, lastKeys)
          items.push({ keys: n.keys === lastKeys ? null : n.keys, values: n.values })
          transfer.push(n.values.buffer as ArrayBuffer)
          lastKeys = n.keys
        }
        const done = r + 1 === block.to
        const now = performance.now()
        if (done || now - posted >= 100) {
          const message: WorkerMessage = { ok: true, scenario: block.scenario, from, items, done }
          port.postMessage(message, transfer)
          from = r + 1
          items = []
          transfer = []
          posted = now
        }
      }
    } catch (e) {
      const message: WorkerMessage = { ok: false, error: e instanceof Error ? e.message : String(e) }
      port.postMessage(message)
    }
  })

  // Loaded: blocks may come.
  const ready: WorkerMessage = { ok: true, ready: true }
  port.postMessage(ready)
}
