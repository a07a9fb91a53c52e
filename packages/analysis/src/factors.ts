import type { RandomStream } from "@devosim/core"

/**
 * A factor of an experiment design: a continuous range [low, high], or a list of discrete levels
 * (a tranche order, a capacity among a few choices). Designs work in the unit cube and map each
 * coordinate u ∈ [0, 1] to a value here, so every design treats both kinds alike.
 */
export type Factor =
  | { readonly name: string; readonly low: number; readonly high: number }
  | { readonly name: string; readonly levels: readonly number[] }

/**
 * Rows of experiments, row-major: experiment e's value of factor j is values[e * k + j]. The row
 * index is the experiment's identity (each design documents its order). `unit` holds the same
 * points in the unit cube, which the estimators need (Morris steps, PRIM works on either).
 */
export interface Design {
  readonly factors: readonly Factor[]
  /** Number of experiments (rows). */
  readonly n: number
  /** Number of factors (columns). */
  readonly k: number
  readonly unit: Float64Array
  readonly values: Float64Array
}

/** Maps u ∈ [0, 1] to the factor: linear on a range; on levels, the level whose equal-width cell holds u. */
export const valueAt = (f: Factor, u: number): number => {
  if ("levels" in f) {
    const L = f.levels.length
    // u = 1 would index one past the end; it belongs to the last cell.
    return f.levels[Math.min(L - 1, Math.floor(u * L))]!
  }
  return f.low + (f.high - f.low) * u
}

/** A design from its unit-cube points: the one place unit coordinates become factor values. */
export const designFromUnit = (factors: readonly Factor[], unit: Float64Array): Design => {
  const k = factors.length
  const n = k === 0 ? 0 : unit.length / k
  const values = new Float64Array(unit.length)
  for (let e = 0; e < n; e++) for (let j = 0; j < k; j++) values[e * k + j] = valueAt(factors[j]!, unit[e * k + j]!)
  return { factors, n, k, unit, values }
}

/** Column j of a row-major n × k matrix: PRIM and the report read factors as columns. */
export const column = (d: Design, j: number, from: "values" | "unit" = "values"): Float64Array => {
  const src = d[from]
  const out = new Float64Array(d.n)
  for (let e = 0; e < d.n; e++) out[e] = src[e * d.k + j]!
  return out
}

/** A uniform integer in 0..n-1 from the seeded stream (never Math.random). */
export const randomIndex = (rng: RandomStream, n: number): number => Math.min(n - 1, Math.floor(rng.next() * n))

/** Fisher–Yates shuffle of 0..n-1 drawn from the stream: the same stream gives the same permutation. */
export const permutation = (rng: RandomStream, n: number): Int32Array => {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = randomIndex(rng, i + 1)
    const t = p[i]!
    p[i] = p[j]!
    p[j] = t
  }
  return p
}
