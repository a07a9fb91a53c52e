import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { splitLargestRemainder, splitLargestRemainderInto } from "../src/money.ts"

const into = (total: number, weights: ReadonlyArray<number>): Array<number> => {
  const out = new Float64Array(weights.length)
  splitLargestRemainderInto(total, weights, out, new Int32Array(weights.length))
  return Array.from(out)
}

describe("splitLargestRemainderInto", () => {
  it("is splitLargestRemainder exactly: small and huge totals and weights, equal weights (exact ties), near-ties", () => {
    const weight = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(1, 3, 7, 25725, 102900, 2 ** 52))
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: -(2 ** 45), max: 2 ** 45 }), fc.constantFrom(0, 1, 2 ** 40 - 1, 2 ** 40, Number.MAX_SAFE_INTEGER)),
        fc.array(weight, { minLength: 1, maxLength: 16 }).filter((w) => w.some((x) => x > 0) && Number.isSafeInteger(w.reduce((a, b) => a + b, 0))),
        fc.boolean(),
        (total, weights, repeat) => {
          const w = repeat ? [...weights, ...weights] : weights
          expect(into(total, w)).toEqual(splitLargestRemainder(total, w).map((x) => x || 0))
        }
      ),
      { numRuns: 20000 }
    )
  })

  it("given 1,350p over weights 1 : 2 : 1, then 338, 675, 337 (the odd penny to the first tied remainder)", () => {
    expect(into(1350, [30_000, 60_000, 30_000])).toEqual([338, 675, 337])
    expect(into(-1350, [1, 2, 1])).toEqual([-338, -675, -337])
  })
})
