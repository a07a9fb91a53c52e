/**
 * The one scheduler: a binary min-heap of triggers keyed by (time, priority, rank, order).
 * `priority` orders what happens at one instant (releases before joins before grants, …);
 * `rank` is the locality's place in code-point order of ids (-1 for centre-wide triggers);
 * `order` (insertion count) makes the key total, so a run is deterministic.
 *
 * The keys live in typed arrays by slot (a heap entry is a slot number), so scheduling allocates
 * nothing but the trigger itself: a queue of 100,000 localities holds its joins from the start,
 * and a wrapper object per entry lived long enough to be copied by every young-generation GC.
 */
import { lengthened } from "@devosim/core/model"

export class Scheduler<T> {
  private t = new Float64Array(64)
  private priority = new Int32Array(64)
  private rank = new Int32Array(64)
  private order = new Float64Array(64)
  private triggers: Array<T | undefined> = []
  /** Slots of the heap, in heap order. */
  private heap = new Int32Array(64)
  private n = 0
  /** Slots free for reuse (taken triggers'). */
  private free: Array<number> = []
  private slots = 0
  private inserted = 0
  /** The time of the trigger `next` returned last. */
  at = Number.NaN

  get size(): number {
    return this.n
  }

  private before(a: number, b: number): boolean {
    const ta = this.t[a]!
    const tb = this.t[b]!
    if (ta !== tb) return ta < tb
    const pa = this.priority[a]!
    const pb = this.priority[b]!
    if (pa !== pb) return pa < pb
    const ra = this.rank[a]!
    const rb = this.rank[b]!
    return ra !== rb ? ra < rb : this.order[a]! < this.order[b]!
  }

  private slot(): number {
    const reused = this.free.pop()
    if (reused !== undefined) return reused
    const s = this.slots++
    if (s === this.t.length) {
      const n = 2 * s
      this.t = lengthened(this.t, n)
      this.priority = lengthened(this.priority, n)
      this.rank = lengthened(this.rank, n)
      this.order = lengthened(this.order, n)
      this.heap = lengthened(this.heap, n)
    }
    return s
  }

  schedule(t: number, priority: number, rank: number, trigger: T): void {
    const s = this.slot()
    this.t[s] = t
    this.priority[s] = priority
    this.rank[s] = rank
    this.order[s] = this.inserted++
    this.triggers[s] = trigger
    // Sift up through a hole: each parent moves down once, the slot is written once.
    const h = this.heap
    let i = this.n++
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = h[p]!
      if (!this.before(s, parent)) break
      h[i] = parent
      i = p
    }
    h[i] = s
  }

  /** Removes and returns the earliest trigger (its time in `at`), or undefined when none is left. */
  next(): T | undefined {
    if (this.n === 0) return undefined
    const h = this.heap
    const top = h[0]!
    const last = h[--this.n]!
    const n = this.n
    if (n > 0) {
      // Sift the last slot down from the root through a hole.
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && this.before(h[r]!, h[l]!) ? r : l
        if (!this.before(h[c]!, last)) break
        h[i] = h[c]!
        i = c
      }
      h[i] = last
    }
    this.at = this.t[top]!
    const trigger = this.triggers[top] as T
    this.triggers[top] = undefined
    this.free.push(top)
    return trigger
  }
}
