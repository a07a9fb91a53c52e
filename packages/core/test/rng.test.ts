/**
 * Drawn durations stay within MAX_TIME_MONTHS, the bound on any time a scenario may state: a
 * lognormal's tail is capped (the draw beyond it is the cap itself), every other draw is unchanged.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { draw, MAX_TIME_MONTHS, streamFor, type Distribution } from "../src/index.ts"

/** The lognormal draw without the cap, from the same two uniforms `draw` takes. */
const lognormalUncapped = (median: number, sigma: number, u1: number, u2: number): number => {
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)
  return median * Math.exp(sigma * z)
}

describe("draw", () => {
  it("a wide lognormal reaches the cap and never passes it; below it, draws are the lognormal's own", () => {
    const d: Distribution = { kind: "lognormal", median: 9, sigma: 10 }
    let capped = 0
    for (let i = 0; i < 2000; i++) {
      const x = draw(d, streamFor(1, `L${i}`, "negotiation-duration"))
      const u = streamFor(1, `L${i}`, "negotiation-duration")
      const raw = lognormalUncapped(9, 10, u.next(), u.next())
      expect(x).toBe(Math.min(raw, MAX_TIME_MONTHS))
      if (raw > MAX_TIME_MONTHS) capped++
    }
    expect(capped).toBeGreaterThan(100) // about 26% of draws exceed it at these parameters
  })

  it("the largest lognormal a file may state draws the cap, not millions of months", () => {
    const d: Distribution = { kind: "lognormal", median: MAX_TIME_MONTHS, sigma: 10 }
    const xs = Array.from({ length: 200 }, (_, i) => draw(d, streamFor(7, `L${i}`, "x")))
    expect(Math.max(...xs)).toBe(MAX_TIME_MONTHS)
  })

  it("a triangular of subnormal width draws 0, not a rounding error below it", () => {
    const d: Distribution = { kind: "triangular", min: 0, mode: 0, max: 1.5809927462607373e-162 }
    expect(draw(d, streamFor(-1418568721, "a_&{]", "p"))).toBe(0)
  })

  it("property: any distribution a file may state draws within 0..MAX_TIME_MONTHS", () => {
    const t = fc.double({ min: 0, max: MAX_TIME_MONTHS, noNaN: true })
    const distribution: fc.Arbitrary<Distribution> = fc.oneof(
      t.map((value) => ({ kind: "fixed" as const, value })),
      fc.tuple(t, t).map(([a, b]) => ({ kind: "uniform" as const, min: Math.min(a, b), max: Math.max(a, b) })),
      fc.tuple(t, t, t).map((xs) => [...xs].sort((a, b) => a - b)).map(([min, mode, max]) => ({ kind: "triangular" as const, min: min!, mode: mode!, max: max! })),
      fc.tuple(fc.double({ min: 1e-9, max: MAX_TIME_MONTHS, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true })).map(([median, sigma]) => ({ kind: "lognormal" as const, median, sigma }))
    )
    fc.assert(
      fc.property(distribution, fc.integer(), fc.string(), (d, seed, id) => {
        const x = draw(d, streamFor(seed, id, "p"))
        expect(x >= 0 && x <= MAX_TIME_MONTHS).toBe(true)
      }),
      { numRuns: 1000 }
    )
  })
})
