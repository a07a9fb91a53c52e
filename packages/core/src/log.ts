import type { ControlEvent } from "./events.ts"

/**
 * The event log in memory: control events (objects, few) and postings (struct-of-arrays, many)
 * sharing one sequence. Columns are laid out as the Arrow log stores them.
 */
export interface PostingColumns {
  readonly length: number
  readonly seq: Float64Array
  readonly t: Float64Array
  readonly from: Int32Array
  readonly to: Int32Array
  readonly amount: Float64Array
  /** The seq of the control event that made the posting. */
  readonly cause: Float64Array
}

export interface EventLog {
  readonly controls: ReadonlyArray<ControlEvent>
  readonly postings: PostingColumns
}

/** Total number of events (control events + postings) = next free seq. */
export const eventCount = (log: EventLog): number => log.controls.length + log.postings.length

/** The typed arrays a growable column is held in. */
export type ColumnArray = Int8Array | Uint8Array | Int32Array | Float64Array

/** `a` copied into a new array of its own type `n` long (at least its length): how every growable set of columns grows. */
export const lengthened = <A extends ColumnArray>(a: A, n: number): A => {
  const b = new (a.constructor as new (length: number) => A)(n)
  b.set(a as never)
  return b
}

/** A growable posting column set; `seal` trims to the used length. */
export class PostingBuffer {
  length = 0
  seq: Float64Array
  t: Float64Array
  from: Int32Array
  to: Int32Array
  amount: Float64Array
  cause: Float64Array

  constructor(capacity = 1024) {
    this.seq = new Float64Array(capacity)
    this.t = new Float64Array(capacity)
    this.from = new Int32Array(capacity)
    this.to = new Int32Array(capacity)
    this.amount = new Float64Array(capacity)
    this.cause = new Float64Array(capacity)
  }

  push(seq: number, t: number, from: number, to: number, amount: number, cause: number): void {
    if (this.length === this.seq.length) this.grow()
    const i = this.length++
    this.seq[i] = seq
    this.t[i] = t
    this.from[i] = from
    this.to[i] = to
    this.amount[i] = amount
    this.cause[i] = cause
  }

  private grow(): void {
    const n = Math.max(1024, this.seq.length * 2)
    this.seq = lengthened(this.seq, n)
    this.t = lengthened(this.t, n)
    this.from = lengthened(this.from, n)
    this.to = lengthened(this.to, n)
    this.amount = lengthened(this.amount, n)
    this.cause = lengthened(this.cause, n)
  }

  seal(): PostingColumns {
    const n = this.length
    return {
      length: n,
      seq: this.seq.slice(0, n),
      t: this.t.slice(0, n),
      from: this.from.slice(0, n),
      to: this.to.slice(0, n),
      amount: this.amount.slice(0, n),
      cause: this.cause.slice(0, n)
    }
  }
}

/** Balances and flows per period × account, one row each (period-major), as ledger.arrow stores them. */
export interface LedgerColumns {
  readonly length: number
  readonly period: Int32Array
  readonly account: Int32Array
  readonly opening: Float64Array
  readonly inflow: Float64Array
  readonly outflow: Float64Array
  readonly closing: Float64Array
}

/**
 * A contiguous stretch of a log: the events with seq in [firstSeq, firstSeq + controls + postings),
 * both sequences in seq order. A whole log is the chunk with firstSeq 0; a run that streams its log
 * hands chunks to writers and projections in seq order.
 */
export interface LogChunk extends EventLog {
  readonly firstSeq: number
  /**
   * Each control event's locality as an index (RunStarted's order), -1 where it names none: set by
   * a producer that has it at hand (the engine), so the folds need not look 100,000 ids up in a
   * map once per event. A hint: a consumer checks it against the event's id (`localityHint`).
   */
  readonly localities?: Int32Array
}

/**
 * The index of control event c's locality from a chunk's hint, when the hint names the locality
 * `ids` has at that index (the same string, usually the same object: one comparison); else -1.
 */
export const localityHint = (chunk: LogChunk, c: number, ids: ReadonlyArray<{ readonly id: string }>, id: string): number => {
  const hint = chunk.localities?.[c]
  return hint !== undefined && hint >= 0 && ids[hint]?.id === id ? hint : -1
}

/** Posting columns of `n` rows, zeroed. */
export const newPostingColumns = (n: number): PostingColumns => ({
  length: n,
  seq: new Float64Array(n),
  t: new Float64Array(n),
  from: new Int32Array(n),
  to: new Int32Array(n),
  amount: new Float64Array(n),
  cause: new Float64Array(n)
})

/** The first `n` rows of `p` as views of its columns (no copy): a reused buffer's rows for one chunk. */
export const firstPostings = (p: PostingColumns, n: number): PostingColumns => ({
  length: n,
  seq: p.seq.subarray(0, n),
  t: p.t.subarray(0, n),
  from: p.from.subarray(0, n),
  to: p.to.subarray(0, n),
  amount: p.amount.subarray(0, n),
  cause: p.cause.subarray(0, n)
})

/** One log from consecutive chunks from seq 0 (a column may be longer than its chunk's `length`). */
export const joinChunks = (chunks: ReadonlyArray<LogChunk>): EventLog => {
  if (chunks.length === 1) return { controls: chunks[0]!.controls, postings: chunks[0]!.postings }
  const total = chunks.reduce((a, c) => a + c.postings.length, 0)
  const out = newPostingColumns(total)
  const controls: Array<ControlEvent> = []
  let at = 0
  for (const c of chunks) {
    for (const e of c.controls) controls.push(e)
    const p = c.postings
    out.seq.set(p.seq.subarray(0, p.length), at)
    out.t.set(p.t.subarray(0, p.length), at)
    out.from.set(p.from.subarray(0, p.length), at)
    out.to.set(p.to.subarray(0, p.length), at)
    out.amount.set(p.amount.subarray(0, p.length), at)
    out.cause.set(p.cause.subarray(0, p.length), at)
    at += p.length
  }
  return { controls, postings: out }
}

