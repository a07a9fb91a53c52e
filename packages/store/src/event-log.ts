/**
 * events.arrow: the whole log, one row per event in seq order (DESIGN §4, §6), in record batches
 * of `EVENT_BATCH_ROWS` rows. Written by `EventLogWriter` (event-log-writer.ts, where the columns
 * are listed); `encodeEventLog` is that writer over an in-memory sink.
 *
 * Schema metadata: devosim.format = "events/2" ("events/1", one batch, `kind` dictionary in order
 * of first use and `locality` plain Utf8, is still read), devosim.event_schema_version (the version
 * of the control events' shapes; a log of an older version is upcast by core's `upcaster` as it is
 * read).
 *
 * Reading: `decodeEventLog` (bytes in memory) and `readEventLogChunks` (a file, one record batch at
 * a time, bounded memory) share one per-batch decoder, `EventLogDecoder`.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import { RecordBatch, Schema, Table, tableFromIPC, tableToIPC, type Vector } from "apache-arrow"
import { Footer } from "apache-arrow/ipc/metadata/file"
import { decodeControlEvent, EVENT_SCHEMA_VERSION, firstPostings, joinChunks, newPostingColumns, POSTING_KIND, upcaster, type ControlEvent, type LogChunk, type RawControlEvent, type RunStarted } from "@devosim/core"
import type { EventLog, PostingColumns } from "@devosim/core"
import { accountDirectory } from "@devosim/core"
import { verifyChecksumFile } from "./checksum.ts"
import { int64At, type ColumnSpec } from "./columns.ts"
import { LogReadError, LogWriteError } from "./errors.ts"
import {
  EVENTS_FORMAT,
  EVENTS_FORMAT_V1,
  EventBatcher,
  EventLogWriter,
  eventLogMetadata,
  META_EVENT_SCHEMA_VERSION,
  META_FORMAT
} from "./event-log-writer.ts"
import { SeqBits } from "./seq-bits.ts"
import { MemorySink } from "./sink.ts"
import {
  dictionaryCodes,
  fixedValues,
  int64Words,
  isFloat64,
  isInt,
  isUtf8,
  isUtf8Dictionary,
  isValid,
  metadataOf,
  openArrowFile,
  validityBits
} from "./read.ts"

export { EVENTS_FORMAT, EVENTS_FORMAT_V1, eventLogMetadata, META_EVENT_SCHEMA_VERSION, META_FORMAT }

/** Encodes a log as an Arrow IPC file. Same log, same bytes. Throws `LogWriteError` on a malformed log. */
export const encodeEventLog = (log: EventLog): Uint8Array => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted" || run.seq !== 0) {
    throw new LogWriteError("the first control event must be RunStarted at seq 0")
  }
  const sink = new MemorySink()
  const writer = new EventLogWriter(run, sink, { expectedRows: log.controls.length + log.postings.length })
  writer.append({ firstSeq: 0, controls: log.controls, postings: log.postings })
  writer.finish()
  return sink.bytes()
}

/**
 * The columns of events.arrow for a whole log as one batch, checked as the writer checks them.
 * Exported for tests that forge files (with `writeArrowFile`).
 */
export const eventLogColumns = (log: EventLog): Array<ColumnSpec> => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted" || run.seq !== 0) {
    throw new LogWriteError("the first control event must be RunStarted at seq 0")
  }
  const n = log.controls.length + log.postings.length
  let out: ReadonlyArray<ColumnSpec> = []
  const batcher = new EventBatcher(run, Math.max(1, n), (cols) => (out = cols), n)
  batcher.append({ firstSeq: 0, controls: log.controls, postings: log.postings })
  batcher.end()
  return [...out]
}

export type DecodeEventLogResult =
  | { readonly ok: true; readonly log: EventLog }
  | { readonly ok: false; readonly error: LogReadError }

/**
 * Reads events.arrow back into an `EventLog`, validating it: never throws, returns the failure as
 * a `LogReadError` (see its `reason`).
 */
export const decodeEventLog = (bytes: Uint8Array): DecodeEventLogResult => {
  try {
    return { ok: true, log: decodeEventLogOrThrow(bytes) }
  } catch (e) {
    const error =
      e instanceof LogReadError
        ? e
        : new LogReadError("Corrupt", `unreadable event log: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    return { ok: false, error }
  }
}

/** As `decodeEventLog`, but throws the `LogReadError` (for callers already in a try or an Effect). */
export const decodeEventLogOrThrow = (bytes: Uint8Array): EventLog => {
  const table = openArrowFile(bytes, { requireChecksum: true })
  const decoder = new EventLogDecoder(metadataOf(table), table.schema)
  const chunks = table.batches.map((b) => decoder.batch(b))
  decoder.finish()
  return joinChunks(chunks)
}


const COLUMNS = [
  ["seq", "Int64", isInt(64)],
  ["t", "Float64", isFloat64],
  ["kind", "Dictionary<Utf8>", isUtf8Dictionary],
  // Derived from accounts; checked for shape only: Utf8 in events/1, Dictionary<Utf8> in events/2.
  ["locality", "Utf8 or Dictionary<Utf8>", (t: Parameters<typeof isUtf8>[0]) => isUtf8(t) || isUtf8Dictionary(t)],
  ["from_account", "Int32", isInt(32)],
  ["to_account", "Int32", isInt(32)],
  ["amount_pence", "Int64", isInt(64)],
  ["cause_seq", "Int64", isInt(64)],
  ["data", "Utf8", isUtf8]
] as const

/**
 * Decodes events.arrow record batch by record batch, validating as it goes: the schema and
 * metadata once, then each batch's rows, with the checks that span batches (seq = row number,
 * a posting's cause an earlier control event, RunStarted first) carried from batch to batch.
 * Throws `LogReadError`.
 */
export class EventLogDecoder {
  private readonly upcast: (e: RawControlEvent) => RawControlEvent
  /** The log is of today's event schema version: no upcasting. */
  private readonly current: boolean
  private readonly index: ReadonlyArray<number>
  private next = 0
  private accounts = -1
  private readonly controlSeqs = new SeqBits()
  /** With `reuseBuffers`: the posting columns, grown as needed and handed out as views. */
  private pool: PostingColumns | undefined
  private readonly reuseBuffers: boolean

  /** `reuseBuffers`: each chunk's posting columns are views of arrays the next chunk overwrites. */
  constructor(meta: Readonly<Record<string, string>>, schema: Schema, reuseBuffers = false) {
    this.reuseBuffers = reuseBuffers
    const format = meta[META_FORMAT]
    if (format !== EVENTS_FORMAT && format !== EVENTS_FORMAT_V1) {
      throw new LogReadError("WrongFormat", `not a devosim event log (${META_FORMAT} is ${JSON.stringify(format ?? null)}, expected "${EVENTS_FORMAT}")`)
    }
    const versionText = meta[META_EVENT_SCHEMA_VERSION] ?? ""
    const version = /^[1-9][0-9]{0,8}$/.test(versionText) ? Number(versionText) : Number.NaN
    if (Number.isNaN(version)) {
      throw new LogReadError("WrongFormat", `bad ${META_EVENT_SCHEMA_VERSION}: ${JSON.stringify(versionText)}`)
    }
    if (version > EVENT_SCHEMA_VERSION) {
      throw new LogReadError(
        "UnsupportedVersion",
        `event schema version ${version} is newer than this engine reads (${EVENT_SCHEMA_VERSION}); upgrade devosim`
      )
    }
    // Control events of an older version are rewritten into today's shapes (core's upcast.ts) before decoding.
    this.upcast = upcaster(version)
    this.current = version === EVENT_SCHEMA_VERSION
    this.index = COLUMNS.map(([name, expected, check]) => {
      const i = schema.fields.findIndex((f) => f.name === name)
      if (i < 0) throw new LogReadError("MissingColumn", `missing column ${name}`)
      const type = schema.fields[i]!.type
      if (!check(type)) throw new LogReadError("WrongColumnType", `column ${name} is ${String(type)}, expected ${expected}`)
      return i
    })
  }

  /** Events decoded so far (= the seq of the next row). */
  get events(): number {
    return this.next
  }

  /** The next record batch as a log chunk. */
  batch(b: RecordBatch): LogChunk {
    const col = (k: number): Vector => {
      const v = b.getChildAt(this.index[k]!)
      if (!v) throw new LogReadError("MissingColumn", `missing column ${COLUMNS[k]![0]}`)
      return v
    }
    const [seqV, tV, kindV, , fromV, toV, amountV, causeV, dataV] = COLUMNS.map((_, k) => (k === 3 ? null : col(k)))
    const base = this.next
    const n = b.numRows

    const seq = int64Words("seq", seqV!)
    for (let r = 0; r < n; r++) {
      // The high word is 0 for any seq below 2^31; int64At only for the rest.
      const lo = seq[2 * r]!
      if ((seq[2 * r + 1] === 0 && lo >= 0 ? lo : int64At(seq, r)) !== base + r) {
        throw new LogReadError("BadSequence", `seq is ${String(seqV!.get(r))}, expected ${base + r}`, { row: base + r })
      }
    }
    const t = fixedValues("t", tV!, Float64Array)
    const { values: kindNames, codes: kind } = dictionaryCodes("kind", kindV!)
    const postingCode = kindNames.indexOf(POSTING_KIND)

    // Control events: few; decoded and validated by core's schema.
    const controls: Array<ControlEvent> = []
    let postingCount = 0
    for (let r = 0; r < n; r++) {
      const k = kind[r]!
      if (k < 0) throw new LogReadError("Corrupt", "kind is null or outside its dictionary", { row: base + r })
      if (k === postingCode) {
        postingCount++
        continue
      }
      controls.push(decodeControlRow(base + r, kindNames[k]!, t[r]!, dataV!.get(r), this.upcast, this.current))
    }
    if (this.accounts < 0 && n > 0) {
      const run = controls[0]
      if (run === undefined || run._tag !== "RunStarted" || run.seq !== 0) {
        throw new LogReadError("BadControlEvent", "the log does not start with RunStarted at seq 0", { row: 0 })
      }
      this.accounts = accountDirectory(run as RunStarted).count
    }
    const accounts = this.accounts

    // Postings: many; straight typed-array passes.
    const fromAll = fixedValues("from_account", fromV!, Int32Array)
    const toAll = fixedValues("to_account", toV!, Int32Array)
    const amountAll = int64Words("amount_pence", amountV!)
    const causeAll = int64Words("cause_seq", causeV!)
    const fromOk = validityBits(fromV!)
    const toOk = validityBits(toV!)
    const amountOk = validityBits(amountV!)
    const causeOk = validityBits(causeV!)
    const out = this.postingColumns(postingCount, n)
    const { seq: outSeq, t: outT, from: outFrom, to: outTo, amount: outAmount, cause: outCause } = out
    const causeIsControl = (cause: number, row: number): boolean =>
      cause >= 0 && cause < row && (cause >= base ? kind[cause - base] !== postingCode : this.controlSeqs.has(cause))

    /**
     * Posting rows [r0, r1) into the output from j, checked as a whole: one pass for the accounts,
     * amounts and causes, `set` for the columns that are copied as they are. False (the output
     * partly written) when a check fails: `rowByRow` then finds the first bad row.
     */
    const inBulk = (r0: number, r1: number, j: number, checked: number): number | false => {
      if (!allValid(fromOk, r0, r1) || !allValid(toOk, r0, r1) || !allValid(amountOk, r0, r1) || !allValid(causeOk, r0, r1)) return false
      let checkedCause = checked
      for (let r = r0, k = j; r < r1; r++, k++) {
        const from = fromAll[r]!
        const to = toAll[r]!
        // Unsigned: a negative account is out of range too.
        if (from >>> 0 >= accounts || to >>> 0 >= accounts) return false
        const lo = amountAll[2 * r]!
        const amount = amountAll[2 * r + 1] === 0 && lo >= 0 ? lo : int64At(amountAll, r)
        if (amount !== amount) return false
        const causeLo = causeAll[2 * r]!
        const cause = causeAll[2 * r + 1] === 0 && causeLo >= 0 ? causeLo : int64At(causeAll, r)
        if (cause !== checkedCause) {
          if (!causeIsControl(cause, base + r)) return false
          checkedCause = cause
        }
        outSeq[k] = base + r
        outAmount[k] = amount
        outCause[k] = cause
      }
      outT.set(t.subarray(r0, r1), j)
      outFrom.set(fromAll.subarray(r0, r1), j)
      outTo.set(toAll.subarray(r0, r1), j)
      return checkedCause
    }

    /** The same rows one at a time, reporting the first that is not a well-formed posting. */
    const rowByRow = (r0: number, r1: number, j: number, checked: number): number => {
      let checkedCause = checked
      for (let r = r0; r < r1; r++, j++) {
        const row = base + r
        if (!isValid(fromOk, r) || !isValid(toOk, r) || !isValid(amountOk, r) || !isValid(causeOk, r)) {
          throw new LogReadError("BadPosting", "posting has a null account, amount or cause", { row })
        }
        const from = fromAll[r]!
        const to = toAll[r]!
        if (from < 0 || from >= accounts || to < 0 || to >= accounts) {
          throw new LogReadError("BadPosting", `account ${from} → ${to} outside 0..${accounts - 1}`, { row })
        }
        // Non-negative values below 2^31 (nearly every amount, every cause) are their low word.
        const lo = amountAll[2 * r]!
        const amount = amountAll[2 * r + 1] === 0 && lo >= 0 ? lo : int64At(amountAll, r)
        if (Number.isNaN(amount)) throw new LogReadError("BadPosting", "amount beyond ±(2^53-1) pence", { row })
        const causeLo = causeAll[2 * r]!
        const cause = causeAll[2 * r + 1] === 0 && causeLo >= 0 ? causeLo : int64At(causeAll, r)
        // Postings come in runs with one cause: each distinct cause is looked up once.
        if (cause !== checkedCause) {
          if (!causeIsControl(cause, row)) {
            throw new LogReadError("BadPosting", `cause ${String(causeV!.get(r))} is not an earlier control event`, { row })
          }
          checkedCause = cause
        }
        outSeq[j] = row
        outT[j] = t[r]!
        outFrom[j] = from
        outTo[j] = to
        outAmount[j] = amount
        outCause[j] = cause
      }
      return checkedCause
    }

    // Runs of consecutive posting rows (control rows are few and far between).
    let j = 0
    let checkedCause = -1
    for (let r = 0; r < n; ) {
      if (kind[r] !== postingCode) {
        r++
        continue
      }
      let end = r + 1
      while (end < n && kind[end] === postingCode) end++
      const bulk = inBulk(r, end, j, checkedCause)
      checkedCause = bulk === false ? rowByRow(r, end, j, checkedCause) : bulk
      j += end - r
      r = end
    }
    for (const e of controls) this.controlSeqs.add(e.seq)
    this.next = base + n
    return { firstSeq: base, controls, postings: out }
  }

  /** `n` posting columns; pooled ones are sized by the batch's rows, which every batch but the last shares. */
  private postingColumns(n: number, rows: number): PostingColumns {
    if (!this.reuseBuffers) return newPostingColumns(n)
    if (this.pool === undefined || this.pool.length < n) this.pool = newPostingColumns(Math.max(n, rows))
    return firstPostings(this.pool, n)
  }

  /** After the last batch: a log has at least its RunStarted. */
  finish(): void {
    if (this.accounts < 0) throw new LogReadError("BadControlEvent", "the log does not start with RunStarted at seq 0", { row: 0 })
  }
}

export interface ReadEventLogOptions {
  /** Check the file's own checksum first, in a streaming pass (default true). */
  readonly verifyChecksum?: boolean
  /**
   * Read every batch into the same buffers (default false): a chunk (or batch) is then valid only
   * until the next is asked for. For one-pass folds and copies: the memory stays that of the largest
   * batch, where fresh buffers per batch would wait for the garbage collector (external memory is
   * freed late) and a long log's peak would grow with its length.
   */
  readonly reuseBuffers?: boolean
}

/** Every bit of rows [from, to) is set in `bits` (null: no row is null); bits past a short bitmap are not. */
const allValid = (bits: Uint8Array | null, from: number, to: number): boolean => {
  if (bits === null) return true
  let r = from
  for (; r < to && (r & 7) !== 0; r++) if ((((bits[r >> 3] ?? 0) >> (r & 7)) & 1) === 0) return false
  for (; r + 8 <= to; r += 8) if (bits[r >> 3] !== 0xff) return false
  for (; r < to; r++) if ((((bits[r >> 3] ?? 0) >> (r & 7)) & 1) === 0) return false
  return true
}

const MAGIC = Buffer.from("ARROW1", "latin1")
const EOS = new Uint8Array(Int32Array.of(-1, 0).buffer)

/**
 * Reads events.arrow from a file one record batch at a time, yielding each as a `LogChunk` (seq
 * order, contiguous), with the validation and upcasting of `decodeEventLog`. Memory is bounded by
 * one batch: the footer locates the batches, each is read with positional reads. The file's own
 * checksum is checked first by hashing it in a streaming pass. Throws `LogReadError` (with the
 * reasons `decodeEventLog` gives), or the file system's error when it cannot be opened or read.
 */
export function* readEventLogChunks(path: string, options?: ReadEventLogOptions): Generator<LogChunk, void, undefined> {
  const fd = openSync(path, "r")
  try {
    yield* readEventLogChunksFromFd(fd, options)
  } finally {
    closeSync(fd)
  }
}

/** `readEventLogChunks` over a file already open (e.g. through untrusted.ts's checks); the caller closes it. */
export function* readEventLogChunksFromFd(fd: number, options?: ReadEventLogOptions): Generator<LogChunk, void, undefined> {
  let decoder: EventLogDecoder | undefined
  for (const { schema, batch } of arrowFileBatches(fd, options)) {
    decoder ??= new EventLogDecoder(Object.fromEntries(schema.metadata), schema, options?.reuseBuffers ?? false)
    yield decoder.batch(batch)
  }
  if (decoder === undefined) throw new LogReadError("BadControlEvent", "the log does not start with RunStarted at seq 0", { row: 0 })
  decoder.finish()
}

/**
 * The record batches of an Arrow IPC file written by devosim, one at a time (memory: one batch),
 * each with the file's schema: the footer locates them and each is read with positional reads
 * into a small IPC stream of its own (the schema, the dictionaries, the batch). The file's own
 * checksum is checked first, in a streaming pass, unless `verifyChecksum` is false. Throws
 * `LogReadError` on a damaged file.
 */
export function* arrowFileBatches(fd: number, options?: ReadEventLogOptions): Generator<{ readonly schema: Schema; readonly batch: RecordBatch }, void, undefined> {
  const size = fstatSync(fd).size
  const readAt = (at: number, length: number): Uint8Array => {
    const buf = new Uint8Array(length)
    readFully(fd, buf, 0, length, at)
    return buf
  }
  if (size < MAGIC.length || !Buffer.from(readAt(0, MAGIC.length)).equals(MAGIC)) {
    throw new LogReadError("NotArrowFile", "not an Arrow IPC file (no ARROW1 magic at the start)")
  }
  if (size < 2 * MAGIC.length || !Buffer.from(readAt(size - MAGIC.length, MAGIC.length)).equals(MAGIC)) {
    throw new LogReadError("Truncated", `Arrow file is truncated (${size} bytes, no ARROW1 magic at the end)`)
  }
  if (options?.verifyChecksum ?? true) {
    const sum = verifyChecksumFile(fd, size)
    if (sum === "mismatch") throw new LogReadError("ChecksumMismatch", "Arrow file is damaged (its content checksum does not match)")
    if (sum === "absent") throw new LogReadError("WrongFormat", "Arrow file has no devosim content checksum: not written by devosim, or damaged")
  }
  const damaged = (detail: string, cause?: unknown): LogReadError => new LogReadError("Corrupt", `Arrow file is damaged: ${detail}`, { cause })
  if (size < 18) throw damaged("too short for a footer")
  const footerLen = Buffer.from(readAt(size - 10, 4)).readInt32LE(0)
  if (footerLen <= 0 || footerLen > size - 18) throw damaged(`footer length ${footerLen} does not fit the file`)
  let footer: Footer
  try {
    footer = Footer.decode(readAt(size - 10 - footerLen, footerLen))
  } catch (e) {
    throw damaged(e instanceof Error ? e.message : String(e), e)
  }
  const schemaStream = tableToIPC(new Table(new Schema(footer.schema.fields)), "stream")
  const parts: Array<Uint8Array> = [schemaStream.subarray(0, schemaStream.length - EOS.length)]
  const blockBytes = (b: { offset: bigint | number; metaDataLength: number; bodyLength: bigint | number }, what: string): readonly [number, number] => {
    const offset = Number(b.offset)
    const length = b.metaDataLength + Number(b.bodyLength)
    if (!(offset >= 8 && length > 0 && offset + length <= size - 10 - footerLen)) throw damaged(`${what} block outside the file`)
    return [offset, length]
  }
  for (let i = 0; i < footer.numDictionaries; i++) {
    const [offset, length] = blockBytes(footer.getDictionaryBatch(i)!, "dictionary")
    parts.push(readAt(offset, length))
  }
  const prefix = Buffer.concat(parts)
  let pool: Uint8Array | undefined
  for (let i = 0; i < footer.numRecordBatches; i++) {
    const [offset, length] = blockBytes(footer.getRecordBatch(i)!, "record batch")
    const need = prefix.length + length + EOS.length
    let buf: Uint8Array
    if (options?.reuseBuffers === true) {
      if (pool === undefined || pool.length < need) pool = new Uint8Array(need)
      buf = pool.subarray(0, need)
    } else buf = new Uint8Array(need)
    buf.set(prefix, 0)
    readFully(fd, buf, prefix.length, length, offset)
    buf.set(EOS, prefix.length + length)
    let batch: RecordBatch | undefined
    try {
      const table = tableFromIPC(buf)
      batch = table.batches.length === 1 ? table.batches[0] : undefined
    } catch (e) {
      throw damaged(e instanceof Error ? e.message : String(e), e)
    }
    if (batch === undefined) throw damaged(`record batch ${i} does not decode`)
    yield { schema: footer.schema, batch }
  }
}

/** Reads a whole events.arrow file with `readEventLogChunks` (for tests and small logs). */
export const readEventLogFile = (path: string, options?: ReadEventLogOptions): EventLog => joinChunks([...readEventLogChunks(path, options)])

const readFully = (fd: number, buf: Uint8Array, at: number, length: number, position: number): void => {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, at + done, length - done, position + done)
    if (n === 0) throw new LogReadError("Truncated", `Arrow file is truncated (ended while reading ${length} bytes at ${position})`)
    done += n
  }
}

/**
 * The queue's events, checked by hand as core's schema checks them (a run has hundreds of
 * thousands; the schema's decoder costs microseconds each): only in a log of today's event schema
 * version, which needs no upcasting. Other kinds: undefined (the schema decodes them).
 */
export const decodeFrequentControl = (tag: string, row: number, t: number, f: Record<string, unknown>): ControlEvent | undefined => {
  const bad = (field: string, expected: string): never => {
    throw new LogReadError("BadControlEvent", `not a valid ${tag} event: ${field}: expected ${expected}, found ${JSON.stringify(f[field]) ?? "nothing"}`, { row })
  }
  const int = (field: string, min = Number.MIN_SAFE_INTEGER): number => {
    const v = f[field]
    return typeof v === "number" && Number.isSafeInteger(v) && v >= min ? v : bad(field, min === 0 ? "an integer ≥ 0" : "an integer")
  }
  const finite = (field: string): number => {
    const v = f[field]
    return typeof v === "number" && Number.isFinite(v) ? v : bad(field, "a finite number")
  }
  const str = (field: string): string => {
    const v = f[field]
    return typeof v === "string" ? v : bad(field, "a string")
  }
  if (!Number.isFinite(t)) throw new LogReadError("BadControlEvent", `not a valid ${tag} event: t: expected a finite number, found ${t}`, { row })
  switch (tag) {
    case "NegotiationQueued":
      return { _tag: tag, seq: row, t, locality: str("locality"), attempt: int("attempt") }
    case "NegotiationStarted":
      return { _tag: tag, seq: row, t, locality: str("locality"), attempt: int("attempt"), duration: finite("duration"), queueLength: int("queueLength", 0) }
    case "NegotiationFailed":
      return { _tag: tag, seq: row, t, locality: str("locality"), attempt: int("attempt"), retryAt: f["retryAt"] === null ? null : finite("retryAt") }
    case "PeriodSpent":
      return { _tag: tag, seq: row, t, period: int("period") }
    default:
      return undefined
  }
}

const decodeControlRow = (
  row: number,
  tag: string,
  t: number,
  data: unknown,
  upcast: (e: RawControlEvent) => RawControlEvent,
  current: boolean
): ControlEvent => {
  if (typeof data !== "string") throw new LogReadError("BadControlEvent", `${tag} has no data`, { row })
  let fields: unknown
  try {
    fields = JSON.parse(data)
  } catch (e) {
    throw new LogReadError("BadControlEvent", `${tag} data is not JSON`, { row, cause: e })
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new LogReadError("BadControlEvent", `${tag} data is not a JSON object`, { row })
  }
  if (current) {
    const fast = decodeFrequentControl(tag, row, t, fields as Record<string, unknown>)
    if (fast !== undefined) return fast
  }
  try {
    return decodeControlEvent(upcast({ ...fields, _tag: tag, seq: row, t }))
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e)
    throw new LogReadError("BadControlEvent", `not a valid ${tag} event: ${detail}`, { row, cause: e })
  }
}
