/**
 * Every distribution's draws stay within its support, zero widths give the one value exactly, and
 * bounded normals and lognormals are truncated by rejection (MAX_REJECTIONS, then a clamp): the
 * rule `draw` documents.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { draw, MAX_REJECTIONS, streamFor, type Distribution, type RandomStream } from "../src/index.ts"

const WIDE: readonly [number, number] = [-Number.MAX_VALUE, Number.MAX_VALUE]
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })
const keyOf = fc.string({ minLength: 1, maxLength: 12 })

/** A stream that counts what it hands out, over a real one. */
const counted = (inner: RandomStream): RandomStream & { taken: number } => {
  const s = { taken: 0, next: () => (s.taken++, inner.next()) }
  return s
}

describe("uncertain input distributions", () => {
  it("uniform draws lie in [a, b]", () => {
    fc.assert(
      fc.property(finite, finite, fc.integer(), keyOf, (x, y, seed, key) => {
        const [a, b] = x <= y ? [x, y] : [y, x]
        const v = draw({ kind: "uniform", min: a, max: b }, streamFor(seed, "input", key), WIDE)
        expect(v).toBeGreaterThanOrEqual(a)
        expect(v).toBeLessThanOrEqual(b)
      })
    )
  })

  it("triangular draws lie in [min, max]", () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 3, maxLength: 3 }), fc.integer(), keyOf, (xs, seed, key) => {
        const [min, mode, max] = [...xs].sort((p, q) => p - q) as [number, number, number]
        const v = draw({ kind: "triangular", min, mode, max }, streamFor(seed, "input", key), WIDE)
        expect(v).toBeGreaterThanOrEqual(min)
        expect(v).toBeLessThanOrEqual(max)
      })
    )
  })

  it("discrete draws are one of the values, never a zero-weight one, and follow the weights", () => {
    const d: Distribution = { kind: "discrete", values: [10, 20, 30], weights: [1, 0, 3] }
    const counts = new Map<number, number>()
    for (let i = 0; i < 4000; i++) {
      const v = draw(d, streamFor(7, "input", `k${i}`), WIDE)
      counts.set(v, (counts.get(v) ?? 0) + 1)
    }
    expect([...counts.keys()].sort((p, q) => p - q)).toEqual([10, 30])
    // 1 : 3 within sampling error (sd of the share of 10 at n = 4000 is about 0.007)
    expect(Math.abs(counts.get(10)! / 4000 - 0.25)).toBeLessThan(0.03)
  })

  it("zero widths give the one value exactly", () => {
    fc.assert(
      // -0 aside: a uniform's min + 0 × u is +0 (the same number to every field).
      fc.property(finite.map((v) => (v === 0 ? 0 : v)), fc.integer(), keyOf, (x, seed, key) => {
        const rng = () => streamFor(seed, "input", key)
        expect(draw({ kind: "uniform", min: x, max: x }, rng(), WIDE)).toBe(x)
        expect(draw({ kind: "triangular", min: x, mode: x, max: x }, rng(), WIDE)).toBe(x)
        expect(draw({ kind: "discrete", values: [x], weights: [1] }, rng(), WIDE)).toBe(x)
        expect(draw({ kind: "normal", mean: x, sd: 0 }, rng(), WIDE)).toBe(x)
      })
    )
  })

  it("a bounded normal's draws lie within its bounds and are the unbounded draws that fell there (rejection, not clamping)", () => {
    const bounds = { min: 0, max: 1 }
    let atBound = 0
    for (let i = 0; i < 2000; i++) {
      const v = draw({ kind: "normal", mean: 0.2, sd: 1, ...bounds }, streamFor(3, "input", `n${i}`), WIDE)
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
      if (v === 0 || v === 1) atBound++
      // The accepted draw is one of the unbounded draws of the same stream, in turn.
      const raw = streamFor(3, "input", `n${i}`)
      let x = NaN
      for (let j = 0; j < MAX_REJECTIONS; j++) {
        x = draw({ kind: "normal", mean: 0.2, sd: 1 }, raw, WIDE)
        if (x >= 0 && x <= 1) break
      }
      expect(v).toBe(x)
    }
    // Clamping would put ~40% of draws exactly on 0 and ~21% on 1.
    expect(atBound).toBe(0)
  })

  it("a bounded lognormal's draws lie within its bounds", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), fc.integer(), keyOf, (median, sigma, seed, key) => {
        const min = median / 2
        const max = median * 2
        const v = draw({ kind: "lognormal", median, sigma, min, max }, streamFor(seed, "input", key), WIDE)
        expect(v).toBeGreaterThanOrEqual(min)
        expect(v).toBeLessThanOrEqual(max)
      })
    )
  })

  it("bounds no draw reaches are met by clamping the last of MAX_REJECTIONS draws", () => {
    const rng = counted(streamFor(1, "input", "far"))
    const v = draw({ kind: "normal", mean: 0, sd: 1, min: 50, max: 60 }, rng, WIDE)
    expect(v).toBe(50)
    expect(rng.taken).toBe(2 * MAX_REJECTIONS)
  })

  it("durations keep their cap: the default range is 0..MAX_TIME_MONTHS", () => {
    expect(draw({ kind: "normal", mean: -5, sd: 0 }, streamFor(1, "x", "y"))).toBe(0)
    expect(draw({ kind: "discrete", values: [-3], weights: [1] }, streamFor(1, "x", "y"), WIDE)).toBe(-3)
  })
})
