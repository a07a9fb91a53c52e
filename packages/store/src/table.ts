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
