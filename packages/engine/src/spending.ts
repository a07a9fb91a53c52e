import type { Scenario } from "@devosim/core"
import { shareOf } from "@devosim/core"

/**
 * Demand-led baselines: each (locality, agency) line has an annual amount for scenario year k
 * (compounded yearly by the agency's trend, rounded to the penny each year), spent in twelve
 * equal monthly parts by largest remainder (the first `annual mod 12` months carry one more penny).
 */
export class Baselines {
  readonly years: number
  private readonly agencies: number
  /** annual[(locality · agencies + agency) · years + k] in pence. */
  private readonly annual: Float64Array

  constructor(sc: Scenario) {
    const A = sc.agencies.length
    const Y = Math.max(1, Math.ceil(sc.months / 12))
    this.years = Y
    this.agencies = A
    this.annual = new Float64Array(sc.localities.length * A * Y)
    sc.localities.forEach((l, i) => {
      for (let a = 0; a < A; a++) {
        const trend = sc.agencies[a]!.trendBasisPoints
        let x = l.baseline[a] ?? 0
        for (let k = 0; k < Y; k++) {
          this.annual[(i * A + a) * Y + k] = x
          x += shareOf(x, trend)
        }
      }
    })
  }

  /** Baseline spend of a line in period m, in pence. */
  monthly(locality: number, agency: number, m: number): number {
    const k = Math.floor(m / 12)
    const a = this.annual[(locality * this.agencies + agency) * this.years + k]!
    const base = Math.floor(a / 12)
    return base + (m % 12 < a - base * 12 ? 1 : 0)
  }

  /** Baseline spend of a line over periods [from, to). */
  over(locality: number, agency: number, from: number, to: number): number {
    let s = 0
    for (let m = from; m < to; m++) s += this.monthly(locality, agency, m)
    return s
  }

  /** True when the line has any baseline at all. */
  has(locality: number, agency: number): boolean {
    return this.annual[(locality * this.agencies + agency) * this.years]! > 0
  }
}
