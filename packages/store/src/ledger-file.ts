/**
 * ledger.arrow (balances and flows per period × account) and accounts.arrow (who each account is).
 * Amounts are int64 pence. Account numbering is core's layout, so the two files join on `account`.
 */
import type { LedgerColumns, RunStarted } from "@devosim/core"
import { HOLDERS, PURPOSE } from "@devosim/core"
import { accountDirectory, type AccountDirectory } from "./accounts.ts"
import { dictionaryColumn, int32Column, int64FromFloat64, int64Column, utf8FromCodes, writeArrowFile, type ColumnSpec } from "./columns.ts"
import { LogWriteError } from "./errors.ts"
import { META_FORMAT } from "./event-log.ts"

export const LEDGER_FORMAT = "ledger/1"
export const ACCOUNTS_FORMAT = "accounts/1"

/** One row per (period, account), computed by a projection elsewhere (report's `ledgerByPeriod`). */
export interface LedgerInput extends Omit<LedgerColumns, "length"> {
  readonly run: RunStarted
}

// The full holder list (not just those present) keeps dictionary indices the same in every file.
const HOLDER_NAMES: ReadonlyArray<string> = HOLDERS
const PURPOSE_NAMES: ReadonlyArray<string> = HOLDERS.map((h) => PURPOSE[h])

/** holder, purpose, locality, agency columns for the given account per row. */
const describeColumns = (dir: AccountDirectory, account: Int32Array): Array<ColumnSpec> => {
  const n = account.length
  const holder = new Int8Array(n)
  const locality = new Int32Array(n)
  const agency = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const a = account[i]!
    if (a < 0 || a >= dir.count) throw new LogWriteError(`row ${i}: account ${a} outside 0..${dir.count - 1}`)
    holder[i] = dir.holder[a]!
    locality[i] = dir.locality[a]!
    agency[i] = dir.agency[a]!
  }
  return [
    { name: "holder", data: dictionaryColumn(0, holder, HOLDER_NAMES), nullable: false },
    // Its own copy of the indices: Arrow JS's writer merges consecutive body buffers that view the
    // same bytes, so sharing `holder` dropped this column's buffer whenever the row count was a
    // multiple of 8 (no padding between them), and the file could not be read.
    { name: "purpose", data: dictionaryColumn(1, holder.slice(), PURPOSE_NAMES), nullable: false },
    { name: "locality", data: utf8FromCodes(locality, dir.localityIds), nullable: true },
    { name: "agency", data: utf8FromCodes(agency, dir.agencyIds), nullable: true }
  ]
}

/**
 * Encodes the ledger projection. Checks every row balances (closing = opening + inflow − outflow,
 * exactly) so a file never disagrees with itself. Throws `LogWriteError`.
 */
export const encodeLedger = (input: LedgerInput): Uint8Array => {
  const { run, period, account, opening, inflow, outflow, closing } = input
  const n = period.length
  for (const [name, col] of [["account", account], ["opening", opening], ["inflow", inflow], ["outflow", outflow], ["closing", closing]] as const) {
    if (col.length !== n) throw new LogWriteError(`ledger column ${name} has ${col.length} rows, period has ${n}`)
  }
  for (let i = 0; i < n; i++) {
    if (opening[i]! + inflow[i]! - outflow[i]! !== closing[i]!) {
      throw new LogWriteError(
        `ledger row ${i} (period ${period[i]}, account ${account[i]}): opening ${opening[i]} + inflow ${inflow[i]} − outflow ${outflow[i]} ≠ closing ${closing[i]}`
      )
    }
  }
  const dir = accountDirectory(run)
  return writeArrowFile(
    [
      { name: "period", data: int32Column(period), nullable: false },
      { name: "account", data: int32Column(account), nullable: false },
      ...describeColumns(dir, account),
      { name: "opening_pence", data: int64Column(int64FromFloat64("opening", n, (i) => opening[i]!)), nullable: false },
      { name: "inflow_pence", data: int64Column(int64FromFloat64("inflow", n, (i) => inflow[i]!)), nullable: false },
      { name: "outflow_pence", data: int64Column(int64FromFloat64("outflow", n, (i) => outflow[i]!)), nullable: false },
      { name: "closing_pence", data: int64Column(int64FromFloat64("closing", n, (i) => closing[i]!)), nullable: false }
    ],
    [[META_FORMAT, LEDGER_FORMAT]]
  )
}

/** accounts.arrow: one row per account of the run, in account order. */
export const encodeAccounts = (run: RunStarted): Uint8Array => {
  const dir = accountDirectory(run)
  const account = new Int32Array(dir.count)
  for (let a = 0; a < dir.count; a++) account[a] = a
  return writeArrowFile(
    [{ name: "account", data: int32Column(account), nullable: false }, ...describeColumns(dir, account)],
    [[META_FORMAT, ACCOUNTS_FORMAT]]
  )
}
