import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { SeqBits } from "../src/seq-bits.ts"

describe("SeqBits", () => {
  it("holds exactly the seqs added, as a Set would, as it grows; a seq far beyond them is not held", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(100_000), fc.integer({ min: 0, max: 2 ** 40 })), { maxLength: 60 }), fc.array(fc.nat(100_000), { maxLength: 60 }), (added, probes) => {
        // A bit per seq up to the largest: seqs of up to 2^24 here.
        const small = added.filter((s) => s < 2 ** 24)
        const bits = new SeqBits()
        const set = new Set<number>()
        for (const s of small) {
          bits.add(s)
          set.add(s)
        }
        for (const s of [...probes, ...small, ...small.map((x) => x + 1)]) expect(bits.has(s)).toBe(set.has(s))
        expect(bits.has(2 ** 40)).toBe(false)
      }),
      { numRuns: 300 }
    )
  })
})
