/**
 * A table of flat records: the shape in which summary's per-locality figures (negotiations, money
 * by locality, by line, …) leave summary.json for Arrow files beside it (report makes them, store
 * encodes them). Pence are exact integers (`int64`); times are months (`float64`).
 */
export type RecordFieldType = "utf8" | "float64" | "int64" | "int32"

export interface RecordField {
  readonly name: string
  readonly type: RecordFieldType
  readonly nullable: boolean
}

export type RecordCell = string | number | null

export interface RecordTable {
  readonly fields: ReadonlyArray<RecordField>
  /** One object per row, keyed by the fields' names. */
  readonly rows: ReadonlyArray<Readonly<Record<string, RecordCell>>>
}
