/**
 * A locality's places: the locality itself and each of its lower tiers. A line's spending in a
 * locality with tiers is split over its places by their own baselines (a place's baseline less its
 * lower tiers'), largest remainder, so the parts always sum to the locality's figure exactly: the
 * flat model is the roll-up of the tiered one.
 */
export interface TierShape {
  /** Index of the tier's locality. */
  readonly locality: number
  /** Index of the tier it sits in; -1: the locality itself. */
  readonly parent: number
  readonly population: number
  readonly baseline: ReadonlyArray<number>
}

export interface LocalityPlaces {
  /** The places: -1 (the locality's own part) first, then its tiers' indices in order. */
  readonly tiers: ReadonlyArray<number>
  /** Own baseline of each place for each agency: weights[place × agencies + agency] (pence a year, >= 0). */
  readonly ownBaseline: Float64Array
}

/** Each locality's places (undefined for a locality without tiers), by locality index. */
export const localityPlaces = (
  localityCount: number,
  agencyCount: number,
  localityBaseline: (locality: number, agency: number) => number,
  tiers: ReadonlyArray<TierShape>
): Array<LocalityPlaces | undefined> => {
  const out: Array<LocalityPlaces | undefined> = new Array(localityCount)
  const byLocality = new Map<number, Array<number>>()
  tiers.forEach((t, j) => {
    const list = byLocality.get(t.locality)
    if (list === undefined) byLocality.set(t.locality, [j])
    else list.push(j)
  })
  for (const [i, list] of byLocality) {
    const places = [-1, ...list]
    const at = new Map(places.map((t, k) => [t, k] as const))
    const own = new Float64Array(places.length * agencyCount)
    for (let a = 0; a < agencyCount; a++) own[a] = localityBaseline(i, a)
    list.forEach((j, k) => {
      for (let a = 0; a < agencyCount; a++) own[(k + 1) * agencyCount + a] = tiers[j]!.baseline[a] ?? 0
    })
    // A place's own part: what its lower tiers leave of it (the scenario checks they fit).
    for (const j of list) {
      const parent = at.get(tiers[j]!.parent)!
      for (let a = 0; a < agencyCount; a++) own[parent * agencyCount + a] = Math.max(0, own[parent * agencyCount + a]! - (tiers[j]!.baseline[a] ?? 0))
    }
    out[i] = { tiers: places, ownBaseline: own }
  }
  return out
}

/** The tiers in the subtree of tier `root` (itself included), in order. */
export const tierSubtree = (tiers: ReadonlyArray<{ readonly parent: number }>, root: number): Array<number> => {
  const inside = new Uint8Array(tiers.length)
  const out: Array<number> = []
  // Parents come before children, so one pass finds every descendant.
  tiers.forEach((t, j) => {
    if (j === root || (t.parent >= 0 && inside[t.parent] === 1)) {
      inside[j] = 1
      out.push(j)
    }
  })
  return out
}
