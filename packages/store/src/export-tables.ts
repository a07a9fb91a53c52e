/**
 * The tables of `devosim export` as Arrow record batches, built from the decoded log (and so from
 * today's event shapes, whatever the on-disk layout of events.arrow): events (one row per event),
 * ledger (one row per period × account that holds or moves money), accounts, and tables of plain
 * rows (negotiations, money by locality: projections the CLI computes with report's folds). Each
 * builder hands out batches of a fixed row count as the log streams in, so memory is bounded by a
 * batch, and the batches do not depend on how the log was chunked. Every table has at least one
 * batch (an empty one for an empty table), so each file has its schema.
 *
 * Column names are stable and documented (README, "devosim export"). Amounts are Int64 pence;
 * times Float64 months since the start; ids Dictionary<Utf8> columns (dictionary-encoded in
 * Parquet); nulls where a column does not apply.
 */
import {
  Dictionary,
  Field,
  Float64,
  Int8,
  Int32,
  Int64,
  makeData,
  makeVector,
  Utf8,
  type Data,
  type Vector
} from "apache-arrow"
import { EVENT_KINDS, formatYearMonth, HOLDERS, parseYearMonth, periodMonth, POSTING_KIND, PURPOSE, TREASURY, type ControlEvent, type LedgerColumns, type LogChunk, type RunStarted } from "@devosim/core"
import { accountDirectory, type AccountDirectory } from "@devosim/core"
import { bitmap, float64Column, int32Column, int64Column, int64FromFloat64, utf8FromStrings } from "./columns.ts"
import { LogWriteError } from "./errors.ts"
import { META_FORMAT } from "./event-log-writer.ts"
import { canonicalJson } from "./json.ts"

/** Rows per record batch of an exported table (and per CSV write). */
export const EXPORT_BATCH_ROWS = 1 << 16

/** One record batch: `columns` in the order of the table's fields. */
export interface TableBatch {
  readonly columns: ReadonlyArray<Data>
  readonly length: number
}

/** An exported table's name, Arrow fields and schema metadata. */
export interface TableSchema {
  readonly name: string
  readonly fields: ReadonlyArray<Field>
  readonly metadata: ReadonlyArray<readonly [string, string]>
}

/** Tables whose columns changed since their first version: events and ledger gained `month` (and events `flow`). */
const TABLE_VERSIONS: Readonly<Record<string, number>> = { events: 2, ledger: 2 }

/** `devosim.format` of an exported table: `export-events/2`, `export-accounts/1`, … */
export const exportTableFormat = (table: string): string => `export-${table}/${TABLE_VERSIONS[table] ?? 1}`

const schemaOf = (name: string, fields: ReadonlyArray<Field>): TableSchema => ({ name, fields, metadata: [[META_FORMAT, exportTableFormat(name)]] })

/** The names of a table's dictionary columns (dictionary-encoded in Parquet). */
export const dictionaryColumnsOf = (schema: TableSchema): Array<string> =>
  schema.fields.filter((f) => f.type instanceof Dictionary).map((f) => f.name)

const checkBatchRows = (batchRows: number): number => {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > 0x7fffffff) throw new RangeError(`batchRows ${batchRows} is not a positive int32`)
  return batchRows
}

/** A dictionary column over `values`: `codes[row]` indexes it, -1 is null. */
const dictionaryData = (type: Dictionary, codes: Int32Array | Int8Array, dictionary: Vector): Data => {
  const n = codes.length
  const nulls = bitmap(n, (i) => codes[i]! >= 0)
  if (nulls.nullCount > 0) for (let i = 0; i < n; i++) if (codes[i]! < 0) codes[i] = 0
  return makeData({ type, length: n, nullCount: nulls.nullCount, nullBitmap: nulls.nullCount > 0 ? nulls.bits : null, data: codes, dictionary } as never)
}

const dictionaryVector = (values: ReadonlyArray<string>): Vector => makeVector(utf8FromStrings(values))

/**
 * The `month` column's dictionary: the calendar month (`YYYY-MM`) of each month index 0..months
 * (an event at t is in month floor(t); RunEnded, at t = months, in the month after the last period).
 */
const monthLabels = (run: RunStarted): Array<string> => {
  const start = parseYearMonth(run.start)
  if (start === undefined) throw new LogWriteError(`RunStarted: start ${JSON.stringify(run.start)} is not a YYYY-MM month`)
  return Array.from({ length: run.months + 1 }, (_, m) => formatYearMonth(periodMonth(start, m)))
}

/**
 * How postings are classified into flows, for the events table's `flow` column: report's
 * `classifyFlow` tabulated by the caller (store does not know the engine's money flows).
 */
export interface FlowClassifier {
  /** The flows' names, in the order of the `flow` column's dictionary. */
  readonly names: ReadonlyArray<string>
  /**
   * Index into `names` for (from holder, to holder, the cause's kind) at
   * `(from · HOLDERS.length + to) · EVENT_KINDS.length + kind`, holders and kinds as indices into
   * core's HOLDERS and EVENT_KINDS; kind 0 ("Posting", never a cause) stands for a cause not in the log.
   */
  readonly table: Uint8Array
}

const camelToSnake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A copy of a JSON-like value with every object key in snake_case (`queueLength` → `queue_length`). */
export const snakeCaseKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(snakeCaseKeys)
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[camelToSnake(k)] = snakeCaseKeys(v)
    return out
  }
  return value
}

/**
 * The `data` of a control event in the export: canonical JSON (sorted keys) of its fields other
 * than `_tag`, `seq`, `t` and `locality` (which have columns of their own), keys in snake_case.
 */
export const controlEventPayload = (e: ControlEvent): string => {
  const { _tag: _k, seq: _s, t: _t, ...rest } = e as unknown as Record<string, unknown>
  delete rest["locality"]
  return canonicalJson(snakeCaseKeys(rest))
}

// ---------------------------------------------------------------------------------------------
// events

/**
 * events: one row per event in seq order, control events and postings.
 *
 *   seq Int64 · t Float64 · month Dictionary<Utf8, Int32>? (calendar month of floor(t))
 *   kind Dictionary<Utf8, Int8> (core's EVENT_KINDS, "Posting" for postings)
 *   flow Dictionary<Utf8, Int8>? (a posting's flow, by the `FlowClassifier`; null for control events)
 *   locality Dictionary<Utf8, Int32>? (a control event's locality; a posting's non-Treasury side's)
 *   from_account Int32? · to_account Int32? · amount_pence Int64? · cause_seq Int64?  (postings)
 *   data Utf8? (control events: `controlEventPayload`)
 *   tier Dictionary<Utf8, Int32>? (a posting's tier, its receiving side's or else its paying side's; null in a run without tiers)
 */
export class EventsTable {
  readonly schema: TableSchema
  private readonly cap: number
  private readonly dir: AccountDirectory
  private readonly localityIndex: Map<string, number>
  private readonly kindIndex = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]))
  private readonly kindType = new Dictionary(new Utf8(), new Int8(), 0)
  private readonly localityType = new Dictionary(new Utf8(), new Int32(), 1)
  private readonly monthType = new Dictionary(new Utf8(), new Int32(), 2)
  private readonly flowType = new Dictionary(new Utf8(), new Int8(), 3)
  private readonly tierType = new Dictionary(new Utf8(), new Int32(), 4)
  private readonly tierValues: Vector
  private readonly kindValues = dictionaryVector(EVENT_KINDS)
  private readonly localityValues: Vector
  private readonly monthValues: Vector
  private readonly flowValues: Vector
  private readonly months: number
  private readonly flowTable: Uint8Array
  private readonly holder: Uint8Array
  /** By EVENT_KINDS index: 1 if postings caused by that kind are classified by it (found from the table). */
  private readonly classifies: Uint8Array
  /** Control seq → EVENT_KINDS index, for the control events that classify the postings they cause. */
  private readonly causeKind = new Map<number, number>()
  private lastCause = Number.NaN
  private lastCauseKind = 0
  private nextSeq = 0
  private emitted = 0
  // The batch being filled (fresh arrays per batch: a batch handed out is never changed).
  private rows = 0
  private t = new Float64Array(0)
  private kind = new Int8Array(0)
  private flow = new Int8Array(0)
  private locality = new Int32Array(0)
  private from = new Int32Array(0)
  private to = new Int32Array(0)
  private amount = new Float64Array(0)
  private cause = new Float64Array(0)
  private data: Array<string | null> = []

  constructor(run: RunStarted, flows: FlowClassifier, batchRows: number = EXPORT_BATCH_ROWS) {
    this.cap = checkBatchRows(batchRows)
    this.dir = accountDirectory(run)
    this.localityIndex = new Map(this.dir.localityIds.map((id, i) => [id, i]))
    this.localityValues = dictionaryVector(this.dir.localityIds)
    this.months = run.months
    this.monthValues = dictionaryVector(monthLabels(run))
    const H = HOLDERS.length
    const K = EVENT_KINDS.length
    if (flows.table.length !== H * H * K) throw new RangeError(`a flow table of ${flows.table.length} entries, expected ${H * H * K}`)
    if (flows.names.length > 127 || flows.table.some((f) => f >= flows.names.length)) throw new RangeError(`a flow table naming flows beyond its ${flows.names.length} names`)
    this.flowTable = flows.table
    this.flowValues = dictionaryVector(flows.names)
    this.holder = Uint8Array.from(this.dir.holder)
    this.classifies = new Uint8Array(K)
    for (let k = 1; k < K; k++)
      for (let x = 0; x < H * H && this.classifies[k] === 0; x++) if (flows.table[x * K + k] !== flows.table[x * K]) this.classifies[k] = 1
    this.schema = schemaOf("events", [
      new Field("seq", new Int64(), false),
      new Field("t", new Float64(), false),
      new Field("month", this.monthType, true),
      new Field("kind", this.kindType, false),
      new Field("flow", this.flowType, true),
      new Field("locality", this.localityType, true),
      new Field("from_account", new Int32(), true),
      new Field("to_account", new Int32(), true),
      new Field("amount_pence", new Int64(), true),
      new Field("cause_seq", new Int64(), true),
      new Field("data", new Utf8(), true),
      // Every run's export has it (null throughout without tiers), so tables of different runs share columns.
      new Field("tier", this.tierType, true)
    ])
    this.tierValues = dictionaryVector(this.dir.tierIds)
    this.fresh()
  }

  private fresh(): void {
    const n = this.cap
    this.t = new Float64Array(n)
    this.kind = new Int8Array(n)
    this.flow = new Int8Array(n)
    this.locality = new Int32Array(n)
    this.from = new Int32Array(n)
    this.to = new Int32Array(n)
    this.amount = new Float64Array(n)
    this.cause = new Float64Array(n)
    this.data = []
    this.rows = 0
  }

  /** Adds the next chunk of the log (seq order, contiguous); returns the batches it completed. */
  append(chunk: LogChunk): Array<TableBatch> {
    if (chunk.firstSeq !== this.nextSeq) throw new LogWriteError(`events: a chunk from seq ${chunk.firstSeq}, expected ${this.nextSeq}`)
    const out: Array<TableBatch> = []
    const { controls, postings: p } = chunk
    const end = chunk.firstSeq + controls.length + p.length
    const postingKind = this.kindIndex.get(POSTING_KIND)!
    const accountLocality = this.dir.locality
    const { holder, flowTable, classifies, causeKind } = this
    const H = HOLDERS.length
    const K = EVENT_KINDS.length
    let i = 0
    let j = 0
    for (let s = chunk.firstSeq; s < end; s++) {
      const r = this.rows
      const e = controls[i]
      if (e !== undefined && e.seq === s) {
        i++
        const k = this.kindIndex.get(e._tag)
        if (k === undefined) throw new LogWriteError(`events: seq ${s}: unknown kind ${JSON.stringify(e._tag)}`)
        const id = "locality" in e && typeof e.locality === "string" ? e.locality : null
        const loc = id === null ? -1 : this.localityIndex.get(id)
        if (loc === undefined) throw new LogWriteError(`events: seq ${s}: locality ${JSON.stringify(id)} is not one of the run's`)
        if (classifies[k] === 1) causeKind.set(s, k)
        this.t[r] = e.t
        this.kind[r] = k
        this.flow[r] = -1
        this.locality[r] = loc
        this.from[r] = -1
        this.data[r] = controlEventPayload(e)
      } else {
        if (j >= p.length || p.seq[j] !== s) throw new LogWriteError(`events: no event with seq ${s} in the chunk`)
        const f = p.from[j]!
        const g = p.to[j]!
        const c = p.cause[j]!
        // A line's postings come in runs of one cause: the last one's kind is kept.
        if (c !== this.lastCause) {
          this.lastCause = c
          this.lastCauseKind = causeKind.get(c) ?? 0
        }
        this.t[r] = p.t[j]!
        this.kind[r] = postingKind
        this.flow[r] = flowTable[(holder[f]! * H + holder[g]!) * K + this.lastCauseKind]!
        // The locality a posting belongs to is that of its non-Treasury side, as in events.arrow.
        this.locality[r] = f !== TREASURY ? accountLocality[f]! : accountLocality[g]!
        this.from[r] = f
        this.to[r] = g
        this.amount[r] = p.amount[j]!
        this.cause[r] = p.cause[j]!
        this.data[r] = null
        j++
      }
      if (++this.rows === this.cap) out.push(this.flush())
    }
    if (i !== controls.length || j !== p.length) throw new LogWriteError(`events: the chunk from seq ${chunk.firstSeq} has events outside ${chunk.firstSeq}..${end - 1}`)
    this.nextSeq = end
    return out
  }

  /** The last (partial) batch; an empty table gives one empty batch. */
  finish(): Array<TableBatch> {
    return this.rows > 0 || this.emitted === 0 ? [this.flush()] : []
  }

  private flush(): TableBatch {
    const n = this.rows
    const first = this.emitted
    const isPosting = bitmap(n, (r) => this.from[r]! >= 0)
    const seq = int64FromFloat64("seq", n, (r) => first + r)
    const amount = int64FromFloat64("amount_pence", n, (r) => (this.from[r]! >= 0 ? this.amount[r]! : 0))
    const cause = int64FromFloat64("cause_seq", n, (r) => (this.from[r]! >= 0 ? this.cause[r]! : 0))
    // A posting's tier: its receiving side's, or else its paying side's (control events have none).
    const tierOf = this.dir.tier
    const tier = new Int32Array(n)
    for (let r = 0; r < n; r++) tier[r] = this.from[r]! < 0 ? -1 : tierOf[this.to[r]!]! >= 0 ? tierOf[this.to[r]!]! : tierOf[this.from[r]!]!
    const from = this.from.subarray(0, n)
    for (let r = 0; r < n; r++) if (from[r]! < 0) from[r] = 0
    const t = this.t.subarray(0, n)
    const month = new Int32Array(n)
    for (let r = 0; r < n; r++) {
      const m = Math.floor(t[r]!)
      month[r] = m >= 0 && m <= this.months ? m : -1
    }
    const columns = [
      int64Column(seq),
      float64Column(t),
      dictionaryData(this.monthType, month, this.monthValues),
      makeData({ type: this.kindType, length: n, nullCount: 0, data: this.kind.subarray(0, n), dictionary: this.kindValues }),
      dictionaryData(this.flowType, this.flow.subarray(0, n), this.flowValues),
      dictionaryData(this.localityType, this.locality.subarray(0, n), this.localityValues),
      int32Column(from, isPosting),
      int32Column(this.to.subarray(0, n), isPosting),
      int64Column(amount, isPosting),
      int64Column(cause, isPosting),
      utf8FromStrings(this.data.slice(0, n))
    ]
    columns.push(dictionaryData(this.tierType, tier, this.tierValues))
    this.emitted += n
    this.fresh()
    return { columns, length: n }
  }
}

// ---------------------------------------------------------------------------------------------
// ledger

/**
 * ledger: one row per period × account that holds or moves money in the period (report's
 * `LedgerProjection`, as in ledger.arrow), period-major.
 *
 *   period Int32 · month Dictionary<Utf8, Int32> (the period's calendar month) · account Int32
 *   locality, agency Dictionary<Utf8, Int32>?
 *   opening_pence · inflow_pence · outflow_pence · closing_pence Int64
 */
export class LedgerTable {
  readonly schema: TableSchema
  private readonly cap: number
  private readonly dir: AccountDirectory
  private readonly localityType = new Dictionary(new Utf8(), new Int32(), 0)
  private readonly agencyType = new Dictionary(new Utf8(), new Int32(), 1)
  private readonly monthType = new Dictionary(new Utf8(), new Int32(), 2)
  private readonly tierType = new Dictionary(new Utf8(), new Int32(), 3)
  private readonly localityValues: Vector
  private readonly agencyValues: Vector
  private readonly monthValues: Vector
  /** The tiers' paths (none in a run without tiers: its `tier` column is null throughout). */
  private readonly tierValues: Vector
  private readonly months: number
  private emitted = 0
  private rows = 0
  private period = new Int32Array(0)
  private account = new Int32Array(0)
  private money: Array<Float64Array> = []

  constructor(run: RunStarted, batchRows: number = EXPORT_BATCH_ROWS) {
    this.cap = checkBatchRows(batchRows)
    this.dir = accountDirectory(run)
    this.localityValues = dictionaryVector(this.dir.localityIds)
    this.agencyValues = dictionaryVector(this.dir.agencyIds)
    this.months = run.months
    this.monthValues = dictionaryVector(monthLabels(run))
    this.tierValues = dictionaryVector(this.dir.tierIds)
    this.schema = schemaOf("ledger", [
      new Field("period", new Int32(), false),
      new Field("month", this.monthType, false),
      new Field("account", new Int32(), false),
      new Field("locality", this.localityType, true),
      new Field("agency", this.agencyType, true),
      ...MONEY.map((m) => new Field(`${m}_pence`, new Int64(), false)),
      new Field("tier", this.tierType, true)
    ])
    this.fresh()
  }

  private fresh(): void {
    const n = this.cap
    this.period = new Int32Array(n)
    this.account = new Int32Array(n)
    this.money = MONEY.map(() => new Float64Array(n))
    this.rows = 0
  }

  /** Adds rows (a period, as `LedgerProjection` hands them out); returns the batches completed. */
  append(rows: LedgerColumns): Array<TableBatch> {
    const out: Array<TableBatch> = []
    const cols = [rows.opening, rows.inflow, rows.outflow, rows.closing]
    for (let i = 0; i < rows.length; i++) {
      const o = rows.opening[i]!
      const inf = rows.inflow[i]!
      const x = rows.outflow[i]!
      const c = rows.closing[i]!
      const a = rows.account[i]!
      if (o + inf - x !== c) throw new LogWriteError(`ledger: period ${rows.period[i]}, account ${a}: opening ${o} + inflow ${inf} − outflow ${x} ≠ closing ${c}`)
      if (!(a >= 0 && a < this.dir.count)) throw new LogWriteError(`ledger: account ${a} outside 0..${this.dir.count - 1}`)
      if (!(rows.period[i]! >= 0 && rows.period[i]! < this.months)) throw new LogWriteError(`ledger: period ${rows.period[i]} outside 0..${this.months - 1}`)
      const r = this.rows
      this.period[r] = rows.period[i]!
      this.account[r] = a
      for (let k = 0; k < 4; k++) this.money[k]![r] = cols[k]![i]!
      if (++this.rows === this.cap) out.push(this.flush())
    }
    return out
  }

  finish(): Array<TableBatch> {
    return this.rows > 0 || this.emitted === 0 ? [this.flush()] : []
  }

  private flush(): TableBatch {
    const n = this.rows
    const account = this.account.subarray(0, n)
    const locality = new Int32Array(n)
    const agency = new Int32Array(n)
    for (let r = 0; r < n; r++) {
      locality[r] = this.dir.locality[account[r]!]!
      agency[r] = this.dir.agency[account[r]!]!
    }
    const period = this.period.subarray(0, n)
    const columns = [
      int32Column(period),
      makeData({ type: this.monthType, length: n, nullCount: 0, data: period.slice(), dictionary: this.monthValues }),
      int32Column(account),
      dictionaryData(this.localityType, locality, this.localityValues),
      dictionaryData(this.agencyType, agency, this.agencyValues),
      ...this.money.map((m, k) => int64Column(int64FromFloat64(`${MONEY[k]}_pence`, n, (r) => m[r]!))),
      dictionaryData(this.tierType, Int32Array.from(account, (a) => this.dir.tier[a]!), this.tierValues)
    ]
    this.emitted += n
    this.fresh()
    return { columns, length: n }
  }
}

const MONEY = ["opening", "inflow", "outflow", "closing"] as const

// ---------------------------------------------------------------------------------------------
// accounts

/**
 * accounts: one row per account of the run, in account order (the numbering of core's ledger
 * layout, which `from_account`, `to_account` and the ledger's `account` use).
 *
 *   account Int32 · holder, purpose Dictionary<Utf8, Int8> (core's HOLDERS, PURPOSE)
 *   locality, agency Dictionary<Utf8, Int32>?
 */
export class AccountsTable {
  readonly schema: TableSchema
  private readonly cap: number
  private readonly dir: AccountDirectory
  private readonly types = {
    holder: new Dictionary(new Utf8(), new Int8(), 0),
    purpose: new Dictionary(new Utf8(), new Int8(), 1),
    locality: new Dictionary(new Utf8(), new Int32(), 2),
    agency: new Dictionary(new Utf8(), new Int32(), 3),
    tier: new Dictionary(new Utf8(), new Int32(), 4)
  }
  private readonly values: { holder: Vector; purpose: Vector; locality: Vector; agency: Vector; tier: Vector }

  constructor(run: RunStarted, batchRows: number = EXPORT_BATCH_ROWS) {
    this.cap = checkBatchRows(batchRows)
    this.dir = accountDirectory(run)
    this.values = {
      holder: dictionaryVector(HOLDERS),
      purpose: dictionaryVector(HOLDERS.map((h) => PURPOSE[h])),
      locality: dictionaryVector(this.dir.localityIds),
      agency: dictionaryVector(this.dir.agencyIds),
      tier: dictionaryVector(this.dir.tierIds)
    }
    const t = this.types
    this.schema = schemaOf("accounts", [
      new Field("account", new Int32(), false),
      new Field("holder", t.holder, false),
      new Field("purpose", t.purpose, false),
      new Field("locality", t.locality, true),
      new Field("agency", t.agency, true),
      new Field("tier", t.tier, true)
    ])
  }

  get rows(): number {
    return this.dir.count
  }

  /** The table's batches, in account order. */
  *batches(): Generator<TableBatch, void, undefined> {
    const count = this.dir.count
    for (let first = 0; first < count || first === 0; first += this.cap) {
      const n = Math.min(this.cap, count - first)
      const account = new Int32Array(n)
      const holder = new Int8Array(n)
      const locality = new Int32Array(n)
      const agency = new Int32Array(n)
      for (let r = 0; r < n; r++) {
        const a = first + r
        account[r] = a
        holder[r] = this.dir.holder[a]!
        locality[r] = this.dir.locality[a]!
        agency[r] = this.dir.agency[a]!
      }
      const t = this.types
      const v = this.values
      yield {
        columns: [
          int32Column(account),
          makeData({ type: t.holder, length: n, nullCount: 0, data: holder, dictionary: v.holder }),
          makeData({ type: t.purpose, length: n, nullCount: 0, data: holder.slice(), dictionary: v.purpose }),
          dictionaryData(t.locality, locality, v.locality),
          dictionaryData(t.agency, agency, v.agency),
          dictionaryData(t.tier, Int32Array.from(account, (a) => this.dir.tier[a]!), v.tier)
        ],
        length: n
      }
      if (count === 0) return
    }
  }
}

// ---------------------------------------------------------------------------------------------
// tables of plain rows

/** One column of a table of plain rows: its name, type and how a row gives its value. */
export type RowColumn<T> =
  | { readonly name: string; readonly type: "int32" | "int64" | "float64"; readonly nullable?: boolean; readonly value: (row: T) => number | null }
  | { readonly name: string; readonly type: "utf8"; readonly nullable?: boolean; readonly value: (row: T) => string | null }
  | {
      readonly name: string
      readonly type: "dictionary"
      readonly nullable?: boolean
      /** The dictionary's first values, in order; values met in the rows and not listed follow in order of first use. */
      readonly values?: ReadonlyArray<string>
      readonly value: (row: T) => string | null
    }

/**
 * A small table of plain rows (one per locality, say) as record batches, column by column. Int64
 * values must be safe integers (pence); nulls only in nullable columns. Throws `LogWriteError`.
 */
export class RowsTable<T> {
  readonly schema: TableSchema
  private readonly cap: number
  private readonly columns: ReadonlyArray<RowColumn<T>>
  private readonly rowsOf: ReadonlyArray<T>
  private readonly dictionaries: Map<string, { readonly type: Dictionary; readonly index: Map<string, number>; readonly vector: Vector }> = new Map()

  constructor(name: string, columns: ReadonlyArray<RowColumn<T>>, rows: ReadonlyArray<T>, batchRows: number = EXPORT_BATCH_ROWS) {
    this.cap = checkBatchRows(batchRows)
    this.columns = columns
    this.rowsOf = rows
    let id = 0
    const fields = columns.map((c) => {
      const nullable = c.nullable === true
      switch (c.type) {
        case "int32":
          return new Field(c.name, new Int32(), nullable)
        case "int64":
          return new Field(c.name, new Int64(), nullable)
        case "float64":
          return new Field(c.name, new Float64(), nullable)
        case "utf8":
          return new Field(c.name, new Utf8(), nullable)
        case "dictionary": {
          const values = [...(c.values ?? [])]
          const index = new Map(values.map((v, i) => [v, i]))
          for (const row of rows) {
            const v = c.value(row)
            if (v !== null && !index.has(v)) {
              index.set(v, values.length)
              values.push(v)
            }
          }
          const type = new Dictionary(new Utf8(), new Int32(), id++)
          this.dictionaries.set(c.name, { type, index, vector: dictionaryVector(values) })
          return new Field(c.name, type, nullable)
        }
      }
    })
    this.schema = schemaOf(name, fields)
  }

  get rows(): number {
    return this.rowsOf.length
  }

  *batches(): Generator<TableBatch, void, undefined> {
    const all = this.rowsOf
    for (let first = 0; first < all.length || first === 0; first += this.cap) {
      const rows = all.slice(first, first + this.cap)
      const n = rows.length
      const columns = this.columns.map((c) => {
        const values = rows.map((row) => c.value(row) as number | string | null)
        const nulls = bitmap(n, (r) => values[r] !== null)
        if (nulls.nullCount > 0 && c.nullable !== true) {
          throw new LogWriteError(`${this.schema.name}.${c.name}: row ${first + values.indexOf(null)} is null in a column that is never null`)
        }
        switch (c.type) {
          case "int32": {
            const out = new Int32Array(n)
            values.forEach((v, r) => {
              if (v === null) return
              if (!(typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff)) throw new LogWriteError(`${this.schema.name}.${c.name}[${first + r}] = ${v} is not an int32`)
              out[r] = v
            })
            return int32Column(out, nulls)
          }
          case "int64":
            return int64Column(int64FromFloat64(`${this.schema.name}.${c.name}`, n, (r) => (values[r] === null ? 0 : (values[r] as number))), nulls)
          case "float64": {
            const out = new Float64Array(n)
            values.forEach((v, r) => {
              if (v !== null) out[r] = v as number
            })
            if (nulls.nullCount === 0) return float64Column(out)
            return makeData({ type: new Float64(), length: n, nullCount: nulls.nullCount, nullBitmap: nulls.bits, data: out })
          }
          case "utf8":
            return utf8FromStrings(values as Array<string | null>)
          case "dictionary": {
            const d = this.dictionaries.get(c.name)!
            const codes = new Int32Array(n)
            values.forEach((v, r) => (codes[r] = v === null ? -1 : d.index.get(v as string)!))
            return dictionaryData(d.type, codes, d.vector)
          }
        }
      })
      yield { columns, length: n }
      if (all.length === 0) return
    }
  }
}
