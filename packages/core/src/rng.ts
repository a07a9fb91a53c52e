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

/** A duration (or any positive quantity) as a scenario may state it. */
export type Distribution =
  | { readonly kind: "fixed"; readonly value: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "triangular"; readonly min: number; readonly mode: number; readonly max: number }
  | { readonly kind: "lognormal"; readonly median: number; readonly sigma: number }

/**
 * Draws one value in 0..MAX_TIME_MONTHS: a draw beyond the cap is the cap itself, and one below 0
 * (a triangular's rounding at subnormal widths, -1e-163) is 0. A fixed value consumes no
 * randomness. Draws within the range are unchanged, so runs whose draws stay in it are unchanged
 * bit for bit.
 */
export const draw = (d: Distribution, rng: RandomStream): number => Math.min(Math.max(drawUncapped(d, rng), 0), MAX_TIME_MONTHS)

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
    case "lognormal": {
      // Box–Muller with two uniforms; 1 - u keeps log away from 0.
      const u1 = 1 - rng.next()
      const u2 = rng.next()
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
      return d.median * Math.exp(d.sigma * z)
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
