import { streamFor } from "@devosim/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { column, latinHypercube, parseCondition, prim } from "../src/index.ts"

describe("prim on a planted box", () => {
  // 4000 uniform points in [0, 1]^4; the cases of interest are exactly those with
  // 0.2 ≤ x0 ≤ 0.6 and x2 ≥ 0.5 (x1 and x3 are irrelevant).
  const n = 4000
  const factors = ["x0", "x1", "x2", "x3"].map((name) => ({ name, low: 0, high: 1 }))
  const d = latinHypercube(n, factors, streamFor(3, "analysis-test", "prim"))
  const X = factors.map((_, j) => column(d, j))
  const y = new Uint8Array(n)
  for (let e = 0; e < n; e++) y[e] = X[0]![e]! >= 0.2 && X[0]![e]! <= 0.6 && X[2]![e]! >= 0.5 ? 1 : 0
  const result = prim(X, y, { peelAlpha: 0.05, pasteAlpha: 0.01, minSupport: 0.05, densityThreshold: 0.9, names: factors.map((f) => f.name) })

  it("recovers the box's restricted dimensions and ranges within 0.03", () => {
    expect(result.restrictions.map((r) => r.name)).toEqual(["x0", "x2"])
    const [x0, x2] = result.restrictions as [(typeof result.restrictions)[0], (typeof result.restrictions)[0]]
    expect(Math.abs(x0.lower - 0.2)).toBeLessThan(0.03)
    expect(Math.abs(x0.upper - 0.6)).toBeLessThan(0.03)
    expect(Math.abs(x2.lower - 0.5)).toBeLessThan(0.03)
    expect(x2.restrictsUpper).toBe(false)
    expect(result.chosen.density).toBeGreaterThanOrEqual(0.9)
    expect(result.chosen.coverage).toBeGreaterThan(0.9)
  })

  it("the trajectory starts at all the data and peels towards smaller, denser boxes", () => {
    const t = result.trajectory
    expect(t[0]).toMatchObject({ coverage: 1, mass: 1, count: n })
    expect(t[0]!.density).toBeCloseTo(0.4 * 0.5, 1)
    for (let s = 1; s < t.length; s++) {
      expect(t[s]!.count).toBeLessThan(t[s - 1]!.count)
      expect(t[s]!.coverage).toBeLessThanOrEqual(t[s - 1]!.coverage)
    }
    expect(t[t.length - 1]!.mass).toBeGreaterThanOrEqual(0.05)
    expect(result.chosenStep).toBe(t.findIndex((s) => s.density >= 0.9))
    // Pasting widens the chosen box only while that raises density.
    expect(result.chosen.density).toBeGreaterThanOrEqual(t[result.chosenStep]!.density)
    expect(result.chosen.count).toBeGreaterThanOrEqual(t[result.chosenStep]!.count)
  })

  it("finds the box from a parsed condition over outcome columns", () => {
    const parsed = parseCondition("npv_pence < 0 and coverage_50 > 36", ["npv_pence", "coverage_50"])
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    // npv < 0 where x0 is high; coverage late where x1 is low.
    const npv = X[0]!.map((v) => (v > 0.7 ? -1 : 1))
    const coverage = X[1]!.map((v) => (v < 0.4 ? 40 : 30))
    const hit = parsed.condition.evaluate({ npv_pence: npv, coverage_50: coverage })
    const r = prim(X, hit, { densityThreshold: 0.9, names: ["x0", "x1", "x2", "x3"] })
    expect(r.restrictions.map((x) => x.name)).toEqual(["x0", "x1"])
    expect(Math.abs(r.restrictions[0]!.lower - 0.7)).toBeLessThan(0.03)
    expect(Math.abs(r.restrictions[1]!.upper - 0.4)).toBeLessThan(0.03)
  })
})

describe("prim's trajectory", () => {
  it("each step's figures are a recount of its box, each peel removes at least peelAlpha of the box, and the last keeps minSupport", () => {
    // Few distinct values, so ties at the peeled bounds are common.
    const data = fc.integer({ min: 40, max: 300 }).chain((n) =>
      fc.record({
        cols: fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }),
        y: fc.array(fc.boolean(), { minLength: n, maxLength: n })
      })
    )
    fc.assert(
      fc.property(data, ({ cols, y }) => {
        const X = cols.map((c) => Float64Array.from(c))
        const n = y.length
        const r = prim(X, y, { peelAlpha: 0.1, minSupport: 0.1 })
        const hits = y.filter(Boolean).length
        let previous = n
        for (const [s, step] of r.trajectory.entries()) {
          let count = 0
          let inHits = 0
          for (let e = 0; e < n; e++) {
            if (X.every((c, j) => c[e]! >= step.box.lower[j]! && c[e]! <= step.box.upper[j]!)) {
              count++
              if (y[e]) inHits++
            }
          }
          expect(step.count).toBe(count)
          expect(step.density).toBe(count === 0 ? 0 : inHits / count)
          expect(step.coverage).toBe(hits === 0 ? 0 : inHits / hits)
          if (s > 0) expect(previous - count).toBeGreaterThanOrEqual(Math.ceil(0.1 * previous))
          expect(count).toBeGreaterThanOrEqual(Math.ceil(0.1 * n))
          previous = count
        }
      }),
      { numRuns: 200 }
    )
  })
})

describe("parseCondition", () => {
  const cols = { a: new Float64Array([0, 1, 2, 3]), b: new Float64Array([5, 1, 0, -1]), npv_pence: new Float64Array([-1, 0, 1, 2]) }
  const rows = (text: string) => {
    const r = parseCondition(text)
    if (!r.ok) throw new Error(r.message)
    return Array.from(r.condition.evaluate(cols))
  }

  it("reads comparisons, and/or/not with and binding tighter, parentheses and a number on the left", () => {
    expect(rows("npv_pence < 0")).toEqual([1, 0, 0, 0])
    expect(rows("a >= 1 and b < 2")).toEqual([0, 1, 1, 1])
    expect(rows("a == 0 or a == 3 and b < 0")).toEqual([1, 0, 0, 1])
    expect(rows("(a == 0 or a == 3) and b < 0")).toEqual([0, 0, 0, 1])
    expect(rows("not a != 2")).toEqual([0, 0, 1, 0])
    expect(rows("0 > npv_pence")).toEqual([1, 0, 0, 0])
    expect(rows("a <= -0.5e1 OR b > 4.5")).toEqual([1, 0, 0, 0])
    const r = parseCondition("a < 1 and b >= 2 or a < 0")
    expect(r.ok && r.condition.columns).toEqual(["a", "b"])
  })

  it("names the column of anything it cannot read", () => {
    expect(parseCondition("npv_pence = 0")).toEqual({ ok: false, column: 11, message: "column 11: found '=': a comparison is <, <=, >, >=, == or !=" })
    expect(parseCondition("a < b")).toEqual({ ok: false, column: 5, message: "column 5: expected a number after '<', found 'b'" })
    expect(parseCondition("a < 1 and")).toEqual({ ok: false, column: 10, message: "column 10: expected an outcome name or a number, found the end of the condition" })
    expect(parseCondition("a 1")).toEqual({ ok: false, column: 3, message: "column 3: expected a comparison (<, <=, >, >=, ==, !=), found 1" })
    expect(parseCondition("(a < 1")).toEqual({ ok: false, column: 7, message: "column 7: expected ')', found the end of the condition" })
    expect(parseCondition("a < 1; rm")).toEqual({ ok: false, column: 6, message: "column 6: unexpected character ';'" })
    expect(parseCondition("a < 1 b > 2")).toEqual({ ok: false, column: 7, message: "column 7: expected 'and', 'or' or the end, found 'b'" })
    expect(parseCondition("")).toEqual({ ok: false, column: 1, message: "column 1: expected an outcome name or a number, found the end of the condition" })
  })

  it("with the outcomes named, an unknown one is an error listing them; evaluate checks its columns", () => {
    expect(parseCondition("npv < 0", ["npv_pence", "coverage_50"])).toEqual({
      ok: false,
      column: 1,
      message: "column 1: unknown outcome 'npv'; the outcomes are npv_pence, coverage_50"
    })
    const r = parseCondition("zzz > 1")
    expect(r.ok).toBe(true)
    if (r.ok) expect(() => r.condition.evaluate(cols)).toThrow(/no outcome column 'zzz'/)
  })
})
