/**
 * CSV (RFC 4180) written record batch by record batch from Arrow columns into a `ByteSink`, so a
 * table of any length is written in the memory of one batch.
 *
 * The text: UTF-8 without a byte-order mark; a header row of the column names; records ended by
 * CRLF; a field holding a comma, a double quote, CR or LF is enclosed in double quotes with each
 * double quote doubled. A null is an empty field; an empty string is `""`, so the two stay apart.
 * Integers (Int8/16/32, Int64: pence, seqs, accounts) are written as integers, exactly, never in
 * exponent notation; Float64 values (times in months) as the shortest decimal that reads back as
 * the same double, expanded out of exponent notation (`0.0000001`, not `1e-7`). Dictionary columns
 * are written as their values. Booleans as `true` / `false`.
 */
import { DataType, type Data, type Field, type Vector } from "apache-arrow"
import { LogWriteError } from "./errors.ts"
import type { ByteSink } from "./sink.ts"

const encoder = new TextEncoder()
const NEEDS_QUOTES = /[",\r\n]/

/** One CSV field for a string: quoted when it must be (RFC 4180), `""` for the empty string. */
export const csvText = (s: string): string => (s === "" ? '""' : NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s)

/**
 * A finite double as plain decimal text: the shortest digits that read back as the same value
 * (`String(x)`), with any exponent expanded (1e21 → `1000000000000000000000`, 1e-7 → `0.0000001`).
 */
export const plainNumber = (x: number): string => {
  const s = String(x)
  if (!s.includes("e")) return s
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s)
  if (m === null) return s // NaN, Infinity: not finite, never written by devosim
  const sign = m[1]!
  const digits = m[2]! + (m[3] ?? "")
  const exp = Number(m[4])
  if (exp >= 0) {
    const intLen = exp + 1
    return intLen >= digits.length ? sign + digits + "0".repeat(intLen - digits.length) : `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`
  }
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`
}

const TWO32 = 4294967296

/** How one column's row becomes a field: the text, or "" for a null. */
type Formatter = (row: number) => string

const validity = (data: Data): ((row: number) => boolean) => {
  const bits = data.nullBitmap
  if (data.nullCount === 0 || !bits || bits.length === 0) return () => true
  const off = data.offset
  return (row) => (((bits[(off + row) >> 3] ?? 0) >> ((off + row) & 7)) & 1) === 1
}

const formatterOf = (name: string, data: Data): Formatter => {
  const type = data.type as DataType
  const valid = validity(data)
  // Arrow JS slices a column's value and offset buffers with it; only bitmaps (validity, booleans) keep `offset`.
  const off = data.offset
  if (DataType.isDictionary(type)) {
    const dict = data.dictionary as Vector | undefined
    if (!dict) throw new LogWriteError(`CSV column ${name}: dictionary missing`)
    const texts: Array<string> = []
    for (let k = 0; k < dict.length; k++) {
      const v = dict.get(k) as unknown
      texts.push(v === null || v === undefined ? "" : csvText(String(v)))
    }
    const codes = data.values as unknown as ArrayLike<number>
    return (r) => (valid(r) ? (texts[codes[r]!] ?? "") : "")
  }
  if (DataType.isInt(type)) {
    if (type.bitWidth === 64) {
      const v = data.values as unknown as BigInt64Array | BigUint64Array
      const words = new Int32Array(v.buffer, v.byteOffset, v.length * 2)
      const signed = type.isSigned
      return (r) => {
        if (!valid(r)) return ""
        const i = r
        const lo = words[2 * i]! >>> 0
        const hi = signed ? words[2 * i + 1]! : words[2 * i + 1]! >>> 0
        const x = hi * TWO32 + lo
        return Number.isSafeInteger(x) ? String(x) : String(v[i]!)
      }
    }
    const v = data.values as unknown as ArrayLike<number>
    return (r) => (valid(r) ? String(v[r]!) : "")
  }
  if (DataType.isFloat(type)) {
    const v = data.values as unknown as ArrayLike<number>
    return (r) => (valid(r) ? plainNumber(v[r]!) : "")
  }
  if (DataType.isBool(type)) {
    const bytes = data.values as unknown as Uint8Array
    return (r) => (valid(r) ? ((((bytes[(off + r) >> 3] ?? 0) >> ((off + r) & 7)) & 1) === 1 ? "true" : "false") : "")
  }
  if (DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array
    const bytes = data.values as unknown as Uint8Array
    const decoder = new TextDecoder()
    return (r) => (valid(r) ? csvText(decoder.decode(bytes.subarray(offsets[r]!, offsets[r + 1]!))) : "")
  }
  throw new LogWriteError(`CSV column ${name}: type ${String(type)} is not written as CSV`)
}

/** Text is handed to the sink in pieces of about this many UTF-16 units. */
const PIECE = 1 << 20

/**
 * Writes one CSV file: the header at construction, then each record batch's rows as they come.
 * Throws `LogWriteError` on a column of a type it does not write or of the wrong length.
 */
export class CsvWriter {
  private readonly sink: ByteSink
  private readonly fields: ReadonlyArray<Field>
  private rowsWritten = 0
  private finished = false

  constructor(sink: ByteSink, fields: ReadonlyArray<Field>) {
    this.sink = sink
    this.fields = fields
    this.sink.write(encoder.encode(`${fields.map((f) => csvText(f.name)).join(",")}\r\n`))
  }

  get rows(): number {
    return this.rowsWritten
  }

  /** Appends the rows of one record batch; `columns` in the order of the fields. */
  writeBatch(columns: ReadonlyArray<Data>, length: number): void {
    if (this.finished) throw new LogWriteError("CSV writer: write after finish")
    if (columns.length !== this.fields.length) throw new LogWriteError(`CSV writer: ${columns.length} columns, expected ${this.fields.length}`)
    const formats = columns.map((d, k) => {
      if (d.length !== length) throw new LogWriteError(`CSV column ${this.fields[k]!.name} has ${d.length} rows, expected ${length}`)
      return formatterOf(this.fields[k]!.name, d)
    })
    const last = formats.length - 1
    let text = ""
    for (let r = 0; r < length; r++) {
      for (let k = 0; k < last; k++) text += formats[k]!(r) + ","
      text += formats[last]!(r) + "\r\n"
      if (text.length >= PIECE) {
        this.sink.write(encoder.encode(text))
        text = ""
      }
    }
    if (text.length > 0) this.sink.write(encoder.encode(text))
    this.rowsWritten += length
  }

  finish(): { readonly rows: number } {
    this.finished = true
    return { rows: this.rowsWritten }
  }
}
