import { quantile, type RandomStream } from "@devosim/core"
import { type Design, randomIndex } from "./factors.ts"

/** An estimate with its bootstrap interval. */
export interface Interval {
  readonly estimate: number
  readonly low: number
  readonly high: number
}

export interface SobolIndices {
  /** First-order index per factor (Saltelli et al. 2010, eq. (b)). */
  readonly firstOrder: readonly Interval[]
  /** Total-order index per factor (Jansen 1999). */
  readonly totalOrder: readonly Interval[]
  /** Variance of the outcome over A and B together. */
  readonly variance: number
}

/** Sums over base points `idx` (or 0..N-1) into first/total numerators and the variance of A ∪ B. */
const sobolPass = (Y: Float64Array, N: number, k: number, idx: Int32Array | undefined, first: Float64Array, total: Float64Array): number => {
  const rows = k + 2
  first.fill(0)
  total.fill(0)
  // The variance in two passes (mean, then squared deviations): E[y²] − E[y]² cancels to noise, or
  // below 0, when the outcome is large and nearly constant (NPV in pence).
  let sum = 0
  for (let q = 0; q < N; q++) {
    const base = (idx ? idx[q]! : q) * rows
    sum += Y[base]! + Y[base + k + 1]!
  }
  const mean = sum / (2 * N)
  let squares = 0
  for (let q = 0; q < N; q++) {
    const j = idx ? idx[q]! : q
    const base = j * rows
    const fA = Y[base]!
    const fB = Y[base + k + 1]!
    squares += (fA - mean) * (fA - mean) + (fB - mean) * (fB - mean)
    for (let i = 0; i < k; i++) {
      const fAB = Y[base + 1 + i]!
      // fB centred (SALib centres Y too): E[fAB − fA] = 0, so the estimate is the same in
      // expectation, but an outcome far from 0 (NPV in pence) no longer swamps it with noise.
      first[i] = first[i]! + (fB - mean) * (fAB - fA)
      total[i] = total[i]! + (fA - fAB) * (fA - fAB)
    }
  }
  const variance = squares / (2 * N)
  for (let i = 0; i < k; i++) {
    first[i] = first[i]! / N / variance
    total[i] = total[i]! / (2 * N) / variance
  }
  return variance
}

/**
 * Bootstrap resamples of N base points: B rows of N indices drawn with replacement from `rng`,
 * row-major. Drawing them once and passing them to `sobolIndices` for every outcome of a sweep
 * costs the draws once (they are most of the estimator's time) and resamples outcomes jointly.
 */
export const bootstrapResamples = (N: number, B: number, rng: RandomStream): Int32Array => {
  const idx = new Int32Array(N * B)
  for (let q = 0; q < idx.length; q++) idx[q] = randomIndex(rng, N)
  return idx
}

export type SobolOptions = { readonly confidence?: number } & (
  | { readonly rng: RandomStream; readonly resamples?: number }
  | { readonly bootstrap: Int32Array }
)

/**
 * Sobol first- and total-order indices from outcomes Y of a `saltelli` design (N base points, k
 * factors, rows in its order). Intervals: percentile bootstrap over the N base points (the same
 * resample for every factor): `resamples` (1000) resamples drawn from `rng`, or the given
 * `bootstrap` (from `bootstrapResamples`), at `confidence` (0.95).
 * A constant outcome has no variance to apportion: every index is NaN.
 */
export const sobolIndices = (Y: Float64Array, N: number, k: number, options: SobolOptions): SobolIndices => {
  if (Y.length !== N * (k + 2)) throw new RangeError(`sobolIndices: expected N × (k + 2) = ${N * (k + 2)} outcomes, found ${Y.length}`)
  const all = "bootstrap" in options ? options.bootstrap : bootstrapResamples(N, options.resamples ?? 1000, options.rng)
  if (all.length % N !== 0) throw new RangeError(`sobolIndices: bootstrap indices come in rows of N = ${N}; found ${all.length}`)
  const B = all.length / N
  const alpha = (1 - (options.confidence ?? 0.95)) / 2
  const first = new Float64Array(k)
  const total = new Float64Array(k)
  const variance = sobolPass(Y, N, k, undefined, first, total)
  const bootFirst = Array.from({ length: k }, () => new Float64Array(B))
  const bootTotal = Array.from({ length: k }, () => new Float64Array(B))
  const f = new Float64Array(k)
  const t = new Float64Array(k)
  for (let b = 0; b < B; b++) {
    sobolPass(Y, N, k, all.subarray(b * N, (b + 1) * N), f, t)
    for (let i = 0; i < k; i++) {
      bootFirst[i]![b] = f[i]!
      bootTotal[i]![b] = t[i]!
    }
  }
  const interval = (estimate: number, boot: Float64Array): Interval => {
    if (B === 0) return { estimate, low: NaN, high: NaN }
    boot.sort()
    return { estimate, low: quantile(boot, alpha), high: quantile(boot, 1 - alpha) }
  }
  return {
    firstOrder: Array.from({ length: k }, (_, i) => interval(first[i]!, bootFirst[i]!)),
    totalOrder: Array.from({ length: k }, (_, i) => interval(total[i]!, bootTotal[i]!)),
    variance
  }
}

export interface MorrisEffect {
  /** Mean elementary effect (signed: effects of opposite sign cancel). */
  readonly mu: number
  /** Mean absolute elementary effect (Campolongo et al. 2007): the importance ranking. */
  readonly muStar: number
  /** Standard deviation of the elementary effects (n − 1): non-linearity or interaction. */
  readonly sigma: number
}

/**
 * Morris μ, μ*, σ per factor from outcomes Y of a `morrisTrajectories` design. An elementary effect
 * is Δy over the step in the unit cube, so effects compare across factors whatever their units.
 */
export const morrisEffects = (design: Design, Y: Float64Array): readonly MorrisEffect[] => {
  const { k, unit } = design
  const r = design.n / (k + 1)
  if (Y.length !== design.n) throw new RangeError(`morrisEffects: expected ${design.n} outcomes, found ${Y.length}`)
  const sum = new Float64Array(k)
  const sumAbs = new Float64Array(k)
  const effects = Array.from({ length: k }, () => new Float64Array(r))
  for (let t = 0; t < r; t++) {
    for (let s = 0; s < k; s++) {
      const prev = (t * (k + 1) + s) * k
      const next = prev + k
      // The one factor that moved between these rows.
      let j = 0
      while (j < k && unit[next + j] === unit[prev + j]) j++
      if (j === k) throw new RangeError(`morrisEffects: rows ${t * (k + 1) + s} and ${t * (k + 1) + s + 1} do not differ; not a Morris design`)
      const ee = (Y[t * (k + 1) + s + 1]! - Y[t * (k + 1) + s]!) / (unit[next + j]! - unit[prev + j]!)
      effects[j]![t] = ee
      sum[j] = sum[j]! + ee
      sumAbs[j] = sumAbs[j]! + Math.abs(ee)
    }
  }
  return Array.from({ length: k }, (_, j) => {
    const mu = sum[j]! / r
    let ss = 0
    for (let t = 0; t < r; t++) ss += (effects[j]![t]! - mu) ** 2
    return { mu, muStar: sumAbs[j]! / r, sigma: r > 1 ? Math.sqrt(ss / (r - 1)) : 0 }
  })
}

export interface TornadoBar {
  /** The factor's position in the inputs. */
  readonly factor: number
  /** Outcome with the factor at its low / high value, the others at baseline. */
  readonly low: number
  readonly high: number
  /** |high − low|: the bar's length, the sort key. */
  readonly swing: number
}

/**
 * One-factor-at-a-time swings, longest first (ties keep input order, so the chart is stable).
 * lows[i] / highs[i] are the outcome with factor i at its low / high; the baseline is where the
 * bars meet, returned for the chart.
 */
export const tornado = (baseline: number, lows: ArrayLike<number>, highs: ArrayLike<number>): { readonly baseline: number; readonly bars: readonly TornadoBar[] } => {
  if (lows.length !== highs.length) throw new RangeError(`tornado: ${lows.length} lows but ${highs.length} highs`)
  const bars: TornadoBar[] = []
  for (let i = 0; i < lows.length; i++) bars.push({ factor: i, low: lows[i]!, high: highs[i]!, swing: Math.abs(highs[i]! - lows[i]!) })
  bars.sort((a, b) => b.swing - a.swing || a.factor - b.factor)
  return { baseline, bars }
}

export type SwitchingValue =
  | { readonly kind: "crossing"; readonly value: number; readonly low: number; readonly high: number; readonly evaluations: number }
  | { readonly kind: "no-crossing"; readonly atLow: number; readonly atHigh: number; readonly evaluations: number }

/**
 * A bisection for a switching value, one evaluation at a time, so a caller can make each
 * evaluation a batch of runs (a sweep bisects every factor in step, each step one batch).
 * `next` is the point to evaluate next, or undefined when the bracket is narrower than `tol`, or
 * `grain` (how the factor's field holds values, e.g. whole numbers) leaves no point inside it.
 */
export interface Bisection {
  readonly a: number
  readonly b: number
  readonly fa: number
  readonly fb: number
  readonly evaluations: number
  readonly tol: number
  readonly grain: (x: number) => number
  readonly next: number | undefined
  /** A point where the outcome was exactly 0. */
  readonly zero: number | undefined
}

const nextPoint = (a: number, b: number, tol: number, grain: (x: number) => number): number | undefined => {
  if (!(Math.abs(b - a) > tol)) return undefined
  const m = grain(a + (b - a) / 2)
  return m > Math.min(a, b) && m < Math.max(a, b) ? m : undefined
}

/** Starts from the outcome at both ends; signs agreeing (or NaN) at both: nothing to bisect (`next` undefined). */
export const startBisection = (lo: number, hi: number, fLo: number, fHi: number, tol: number, grain: (x: number) => number = (x) => x): Bisection => {
  const zero = fLo === 0 ? lo : fHi === 0 ? hi : undefined
  const brackets = zero === undefined && !Number.isNaN(fLo) && !Number.isNaN(fHi) && Math.sign(fLo) !== Math.sign(fHi)
  return { a: lo, b: hi, fa: fLo, fb: fHi, evaluations: 2, tol, grain, zero, next: brackets ? nextPoint(lo, hi, tol, grain) : undefined }
}

/** The bisection after evaluating `next` to `f`. */
export const stepBisection = (s: Bisection, f: number): Bisection => {
  const m = s.next
  if (m === undefined) return s
  const evaluations = s.evaluations + 1
  if (f === 0) return { ...s, evaluations, zero: m, next: undefined }
  // NaN at a midpoint: no sign to narrow by, so the bracket stands.
  if (Number.isNaN(f)) return { ...s, evaluations, next: undefined }
  const narrowed = Math.sign(f) === Math.sign(s.fa) ? { ...s, a: m, fa: f } : { ...s, b: m, fb: f }
  return { ...narrowed, evaluations, next: nextPoint(narrowed.a, narrowed.b, s.tol, s.grain) }
}

/** What a finished bisection found. */
export const bisectionResult = (s: Bisection): SwitchingValue => {
  if (s.zero !== undefined) return { kind: "crossing", value: s.zero, low: s.zero, high: s.zero, evaluations: s.evaluations }
  if (Number.isNaN(s.fa) || Number.isNaN(s.fb) || Math.sign(s.fa) === Math.sign(s.fb)) return { kind: "no-crossing", atLow: s.fa, atHigh: s.fb, evaluations: s.evaluations }
  return { kind: "crossing", value: s.a + (s.b - s.a) / 2, low: Math.min(s.a, s.b), high: Math.max(s.a, s.b), evaluations: s.evaluations }
}

/**
 * The factor value where an outcome crosses 0 (the Green Book's switching value), by bisection on
 * exact evaluations `f`. Stops when the bracket [low, high] is narrower than `tol`; `value` is its
 * midpoint, or an exact zero if one is hit. Signs agreeing at lo and hi: no crossing is reported
 * (there may be an even number).
 */
export const switchingValue = (f: (x: number) => number, lo: number, hi: number, tol: number): SwitchingValue => {
  let s = startBisection(lo, hi, f(lo), f(hi), tol)
  // 1100 halvings exhaust a double's range whatever tol is; the midpoint test ends sooner.
  for (let i = 0; i < 1100 && s.next !== undefined; i++) s = stepBisection(s, f(s.next))
  return bisectionResult(s)
}
