/**
 * The double-entry ledger. Accounts are (holder, purpose); their numbering is a pure function of
 * the number of localities and agencies, so a log needs no separate account table to replay.
 *
 *   0                      the Treasury (the consolidated fund; the only account that may go below zero:
 *                          its negative balance is the public money issued)
 *   per locality i (file order), with A agencies, base = 1 + i·(2A + 2):
 *     base + a             department a's envelope for locality i
 *     base + A + a         agency a in locality i (service delivery)
 *     base + 2A            locality i's single place budget (SPB)
 *     base + 2A + 1        the outside world in locality i (citizens and suppliers paid for services)
 */
export type Holder = "treasury" | "department" | "agency" | "spb" | "world"

export const HOLDERS: ReadonlyArray<Holder> = ["treasury", "department", "agency", "spb", "world"]

export const PURPOSE: Readonly<Record<Holder, string>> = {
  treasury: "consolidated fund",
  department: "envelope for the locality",
  agency: "service delivery",
  spb: "single place budget",
  world: "citizens and suppliers"
}

export const TREASURY = 0

export interface AccountLayout {
  readonly localityCount: number
  readonly agencyCount: number
}

/** The layout of a run's accounts, from its first event. */
export const layoutOf = (run: { readonly localities: ReadonlyArray<unknown>; readonly agencies: ReadonlyArray<unknown> }): AccountLayout => ({
  localityCount: run.localities.length,
  agencyCount: run.agencies.length
})

export const accountsPerLocality = (agencyCount: number): number => 2 * agencyCount + 2
export const accountCount = (l: AccountLayout): number => 1 + l.localityCount * accountsPerLocality(l.agencyCount)

const base = (l: AccountLayout, locality: number) => 1 + locality * accountsPerLocality(l.agencyCount)
export const departmentAccount = (l: AccountLayout, locality: number, agency: number) => base(l, locality) + agency
export const agencyAccount = (l: AccountLayout, locality: number, agency: number) => base(l, locality) + l.agencyCount + agency
export const spbAccount = (l: AccountLayout, locality: number) => base(l, locality) + 2 * l.agencyCount
export const worldAccount = (l: AccountLayout, locality: number) => base(l, locality) + 2 * l.agencyCount + 1

export interface AccountInfo {
  readonly holder: Holder
  /** Locality index, or -1 for the Treasury. */
  readonly locality: number
  /** Agency index, or -1 where the holder is not an agency line. */
  readonly agency: number
}

export const describeAccount = (l: AccountLayout, account: number): AccountInfo => {
  if (account === TREASURY) return { holder: "treasury", locality: -1, agency: -1 }
  const per = accountsPerLocality(l.agencyCount)
  const locality = Math.floor((account - 1) / per)
  const k = (account - 1) % per
  const A = l.agencyCount
  if (k < A) return { holder: "department", locality, agency: k }
  if (k < 2 * A) return { holder: "agency", locality, agency: k - A }
  if (k === 2 * A) return { holder: "spb", locality, agency: -1 }
  return { holder: "world", locality, agency: -1 }
}

/** Moves money between balances: the only place a balance changes. */
export const post = (balances: Float64Array, from: number, to: number, amount: number): void => {
  balances[from]! -= amount
  balances[to]! += amount
}

/**
 * Every account of a run described once, as columns indexed by account number, so per-row lookups
 * in the hot loops are array reads rather than `describeAccount` calls.
 */
export interface AccountDirectory {
  readonly count: number
  /** Index into core's HOLDERS. */
  readonly holder: Int8Array
  /** Locality index (RunStarted order), -1 for the Treasury. */
  readonly locality: Int32Array
  /** Agency index, -1 where the holder is not a department or agency line. */
  readonly agency: Int32Array
  readonly localityIds: ReadonlyArray<string>
  readonly agencyIds: ReadonlyArray<string>
}

export const accountDirectory = (run: { readonly localities: ReadonlyArray<{ readonly id: string }>; readonly agencies: ReadonlyArray<{ readonly id: string }> }): AccountDirectory => {
  const layout = layoutOf(run)
  const count = accountCount(layout)
  const holder = new Int8Array(count)
  const locality = new Int32Array(count).fill(-1)
  const agency = new Int32Array(count).fill(-1)
  // Filled locality by locality from core's layout (the same as describeAccount of each account,
  // which the tests check, without an object per account).
  const [treasury, department, line, spb, world] = (["treasury", "department", "agency", "spb", "world"] as const).map((h) => HOLDERS.indexOf(h)) as [number, number, number, number, number]
  holder[TREASURY] = treasury
  for (let i = 0; i < layout.localityCount; i++) {
    for (let a = 0; a < layout.agencyCount; a++) {
      const d = departmentAccount(layout, i, a)
      holder[d] = department
      locality[d] = i
      agency[d] = a
      const g = agencyAccount(layout, i, a)
      holder[g] = line
      locality[g] = i
      agency[g] = a
    }
    const b = spbAccount(layout, i)
    holder[b] = spb
    locality[b] = i
    const w = worldAccount(layout, i)
    holder[w] = world
    locality[w] = i
  }
  return {
    count,
    holder,
    locality,
    agency,
    localityIds: run.localities.map((l) => l.id),
    agencyIds: run.agencies.map((a) => a.id)
  }
}
