/**
 * The one scheduler: a binary min-heap of triggers keyed by (time, priority, rank, order).
 * `priority` orders what happens at one instant (releases before joins before grants, …);
 * `rank` is the locality's place in code-point order of ids (-1 for centre-wide triggers);
 * `order` (insertion count) makes the key total, so a run is deterministic.
 */
export interface Scheduled<T> {
  readonly t: number
  readonly priority: number
  readonly rank: number
  readonly order: number
  readonly trigger: T
}

const before = <T>(a: Scheduled<T>, b: Scheduled<T>): boolean =>
  a.t !== b.t ? a.t < b.t : a.priority !== b.priority ? a.priority < b.priority : a.rank !== b.rank ? a.rank < b.rank : a.order < b.order

export class Scheduler<T> {
  private readonly heap: Array<Scheduled<T>> = []
  private inserted = 0

  get size(): number {
    return this.heap.length
  }

  schedule(t: number, priority: number, rank: number, trigger: T): void {
    const h = this.heap
    h.push({ t, priority, rank, order: this.inserted++, trigger })
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i]!, h[p]!)) break
      ;[h[i], h[p]] = [h[p]!, h[i]!]
      i = p
    }
  }

  /** Removes and returns the earliest trigger, or undefined when none is left. */
  next(): Scheduled<T> | undefined {
    const h = this.heap
    const top = h[0]
    if (top === undefined) return undefined
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l]!, h[m]!)) m = l
        if (r < h.length && before(h[r]!, h[m]!)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m]!, h[i]!]
        i = m
      }
    }
    return top
  }
}
