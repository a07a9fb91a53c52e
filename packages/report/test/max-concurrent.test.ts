import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { maxConcurrent } from "../src/negotiations.ts"

/** The most intervals [s, e) holding at one instant, by looking at every start. */
const byBruteForce = (pairs: ReadonlyArray<readonly [number, number]>): number => {
  let max = 0
  for (const [s, e] of pairs) {
    if (!(e > s)) continue
    const holding = pairs.filter(([a, b]) => b > a && a <= s && s < b).length
    if (holding > max) max = holding
  }
  return max
}

const time = fc.oneof(fc.integer({ min: 0, max: 8 }).map((x) => x / 2), fc.constant(Number.NaN))

describe("maxConcurrent", () => {
  it("equals the most half-open intervals holding at once (an end at t does not meet a start at t; empty ones never count)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(time, time), { maxLength: 40 }), (pairs) => {
        expect(maxConcurrent(Float64Array.from(pairs.flat()))).toBe(byBruteForce(pairs))
      }),
      { numRuns: 1000 }
    )
  })

  it("given back-to-back negotiations, counts one", () => {
    expect(maxConcurrent(Float64Array.from([0, 2, 2, 4, 4, 4]))).toBe(1)
  })
})
