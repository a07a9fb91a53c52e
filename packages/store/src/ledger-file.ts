/**
 * ledger.arrow (balances and flows per period × account) and accounts.arrow (who each account is).
 * Amounts are int64 pence. Account numbering is core's layout, so the two files join on `account`.
 */
import type { LedgerColumns, RunStarted } from "@devosim/core"
import { HOLDERS, lengthened, PURPOSE } from "@devosim/core"
import { accountDirectory, type AccountDirectory } from "@devosim/core"
import { Dictionary, Field, Int8, Int32, Int64, makeData, makeVector, Utf8, type Data, type Vector } from "apache-arrow"
import { ArrowFileStream, type ArrowFileResult } from "./arrow-stream.ts"
import { bitmap, dictionaryColumn, int32Column, int64Column, utf8FromCodes, utf8FromStrings, writeArrowFile, type ColumnSpec } from "./columns.ts"
import { MemorySink, type ByteSink } from "./sink.ts"
import { LogWriteError } from "./errors.ts"
import { META_FORMAT } from "./event-log.ts"

export const LEDGER_FORMAT = "ledger/2"
export const LEDGER_FORMAT_V1 = "ledger/1"
export const ACCOUNTS_FORMAT = "accounts/1"

/** Rows per (period, account) for the accounts that hold or move money in the period, computed by a projection elsewhere (report's `LedgerProjection`). */
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
    { name: "agency", data: utf8FromCodes(agency, dir.agencyIds), nullable: true },
    // The tier's path, only in a run with tiers (a run without keeps the columns it had).
    ...(dir.tierIds.length === 0 ? [] : [{ name: "tier", data: utf8FromCodes(Int32Array.from(account, (a) => dir.tier[a]!), dir.tierIds), nullable: true }])
  ]
}

/** Rows per record batch of ledger.arrow. */
export const LEDGER_BATCH_ROWS = 1 << 19

export interface LedgerWriterOptions {
  /** Rows per record batch (default `LEDGER_BATCH_ROWS`); smaller in tests. */
  readonly batchRows?: number
  /** Rows expected in all (a hint for the first buffer size; does not change the bytes). */
  readonly expectedRows?: number
}

/** Rows of the ledger to append: `LedgerColumns`, `length` optional (taken from `period`). */
export type LedgerRows = Omit<LedgerColumns, "length"> & { readonly length?: number }

const TWO32 = 4294967296

/**
 * Writes ledger.arrow ("ledger/2"; a run with tiers adds a last `tier` column, Dictionary<Utf8, Int32>?,
 * the tier's path) into a sink as periods are projected, in record batches of a
 * fixed row count (so the bytes do not depend on how the rows were appended). Columns:
 *
 *   period Int32 · account Int32 · holder, purpose Dictionary<Utf8, Int8> (core's HOLDERS, fixed)
 *   locality, agency Dictionary<Utf8, Int32>? over the run's locality / agency ids
 *   opening_pence · inflow_pence · outflow_pence · closing_pence Int64
 *
 * Checks every row balances (closing = opening + inflow − outflow, exactly), its account exists
 * and its amounts are safe integers. Throws `LogWriteError`.
 */
export class LedgerWriter {
  private readonly dir: AccountDirectory
  private readonly file: ArrowFileStream
  private readonly cap: number
  private readonly types = {
    holder: new Dictionary(new Utf8(), new Int8(), 0),
    purpose: new Dictionary(new Utf8(), new Int8(), 1),
    locality: new Dictionary(new Utf8(), new Int32(), 2),
    agency: new Dictionary(new Utf8(), new Int32(), 3),
    tier: new Dictionary(new Utf8(), new Int32(), 4)
  }
  private readonly dictionaries: { holder: Vector; purpose: Vector; locality: Vector; agency: Vector; tier: Vector }
  /** The run has tiers: rows carry the tier's path. */
  private readonly tiered: boolean
  private size = 0
  private rows = 0
  private total = 0
  private period: Int32Array = new Int32Array(0)
  private account: Int32Array = new Int32Array(0)
  private money: [Int32Array, Int32Array, Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0), new Int32Array(0), new Int32Array(0)]
  private result: ArrowFileResult | null = null
  private failed = false

  constructor(run: RunStarted, sink: ByteSink, options?: LedgerWriterOptions) {
    this.dir = accountDirectory(run)
    const batchRows = options?.batchRows ?? LEDGER_BATCH_ROWS
    if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > 0x7fffffff) throw new RangeError(`batchRows ${batchRows} is not a positive int32`)
    this.cap = batchRows
    this.dictionaries = {
      holder: makeVector(utf8FromStrings(HOLDER_NAMES)),
      purpose: makeVector(utf8FromStrings(PURPOSE_NAMES)),
      locality: makeVector(utf8FromStrings(this.dir.localityIds)),
      agency: makeVector(utf8FromStrings(this.dir.agencyIds)),
      tier: makeVector(utf8FromStrings(this.dir.tierIds))
    }
    this.tiered = this.dir.tierIds.length > 0
    const t = this.types
    this.file = new ArrowFileStream(
      sink,
      [
        new Field("period", new Int32(), false),
        new Field("account", new Int32(), false),
        new Field("holder", t.holder, false),
        new Field("purpose", t.purpose, false),
        new Field("locality", t.locality, true),
        new Field("agency", t.agency, true),
        ...MONEY.map((m) => new Field(`${m}_pence`, new Int64(), false)),
        ...(this.tiered ? [new Field("tier", t.tier, true)] : [])
      ],
      [[META_FORMAT, LEDGER_FORMAT]]
    )
    this.grow(Math.min(batchRows, Math.max(1024, options?.expectedRows ?? 0)))
  }

  private grow(min: number): void {
    const n = Math.min(this.cap, Math.max(min, this.size * 2))
    this.period = lengthened(this.period, n)
    this.account = lengthened(this.account, n)
    this.money = [lengthened(this.money[0], 2 * n), lengthened(this.money[1], 2 * n), lengthened(this.money[2], 2 * n), lengthened(this.money[3], 2 * n)]
    this.size = n
  }

  /** Appends rows (any number: a period, several, or part of one). */
  append(rows: LedgerRows): void {
    if (this.result !== null) throw new LogWriteError("append after finish")
    if (this.failed) throw new LogWriteError("the ledger writer failed earlier")
    try {
      this.appendRows(rows)
    } catch (e) {
      this.failed = true
      throw e
    }
  }

  private appendRows(input: LedgerRows): void {
    const { period, account, opening, inflow, outflow, closing } = input
    const n = input.length ?? period.length
    for (const [name, col] of [["period", period], ["account", account], ["opening", opening], ["inflow", inflow], ["outflow", outflow], ["closing", closing]] as const) {
      if (col.length !== n) throw new LogWriteError(`ledger column ${name} has ${col.length} rows, period has ${n}`)
    }
    const count = this.dir.count
    const cols = [opening, inflow, outflow, closing] as const
    for (let i = 0; i < n; i++) {
      const row = this.total + i
      const o = opening[i]!
      const inf = inflow[i]!
      const out = outflow[i]!
      const c = closing[i]!
      if (o + inf - out !== c) {
        throw new LogWriteError(`ledger row ${row} (period ${period[i]}, account ${account[i]}): opening ${o} + inflow ${inf} − outflow ${out} ≠ closing ${c}`)
      }
      const a = account[i]!
      if (!(a >= 0 && a < count)) throw new LogWriteError(`row ${row}: account ${a} outside 0..${count - 1}`)
      const r = this.rows
      if (r === this.size) this.grow(r + 1)
      this.period[r] = period[i]!
      this.account[r] = a
      for (let k = 0; k < 4; k++) {
        const x = cols[k]![i]!
        if (!Number.isSafeInteger(x)) throw new LogWriteError(`${MONEY[k]}[${row}] = ${x} is not an integer within ±(2^53-1)`)
        const hi = Math.floor(x / TWO32)
        const w = this.money[k]!
        w[2 * r] = (x - hi * TWO32) | 0
        w[2 * r + 1] = hi
      }
      this.rows++
      if (this.rows === this.cap) this.flush()
    }
    this.total += n
  }

  private flush(): void {
    const n = this.rows
    const dir = this.dir
    const holder = new Int8Array(n)
    const locality = new Int32Array(n)
    const agency = new Int32Array(n)
    const tier = this.tiered ? new Int32Array(n) : undefined
    for (let i = 0; i < n; i++) {
      const a = this.account[i]!
      holder[i] = dir.holder[a]!
      locality[i] = dir.locality[a]!
      agency[i] = dir.agency[a]!
      if (tier !== undefined) tier[i] = dir.tier[a]!
    }
    const indexed = (type: Dictionary, codes: Int32Array, dictionary: Vector): Data => {
      const nulls = bitmap(n, (i) => codes[i]! >= 0)
      for (let i = 0; i < n; i++) if (codes[i]! < 0) codes[i] = 0
      return makeData({ type, length: n, nullCount: nulls.nullCount, nullBitmap: nulls.nullCount > 0 ? nulls.bits : null, data: codes, dictionary } as never)
    }
    const t = this.types
    const d = this.dictionaries
    this.file.writeBatch(
      [
        int32Column(this.period.subarray(0, n)),
        int32Column(this.account.subarray(0, n)),
        makeData({ type: t.holder, length: n, nullCount: 0, data: holder, dictionary: d.holder }),
        makeData({ type: t.purpose, length: n, nullCount: 0, data: holder.slice(), dictionary: d.purpose }),
        indexed(t.locality, locality, d.locality),
        indexed(t.agency, agency, d.agency),
        ...this.money.map((w) => int64Column(new BigInt64Array(w.buffer, 0, n))),
        ...(tier === undefined ? [] : [indexed(t.tier, tier, d.tier)])
      ],
      n
    )
    this.rows = 0
  }

  /** Writes the last batch and the footer; returns the file's size and sha256. */
  finish(): ArrowFileResult & { readonly rows: number } {
    if (this.failed) throw new LogWriteError("the ledger writer failed earlier")
    if (this.result === null) {
      if (this.rows > 0 || this.total === 0) this.flush() // an empty ledger is one empty batch
      this.result = this.file.finish()
    }
    return { ...this.result, rows: this.total }
  }
}

const MONEY = ["opening", "inflow", "outflow", "closing"] as const

/**
 * Encodes the ledger projection in one go: `LedgerWriter` over an in-memory sink. Throws
 * `LogWriteError` on a row that does not balance, an unknown account, ragged columns.
 */
export const encodeLedger = (input: LedgerInput): Uint8Array => {
  const sink = new MemorySink()
  const w = new LedgerWriter(input.run, sink, { expectedRows: input.period.length })
  w.append(input)
  w.finish()
  return sink.bytes()
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
