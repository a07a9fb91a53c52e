/**
 * Reading Arrow files defensively: every failure becomes a `LogReadError`, and columns come back
 * as contiguous typed arrays (one per column, whatever the number of record batches).
 */
import { DataType, tableFromIPC, type Data, type Table, type Vector } from "apache-arrow"
import { verifyChecksum } from "./checksum.ts"
import { LogReadError } from "./errors.ts"

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31] // "ARROW1"

const hasMagicAt = (bytes: Uint8Array, at: number): boolean => {
  if (at < 0 || at + MAGIC.length > bytes.length) return false
  for (let i = 0; i < MAGIC.length; i++) if (bytes[at + i] !== MAGIC[i]) return false
  return true
}

/**
 * Parses an Arrow IPC file (not a stream). The magic and checksum checks come first so a truncated,
 * damaged or foreign file gets a precise message instead of whatever the flatbuffer reader trips
 * over (or hangs on). Files without the devosim checksum are parsed only if `requireChecksum` is false.
 */
export const openArrowFile = (bytes: Uint8Array, options: { readonly requireChecksum: boolean }): Table => {
  if (!hasMagicAt(bytes, 0)) throw new LogReadError("NotArrowFile", "not an Arrow IPC file (no ARROW1 magic at the start)")
  if (!hasMagicAt(bytes, bytes.length - MAGIC.length)) {
    throw new LogReadError("Truncated", `Arrow file is truncated (${bytes.length} bytes, no ARROW1 magic at the end)`)
  }
  const sum = verifyChecksum(bytes)
  if (sum === "mismatch") throw new LogReadError("ChecksumMismatch", "Arrow file is damaged (its content checksum does not match)")
  if (sum === "absent" && options.requireChecksum) {
    throw new LogReadError("WrongFormat", "Arrow file has no devosim content checksum: not written by devosim, or damaged")
  }
  let table: Table
  try {
    table = tableFromIPC(bytes)
  } catch (e) {
    throw new LogReadError("Corrupt", `Arrow file is damaged: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
  // The reader is lazy in places; a bad footer can yield a table whose batches do not add up.
  let rows = 0
  for (const b of table.batches) rows += b.numRows
  if (rows !== table.numRows) throw new LogReadError("Corrupt", "Arrow file is damaged: record batch lengths do not add up")
  return table
}

export const metadataOf = (table: Table): Record<string, string> => Object.fromEntries(table.schema.metadata)

export const requireColumn = (
  table: Table,
  name: string,
  expected: string,
  check: (t: DataType) => boolean
): Vector => {
  const index = table.schema.fields.findIndex((f) => f.name === name)
  const vector = index < 0 ? null : table.getChildAt(index)
  if (!vector) throw new LogReadError("MissingColumn", `missing column ${name}`)
  if (!check(vector.type)) throw new LogReadError("WrongColumnType", `column ${name} is ${String(vector.type)}, expected ${expected}`)
  return vector
}

export const isInt = (bits: number) => (t: DataType): boolean => DataType.isInt(t) && t.bitWidth === bits && t.isSigned
export const isFloat64 = (t: DataType): boolean => DataType.isFloat(t) && t.precision === 2
export const isUtf8 = (t: DataType): boolean => DataType.isUtf8(t)
export const isUtf8Dictionary = (t: DataType): boolean =>
  DataType.isDictionary(t) && DataType.isUtf8(t.dictionary) && DataType.isInt(t.indices) && t.indices.bitWidth <= 32

type Fixed = Int8Array | Int32Array | Float64Array | BigInt64Array
type FixedCtor<A extends Fixed> = { new (n: number): A; readonly BYTES_PER_ELEMENT: number }

const chunkValues = <A extends Fixed>(name: string, data: Data, ctor: FixedCtor<A>): A => {
  const values = data.values as unknown
  if (!(values instanceof (ctor as unknown as typeof Int8Array)) || (values as A).length < data.length) {
    throw new LogReadError("Corrupt", `column ${name}: value buffer shorter than its ${data.length} rows`)
  }
  return (values as A).subarray(0, data.length) as A
}

/** The values of a fixed-width column as one typed array (a view when there is a single batch). */
export const fixedValues = <A extends Fixed>(name: string, vector: Vector, ctor: FixedCtor<A>): A => {
  if (vector.data.length === 1) return chunkValues(name, vector.data[0]!, ctor)
  const out = new ctor(vector.length)
  let at = 0
  for (const d of vector.data) {
    const v = chunkValues(name, d, ctor)
    ;(out as Int8Array).set(v as unknown as Int8Array, at)
    at += d.length
  }
  return out
}

/** An int64 column as little-endian 32-bit words (read with `int64At`), avoiding BigInt per value. */
export const int64Words = (name: string, vector: Vector): Int32Array => {
  const v = fixedValues(name, vector, BigInt64Array)
  return new Int32Array(v.buffer, v.byteOffset, v.length * 2)
}

/**
 * The validity bitmap of a column over all its rows (bit set = valid), or null when no row is null.
 * Bits past the end of a short (damaged) bitmap read as null.
 */
export const validityBits = (vector: Vector): Uint8Array | null => {
  const chunks = vector.data
  if (chunks.every((d) => !d.nullBitmap || d.nullBitmap.length === 0)) return null
  const first = chunks[0]
  if (chunks.length === 1 && first && first.offset === 0) return first.nullBitmap!
  const out = new Uint8Array((vector.length + 7) >> 3)
  let row = 0
  for (const d of chunks) {
    const bits = d.nullBitmap
    for (let i = 0; i < d.length; i++, row++) {
      const valid = !bits || bits.length === 0 || ((bits[(d.offset + i) >> 3] ?? 0) >> ((d.offset + i) & 7)) & 1
      if (valid) out[row >> 3]! |= 1 << (row & 7)
    }
  }
  return out
}

export const isValid = (bits: Uint8Array | null, row: number): boolean =>
  bits === null || (((bits[row >> 3] ?? 0) >> (row & 7)) & 1) === 1

/**
 * A Dictionary<Utf8> column as one small string table plus a per-row code into it (codes are
 * global across batches even if each batch has its own dictionary). Code -1 = null.
 */
export const dictionaryCodes = (name: string, vector: Vector): { values: Array<string>; codes: Int32Array } => {
  const values: Array<string> = []
  const index = new Map<string, number>()
  const codes = new Int32Array(vector.length)
  let row = 0
  for (const d of vector.data) {
    const dict = d.dictionary
    if (!dict) throw new LogReadError("Corrupt", `column ${name}: dictionary missing`)
    const local: Array<number> = []
    for (let k = 0; k < dict.length; k++) {
      const s = dict.get(k) as unknown
      if (typeof s !== "string") {
        local.push(-1)
        continue
      }
      let g = index.get(s)
      if (g === undefined) {
        g = values.length
        values.push(s)
        index.set(s, g)
      }
      local.push(g)
    }
    const ix = d.values as unknown as ArrayLike<number>
    if (!ix || ix.length < d.length) throw new LogReadError("Corrupt", `column ${name}: index buffer too short`)
    const bits = d.nullBitmap && d.nullBitmap.length > 0 ? d.nullBitmap : null
    for (let i = 0; i < d.length; i++, row++) {
      const valid = bits === null || ((bits[(d.offset + i) >> 3] ?? 0) >> ((d.offset + i) & 7)) & 1
      const k = ix[i]!
      codes[row] = valid && k >= 0 && k < local.length ? local[k]! : -1
    }
  }
  return { values, codes }
}
