import seedrandom from "seedrandom"

/**
 * The one derivation of random streams (DESIGN §3): an independent generator per
 * (scenario seed, locality id, purpose). Nothing draws from a shared generator, so adding a
 * locality or reordering the file changes no other locality's draws: common random numbers.
 */
export interface RandomStream {
  /** Uniform on [0, 1). */
  readonly next: () => number
}

export const streamFor = (seed: number, localityId: string, purpose: string): RandomStream => {
  // NUL cannot occur in an id (ids are printable), so the key is unambiguous.
  const key = `devosim/1\u0000${seed}\u0000${localityId}\u0000${purpose}`
  // Seeded on the first draw: a fixed duration draws nothing, and seeding costs microseconds.
  let prng: seedrandom.PRNG | undefined
  return { next: () => (prng ??= seedrandom.alea(key)).double() }
}

/** A stream for a draw that takes nothing from it (a fixed value): making a real one costs a key and a closure. */
export const NO_DRAWS: RandomStream = {
  next: () => {
    throw new Error("NO_DRAWS: this draw should take no randomness")
  }
}

/**
 * Any time or duration in months (10,000 years): the scenario format's bound on what a file states,
 * and the cap on every drawn duration. A lognormal's tail is unbounded (median × e^(sigma × z)), so
 * without the cap a draw could land millions of months out, beyond anything a file may say.
 */
export const MAX_TIME_MONTHS = 120_000

/**
 * A duration, or any uncertain scenario input (DESIGN §3), as a scenario may state it. `normal` and
 * `lognormal` may be bounded (`min`/`max`): a draw outside is rejected and drawn again (see `draw`).
 */
export type Distribution =
  | { readonly kind: "fixed"; readonly value: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "triangular"; readonly min: number; readonly mode: number; readonly max: number }
  | { readonly kind: "normal"; readonly mean: number; readonly sd: number; readonly min?: number; readonly max?: number }
  | { readonly kind: "lognormal"; readonly median: number; readonly sigma: number; readonly min?: number; readonly max?: number }
  /** `values[i]` with probability weights[i] / Σ weights (equal weights when the file gives none). */
  | { readonly kind: "discrete"; readonly values: ReadonlyArray<number>; readonly weights: ReadonlyArray<number> }

/** The range every duration is capped to (`draw`'s default). */
export const DURATION_RANGE: readonly [number, number] = [0, MAX_TIME_MONTHS]

/**
 * Bounded normal and lognormal draws are by rejection (a truncated distribution: no probability
 * piles up on a bound, which clamping would make a common exact value, e.g. a 0% effect). A bound
 * so far in the tail that this many draws all miss is met by clamping the last draw: the draw stays
 * total and deterministic. Validation asks min < max, so the region is never empty.
 */
export const MAX_REJECTIONS = 1000

/**
 * Draws one value, then clamps it into `range` (default 0..MAX_TIME_MONTHS, for durations: a
 * draw beyond the cap is the cap itself, and one below 0 — a triangular's rounding at subnormal
 * widths, -1e-163 — is 0). A fixed value consumes no randomness; any distribution of zero width
 * returns its one value exactly. Draws within the range are unchanged, so runs whose
 * draws stay in it are unchanged bit for bit.
 */
export const draw = (d: Distribution, rng: RandomStream, range: readonly [number, number] = DURATION_RANGE): number =>
  Math.min(Math.max(drawUncapped(d, rng), range[0]), range[1])

const standardNormal = (rng: RandomStream): number => {
  // Box–Muller with two uniforms; 1 - u keeps log away from 0.
  const u1 = 1 - rng.next()
  const u2 = rng.next()
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

const bounded = (min: number | undefined, max: number | undefined, once: () => number): number => {
  let x = once()
  if (min === undefined && max === undefined) return x
  const lo = min ?? -Infinity
  const hi = max ?? Infinity
  for (let i = 1; i < MAX_REJECTIONS && (x < lo || x > hi); i++) x = once()
  return Math.min(Math.max(x, lo), hi)
}

const drawUncapped = (d: Distribution, rng: RandomStream): number => {
  switch (d.kind) {
    case "fixed":
      return d.value
    case "uniform":
      return d.min + (d.max - d.min) * rng.next()
    case "triangular": {
      const u = rng.next()
      const { min, mode, max } = d
      if (max === min) return min
      const c = (mode - min) / (max - min)
      return u < c ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode))
    }
    case "normal":
      if (d.sd === 0) return d.mean
      return bounded(d.min, d.max, () => d.mean + d.sd * standardNormal(rng))
    case "lognormal":
      return bounded(d.min, d.max, () => d.median * Math.exp(d.sigma * standardNormal(rng)))
    case "discrete": {
      if (d.values.length === 1) return d.values[0]!
      let total = 0
      for (const w of d.weights) total += w
      const u = rng.next() * total
      let acc = 0
      for (let i = 0; i < d.values.length; i++) {
        acc += d.weights[i]!
        if (u < acc) return d.values[i]!
      }
      // u * total rounds up to total only at the last value's edge.
      return d.values[d.values.length - 1]!
    }
    default: {
      const never: never = d
      return never
    }
  }
}

/**
 * The seed of replication r (0-based) of a scenario with seed `seed`. Replications of two scenarios
 * with the same seed get the same seeds, so their draws pair up (common random numbers).
 */
export const replicationSeed = (seed: number, r: number): number => {
  // Replication 0 is the scenario as written, so `devosim run` and a one-replication comparison agree.
  if (r === 0) return seed
  const prng = seedrandom.alea(`devosim/replication\u0000${seed}\u0000${r}`)
  return prng.int32() >>> 1
}
