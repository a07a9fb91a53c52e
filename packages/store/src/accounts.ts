import type { RunStarted } from "@devosim/core"
import { accountCount, describeAccount, HOLDERS, layoutOf } from "@devosim/core"

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

export const accountDirectory = (run: RunStarted): AccountDirectory => {
  const layout = layoutOf(run)
  const count = accountCount(layout)
  const holder = new Int8Array(count)
  const locality = new Int32Array(count)
  const agency = new Int32Array(count)
  for (let a = 0; a < count; a++) {
    const info = describeAccount(layout, a)
    holder[a] = HOLDERS.indexOf(info.holder)
    locality[a] = info.locality
    agency[a] = info.agency
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
