import type { RandomStream } from "@devosim/core"
import { type Design, designFromUnit, type Factor, permutation, randomIndex } from "./factors.ts"
import { sobolSequence } from "./sobol-sequence.ts"

/**
 * Every combination of every factor's levels. A discrete factor contributes its levels; a range,
 * `levels` evenly spaced points from low to high (2: low and high). Order: the last factor varies
 * fastest (an odometer), so experiment e's level of factor j is digit j of e in mixed radix.
 */
export const fullFactorial = (factors: readonly Factor[], options: { readonly levels?: number } = {}): Design => {
  const rangeLevels = options.levels ?? 2
  const counts = factors.map((f) => ("levels" in f ? f.levels.length : rangeLevels))
  const k = factors.length
  const n = k === 0 ? 0 : counts.reduce((a, b) => a * b, 1)
  const unit = new Float64Array(n * k)
  for (let e = 0; e < n; e++) {
    let rest = e
    for (let j = k - 1; j >= 0; j--) {
      const L = counts[j]!
      const digit = rest % L
      rest = (rest - digit) / L
      // The centre of a level's cell for levels (valueAt picks that level); the grid point for a range.
      unit[e * k + j] = "levels" in factors[j]! ? (digit + 0.5) / L : L === 1 ? 0.5 : digit / (L - 1)
    }
  }
  return designFromUnit(factors, unit)
}

/**
 * Latin hypercube of n experiments: each factor's [0, 1) is cut into n equal strata and every
 * stratum is hit exactly once, at a uniform point inside it. Draws, factor by factor: a
 * permutation of the strata (Fisher–Yates), then one jitter per experiment in row order.
 */
export const latinHypercube = (n: number, factors: readonly Factor[], rng: RandomStream): Design => {
  const k = factors.length
  const unit = new Float64Array(n * k)
  for (let j = 0; j < k; j++) {
    const strata = permutation(rng, n)
    // Stratum s covers [s/n, (s+1)/n); clamp below the top so rounding never lands in the next one.
    for (let e = 0; e < n; e++) unit[e * k + j] = Math.min((strata[e]! + rng.next()) / n, (strata[e]! + 1 - 1e-12) / n)
  }
  return designFromUnit(factors, unit)
}

/**
 * Saltelli's scheme for Sobol indices: base matrices A and B (N × k) from one 2k-dimensional Sobol
 * sequence (A the first k coordinates, B the last k; the origin skipped), and A_B^i = A with column
 * i taken from B. N × (k + 2) rows in blocks of k + 2 per base point j (SALib's order):
 *   row j(k+2)      A_j
 *   row j(k+2)+1+i  (A_B^i)_j, i = 0..k-1
 *   row j(k+2)+k+1  B_j
 * `sobolIndices(Y, N, k)` reads outcomes in this order. With `rng`, the Sobol points get a random
 * digital shift (a different but equally balanced design per seed).
 */
export const saltelli = (N: number, factors: readonly Factor[], options: { readonly rng?: RandomStream } = {}): Design => {
  const k = factors.length
  const base = sobolSequence(N, 2 * k, { skip: 1, ...(options.rng ? { rng: options.rng } : {}) })
  const rows = k + 2
  const unit = new Float64Array(N * rows * k)
  for (let j = 0; j < N; j++) {
    const a = j * 2 * k
    const b = a + k
    const block = j * rows * k
    for (let c = 0; c < k; c++) {
      unit[block + c] = base[a + c]!
      unit[block + (k + 1) * k + c] = base[b + c]!
    }
    for (let i = 0; i < k; i++) for (let c = 0; c < k; c++) unit[block + (1 + i) * k + c] = c === i ? base[b + c]! : base[a + c]!
  }
  return designFromUnit(factors, unit)
}

/**
 * Morris's elementary-effects design: r trajectories of k + 1 points on a p-level grid in the unit
 * cube, step Δ = p / (2(p − 1)). Each trajectory starts at a random grid point and moves one factor
 * at a time by ±Δ, in a random factor order. Rows: trajectory t is rows t(k+1) .. t(k+1)+k; row
 * t(k+1)+s+1 differs from the row before it in exactly one factor. Draws per trajectory: the
 * factor order, then per factor its base level and direction. p must be even (Morris's advice), ≥ 2.
 */
export const morrisTrajectories = (r: number, factors: readonly Factor[], levels: number, rng: RandomStream): Design => {
  if (levels < 2 || levels % 2 !== 0) throw new RangeError(`morrisTrajectories: levels must be an even number ≥ 2, found ${levels}`)
  const k = factors.length
  const delta = levels / (2 * (levels - 1))
  // Base levels whose upward step stays in the grid: 0, 1/(p−1), …, 1 − Δ.
  const baseLevels = levels / 2
  const unit = new Float64Array(r * (k + 1) * k)
  const x = new Float64Array(k)
  const step = new Float64Array(k)
  for (let t = 0; t < r; t++) {
    const order = permutation(rng, k)
    for (let j = 0; j < k; j++) {
      const low = randomIndex(rng, baseLevels) / (levels - 1)
      const up = rng.next() < 0.5
      x[j] = up ? low : low + delta
      step[j] = up ? delta : -delta
    }
    const row0 = t * (k + 1)
    for (let c = 0; c < k; c++) unit[row0 * k + c] = x[c]!
    for (let s = 0; s < k; s++) {
      const j = order[s]!
      x[j] = x[j]! + step[j]!
      for (let c = 0; c < k; c++) unit[(row0 + s + 1) * k + c] = x[c]!
    }
  }
  return designFromUnit(factors, unit)
}
