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
    const item: Scheduled<T> = { t, priority, rank, order: this.inserted++, trigger }
    // Sift up through a hole: each parent moves down once, the item is written once.
    let i = h.length
    h.push(item)
    while (i > 0) {
      const p = (i - 1) >> 1
      const parent = h[p]!
      if (!before(item, parent)) break
      h[i] = parent
      i = p
    }
    h[i] = item
  }

  /** Removes and returns the earliest trigger, or undefined when none is left. */
  next(): Scheduled<T> | undefined {
    const h = this.heap
    const top = h[0]
    if (top === undefined) return undefined
    const last = h.pop()!
    const n = h.length
    if (n > 0) {
      // Sift the last item down from the root through a hole.
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const r = l + 1
        const c = r < n && before(h[r]!, h[l]!) ? r : l
        if (!before(h[c]!, last)) break
        h[i] = h[c]!
        i = c
      }
      h[i] = last
    }
    return top
  }
}
