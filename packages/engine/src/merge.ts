import { firstPostings, newPostingColumns, type ControlEvent, type LogChunk, type PostingColumns } from "@devosim/core/model"
import type { CentreDecisions } from "./centre.ts"
import type { ShardPostings } from "./localities.ts"

/**
 * Puts the centre's control events and the shards' postings into the log's one order, window by
 * window: each control event, then (for a slot) every shard's postings for it in locality order.
 * Seqs count every event before, so they are only known here; a posting's cause (a control index
 * in the shards) becomes that control event's seq. The result does not depend on how the
 * localities were split into shards or in which order the shards finished.
 */
export class LogAssembler {
  private readonly controls: ReadonlyArray<ControlEvent>
  private readonly controlLocalities: Int32Array | undefined
  private readonly slots: CentreDecisions["slots"]
  /** Final seq of each control event merged so far. */
  readonly controlSeq: Float64Array
  private nextControl = 0
  private nextSlot = 0
  private nextSeq = 0
  /** With `reuseBuffers`: the merged columns, grown as needed; each chunk's are views of them. */
  private readonly reuse: boolean
  private pool = newPostingColumns(0)

  /**
   * `reuseBuffers`: every chunk's posting columns are views of the same arrays, overwritten by the
   * next merge, for a consumer that is done with a chunk before it asks for the next (a run's
   * writer): its memory stays that of the largest window instead of waiting for the collector.
   */
  constructor(decisions: Pick<CentreDecisions, "controls" | "slots"> & Partial<Pick<CentreDecisions, "controlLocalities">>, options: { readonly reuseBuffers?: boolean } = {}) {
    this.controls = decisions.controls
    this.controlLocalities = decisions.controlLocalities
    this.slots = decisions.slots
    this.controlSeq = new Float64Array(decisions.controls.length)
    this.reuse = options.reuseBuffers ?? false
  }

  /** `n` rows of each merged column: fresh, or views of the pool (grown by a quarter when short). */
  private columns(n: number): PostingColumns {
    if (!this.reuse) return newPostingColumns(n)
    if (this.pool.length < n) this.pool = newPostingColumns(Math.ceil(n * 1.25))
    return firstPostings(this.pool, n)
  }

  /** Events merged so far (= the next seq). */
  get events(): number {
    return this.nextSeq
  }

  /**
   * The chunk that ends with slots [slotFrom, slotTo)'s postings: every control event up to the
   * last slot's, and the postings of the shards (any order; together they cover every locality
   * once, as consecutive ranges).
   */
  merge(slotFrom: number, slotTo: number, shards: ReadonlyArray<ShardPostings>): LogChunk {
    if (slotFrom !== this.nextSlot) throw new Error(`merge expected slot ${this.nextSlot}, given ${slotFrom}`)
    const ordered = [...shards].sort((a, b) => a.firstLocality - b.firstLocality)
    const lastControl = slotTo > slotFrom ? this.slots[slotTo - 1]!.control : this.nextControl - 1
    let postings = 0
    for (const s of ordered) {
      if (s.counts.length !== slotTo - slotFrom) throw new Error(`shard at ${s.firstLocality} posted ${s.counts.length} slots, expected ${slotTo - slotFrom}`)
      postings += s.from.length
    }
    const firstSeq = this.nextSeq
    const firstControl = this.nextControl
    const controls: Array<ControlEvent> = []
    const merged = this.columns(postings)
    const { seq, t, cause } = merged
    // One shard's columns are already in the log's order: taken as they are, not copied.
    const single = ordered.length === 1 ? ordered[0]! : null
    const from = single?.from ?? merged.from
    const to = single?.to ?? merged.to
    const amount = single?.amount ?? merged.amount
    // Where each shard's next posting is in its own columns.
    const read = new Int32Array(ordered.length)
    let j = 0
    let slot = slotFrom
    for (; this.nextControl <= lastControl; this.nextControl++) {
      const c = this.nextControl
      const e = this.controls[c]!
      this.controlSeq[c] = this.nextSeq
      controls.push(e.seq === this.nextSeq ? e : { ...e, seq: this.nextSeq })
      this.nextSeq++
      if (slot >= slotTo || this.slots[slot]!.control !== c) continue
      const at = this.slots[slot]!.t
      const controlSeq = this.controlSeq
      for (let k = 0; k < ordered.length; k++) {
        const s = ordered[k]!
        const n = s.counts[slot - slotFrom]!
        const r = read[k]!
        if (single === null) {
          from.set(s.from.subarray(r, r + n), j)
          to.set(s.to.subarray(r, r + n), j)
          amount.set(s.amount.subarray(r, r + n), j)
        }
        const causes = s.cause
        const s0 = this.nextSeq - j
        for (let x = j, y = r; x < j + n; x++, y++) {
          seq[x] = s0 + x
          cause[x] = controlSeq[causes[y]!]!
        }
        t.fill(at, j, j + n)
        j += n
        this.nextSeq += n
        read[k] = r + n
      }
      slot++
    }
    if (slot !== slotTo) throw new Error(`merge: slots ${slot}..${slotTo - 1} have no control event`)
    this.nextSlot = slotTo
    return { firstSeq, controls, postings: { length: postings, seq, t, from, to, amount, cause }, ...this.localitiesOf(firstControl) }
  }

  /** The control events after the last slot (a run may end with negotiations after its last period). */
  rest(): LogChunk {
    const firstSeq = this.nextSeq
    const firstControl = this.nextControl
    const controls: Array<ControlEvent> = []
    for (; this.nextControl < this.controls.length; this.nextControl++) {
      const e = this.controls[this.nextControl]!
      this.controlSeq[this.nextControl] = this.nextSeq
      controls.push(e.seq === this.nextSeq ? e : { ...e, seq: this.nextSeq })
      this.nextSeq++
    }
    return { firstSeq, controls, postings: newPostingColumns(0), ...this.localitiesOf(firstControl) }
  }

  /** The chunk's hint of its control events' localities (control events [from, nextControl)). */
  private localitiesOf(from: number): { readonly localities?: Int32Array } {
    return this.controlLocalities === undefined ? {} : { localities: this.controlLocalities.subarray(from, this.nextControl) }
  }
}
