import { streamFor } from "@devosim/core"
import { describe, expect, it } from "vitest"
import { bisectionResult, bootstrapResamples, morrisEffects, morrisTrajectories, saltelli, sobolIndices, startBisection, stepBisection, switchingValue, tornado } from "../src/index.ts"

const rng = (purpose: string, seed = 1) => streamFor(seed, "analysis-test", purpose)

describe("sobolIndices on the Ishigami function (a = 7, b = 0.1, x_i ~ U(−π, π))", () => {
  const a = 7
  const b = 0.1
  const ishigami = (x1: number, x2: number, x3: number) => Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1)
  // Analytic indices (Ishigami & Homma 1990; Saltelli et al. 2008, §4.1).
  const V = a ** 2 / 8 + (b * Math.PI ** 4) / 5 + (b ** 2 * Math.PI ** 8) / 18 + 0.5
  const V1 = 0.5 * (1 + (b * Math.PI ** 4) / 5) ** 2
  const V2 = a ** 2 / 8
  const V13 = (b ** 2 * Math.PI ** 8 * 8) / 225 // b²π⁸ (1/18 − 1/50)
  const S1 = [V1 / V, V2 / V, 0]
  const ST = [(V1 + V13) / V, V2 / V, V13 / V]
  const factors = ["x1", "x2", "x3"].map((name) => ({ name, low: -Math.PI, high: Math.PI }))
  const N = 4096
  const k = 3
  const design = saltelli(N, factors)
  const Y = new Float64Array(design.n)
  for (let e = 0; e < design.n; e++) Y[e] = ishigami(design.values[e * 3]!, design.values[e * 3 + 1]!, design.values[e * 3 + 2]!)
  const result = sobolIndices(Y, N, k, { rng: rng("bootstrap"), resamples: 500 })

  it("the analytic values are the published ones", () => {
    expect(S1.map((s) => +s.toFixed(4))).toEqual([0.3139, 0.4424, 0])
    expect(ST.map((s) => +s.toFixed(4))).toEqual([0.5576, 0.4424, 0.2437])
  })

  it("first-order indices lie within their bootstrap intervals and near the analytic values", () => {
    for (let i = 0; i < k; i++) {
      const s = result.firstOrder[i]!
      expect(s.low).toBeLessThanOrEqual(S1[i]!)
      expect(s.high).toBeGreaterThanOrEqual(S1[i]!)
      expect(Math.abs(s.estimate - S1[i]!)).toBeLessThan(0.03)
      expect(s.high - s.low).toBeLessThan(0.15)
    }
  })

  it("total-order indices lie within their bootstrap intervals and near the analytic values", () => {
    for (let i = 0; i < k; i++) {
      const s = result.totalOrder[i]!
      expect(s.low).toBeLessThanOrEqual(ST[i]!)
      expect(s.high).toBeGreaterThanOrEqual(ST[i]!)
      expect(Math.abs(s.estimate - ST[i]!)).toBeLessThan(0.03)
    }
  })

  it("an outcome far from 0 (the function plus 10⁹, like NPV in pence) has the same indices: the estimator is centred", () => {
    const shifted = sobolIndices(Y.map((y) => y + 1e9), N, k, { rng: rng("bootstrap"), resamples: 500 })
    for (let i = 0; i < k; i++) {
      expect(Math.abs(shifted.firstOrder[i]!.estimate - result.firstOrder[i]!.estimate)).toBeLessThan(1e-4)
      expect(Math.abs(shifted.firstOrder[i]!.high - shifted.firstOrder[i]!.low - (result.firstOrder[i]!.high - result.firstOrder[i]!.low))).toBeLessThan(1e-3)
    }
    console.info(`Ishigami, N = ${N}: S1 ${result.firstOrder.map((s) => `${s.estimate.toFixed(4)} [${s.low.toFixed(4)}, ${s.high.toFixed(4)}]`).join(", ")}`)
  })

  it("the variance is the function's", () => {
    expect(Math.abs(result.variance - V) / V).toBeLessThan(0.03)
  })

  it("the same seed gives the same intervals", () => {
    const again = sobolIndices(Y, N, k, { rng: rng("bootstrap"), resamples: 500 })
    expect(again).toEqual(result)
  })

  it("resamples drawn once and passed in give what the same stream gives inside", () => {
    const bootstrap = bootstrapResamples(N, 500, rng("bootstrap"))
    expect(sobolIndices(Y, N, k, { bootstrap })).toEqual(result)
  })

  it("refuses outcomes of the wrong length", () => {
    expect(() => sobolIndices(new Float64Array(10), N, k, { rng: rng("x") })).toThrow(/N × \(k \+ 2\)/)
  })
})

describe("morrisEffects", () => {
  it("ranks a linear, a non-linear and an inert factor: inert μ* = 0, linear σ = 0, non-linear σ > 0", () => {
    // y = 3 x0 + 5 x1² + 0 x2 on ranges of different width: effects are per unit-cube step.
    const factors = [
      { name: "linear", low: 0, high: 2 },
      { name: "curved", low: 0, high: 1 },
      { name: "inert", low: -5, high: 5 }
    ]
    const d = morrisTrajectories(40, factors, 4, rng("morris"))
    const Y = new Float64Array(d.n)
    for (let e = 0; e < d.n; e++) Y[e] = 3 * d.values[e * 3]! + 5 * d.values[e * 3 + 1]! ** 2 + 0 * d.values[e * 3 + 2]!
    const [linear, curved, inert] = morrisEffects(d, Y) as [ReturnType<typeof morrisEffects>[0], ReturnType<typeof morrisEffects>[0], ReturnType<typeof morrisEffects>[0]]
    // 3 per unit of x0, and x0 spans 2: 6 per unit-cube step.
    expect(linear.muStar).toBeCloseTo(6, 9)
    expect(Math.abs(linear.mu)).toBeCloseTo(6, 9)
    expect(linear.sigma).toBeLessThan(1e-9)
    expect(curved.sigma).toBeGreaterThan(1)
    expect(inert.muStar).toBe(0)
    expect(inert.sigma).toBe(0)
    expect(linear.muStar).toBeGreaterThan(curved.muStar)
    expect(curved.muStar).toBeGreaterThan(inert.muStar)
  })
})

describe("tornado", () => {
  it("sorts bars by swing, longest first, ties in input order", () => {
    const { baseline, bars } = tornado(100, [90, 100, 40, 95], [110, 130, 120, 105])
    expect(baseline).toBe(100)
    expect(bars.map((b) => b.factor)).toEqual([2, 1, 0, 3])
    expect(bars.map((b) => b.swing)).toEqual([80, 30, 20, 10])
    expect(bars[0]).toEqual({ factor: 2, low: 40, high: 120, swing: 80 })
    expect(tornado(0, [1, -1], [-1, 1]).bars.map((b) => b.factor)).toEqual([0, 1])
  })
})

describe("switchingValue", () => {
  it("given an outcome crossing 0 at √2, when bisected to 1e-9, then it finds √2 in few evaluations", () => {
    let calls = 0
    const r = switchingValue((x) => (calls++, x * x - 2), 0, 4, 1e-9)
    expect(r.kind).toBe("crossing")
    if (r.kind !== "crossing") return
    expect(Math.abs(r.value - Math.SQRT2)).toBeLessThan(1e-9)
    expect(r.low).toBeLessThanOrEqual(Math.SQRT2)
    expect(r.high).toBeGreaterThanOrEqual(Math.SQRT2)
    expect(r.evaluations).toBe(calls)
    expect(calls).toBeLessThan(40)
  })

  it("works for a falling outcome and an exact zero at an end", () => {
    const r = switchingValue((x) => 10 - x, 0, 100, 1e-6)
    expect(r.kind === "crossing" && Math.abs(r.value - 10) < 1e-6).toBe(true)
    expect(switchingValue((x) => x - 3, 3, 5, 1e-6)).toEqual({ kind: "crossing", value: 3, low: 3, high: 3, evaluations: 2 })
  })

  it("reports no crossing when the signs at lo and hi agree", () => {
    expect(switchingValue((x) => x * x + 1, -2, 3, 1e-6)).toEqual({ kind: "no-crossing", atLow: 5, atHigh: 10, evaluations: 2 })
  })

  it("given a field of whole numbers, when bisected a step at a time, then it ends at the adjacent pair where the sign changes", () => {
    // NPV falling through 0 at 17.5 as the capacity rises from 4 to 46: integer midpoints only.
    const f = (x: number) => 17.5 - x
    let s = startBisection(4, 46, f(4), f(46), 0, Math.round)
    const asked: Array<number> = []
    while (s.next !== undefined) {
      asked.push(s.next)
      expect(Number.isInteger(s.next)).toBe(true)
      s = stepBisection(s, f(s.next))
    }
    expect(bisectionResult(s)).toEqual({ kind: "crossing", value: 17.5, low: 17, high: 18, evaluations: 2 + asked.length })
    expect(asked.length).toBeLessThanOrEqual(Math.ceil(Math.log2(42)))
  })
})
