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
 *   then, only when the run has tiers (RunStarted.tiers, T of them), per tier j, base = 1 + L·(2A + 2) + 2j:
 *     base                 tier j's budget (holder spb: what its locality passes down to it)
 *     base + 1             the outside world in tier j (its share of the locality's service spend)
 *   then, only when the run models running costs (RunStarted.runningCosts):
 *     the centre's deal-making, then each locality's mayoral office (file order)
 *
 * A run without tiers or running costs has exactly the accounts it had before either existed.
 */
export type Holder = "treasury" | "department" | "agency" | "spb" | "world" | "centre" | "mayoral office"

export const HOLDERS: ReadonlyArray<Holder> = ["treasury", "department", "agency", "spb", "world", "centre", "mayoral office"]

export const PURPOSE: Readonly<Record<Holder, string>> = {
  treasury: "consolidated fund",
  department: "envelope for the locality",
  agency: "service delivery",
  spb: "single place budget",
  world: "citizens and suppliers",
  centre: "deal-making running costs",
  "mayoral office": "mayoral office running costs"
}

export const TREASURY = 0

export interface AccountLayout {
  readonly localityCount: number
  readonly agencyCount: number
  /** Tiers with accounts (0 or absent: none). */
  readonly tierCount?: number
  /** The centre's and mayoral offices' accounts exist. */
  readonly runningCosts?: boolean
}

/** The layout of a run's accounts, from its first event. */
export const layoutOf = (run: {
  readonly localities: ReadonlyArray<unknown>
  readonly agencies: ReadonlyArray<unknown>
  readonly tiers?: ReadonlyArray<unknown>
  readonly runningCosts?: unknown
}): AccountLayout => {
  const tierCount = run.tiers?.length ?? 0
  const runningCosts = run.runningCosts !== undefined
  const layout = { localityCount: run.localities.length, agencyCount: run.agencies.length }
  if (tierCount === 0 && !runningCosts) return layout
  return { ...layout, tierCount, runningCosts }
}

export const accountsPerLocality = (agencyCount: number): number => 2 * agencyCount + 2
const ACCOUNTS_PER_TIER = 2
const firstTierAccount = (l: AccountLayout): number => 1 + l.localityCount * accountsPerLocality(l.agencyCount)
const firstRunningCostAccount = (l: AccountLayout): number => firstTierAccount(l) + ACCOUNTS_PER_TIER * (l.tierCount ?? 0)
export const accountCount = (l: AccountLayout): number => firstRunningCostAccount(l) + (l.runningCosts === true ? 1 + l.localityCount : 0)

const base = (l: AccountLayout, locality: number) => 1 + locality * accountsPerLocality(l.agencyCount)
export const departmentAccount = (l: AccountLayout, locality: number, agency: number) => base(l, locality) + agency
export const agencyAccount = (l: AccountLayout, locality: number, agency: number) => base(l, locality) + l.agencyCount + agency
export const spbAccount = (l: AccountLayout, locality: number) => base(l, locality) + 2 * l.agencyCount
export const worldAccount = (l: AccountLayout, locality: number) => base(l, locality) + 2 * l.agencyCount + 1
/** Tier j's budget (what its locality passes down to it). */
export const tierBudgetAccount = (l: AccountLayout, tier: number) => firstTierAccount(l) + ACCOUNTS_PER_TIER * tier
/** The outside world in tier j. */
export const tierWorldAccount = (l: AccountLayout, tier: number) => firstTierAccount(l) + ACCOUNTS_PER_TIER * tier + 1
export const centreAccount = (l: AccountLayout) => firstRunningCostAccount(l)
export const mayoralOfficeAccount = (l: AccountLayout, locality: number) => firstRunningCostAccount(l) + 1 + locality

export interface AccountInfo {
  readonly holder: Holder
  /** Locality index, or -1 for the Treasury and the centre. */
  readonly locality: number
  /** Agency index, or -1 where the holder is not an agency line. */
  readonly agency: number
  /** Tier index (RunStarted.tiers), or -1 where the account is not a tier's. */
  readonly tier: number
}

/**
 * `tierLocality`: each tier's locality index (needed only to describe a tier's account; without it
 * a tier account's locality is -1).
 */
export const describeAccount = (l: AccountLayout, account: number, tierLocality?: ReadonlyArray<number>): AccountInfo => {
  if (account === TREASURY) return { holder: "treasury", locality: -1, agency: -1, tier: -1 }
  const tiers = firstTierAccount(l)
  if (account >= tiers) {
    const running = firstRunningCostAccount(l)
    if (account < running) {
      const tier = Math.floor((account - tiers) / ACCOUNTS_PER_TIER)
      return { holder: (account - tiers) % ACCOUNTS_PER_TIER === 0 ? "spb" : "world", locality: tierLocality?.[tier] ?? -1, agency: -1, tier }
    }
    if (account === running) return { holder: "centre", locality: -1, agency: -1, tier: -1 }
    return { holder: "mayoral office", locality: account - running - 1, agency: -1, tier: -1 }
  }
  const per = accountsPerLocality(l.agencyCount)
  const locality = Math.floor((account - 1) / per)
  const k = (account - 1) % per
  const A = l.agencyCount
  if (k < A) return { holder: "department", locality, agency: k, tier: -1 }
  if (k < 2 * A) return { holder: "agency", locality, agency: k - A, tier: -1 }
  if (k === 2 * A) return { holder: "spb", locality, agency: -1, tier: -1 }
  return { holder: "world", locality, agency: -1, tier: -1 }
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
  /** Tier index (RunStarted.tiers), -1 where the account is not a tier's. */
  readonly tier: Int32Array
  readonly localityIds: ReadonlyArray<string>
  readonly agencyIds: ReadonlyArray<string>
  /** The tiers' paths ("Birmingham/Ladywood"), by tier index; empty when the run has none. */
  readonly tierIds: ReadonlyArray<string>
}

export const accountDirectory = (run: {
  readonly localities: ReadonlyArray<{ readonly id: string }>
  readonly agencies: ReadonlyArray<{ readonly id: string }>
  readonly tiers?: ReadonlyArray<{ readonly id: string; readonly locality: string }>
  readonly runningCosts?: unknown
}): AccountDirectory => {
  const layout = layoutOf(run)
  const count = accountCount(layout)
  const holder = new Int8Array(count)
  const locality = new Int32Array(count).fill(-1)
  const agency = new Int32Array(count).fill(-1)
  const tier = new Int32Array(count).fill(-1)
  // Filled locality by locality from core's layout (the same as describeAccount of each account,
  // which the tests check, without an object per account).
  const [treasury, department, line, spb, world, centre, office] = (["treasury", "department", "agency", "spb", "world", "centre", "mayoral office"] as const).map((h) => HOLDERS.indexOf(h)) as [number, number, number, number, number, number, number]
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
  const tiers = run.tiers ?? []
  if (tiers.length > 0) {
    const localityIndex = new Map(run.localities.map((l, i) => [l.id, i] as const))
    tiers.forEach((t, j) => {
      const i = localityIndex.get(t.locality) ?? -1
      const b = tierBudgetAccount(layout, j)
      const w = tierWorldAccount(layout, j)
      holder[b] = spb
      holder[w] = world
      locality[b] = locality[w] = i
      tier[b] = tier[w] = j
    })
  }
  if (layout.runningCosts === true) {
    holder[centreAccount(layout)] = centre
    for (let i = 0; i < layout.localityCount; i++) {
      const o = mayoralOfficeAccount(layout, i)
      holder[o] = office
      locality[o] = i
    }
  }
  return {
    count,
    holder,
    locality,
    agency,
    tier,
    localityIds: run.localities.map((l) => l.id),
    agencyIds: run.agencies.map((a) => a.id),
    tierIds: tiers.map((t) => t.id)
  }
}
