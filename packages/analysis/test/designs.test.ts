import { streamFor } from "@devosim/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { column, fullFactorial, latinHypercube, morrisTrajectories, saltelli, sobolSequence, SOBOL_MAX_DIMENSIONS, type Factor } from "../src/index.ts"

const rng = (purpose: string, seed = 1) => streamFor(seed, "analysis-test", purpose)

describe("fullFactorial", () => {
  it("given discrete levels and ranges, when crossed, then every combination appears once, last factor fastest", () => {
    const factors: Factor[] = [
      { name: "order", levels: [0, 1, 2] },
      { name: "capacity", low: 4, high: 12 },
      { name: "speed", levels: [10, 20] }
    ]
    const d = fullFactorial(factors, { levels: 3 })
    expect(d.n).toBe(3 * 3 * 2)
    expect(d.k).toBe(3)
    expect(Array.from(d.values.subarray(0, 9))).toEqual([0, 4, 10, 0, 4, 20, 0, 8, 10])
    expect(Array.from(d.values.subarray(17 * 3))).toEqual([2, 12, 20])
    const keys = new Set<string>()
    for (let e = 0; e < d.n; e++) keys.add(Array.from(d.values.subarray(e * 3, e * 3 + 3)).join(","))
    expect(keys.size).toBe(18)
  })

  it("counts are the product of the levels", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), (counts) => {
        const factors = counts.map((c, i) => ({ name: `f${i}`, levels: Array.from({ length: c }, (_, l) => l) }))
        expect(fullFactorial(factors).n).toBe(counts.reduce((a, b) => a * b, 1))
      })
    )
  })
})

describe("latinHypercube", () => {
  it("each stratum of each factor is hit exactly once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e6 }), (n, k, seed) => {
        const factors = Array.from({ length: k }, (_, j) => ({ name: `f${j}`, low: 0, high: 1 }))
        const d = latinHypercube(n, factors, rng("lhs", seed))
        for (let j = 0; j < k; j++) {
          const hits = new Uint8Array(n)
          for (const u of column(d, j, "unit")) hits[Math.floor(u * n)]!++
          expect(Array.from(hits)).toEqual(new Array(n).fill(1))
        }
      })
    )
  })

  it("the same seed gives the same design; another seed another", () => {
    const f = [{ name: "a", low: 10, high: 20 }, { name: "b", low: -1, high: 1 }]
    expect(latinHypercube(50, f, rng("lhs", 7)).values).toEqual(latinHypercube(50, f, rng("lhs", 7)).values)
    expect(latinHypercube(50, f, rng("lhs", 8)).values).not.toEqual(latinHypercube(50, f, rng("lhs", 7)).values)
    const d = latinHypercube(50, f, rng("lhs", 7))
    for (const v of column(d, 0)) expect(v >= 10 && v < 20).toBe(true)
  })
})

describe("sobolSequence", () => {
  it("matches the Joe–Kuo sequence's first points (SciPy's Sobol(d=2, scramble=False))", () => {
    expect(Array.from(sobolSequence(8, 2))).toEqual([0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75, 0.375, 0.375, 0.875, 0.875, 0.625, 0.125, 0.125, 0.625])
  })

  it("every dimension's first 2^m points are a (0, m)-net in one dimension: one point per interval of width 2^-m", () => {
    const m = 10
    const n = 2 ** m
    const d = SOBOL_MAX_DIMENSIONS
    const x = sobolSequence(n, d)
    for (let j = 0; j < d; j++) {
      const hits = new Uint8Array(n)
      for (let i = 0; i < n; i++) hits[Math.floor(x[i * d + j]! * n)]!++
      expect(hits.every((h) => h === 1)).toBe(true)
    }
  })

  it("a digital shift keeps the one-dimensional balance and depends on the seed", () => {
    const a = sobolSequence(256, 3, { rng: rng("shift", 1) })
    const b = sobolSequence(256, 3, { rng: rng("shift", 2) })
    expect(a).not.toEqual(b)
    const hits = new Uint8Array(256)
    for (let i = 0; i < 256; i++) hits[Math.floor(a[i * 3 + 2]! * 256)]!++
    expect(hits.every((h) => h === 1)).toBe(true)
  })

  it("asks for no more dimensions than its table holds", () => {
    expect(SOBOL_MAX_DIMENSIONS).toBeGreaterThanOrEqual(40)
    expect(() => sobolSequence(4, SOBOL_MAX_DIMENSIONS + 1)).toThrow(/direction numbers cover/)
  })
})

describe("saltelli", () => {
  it("has N × (k + 2) rows; A_B^i is A with column i from B", () => {
    const factors = [{ name: "a", low: 0, high: 1 }, { name: "b", low: 0, high: 1 }, { name: "c", low: 0, high: 1 }]
    const N = 16
    const k = 3
    const d = saltelli(N, factors)
    expect(d.n).toBe(N * (k + 2))
    for (let j = 0; j < N; j++) {
      const row = (r: number) => Array.from(d.unit.subarray((j * (k + 2) + r) * k, (j * (k + 2) + r + 1) * k))
      const A = row(0)
      const B = row(k + 1)
      for (let i = 0; i < k; i++) expect(row(1 + i)).toEqual(A.map((v, c) => (c === i ? B[c] : v)))
    }
  })
})

describe("morrisTrajectories", () => {
  it("each step moves one factor by ±Δ on the grid, and each factor moves once per trajectory", () => {
    const k = 4
    const p = 4
    const delta = p / (2 * (p - 1))
    const factors = Array.from({ length: k }, (_, j) => ({ name: `f${j}`, low: 0, high: 1 }))
    const d = morrisTrajectories(20, factors, p, rng("morris"))
    expect(d.n).toBe(20 * (k + 1))
    for (let t = 0; t < 20; t++) {
      const moved = new Set<number>()
      for (let s = 0; s < k; s++) {
        const a = d.unit.subarray((t * (k + 1) + s) * k, (t * (k + 1) + s + 1) * k)
        const b = d.unit.subarray((t * (k + 1) + s + 1) * k, (t * (k + 1) + s + 2) * k)
        const diff = Array.from(a).map((v, c) => b[c]! - v)
        const changed = diff.flatMap((v, c) => (Math.abs(v) > 1e-12 ? [c] : []))
        expect(changed.length).toBe(1)
        expect(Math.abs(diff[changed[0]!]!)).toBeCloseTo(delta, 12)
        moved.add(changed[0]!)
      }
      expect(moved.size).toBe(k)
      for (const u of d.unit.subarray(t * (k + 1) * k, (t + 1) * (k + 1) * k)) {
        expect(u).toBeGreaterThanOrEqual(0)
        expect(u).toBeLessThanOrEqual(1 + 1e-12)
        expect(Math.abs(u * (p - 1) - Math.round(u * (p - 1)))).toBeLessThan(1e-9)
      }
    }
  })
})
