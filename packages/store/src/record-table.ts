/**
 * Tables of flat records (core's RecordTable) as Arrow IPC files: the per-locality figures that sit
 * beside summary.json (negotiations.arrow, localities.arrow, …). One record batch, the schema's
 * `devosim.format` naming the table, a content checksum like every devosim Arrow file.
 * Deterministic: the same records, the same bytes.
 */
import type { RecordCell, RecordField, RecordTable } from "@devosim/core"
import type { Data } from "apache-arrow"
import { float64Column, int32Column, int64Column, int64FromFloat64, utf8FromStrings, writeArrowFile } from "./columns.ts"
import { LogReadError, LogWriteError } from "./errors.ts"
import { decodeTable } from "./table.ts"

const columnOf = (field: RecordField, rows: RecordTable["rows"]): Data => {
  const n = rows.length
  const name = field.name
  if (field.type === "utf8") {
    const strings: Array<string | null> = new Array(n)
    for (let i = 0; i < n; i++) strings[i] = (rows[i]![name] ?? null) as string | null
    return utf8FromStrings(strings)
  }
  // One pass per column, straight into its typed array: each cell checked (a null where none may
  // be, a value that is not a number) and, for a nullable column, its validity bit set.
  const bits = field.nullable ? new Uint8Array((n + 7) >> 3) : null
  let nullCount = 0
  const cell = (i: number): number => {
    const v = rows[i]![name] ?? null
    if (v === null) {
      if (bits === null) throw new LogWriteError(`${name}[${i}]: null in a column that has none`)
      nullCount++
      return 0
    }
    if (typeof v !== "number") throw new LogWriteError(`${name}[${i}]: expected a number, found ${typeof v}`)
    if (bits !== null) bits[i >> 3]! |= 1 << (i & 7)
    return v
  }
  const nulls = () => (bits === null ? undefined : { bits, nullCount })
  switch (field.type) {
    case "float64": {
      const values = new Float64Array(n)
      for (let i = 0; i < n; i++) values[i] = cell(i)
      return float64Column(values, nulls())
    }
    case "int32": {
      const values = new Int32Array(n)
      for (let i = 0; i < n; i++) values[i] = cell(i)
      return int32Column(values, nulls())
    }
    case "int64": {
      const values = int64FromFloat64(name, n, cell)
      return int64Column(values, nulls())
    }
    default: {
      const never: never = field.type
      throw new LogWriteError(`unknown field type ${String(never)}`)
    }
  }
}

/** A record table as an Arrow IPC file whose `devosim.format` is `format`. */
export const encodeRecordTable = (table: RecordTable, format: string): Uint8Array =>
  writeArrowFile(
    table.fields.map((f) => ({ name: f.name, data: columnOf(f, table.rows), nullable: f.nullable })),
    [["devosim.format", format]]
  )

/**
 * Reads a record table back (checksum checked), requiring `format` and the `fields` it is expected
 * to have (extra columns are ignored). Throws `LogReadError`.
 */
export const decodeRecordTable = (bytes: Uint8Array, format: string, fields: ReadonlyArray<RecordField>): RecordTable => {
  const t = decodeTable(bytes)
  if (t.metadata["devosim.format"] !== format) throw new LogReadError("Corrupt", `expected an Arrow table of format ${format}, found ${JSON.stringify(t.metadata["devosim.format"] ?? null)}`)
  for (const f of fields) {
    const column = t.columns[f.name]
    if (column === undefined) throw new LogReadError("Corrupt", `${format}: no column ${f.name}`)
    for (let i = 0; i < t.numRows; i++) {
      const v = column[i]
      const ok = v === null ? f.nullable : f.type === "utf8" ? typeof v === "string" : typeof v === "number"
      if (!ok) throw new LogReadError("Corrupt", `${format}: ${f.name}[${i}] is ${v === null ? "null" : typeof v}, expected ${f.type}`)
    }
  }
  const rows: Array<Record<string, RecordCell>> = new Array(t.numRows)
  for (let i = 0; i < t.numRows; i++) {
    const row: Record<string, RecordCell> = {}
    for (const f of fields) row[f.name] = t.columns[f.name]![i] as RecordCell
    rows[i] = row
  }
  return { fields, rows }
}
