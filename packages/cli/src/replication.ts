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

/** What `run --replications` keeps of a replication: every number, and the figures its report.html draws across replications. */
export interface ReplicationSetItem extends ReplicationNumbers {
  readonly figures: ReplicationFigures
}

export type ReplicationResult<K extends ReplicationKind> = K extends "figures" ? ReplicationFigures : ReplicationSetItem

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

/** Markers in a shape (see `Numbers`): unique, never equal to a key, an id or a length. */
const OBJECT = Symbol("object")
const END = Symbol("end")
const ARRAY = Symbol("array")
const NUMBER = Symbol("number")
const OTHER = Symbol("other")
const NO_ID = Symbol("no id")

/** What `flattenNumbers` makes an array element's key of (its `idOf`): each part, or NO_ID, in order (ShapeReader.read reads the same tokens). */
const ID_PARTS = ["locality", "agency", "measure", "scenario", "figure"] as const

/** The parts of an array element's id, as `flattenNumbers` reads them, passed one by one to `token`. */
const idTokens = (v: unknown, token: (x: unknown) => void): void => {
  if (typeof v !== "object" || v === null) return token(NO_ID)
  const r = v as Record<string, unknown>
  // A tier's path or a personal budget's id is the whole id when there is one.
  token(typeof r["tier"] === "string" ? r["tier"] : NO_ID)
  token(typeof r["personal_budget"] === "string" ? r["personal_budget"] : NO_ID)
  for (const k of ID_PARTS) token(typeof r[k] === "string" ? r[k] : NO_ID)
  const pair = typeof r["payer"] === "string" && typeof r["beneficiary"] === "string"
  token(pair ? r["payer"] : NO_ID)
  token(pair ? r["beneficiary"] : NO_ID)
}

/**
 * The shape of a value as `flattenNumbers` walks it: node kinds, object keys in order, array
 * lengths and the parts of each element's id. Values of the same shape have the same paths.
 */
const recordShape = (value: unknown, shape: Array<unknown>): void => {
  if (typeof value === "number") shape.push(NUMBER)
  else if (Array.isArray(value)) {
    shape.push(ARRAY, value.length)
    const token = (x: unknown) => void shape.push(x)
    for (const v of value) {
      idTokens(v, token)
      recordShape(v, shape)
    }
  } else if (typeof value === "object" && value !== null) {
    shape.push(OBJECT)
    for (const k of Object.keys(value)) {
      shape.push(k)
      recordShape((value as Record<string, unknown>)[k], shape)
    }
    shape.push(END)
  } else shape.push(OTHER)
}

/**
 * Reads a value's numbers in `flattenNumbers`' order into `values` while checking that its shape is
 * `shape` token by token; stops at the first difference (`ok` false).
 */
class ShapeReader {
  ok = true
  private at = 0
  private n = 0
  private readonly shape: ReadonlyArray<unknown>
  readonly values: Float64Array

  constructor(shape: ReadonlyArray<unknown>, values: Float64Array) {
    this.shape = shape
    this.values = values
  }

  private is(x: unknown): boolean {
    if (this.shape[this.at++] === x) return true
    this.ok = false
    return false
  }

  read(value: unknown): void {
    if (typeof value === "number") {
      if (this.is(NUMBER) && this.n < this.values.length) this.values[this.n++] = value
      else this.ok = false
    } else if (Array.isArray(value)) {
      if (!this.is(ARRAY) || !this.is(value.length)) return
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i]
        if (typeof v === "object" && v !== null) {
          const r = v as Record<string, unknown>
          const pair = typeof r["payer"] === "string" && typeof r["beneficiary"] === "string"
          if (
            !this.is(typeof r["tier"] === "string" ? r["tier"] : NO_ID) ||
            !this.is(typeof r["personal_budget"] === "string" ? r["personal_budget"] : NO_ID) ||
            !this.is(typeof r["locality"] === "string" ? r["locality"] : NO_ID) ||
            !this.is(typeof r["agency"] === "string" ? r["agency"] : NO_ID) ||
            !this.is(typeof r["measure"] === "string" ? r["measure"] : NO_ID) ||
            !this.is(typeof r["scenario"] === "string" ? r["scenario"] : NO_ID) ||
            !this.is(typeof r["figure"] === "string" ? r["figure"] : NO_ID) ||
            !this.is(pair ? r["payer"] : NO_ID) ||
            !this.is(pair ? r["beneficiary"] : NO_ID)
          )
            return
        } else if (!this.is(NO_ID)) return
        this.read(v)
        if (!this.ok) return
      }
    } else if (typeof value === "object" && value !== null) {
      if (!this.is(OBJECT)) return
      const keys = Object.keys(value)
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        if (!this.is(k)) return
        this.read((value as Record<string, unknown>)[k])
        if (!this.ok) return
      }
      this.is(END)
    } else this.is(OTHER)
  }

  /** The whole shape matched and every number was read. */
  done(): boolean {
    return this.ok && this.at === this.shape.length && this.n === this.values.length
  }
}

/**
 * Every number of a summary, by `flattenNumbers`' paths, as a key list and a value array, for one
 * replication after another. Building the paths is most of the cost (thousands of strings a
 * summary), and replications of a scenario mostly have the same ones: a summary of the same shape
 * as the last one whose paths were built gets that key list (the same array, so it is sent and
 * kept once) and only its numbers are read. A shape whose paths repeat (`flattenNumbers` keeps
 * one number per path) is never reused.
 */
export class Numbers {
  private shape: ReadonlyArray<unknown> = []
  private keys: ReadonlyArray<string> | undefined

  of(summary: Summary): ReplicationNumbers {
    if (this.keys !== undefined) {
      const reader = new ShapeReader(this.shape, new Float64Array(this.keys.length))
      reader.read(summary)
      if (reader.done()) return { keys: this.keys, values: reader.values }
    }
    const flat = flattenNumbers(summary)
    const keys = [...flat.keys()]
    const shape: Array<unknown> = []
    recordShape(summary, shape)
    let leaves = 0
    for (const x of shape) if (x === NUMBER) leaves++
    this.shape = shape
    this.keys = flat.size === leaves ? keys : undefined
    return { keys, values: Float64Array.from(flat.values()) }
  }
}

/** Every number of one summary (as `Numbers`, without a previous one). */
export const numbersOf = (summary: Summary): ReplicationNumbers => new Numbers().of(summary)

/** One replication's result of the given kind (`numbers`: this thread's `Numbers`, to share key lists). */
export const replicationResult = <K extends ReplicationKind>(kind: K, scenario: Scenario, r: number, numbers?: Numbers): ReplicationResult<K> => {
  const summary = replicationSummary(scenario, r, kind === "numbers")
  const figures = figuresOf(summary)
  return (kind === "figures" ? figures : { ...(numbers ?? new Numbers()).of(summary), figures }) as ReplicationResult<K>
}

/** A block of work: replications [from, to) of scenario `scenario`. */
export interface Block {
  readonly scenario: number
  readonly from: number
  readonly to: number
}

/** A replication set's item as a worker sends it: `keys: null` means the same keys as its last. */
export interface SetItemMessage {
  readonly keys: ReadonlyArray<string> | null
  readonly values: Float64Array
  readonly figures: ReplicationFigures
}

/** Worker → main: ready (loaded), or results for replications [from, from + items.length) of a scenario; `done` ends the block. */
export type WorkerMessage =
  | { readonly ok: true; readonly scenario: number; readonly from: number; readonly items: ReadonlyArray<ReplicationFigures | SetItemMessage>; readonly done: boolean }
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
  const numbers = new Numbers()
  let lastKeys: ReadonlyArray<string> | undefined
  port.on("message", (block: Block) => {
    try {
      const scenario = scenarios[block.scenario]!
      let from = block.from
      let items: Array<ReplicationFigures | SetItemMessage> = []
      let transfer: Array<ArrayBuffer> = []
      let posted = performance.now()
      for (let r = block.from; r < block.to; r++) {
        if (kind === "figures") {
          const f = replicationResult("figures", scenario, r)
          items.push(f)
          transfer.push(f.dealTimes.buffer as ArrayBuffer, f.coveredShare.buffer as ArrayBuffer)
        } else {
          const n = replicationResult("numbers", scenario, r, numbers)
          items.push({ keys: n.keys === lastKeys ? null : n.keys, values: n.values, figures: n.figures })
          transfer.push(n.values.buffer as ArrayBuffer, n.figures.dealTimes.buffer as ArrayBuffer, n.figures.coveredShare.buffer as ArrayBuffer)
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
