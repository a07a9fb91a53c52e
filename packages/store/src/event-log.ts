/**
 * events.arrow: the whole log, one row per event in seq order (DESIGN §4, §6).
 *
 *   seq Int64 · t Float64 · kind Dictionary<Utf8> (control `_tag` or "Posting") · locality Utf8?
 *   from_account Int32? · to_account Int32? · amount_pence Int64? · cause_seq Int64?   (postings)
 *   data Utf8? (control events: canonical JSON of the event minus seq, t, _tag)
 *
 * Schema metadata: devosim.format = "events/1", devosim.event_schema_version (the version of the
 * control events' shapes; a log of an older version is upcast by core's `upcaster` as it is read).
 */
import { decodeControlEvent, EVENT_SCHEMA_VERSION, POSTING_KIND, upcaster, type ControlEvent, type RawControlEvent, type RunStarted } from "@devosim/core"
import type { EventLog, PostingColumns } from "@devosim/core"
import { accountDirectory } from "./accounts.ts"
import {
  bitmap,
  dictionaryColumn,
  float64Column,
  int32Column,
  int64At,
  int64Column,
  int64FromFloat64,
  int64Scatter,
  utf8FromCodes,
  writeArrowFile,
  type ColumnSpec
} from "./columns.ts"
import { LogReadError, LogWriteError } from "./errors.ts"
import { canonicalJson } from "./json.ts"
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
  requireColumn,
  validityBits
} from "./read.ts"

export const EVENTS_FORMAT = "events/1"
export const META_FORMAT = "devosim.format"
export const META_EVENT_SCHEMA_VERSION = "devosim.event_schema_version"

const KIND_DICTIONARY_ID = 0

/** Encodes a log as an Arrow IPC file. Same log, same bytes. Throws `LogWriteError` on a malformed log. */
export const encodeEventLog = (log: EventLog): Uint8Array => writeArrowFile(eventLogColumns(log), eventLogMetadata())

export const eventLogMetadata = (): Array<readonly [string, string]> => [
  [META_FORMAT, EVENTS_FORMAT],
  [META_EVENT_SCHEMA_VERSION, String(EVENT_SCHEMA_VERSION)]
]

/** The columns of events.arrow, checked against the log's invariants. Exported for tests that forge files. */
export const eventLogColumns = (log: EventLog): Array<ColumnSpec> => {
  const { controls, postings: p } = log
  const n = controls.length + p.length
  const run = controls[0]
  if (run === undefined || run._tag !== "RunStarted" || run.seq !== 0) {
    throw new LogWriteError("the first control event must be RunStarted at seq 0")
  }
  const dir = accountDirectory(run)

  // kind per row; -1 = not yet claimed, so a seq used twice (or missing) is caught here.
  const kinds: Array<string> = [POSTING_KIND]
  const kindIndex = new Map<string, number>([[POSTING_KIND, 0]])
  const kind = new Int8Array(n).fill(-1)
  const localityIds = [...dir.localityIds]
  const localityIndex = new Map(localityIds.map((id, i) => [id, i]))
  const locality = new Int32Array(n).fill(-1)
  const dataCode = new Int32Array(n).fill(-1)
  const dataJson: Array<string> = []
  const t = new Float64Array(n)
  const fromCol = new Int32Array(n)
  const toCol = new Int32Array(n)

  let prev = -1
  for (const ev of controls) {
    const s = ev.seq
    if (!Number.isInteger(s) || s <= prev || s >= n) {
      throw new LogWriteError(`control event seq ${s} is out of order or outside 0..${n - 1}`)
    }
    prev = s
    let k = kindIndex.get(ev._tag)
    if (k === undefined) {
      k = kinds.length
      kinds.push(ev._tag)
      kindIndex.set(ev._tag, k)
    }
    kind[s] = k
    t[s] = ev.t
    if ("locality" in ev && typeof ev.locality === "string") {
      let l = localityIndex.get(ev.locality)
      if (l === undefined) {
        l = localityIds.length
        localityIds.push(ev.locality)
        localityIndex.set(ev.locality, l)
      }
      locality[s] = l
    }
    const { seq: _s, t: _t, _tag, ...rest } = ev
    dataCode[s] = dataJson.length
    dataJson.push(canonicalJson(rest))
  }

  prev = -1
  for (let i = 0; i < p.length; i++) {
    const s = p.seq[i]!
    if (!Number.isInteger(s) || s <= prev || s >= n || kind[s] !== -1) {
      throw new LogWriteError(`posting ${i}: seq ${s} is out of order, outside 0..${n - 1} or used by a control event`)
    }
    prev = s
    const c = p.cause[i]!
    if (!Number.isInteger(c) || c < 0 || c >= s || kind[c]! <= 0) {
      throw new LogWriteError(`posting at seq ${s}: cause ${c} is not an earlier control event`)
    }
    const from = p.from[i]!
    const to = p.to[i]!
    if (from < 0 || from >= dir.count || to < 0 || to >= dir.count) {
      throw new LogWriteError(`posting at seq ${s}: account ${from} → ${to} outside 0..${dir.count - 1}`)
    }
    kind[s] = 0
    t[s] = p.t[i]!
    fromCol[s] = from
    toCol[s] = to
    // The locality a posting belongs to is that of its non-Treasury side (the Treasury's is -1).
    locality[s] = from !== 0 ? dir.locality[from]! : dir.locality[to]!
  }
  // Both sequences strictly increase inside 0..n-1 without sharing a seq and add up to n: no gaps.

  const postingRows = bitmap(n, (r) => kind[r] === 0)

  return [
    { name: "seq", data: int64Column(int64FromFloat64("seq", n, (i) => i)), nullable: false },
    { name: "t", data: float64Column(t), nullable: false },
    { name: "kind", data: dictionaryColumn(KIND_DICTIONARY_ID, kind, kinds), nullable: false },
    { name: "locality", data: utf8FromCodes(locality, localityIds), nullable: true },
    { name: "from_account", data: int32Column(fromCol, postingRows), nullable: true },
    { name: "to_account", data: int32Column(toCol, postingRows), nullable: true },
    { name: "amount_pence", data: int64Column(int64Scatter("amount", n, p.seq, p.amount), postingRows), nullable: true },
    { name: "cause_seq", data: int64Column(int64Scatter("cause", n, p.seq, p.cause), postingRows), nullable: true },
    { name: "data", data: utf8FromCodes(dataCode, dataJson), nullable: true }
  ]
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
  const meta = metadataOf(table)
  if (meta[META_FORMAT] !== EVENTS_FORMAT) {
    throw new LogReadError("WrongFormat", `not a devosim event log (${META_FORMAT} is ${JSON.stringify(meta[META_FORMAT] ?? null)}, expected "${EVENTS_FORMAT}")`)
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
  const upcast = upcaster(version)

  const n = table.numRows
  const seqV = requireColumn(table, "seq", "Int64", isInt(64))
  const tV = requireColumn(table, "t", "Float64", isFloat64)
  const kindV = requireColumn(table, "kind", "Dictionary<Utf8>", isUtf8Dictionary)
  requireColumn(table, "locality", "Utf8", isUtf8) // derived from accounts; checked for shape only
  const fromV = requireColumn(table, "from_account", "Int32", isInt(32))
  const toV = requireColumn(table, "to_account", "Int32", isInt(32))
  const amountV = requireColumn(table, "amount_pence", "Int64", isInt(64))
  const causeV = requireColumn(table, "cause_seq", "Int64", isInt(64))
  const dataV = requireColumn(table, "data", "Utf8", isUtf8)

  const seq = int64Words("seq", seqV)
  for (let r = 0; r < n; r++) {
    if (int64At(seq, r) !== r) throw new LogReadError("BadSequence", `seq is ${String(seqV.get(r))}, expected ${r}`, { row: r })
  }
  const t = fixedValues("t", tV, Float64Array)
  const { values: kindNames, codes: kind } = dictionaryCodes("kind", kindV)
  const postingCode = kindNames.indexOf(POSTING_KIND)

  // Control events: few; decoded and validated by core's schema.
  const controls: Array<ControlEvent> = []
  let postingCount = 0
  for (let r = 0; r < n; r++) {
    const k = kind[r]!
    if (k < 0) throw new LogReadError("Corrupt", "kind is null or outside its dictionary", { row: r })
    if (k === postingCode) {
      postingCount++
      continue
    }
    controls.push(decodeControlRow(r, kindNames[k]!, t[r]!, dataV.get(r), upcast))
  }
  const run = controls[0]
  if (run === undefined || run._tag !== "RunStarted" || run.seq !== 0) {
    throw new LogReadError("BadControlEvent", "the log does not start with RunStarted at seq 0", { row: 0 })
  }
  const accounts = accountDirectory(run as RunStarted).count

  // Postings: many; straight typed-array passes.
  const fromAll = fixedValues("from_account", fromV, Int32Array)
  const toAll = fixedValues("to_account", toV, Int32Array)
  const amountAll = int64Words("amount_pence", amountV)
  const causeAll = int64Words("cause_seq", causeV)
  const fromOk = validityBits(fromV)
  const toOk = validityBits(toV)
  const amountOk = validityBits(amountV)
  const causeOk = validityBits(causeV)
  const out = {
    length: postingCount,
    seq: new Float64Array(postingCount),
    t: new Float64Array(postingCount),
    from: new Int32Array(postingCount),
    to: new Int32Array(postingCount),
    amount: new Float64Array(postingCount),
    cause: new Float64Array(postingCount)
  } satisfies PostingColumns
  let j = 0
  for (let r = 0; r < n; r++) {
    if (kind[r] !== postingCode) continue
    if (!isValid(fromOk, r) || !isValid(toOk, r) || !isValid(amountOk, r) || !isValid(causeOk, r)) {
      throw new LogReadError("BadPosting", "posting has a null account, amount or cause", { row: r })
    }
    const from = fromAll[r]!
    const to = toAll[r]!
    if (from < 0 || from >= accounts || to < 0 || to >= accounts) {
      throw new LogReadError("BadPosting", `account ${from} → ${to} outside 0..${accounts - 1}`, { row: r })
    }
    const amount = int64At(amountAll, r)
    if (Number.isNaN(amount)) throw new LogReadError("BadPosting", "amount beyond ±(2^53-1) pence", { row: r })
    const cause = int64At(causeAll, r)
    if (!(cause >= 0 && cause < r) || kind[cause] === postingCode) {
      throw new LogReadError("BadPosting", `cause ${String(causeV.get(r))} is not an earlier control event`, { row: r })
    }
    out.seq[j] = r
    out.t[j] = t[r]!
    out.from[j] = from
    out.to[j] = to
    out.amount[j] = amount
    out.cause[j] = cause
    j++
  }
  return { controls, postings: out }
}

const decodeControlRow = (
  row: number,
  tag: string,
  t: number,
  data: unknown,
  upcast: (e: RawControlEvent) => RawControlEvent
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
  try {
    return decodeControlEvent(upcast({ ...fields, _tag: tag, seq: row, t }))
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e)
    throw new LogReadError("BadControlEvent", `not a valid ${tag} event: ${detail}`, { row, cause: e })
  }
}
