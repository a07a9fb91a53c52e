import type { RandomStream } from "@devosim/core"

/**
 * Joe & Kuo's direction numbers (new-joe-kuo-6.21201), dimensions 2.. as `s a m_1 … m_s`; dimension 1
 * is van der Corput and needs none. 45 dimensions: a Saltelli design of up to 22 factors.
 */
const JOE_KUO =
  "1 0 1|2 1 1 3|3 1 1 3 1|3 2 1 1 1|4 1 1 1 3 3|4 4 1 3 5 13|5 2 1 1 5 5 17|5 4 1 1 5 5 5|5 7 1 1 7 11 19|" +
  "5 11 1 1 5 1 1|5 13 1 1 1 3 11|5 14 1 3 5 5 31|6 1 1 3 3 9 7 49|6 13 1 1 1 15 21 21|6 16 1 3 1 13 27 49|" +
  "6 19 1 1 1 15 7 5|6 22 1 3 1 15 13 25|6 25 1 1 5 5 19 61|7 1 1 3 7 11 23 15 103|7 4 1 3 7 13 13 15 69|" +
  "7 7 1 1 3 13 7 35 63|7 8 1 3 5 9 1 25 53|7 14 1 3 1 13 9 35 107|7 19 1 3 1 5 27 61 31|7 21 1 1 5 11 19 41 61|" +
  "7 28 1 3 5 3 3 13 69|7 31 1 1 7 13 1 19 1|7 32 1 3 7 5 13 19 59|7 37 1 1 3 9 25 29 41|7 41 1 3 5 13 23 1 55|" +
  "7 42 1 3 7 3 13 59 17|7 50 1 3 1 3 5 53 69|7 55 1 1 5 5 23 33 13|7 56 1 1 7 7 1 61 123|7 59 1 1 7 9 13 61 49|" +
  "7 62 1 3 3 5 3 55 33|8 14 1 3 1 15 31 13 49 245|8 21 1 3 5 15 31 59 63 97|8 22 1 3 1 11 11 11 77 249|" +
  "8 38 1 3 1 11 27 43 71 9|8 47 1 1 7 15 21 11 81 45|8 49 1 3 7 3 25 31 65 79|8 50 1 3 1 1 19 11 3 205|" +
  "8 52 1 1 5 9 19 21 29 157"

const BITS = 32

/** The number of dimensions the direction-number table supports. */
export const SOBOL_MAX_DIMENSIONS = JOE_KUO.split("|").length + 1

let directionCache: Uint32Array[] | undefined

/** Direction numbers v_1..v_32 of every dimension, scaled to 32 bits (Bratley & Fox's recurrence). */
const directions = (): Uint32Array[] => {
  if (directionCache) return directionCache
  const dims: Uint32Array[] = []
  const first = new Uint32Array(BITS)
  for (let i = 0; i < BITS; i++) first[i] = (1 << (BITS - 1 - i)) >>> 0
  dims.push(first)
  for (const line of JOE_KUO.split("|")) {
    const [s, a, ...m] = line.split(" ").map(Number) as [number, number, ...number[]]
    const v = new Uint32Array(BITS)
    for (let i = 0; i < BITS; i++) {
      if (i < s) v[i] = (m[i]! << (BITS - 1 - i)) >>> 0
      else {
        let x = (v[i - s]! ^ (v[i - s]! >>> s)) >>> 0
        for (let q = 1; q < s; q++) if ((a >>> (s - 1 - q)) & 1) x = (x ^ v[i - q]!) >>> 0
        v[i] = x
      }
    }
    dims.push(v)
  }
  directionCache = dims
  return dims
}

/**
 * Points `skip`, skip+1, …, skip+n-1 of the d-dimensional Sobol sequence (Gray-code order, as Joe &
 * Kuo and SciPy generate it), row-major n × d in [0, 1). Point 0 is the origin. With `rng`, each
 * dimension gets a random digital shift (XOR with a random 32-bit word): the points stay a
 * (t, m, s)-net, but two seeds give two independent-looking designs.
 */
export const sobolSequence = (n: number, d: number, options: { readonly skip?: number; readonly rng?: RandomStream } = {}): Float64Array => {
  if (d > SOBOL_MAX_DIMENSIONS) throw new RangeError(`sobolSequence: ${d} dimensions asked for; the direction numbers cover ${SOBOL_MAX_DIMENSIONS}`)
  const v = directions()
  const skip = options.skip ?? 0
  const shift = new Uint32Array(d)
  if (options.rng) for (let j = 0; j < d; j++) shift[j] = Math.floor(options.rng.next() * 2 ** 32) >>> 0
  const x = new Uint32Array(d)
  const out = new Float64Array(n * d)
  const total = skip + n
  for (let i = 0; i < total; i++) {
    if (i >= skip) for (let j = 0; j < d; j++) out[(i - skip) * d + j] = ((x[j]! ^ shift[j]!) >>> 0) / 2 ** 32
    // Gray code: point i+1 differs from point i by the direction of the lowest zero bit of i.
    let c = 0
    while ((i >>> c) & 1) c++
    if (c >= BITS) break
    for (let j = 0; j < d; j++) x[j] = (x[j]! ^ v[j]![c]!) >>> 0
  }
  return out
}
