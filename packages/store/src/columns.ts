/**
 * Column builders and readers over typed arrays: no row objects, no Arrow builders, so encoding
 * millions of postings is a few linear passes.
 */
import {
  Data,
  Dictionary,
  Field,
  Float64,
  Int8,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  type DataType,
  type Vector
} from "apache-arrow"
import { CHECKSUM_KEY, CHECKSUM_PLACEHOLDER, sealChecksum } from "./checksum.ts"
import { LogWriteError } from "./errors.ts"

// Arrow buffers are little-endian and we write int64 through an Int32Array view of the same bytes.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("@devosim/store needs a little-endian platform")
}

const TWO32 = 4294967296

/**
 * Integer-valued float64s (pence, seqs) to int64, exactly. Writes the two 32-bit halves instead of
 * going through BigInt, which is several times slower per value. `valid` (optional) marks the rows
 * to convert; the rest stay 0. Throws on a non-safe-integer.
 */
export const int64FromFloat64 = (
  name: string,
  length: number,
  value: (row: number) => number
): BigInt64Array => {
  const words = new Int32Array(length * 2)
  for (let i = 0; i < length; i++) {
    const x = value(i)
    if (!Number.isSafeInteger(x)) throw new LogWriteError(`${name}[${i}] = ${x} is not an integer within ±(2^53-1)`)
    const hi = Math.floor(x / TWO32)
    words[2 * i] = (x - hi * TWO32) | 0
    words[2 * i + 1] = hi
  }
  return new BigInt64Array(words.buffer)
}

/** Scatters `src[i]` to row `rows[i]` of a fresh int64 column of `length` rows (others 0). */
export const int64Scatter = (name: string, length: number, rows: Float64Array, src: Float64Array): BigInt64Array => {
  const words = new Int32Array(length * 2)
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!
    if (!Number.isSafeInteger(x)) throw new LogWriteError(`${name}[${i}] = ${x} is not an integer within ±(2^53-1)`)
    const hi = Math.floor(x / TWO32)
    const r = rows[i]!
    words[2 * r] = (x - hi * TWO32) | 0
    words[2 * r + 1] = hi
  }
  return new BigInt64Array(words.buffer)
}

/** int64 value at `i` of a little-endian word view as a float64; NaN when beyond ±(2^53-1). */
export const int64At = (words: Int32Array, i: number): number => {
  const x = words[2 * i + 1]! * TWO32 + (words[2 * i]! >>> 0)
  return Number.isSafeInteger(x) ? x : Number.NaN
}

/** A validity bitmap (bit set = non-null) from a per-row predicate. Padding bits stay 0. */
export const bitmap = (length: number, valid: (row: number) => boolean): { bits: Uint8Array; nullCount: number } => {
  const bits = new Uint8Array((length + 7) >> 3)
  let nulls = 0
  for (let i = 0; i < length; i++) {
    if (valid(i)) bits[i >> 3]! |= 1 << (i & 7)
    else nulls++
  }
  return { bits, nullCount: nulls }
}

const encoder = new TextEncoder()

/**
 * A Utf8 column where each row is one of a few strings: `codes[row]` indexes `dict`, -1 is null.
 * Each distinct string is encoded once and copied per row.
 */
export const utf8FromCodes = (codes: Int32Array, dict: ReadonlyArray<string>): Data<Utf8> => {
  // The dictionary's strings encoded once, into one buffer: bytes [starts[k], starts[k + 1]).
  let room = 0
  for (const s of dict) room += 3 * s.length
  const encoded = new Uint8Array(room)
  const starts = new Int32Array(dict.length + 1)
  let at = 0
  for (let k = 0; k < dict.length; k++) {
    starts[k] = at
    at += writeUtf8(dict[k]!, encoded, at)
  }
  starts[dict.length] = at
  const n = codes.length
  const offsets = new Int32Array(n + 1)
  let total = 0
  for (let i = 0; i < n; i++) {
    const c = codes[i]!
    if (c >= 0) total += starts[c + 1]! - starts[c]!
    offsets[i + 1] = total
  }
  if (total > 0x7fffffff) throw new LogWriteError("Utf8 column exceeds 2 GiB; split the log into batches")
  const data = new Uint8Array(total)
  for (let i = 0, o = 0; i < n; i++) {
    const c = codes[i]!
    if (c < 0) continue
    // Ids and labels are short: a byte loop beats a `set` call per row.
    for (let x = starts[c]!, end = starts[c + 1]!; x < end; x++) data[o++] = encoded[x]!
  }
  const { bits, nullCount } = bitmap(n, (i) => codes[i]! >= 0)
  return makeData({ type: new Utf8(), length: n, nullCount, nullBitmap: nullCount > 0 ? bits : null, valueOffsets: offsets, data })
}

/**
 * `text` as UTF-8 into `bytes` at `at` (which has room for 3 bytes per UTF-16 unit); returns the
 * bytes written. ASCII byte by byte, which for short strings (ids, a control event's JSON) is
 * several times faster than a call to `encodeInto`; from the first non-ASCII unit on, `encodeInto`.
 */
export const writeUtf8 = (text: string, bytes: Uint8Array, at: number): number => {
  const n = text.length
  // A long text (RunStarted's payload names every locality): `encodeInto` is faster there.
  if (n > 256) return encoder.encodeInto(text, bytes.subarray(at)).written
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) return i + encoder.encodeInto(text.slice(i), bytes.subarray(at + i)).written
    bytes[at + i] = c
  }
  return n
}

/**
 * A Utf8 column from per-row strings (null allowed), each written straight into the column's bytes
 * (ids and labels are short: a byte loop per row costs less than finding it among the others).
 */
export const utf8FromStrings = (values: ReadonlyArray<string | null>): Data<Utf8> => {
  const n = values.length
  // Bytes for the text: exact when it is all ASCII (ids and labels nearly always are), else the
  // most UTF-8 can take (3 bytes per UTF-16 unit); the column keeps only what was written.
  let units = 0
  let ascii = true
  let nulls = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v === null || v === undefined) {
      nulls++
      continue
    }
    units += v.length
    if (ascii) for (let k = 0; k < v.length; k++) if (v.charCodeAt(k) >= 0x80) ascii = false
  }
  const room = ascii ? units : 3 * units
  const bytes = new Uint8Array(room)
  const offsets = new Int32Array(n + 1)
  const bits = nulls > 0 ? new Uint8Array((n + 7) >> 3) : null
  let at = 0
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v !== null && v !== undefined) {
      at += writeUtf8(v, bytes, at)
      if (bits !== null) bits[i >> 3]! |= 1 << (i & 7)
    }
    offsets[i + 1] = at
  }
  if (at > 0x7fffffff) throw new LogWriteError("Utf8 column exceeds 2 GiB; split the log into batches")
  // A copy of what was written where the guess was generous, so the column holds no spare bytes.
  return makeData({ type: new Utf8(), length: n, nullCount: nulls, nullBitmap: bits, valueOffsets: offsets, data: at === room ? bytes : bytes.slice(0, at) })
}

/**
 * A Dictionary<Utf8> column with Int8 indices. The dictionary id must be given explicitly: Arrow JS
 * otherwise takes it from a process-wide counter, and the same table would encode to different bytes.
 */
export const dictionaryColumn = (id: number, indices: Int8Array, values: ReadonlyArray<string>): Data<Dictionary<Utf8, Int8>> => {
  if (values.length > 127) throw new LogWriteError("too many dictionary values for Int8 indices")
  const type = new Dictionary(new Utf8(), new Int8(), id)
  const dictionary = makeVector(utf8FromStrings(values)) as Vector<Utf8>
  return makeData({ type, length: indices.length, nullCount: 0, data: indices, dictionary })
}

export const int32Column = (values: Int32Array, nulls?: { bits: Uint8Array; nullCount: number }): Data<Int32> =>
  makeData({
    type: new Int32(),
    length: values.length,
    nullCount: nulls?.nullCount ?? 0,
    nullBitmap: nulls && nulls.nullCount > 0 ? nulls.bits : null,
    data: values
  })

export const int64Column = (values: BigInt64Array, nulls?: { bits: Uint8Array; nullCount: number }): Data<Int64> =>
  makeData({
    type: new Int64(),
    length: values.length,
    nullCount: nulls?.nullCount ?? 0,
    nullBitmap: nulls && nulls.nullCount > 0 ? nulls.bits : null,
    data: values
  })

export const float64Column = (values: Float64Array, nulls?: { bits: Uint8Array; nullCount: number }): Data<Float64> =>
  makeData({
    type: new Float64(),
    length: values.length,
    nullCount: nulls?.nullCount ?? 0,
    nullBitmap: nulls && nulls.nullCount > 0 ? nulls.bits : null,
    data: values
  })

export interface ColumnSpec {
  readonly name: string
  readonly data: Data
  readonly nullable: boolean
}

/**
 * One record batch, written as an Arrow IPC *file* (random access, footer) with schema metadata
 * and an embedded content checksum (see checksum.ts).
 */
export const writeArrowFile = (columns: ReadonlyArray<ColumnSpec>, metadata: ReadonlyArray<readonly [string, string]>): Uint8Array => {
  const length = columns[0]?.data.length ?? 0
  const fields = columns.map((c) => new Field(c.name, c.data.type as DataType, c.nullable))
  const schema = new Schema(fields, new Map([...metadata, [CHECKSUM_KEY, CHECKSUM_PLACEHOLDER]]))
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.data) })
  const table = new Table(schema, [new RecordBatch(schema, struct)])
  return sealChecksum(tableToIPC(table, "file"))
}
