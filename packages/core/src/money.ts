/**
 * Money is integer pence held in a float64: exact up to 2^53 pence (about £90 trillion).
 * Every division rounds explicitly here, so no pence are lost or invented anywhere else.
 */
export type Pence = number

export const MAX_PENCE = Number.MAX_SAFE_INTEGER

export const isPence = (x: number): boolean => Number.isSafeInteger(x)

/** Pounds (possibly with pence, as typed in a scenario) to integer pence, half away from zero. */
export const poundsToPence = (pounds: number): Pence => {
  const p = Math.round(Math.abs(pounds) * 100)
  return pounds < 0 ? -p : p
}

/**
 * Splits `total` pence in proportion to non-negative integer `weights` by the largest-remainder
 * method: each part gets its floor, then the leftover pence go one each to the largest remainders
 * (ties to the lower index). The parts always sum to `total` exactly.
 */
export const splitLargestRemainder = (total: Pence, weights: ReadonlyArray<number>): Array<Pence> => {
  const n = weights.length
  if (n === 0) {
    if (total !== 0) throw new RangeError("cannot split a non-zero amount over no weights")
    return []
  }
  let sum = 0n
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError(`weight must be a non-negative integer, got ${w}`)
    sum += BigInt(w)
  }
  if (sum === 0n) throw new RangeError("cannot split over weights that sum to zero")
  const sign = total < 0 ? -1n : 1n
  const t = BigInt(Math.abs(total))
  const parts: Array<bigint> = new Array(n)
  const rems: Array<bigint> = new Array(n)
  let given = 0n
  for (let i = 0; i < n; i++) {
    const num = t * BigInt(weights[i]!)
    parts[i] = num / sum
    rems[i] = num % sum
    given += parts[i]!
  }
  let left = t - given
  const order = [...rems.keys()].sort((a, b) => (rems[b]! > rems[a]! ? 1 : rems[b]! < rems[a]! ? -1 : a - b))
  for (let k = 0; left > 0n; k++, left--) parts[order[k]!]! += 1n
  return parts.map((p) => Number(p * sign))
}

/** Splits `total` into `n` equal parts, largest remainder (the first `total mod n` parts get +1). */
export const splitEvenly = (total: Pence, n: number): Array<Pence> => splitLargestRemainder(total, new Array<number>(n).fill(1))

/** Basis points (1/100 of a percent) from a percentage, exactly for up to two decimals. */
export const percentToBasisPoints = (pct: number): number => Math.round(pct * 100)

/**
 * `amount × bp / 10000`, rounded half away from zero (as spreadsheets and the GMCA model round a
 * percentage of money: a 10.9% cut of 5p is −1p, not 0p), in exact integer arithmetic. Used for
 * 'more for less' reductions, trends and reviews: the complement `amount − share` is what stays.
 */
export const shareOf = (amount: Pence, basisPoints: number): Pence => shareOfFraction(amount, basisPoints, 10000)

/** `amount × num / den` (den > 0), rounded half away from zero, exactly (BigInt when the product is beyond 2^53). */
export const shareOfFraction = (amount: Pence, num: number, den: number): Pence => {
  const prod = amount * num
  if (Number.isSafeInteger(prod) && Math.abs(prod) * 2 + den <= Number.MAX_SAFE_INTEGER) {
    const q = Math.floor((Math.abs(prod) * 2 + den) / (2 * den))
    return prod < 0 ? -q : q
  }
  const p = BigInt(amount) * BigInt(num)
  const a = p < 0n ? -p : p
  const q = (a * 2n + BigInt(den)) / (2n * BigInt(den))
  return Number(p < 0n ? -q : q)
}

/** A sum of pence that refuses to lose precision. */
export const sumPence = (xs: Iterable<Pence>): Pence => {
  let s = 0
  for (const x of xs) s += x
  if (!Number.isSafeInteger(s)) throw new RangeError(`sum of pence ${s} is beyond 2^53`)
  return s
}

export const formatPounds = (p: Pence): string => {
  const neg = p < 0
  const a = Math.abs(p)
  const pounds = Math.floor(a / 100)
  const pence = a - pounds * 100
  return `${neg ? "-" : ""}£${pounds.toLocaleString("en-GB")}.${String(pence).padStart(2, "0")}`
}

/**
 * £ with k/m/bn from pence, for people to read (files keep exact pence): £7.5bn, £350.0k,
 * -£19.2m, £12.34, £0. `digits` is the number of decimals shown for millions and billions.
 */
export const formatPoundsCompact = (pence: number, digits = 1): string => {
  if (!Number.isFinite(pence)) return "–"
  if (pence === 0) return "£0"
  const p = pence / 100
  const abs = Math.abs(p)
  const [div, unit, d] = abs >= 1e9 ? [1e9, "bn", digits] : abs >= 1e6 ? [1e6, "m", digits] : abs >= 1e3 ? [1e3, "k", 1] : [1, "", 2]
  const s = `£${(abs / div).toFixed(d)}${unit}`
  return p < 0 && s !== "£0.00" ? `-${s}` : s
}

/** Below this a share's float error is under 2^40 × 2^−52 ≈ 2.4e−4 of a penny: far inside the margin below. */
const FAST_SPLIT_LIMIT = 2 ** 40
const FAST_SPLIT_MARGIN = 1e-3

/**
 * `splitLargestRemainder` into `out` (the first weights.length entries), without BigInt or an
 * allocation when floats decide it beyond doubt: each share is computed in floating point, and
 * when every share's fractional part and every order between the fractional parts of unequal
 * weights is clear by a margin far above the float error, floor and ranking are those of exact
 * arithmetic. Otherwise (near an integer, a near-tie, or beyond 2^40 pence) the exact split is used.
 * The per-period hot path of a locality with tiers (a line's spending over its places).
 */
export const splitLargestRemainderInto = (total: Pence, weights: ReadonlyArray<number>, out: Float64Array, order: Int32Array): void => {
  const n = weights.length
  let sum = 0
  for (let i = 0; i < n; i++) sum += weights[i]!
  const t = Math.abs(total)
  if (n > 0 && sum > 0 && Number.isSafeInteger(sum) && t < FAST_SPLIT_LIMIT) {
    let given = 0
    let clear = true
    for (let i = 0; i < n; i++) {
      const x = (t * weights[i]!) / sum
      const q = Math.floor(x)
      const f = x - q
      // An exact zero is exact only when the product is exact (below 2^53): then it is 0, not near it.
      if ((f < FAST_SPLIT_MARGIN && !(f === 0 && t * weights[i]! <= Number.MAX_SAFE_INTEGER)) || f > 1 - FAST_SPLIT_MARGIN) {
        clear = false
        break
      }
      out[i] = q
      given += q
      order[i] = i
    }
    if (clear) {
      const left = t - given
      // The `left` largest fractional parts, ties to the lower index (insertion sort: n is a locality's places).
      const frac = (i: number) => (t * weights[i]!) / sum - out[i]!
      for (let a = 1; a < n && clear; a++) {
        const k = order[a]!
        const fk = frac(k)
        let b = a - 1
        while (b >= 0) {
          const j = order[b]!
          const fj = frac(j)
          if (weights[j] !== weights[k] && Math.abs(fj - fk) < FAST_SPLIT_MARGIN) {
            clear = false
            break
          }
          if (fj > fk || (fj === fk && j < k)) break
          order[b + 1] = j
          b--
        }
        order[b + 1] = k
      }
      if (clear) {
        for (let r = 0; r < left; r++) out[order[r]!]! += 1
        if (total < 0) for (let i = 0; i < n; i++) out[i] = -out[i]! || 0
        return
      }
    }
  }
  const parts = splitLargestRemainder(total, weights)
  for (let i = 0; i < n; i++) out[i] = parts[i]!
}
