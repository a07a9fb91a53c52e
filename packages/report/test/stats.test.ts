import { describe as describeSample, meanInterval95, quantile } from "@devosim/report"
import { describe, expect, it } from "vitest"

describe("replication statistics, against a hand-checked case", () => {
  // Ten replications of a makespan: 12, 15, 11, 19, 14, 13, 17, 16, 10, 18 (sorted 10..19).
  const xs = [12, 15, 11, 19, 14, 13, 17, 16, 10, 18]

  it("mean, sample sd, min and max", () => {
    const d = describeSample(xs)
    expect(d.mean).toBe(14.5)
    // Σ(x − 14.5)² = 82.5; / 9 = 9.1666…; sqrt = 3.0276503540974917
    expect(d.sd).toBeCloseTo(3.0276503540974917, 14)
    expect([d.min, d.max, d.n]).toEqual([10, 19, 10])
  })

  it("quantiles by linear interpolation (type 7, as numpy.quantile)", () => {
    const d = describeSample(xs)
    // h = 9p: q05 at h = 0.45 → 10 + 0.45 = 10.45; q50 at 4.5 → 14.5; q95 at 8.55 → 18 + 0.55 = 18.55
    expect(d.q05).toBeCloseTo(10.45, 12)
    expect(d.q50).toBe(14.5)
    expect(d.q95).toBeCloseTo(18.55, 12)
    expect(quantile([7], 0.95)).toBe(7)
    expect(quantile([1, 3], 0.25)).toBe(1.5)
  })

  it("a 95% t interval for a mean difference", () => {
    // n = 10: t(9) = 2.262; half-width = 2.262 × 3.02765 / √10 = 2.16573…
    const [lo, hi] = meanInterval95(xs)
    expect(lo).toBeCloseTo(14.5 - 2.262 * (3.0276503540974917 / Math.sqrt(10)), 12)
    expect(hi - 14.5).toBeCloseTo(2.1657, 4)
    expect(meanInterval95([0, 0, 0])).toEqual([0, 0])
  })
})
