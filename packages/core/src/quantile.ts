/**
 * The p-quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan
 * type 7, the default of R, NumPy and pandas): h = (n − 1)p, q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
 * One definition for the report's distributions and the analysis' bootstrap intervals.
 */
export const quantile = (sorted: ArrayLike<number>, p: number): number => {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const h = (n - 1) * p
  const lo = Math.floor(h)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}
