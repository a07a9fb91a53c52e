/**
 * compare.arrow: every figure of every replication of every compared scenario, one row each (a long
 * table: easy to pivot in pandas, polars, R or DuckDB).
 *
 *   scenario Utf8 · replication Int32 · seed Int64 · figure Utf8 · value Float64 (NaN where undefined)
 *   · source Utf8 (the input the row came from, as given: a scenario file, whatever its variant, or a
 *   run directory; last, so readers that took the first five columns by position still do)
 */
import { float64Column, int32Column, int64Column, utf8FromStrings, writeArrowFile } from "./columns.ts"

export const COMPARE_FORMAT = "compare/1"

export interface CompareRow {
  readonly scenario: string
  readonly source: string
  readonly replication: number
  readonly seed: number
  readonly figure: string
  readonly value: number
}

export const encodeCompareTable = (rows: ReadonlyArray<CompareRow>): Uint8Array =>
  writeArrowFile(
    [
      { name: "scenario", data: utf8FromStrings(rows.map((r) => r.scenario)), nullable: false },
      { name: "replication", data: int32Column(Int32Array.from(rows, (r) => r.replication)), nullable: false },
      { name: "seed", data: int64Column(BigInt64Array.from(rows, (r) => BigInt(r.seed))), nullable: false },
      { name: "figure", data: utf8FromStrings(rows.map((r) => r.figure)), nullable: false },
      { name: "value", data: float64Column(Float64Array.from(rows, (r) => r.value)), nullable: false },
      { name: "source", data: utf8FromStrings(rows.map((r) => r.source)), nullable: false }
    ],
    [["devosim.format", COMPARE_FORMAT]]
  )
