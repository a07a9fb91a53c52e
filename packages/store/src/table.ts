/**
 * A generic, row-by-row reader for any of the run's Arrow files: for tests, `explain`, and small
 * tables. Not for the hot path (use `decodeEventLog` for the log).
 */
import { LogReadError } from "./errors.ts"
import { metadataOf, openArrowFile } from "./read.ts"

export type TableValue = string | number | bigint | boolean | null

export interface DecodedTable {
  readonly metadata: Readonly<Record<string, string>>
  readonly numRows: number
  readonly fields: ReadonlyArray<{ readonly name: string; readonly type: string; readonly nullable: boolean }>
  /** Column name → one value per row. Int64 values are numbers when exact, else bigints. */
  readonly columns: Readonly<Record<string, ReadonlyArray<TableValue>>>
}

const plain = (v: unknown): TableValue => {
  if (v === null || v === undefined) return null
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v
  return String(v)
}

/** Reads any Arrow IPC file (checking the devosim checksum when present). Throws `LogReadError`. */
export const decodeTable = (bytes: Uint8Array): DecodedTable => {
  const table = openArrowFile(bytes, { requireChecksum: false })
  try {
    const columns: Record<string, Array<TableValue>> = {}
    table.schema.fields.forEach((f, i) => {
      const v = table.getChildAt(i)
      const out: Array<TableValue> = new Array(table.numRows)
      for (let r = 0; r < table.numRows; r++) out[r] = plain(v?.get(r))
      columns[f.name] = out
    })
    return {
      metadata: metadataOf(table),
      numRows: table.numRows,
      fields: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable })),
      columns
    }
  } catch (e) {
    throw new LogReadError("Corrupt", `Arrow file is damaged: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
  }
}

/**
 * The Float64 columns of an Arrow IPC file as Float64Arrays, their bytes copied as they are (so a
 * NaN keeps its bits, which a JS number may not), with the column names in file order. Throws
 * `LogReadError`.
 */
export const decodeFloat64Columns = (bytes: Uint8Array): { readonly numRows: number; readonly names: ReadonlyArray<string>; readonly columns: ReadonlyMap<string, Float64Array> } => {
  const table = openArrowFile(bytes, { requireChecksum: false })
  const columns = new Map<string, Float64Array>()
  const names: Array<string> = []
  table.schema.fields.forEach((f, i) => {
    if (String(f.type) !== "Float64") return
    const out = new Float64Array(table.numRows)
    let at = 0
    for (const data of table.getChildAt(i)!.data) {
      if (data.nullCount > 0) throw new LogReadError("Corrupt", `${f.name}: nulls in a Float64 column`)
      out.set((data.values as Float64Array).subarray(data.offset, data.offset + data.length), at)
      at += data.length
    }
    names.push(f.name)
    columns.set(f.name, out)
  })
  return { numRows: table.numRows, names, columns }
}
