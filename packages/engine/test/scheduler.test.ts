import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Scheduler } from "../src/scheduler.ts"

type Op = { readonly kind: "schedule"; readonly t: number; readonly priority: number; readonly rank: number } | { readonly kind: "next" }

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("schedule" as const), t: fc.integer({ min: 0, max: 6 }).map((x) => x / 2), priority: fc.integer({ min: 1, max: 3 }), rank: fc.integer({ min: -1, max: 3 }) }),
    fc.constant({ kind: "next" as const })
  ),
  { maxLength: 200 }
)

describe("Scheduler", () => {
  it("given any interleaving of schedules and takes, each take is the least pending (t, priority, rank, insertion order)", () => {
    fc.assert(
      fc.property(ops, (list) => {
        const s = new Scheduler<number>()
        const pending: Array<{ t: number; priority: number; rank: number; order: number }> = []
        let order = 0
        for (const op of list) {
          if (op.kind === "schedule") {
            s.schedule(op.t, op.priority, op.rank, order)
            pending.push({ t: op.t, priority: op.priority, rank: op.rank, order: order++ })
          } else {
            pending.sort((a, b) => a.t - b.t || a.priority - b.priority || a.rank - b.rank || a.order - b.order)
            const want = pending.shift()
            expect(s.next()).toBe(want?.order)
            if (want !== undefined) expect(s.at).toBe(want.t)
          }
          expect(s.size).toBe(pending.length)
        }
      }),
      { numRuns: 500 }
    )
  })
})
