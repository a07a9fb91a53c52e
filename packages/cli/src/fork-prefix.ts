/**
 * A fork's promise (DESIGN §6): its log's events before the fork point are the parent's, byte for
 * byte. Checked as the fork's log streams by, against the parent's log read alongside it, so
 * neither log is held whole (either may be larger than memory).
 */
import type { ControlEvent, LogChunk } from "@devosim/core"
import { canonicalJson } from "@devosim/store"

/** Where an event of a chunk is: control k, or posting k. */
type At = { readonly control: boolean; readonly k: number }

/** The events of a chunk in seq order, as (chunk, position) pairs. */
function* eventsOf(chunk: LogChunk): Generator<At> {
  const p = chunk.postings
  let i = 0
  for (let c = 0; c <= chunk.controls.length; c++) {
    const until = chunk.controls[c]?.seq ?? Number.POSITIVE_INFINITY
    for (; i < p.length && p.seq[i]! < until; i++) yield { control: false, k: i }
    if (c < chunk.controls.length) yield { control: true, k: c }
  }
}

export class SharedPrefix {
  /** Events before the fork point: the seq of the fork's first amended control event (or all its events, when it forks at the end). */
  shared = 0
  private parentChunk: LogChunk | undefined
  private parentAt: Iterator<At> | undefined
  private controlsSeen = 0
  private done = false

  private readonly parent: Iterator<LogChunk>
  private readonly forkControl: number

  /** `forkControl`: the index (among control events) of the fork's first amended event. */
  constructor(parent: Iterator<LogChunk>, forkControl: number) {
    this.parent = parent
    this.forkControl = forkControl
  }

  /** The fork's chunks, unchanged, each checked against the parent's events first; `mismatch()` is thrown on the first difference. */
  async *check(chunks: AsyncIterable<LogChunk> | Iterable<LogChunk>, mismatch: () => unknown): AsyncGenerator<LogChunk> {
    let total = 0
    for await (const chunk of chunks) {
      total = chunk.firstSeq + chunk.controls.length + chunk.postings.length
      if (!this.done) this.compare(chunk, mismatch)
      yield chunk
    }
    if (!this.done) this.shared = total
  }

  private compare(chunk: LogChunk, mismatch: () => unknown): void {
    for (const at of eventsOf(chunk)) {
      if (at.control && this.controlsSeen++ === this.forkControl) {
        this.shared = chunk.controls[at.k]!.seq
        this.done = true
        return
      }
      const theirs = this.nextParentEvent()
      if (theirs === undefined || !sameEvent(chunk, at, theirs.chunk, theirs.at)) throw mismatch()
    }
  }

  private nextParentEvent(): { chunk: LogChunk; at: At } | undefined {
    for (;;) {
      if (this.parentAt !== undefined && this.parentChunk !== undefined) {
        const r = this.parentAt.next()
        if (!r.done) return { chunk: this.parentChunk, at: r.value }
      }
      const next = this.parent.next()
      if (next.done) return undefined
      this.parentChunk = next.value
      this.parentAt = eventsOf(next.value)
    }
  }
}

const sameEvent = (a: LogChunk, x: At, b: LogChunk, y: At): boolean => {
  if (x.control !== y.control) return false
  if (x.control) return sameControl(a.controls[x.k]!, b.controls[y.k]!)
  const p = a.postings
  const q = b.postings
  return p.seq[x.k] === q.seq[y.k] && p.t[x.k] === q.t[y.k] && p.from[x.k] === q.from[y.k] && p.to[x.k] === q.to[y.k] && p.amount[x.k] === q.amount[y.k] && p.cause[x.k] === q.cause[y.k]
}

const sameControl = (c: ControlEvent, d: ControlEvent): boolean => c === d || canonicalJson(c) === canonicalJson(d)
