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
