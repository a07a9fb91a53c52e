/**
 * PRIM, the patient rule induction method (Friedman & Fisher 1999), as the EMA Workbench uses it
 * for scenario discovery: find a box of input space where the cases of interest (y true) are dense.
 * A box bounds every dimension inclusively, lower[j] ≤ x_j ≤ upper[j]; a dimension is restricted
 * when its bounds are tighter than the data's range.
 */

export interface PrimBox {
  readonly lower: Float64Array
  readonly upper: Float64Array
}

export interface PrimStep {
  readonly box: PrimBox
  /** Share of all cases of interest that fall in the box. */
  readonly coverage: number
  /** Share of the box's points that are cases of interest. */
  readonly density: number
  /** Share of all points in the box (its support, or mass). */
  readonly mass: number
  /** Number of points in the box. */
  readonly count: number
}

export interface PrimRestriction {
  readonly dimension: number
  readonly name: string
  readonly lower: number
  readonly upper: number
  /** Which bounds moved from the data's range. */
  readonly restrictsLower: boolean
  readonly restrictsUpper: boolean
}

export interface PrimResult {
  /** Step 0 is the whole data; each later step one peel. */
  readonly trajectory: readonly PrimStep[]
  /** Index in the trajectory of the box chosen by the rule below (before pasting). */
  readonly chosenStep: number
  /** The chosen box after pasting, and its figures. */
  readonly chosen: PrimStep
  readonly restrictions: readonly PrimRestriction[]
}

export interface PrimOptions {
  /** Share of the box's points removed by one peel (0.05). */
  readonly peelAlpha?: number
  /** Share of the box's points a paste may add (0.01). */
  readonly pasteAlpha?: number
  /** Peeling stops before the box holds fewer than this share of all points (0.05). */
  readonly minSupport?: number
  /** The chosen box: the first on the trajectory with density ≥ this (0.8). */
  readonly densityThreshold?: number
  /** Column names, for the restrictions (default x0, x1, …). */
  readonly names?: readonly string[]
}

interface Counts {
  count: number
  hits: number
}

const countIn = (X: readonly Float64Array[], y: ArrayLike<boolean | number>, box: PrimBox): Counts => {
  const n = y.length
  let count = 0
  let hits = 0
  for (let e = 0; e < n; e++) {
    if (!inBox(X, box, e, -1)) continue
    count++
    if (y[e]) hits++
  }
  return { count, hits }
}

/** Whether point e is in the box, ignoring dimension `skip` (−1: none). */
const inBox = (X: readonly Float64Array[], box: PrimBox, e: number, skip: number): boolean => {
  for (let j = 0; j < X.length; j++) {
    if (j === skip) continue
    const v = X[j]![e]!
    if (v < box.lower[j]! || v > box.upper[j]!) return false
  }
  return true
}

/**
 * Peels, then pastes the chosen box. X: one Float64Array per input dimension (the experiments'
 * columns); y: whether each experiment is a case of interest (e.g. from `parseCondition`).
 *
 * Peeling: each step considers, per dimension, raising the lower bound or lowering the upper bound
 * past the peelAlpha share of the box's points (all ties at the bound go together), and takes the
 * candidate that raises density most per point removed (Friedman & Fisher's criterion); ties go to
 * the lower dimension, lower bound first. Steps stop when no candidate keeps minSupport of the points.
 *
 * Chosen box: the first step whose density ≥ densityThreshold (the most coverage at that purity);
 * if none reaches it, the step of highest density. Pasting then widens one face at a time, by up to
 * pasteAlpha of the box's points, while that raises density.
 */
export const prim = (X: readonly Float64Array[], y: ArrayLike<boolean | number>, options: PrimOptions = {}): PrimResult => {
  const peelAlpha = options.peelAlpha ?? 0.05
  const pasteAlpha = options.pasteAlpha ?? 0.01
  const minSupport = options.minSupport ?? 0.05
  const threshold = options.densityThreshold ?? 0.8
  const k = X.length
  const n = y.length
  for (let j = 0; j < k; j++) if (X[j]!.length !== n) throw new RangeError(`prim: column ${j} has ${X[j]!.length} values, y has ${n}`)
  let totalHits = 0
  for (let e = 0; e < n; e++) if (y[e]) totalHits++
  const dataLow = new Float64Array(k).fill(Infinity)
  const dataHigh = new Float64Array(k).fill(-Infinity)
  for (let j = 0; j < k; j++)
    for (let e = 0; e < n; e++) {
      const v = X[j]![e]!
      if (v < dataLow[j]!) dataLow[j] = v
      if (v > dataHigh[j]!) dataHigh[j] = v
    }
  const step = (box: PrimBox, c: Counts): PrimStep => ({
    box: { lower: box.lower.slice(), upper: box.upper.slice() },
    coverage: totalHits === 0 ? 0 : c.hits / totalHits,
    density: c.count === 0 ? 0 : c.hits / c.count,
    mass: n === 0 ? 0 : c.count / n,
    count: c.count
  })

  const box: PrimBox = { lower: dataLow.slice(), upper: dataHigh.slice() }
  let counts = countIn(X, y, box)
  const trajectory: PrimStep[] = [step(box, counts)]
  const minCount = Math.ceil(minSupport * n)
  // Points in the box, kept as indices so each step scans only them.
  let inside = new Int32Array(n)
  for (let e = 0; e < n; e++) inside[e] = e
  let size = counts.count

  const values = new Float64Array(n)
  for (;;) {
    let best: { j: number; side: "lower" | "upper"; bound: number; gain: number } | undefined
    for (let j = 0; j < k; j++) {
      const col = X[j]!
      for (let q = 0; q < size; q++) values[q] = col[inside[q]!]!
      const m = Math.max(1, Math.ceil(peelAlpha * size))
      if (m >= size) continue
      // Only order statistics are needed, not a sort: select the m-th smallest / largest (O(n)).
      const lowQ = select(values, size, m - 1)
      const highQ = select(values, size, size - m)
      // The bounds leaving out at least m points: past a tie, all of the tie goes. Lower: the
      // least value above the m-th smallest; upper: the greatest below the m-th largest.
      let lower = Infinity
      let upper = -Infinity
      for (let q = 0; q < size; q++) {
        const v = values[q]!
        if (v > lowQ && v < lower) lower = v
        if (v < highQ && v > upper) upper = v
      }
      let keepLower = 0
      let hitsLower = 0
      let keepUpper = 0
      let hitsUpper = 0
      for (let q = 0; q < size; q++) {
        const e = inside[q]!
        const v = col[e]!
        const hit = y[e] ? 1 : 0
        if (v >= lower) {
          keepLower++
          hitsLower += hit
        }
        if (v <= upper) {
          keepUpper++
          hitsUpper += hit
        }
      }
      const consider = (side: "lower" | "upper", bound: number, keep: number, hits: number) => {
        if (!Number.isFinite(bound) || keep < minCount || keep === size || keep === 0) return
        // Friedman & Fisher: the rise in density per point peeled away.
        const gain = (hits / keep - counts.hits / size) / (size - keep)
        if (!best || gain > best.gain) best = { j, side, bound, gain }
      }
      consider("lower", lower, keepLower, hitsLower)
      consider("upper", upper, keepUpper, hitsUpper)
    }
    if (!best) break
    if (best.side === "lower") box.lower[best.j] = best.bound
    else box.upper[best.j] = best.bound
    const next = new Int32Array(size)
    let kept = 0
    let hits = 0
    for (let q = 0; q < size; q++) {
      const e = inside[q]!
      const v = X[best.j]![e]!
      if (v >= box.lower[best.j]! && v <= box.upper[best.j]!) {
        next[kept++] = e
        if (y[e]) hits++
      }
    }
    inside = next
    size = kept
    counts = { count: kept, hits }
    trajectory.push(step(box, counts))
  }

  let chosenStep = trajectory.findIndex((s) => s.density >= threshold)
  if (chosenStep < 0) {
    chosenStep = 0
    for (let s = 1; s < trajectory.length; s++) if (trajectory[s]!.density > trajectory[chosenStep]!.density) chosenStep = s
  }
  const pasted = paste(X, y, trajectory[chosenStep]!, pasteAlpha, dataLow, dataHigh)
  const chosen = step(pasted, countIn(X, y, pasted))
  const names = options.names
  const restrictions: PrimRestriction[] = []
  for (let j = 0; j < k; j++) {
    const restrictsLower = pasted.lower[j]! > dataLow[j]!
    const restrictsUpper = pasted.upper[j]! < dataHigh[j]!
    if (restrictsLower || restrictsUpper)
      restrictions.push({ dimension: j, name: names?.[j] ?? `x${j}`, lower: pasted.lower[j]!, upper: pasted.upper[j]!, restrictsLower, restrictsUpper })
  }
  return { trajectory, chosenStep, chosen, restrictions }
}

/** The r-th smallest (0-based) of a[0..size), by quickselect; reorders a in place. */
const select = (a: Float64Array, size: number, r: number): number => {
  let lo = 0
  let hi = size - 1
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i] = a[j]!
        a[j] = t
        i++
        j--
      }
    }
    if (r <= j) hi = j
    else if (r >= i) lo = i
    else return a[r]!
  }
  return a[r]!
}

/** Widens faces of the box while a widening by ≤ pasteAlpha of its points raises its density. */
const paste = (
  X: readonly Float64Array[],
  y: ArrayLike<boolean | number>,
  start: PrimStep,
  pasteAlpha: number,
  dataLow: Float64Array,
  dataHigh: Float64Array
): PrimBox => {
  const box: PrimBox = { lower: start.box.lower.slice(), upper: start.box.upper.slice() }
  let { count, hits } = countIn(X, y, box)
  const n = y.length
  for (;;) {
    let best: { j: number; side: "lower" | "upper"; bound: number; count: number; hits: number } | undefined
    const add = Math.max(1, Math.ceil(pasteAlpha * count))
    for (let j = 0; j < X.length; j++) {
      for (const side of ["lower", "upper"] as const) {
        if (side === "lower" ? box.lower[j]! <= dataLow[j]! : box.upper[j]! >= dataHigh[j]!) continue
        // Candidates just outside this face, inside every other bound.
        const outside: number[] = []
        for (let e = 0; e < n; e++) {
          const v = X[j]![e]!
          if ((side === "lower" ? v < box.lower[j]! : v > box.upper[j]!) && inBox(X, box, e, j)) outside.push(e)
        }
        if (outside.length === 0) continue
        outside.sort((a, b) => (side === "lower" ? X[j]![b]! - X[j]![a]! : X[j]![a]! - X[j]![b]!))
        const last = Math.min(add, outside.length) - 1
        const bound = X[j]![outside[last]!]!
        let c = count
        let h = hits
        for (const e of outside) {
          const v = X[j]![e]!
          if (side === "lower" ? v >= bound : v <= bound) {
            c++
            if (y[e]) h++
          }
        }
        if (h / c > hits / count && (!best || h / c > best.hits / best.count)) best = { j, side, bound, count: c, hits: h }
      }
    }
    if (!best) return box
    if (best.side === "lower") box.lower[best.j] = best.bound
    else box.upper[best.j] = best.bound
    count = best.count
    hits = best.hits
  }
}
