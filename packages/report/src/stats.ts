/** Descriptive statistics of replications: plain, exact-as-floats. */
import { quantile } from "@devosim/core"

export interface Distribution {
  readonly n: number
  readonly mean: number
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly sd: number
  readonly min: number
  readonly q05: number
  readonly q50: number
  readonly q95: number
  readonly max: number
}

export const mean = (xs: ReadonlyArray<number>): number => {
  let s = 0
  for (const x of xs) s += x
  return xs.length === 0 ? Number.NaN : s / xs.length
}

export const sampleSd = (xs: ReadonlyArray<number>): number => {
  if (xs.length < 2) return 0
  const m = mean(xs)
  let s = 0
  for (const x of xs) s += (x - m) * (x - m)
  return Math.sqrt(s / (xs.length - 1))
}

export { quantile }

export const describe = (xs: ReadonlyArray<number>): Distribution => {
  const sorted = [...xs].sort((a, b) => a - b)
  return {
    n: xs.length,
    mean: mean(xs),
    sd: sampleSd(xs),
    min: sorted[0] ?? Number.NaN,
    q05: quantile(sorted, 0.05),
    q50: quantile(sorted, 0.5),
    q95: quantile(sorted, 0.95),
    max: sorted[sorted.length - 1] ?? Number.NaN
  }
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; the normal beyond. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042
]

/** A 95% confidence interval for the mean of paired differences (t interval). */
export const meanInterval95 = (xs: ReadonlyArray<number>): readonly [number, number] => {
  const n = xs.length
  const m = mean(xs)
  if (n < 2) return [m, m]
  const t = n - 1 <= 30 ? T975[n - 2]! : 1.96
  const half = (t * sampleSd(xs)) / Math.sqrt(n)
  return [m - half, m + half]
}
