/**
 * One exported table written as a file, batch by batch, in one of three formats: an Arrow IPC file
 * (with the devosim content checksum, like the run's own Arrow files), CSV (csv.ts) or Parquet
 * (parquet-stream.ts). Each writer holds at most a batch (Parquet: and the row group being built),
 * whatever the length of the table.
 */
import { ArrowFileStream } from "./arrow-stream.ts"
import { CsvWriter } from "./csv.ts"
import { LogWriteError } from "./errors.ts"
import { dictionaryColumnsOf, type TableBatch, type TableSchema } from "./export-tables.ts"
import { ParquetStreamWriter } from "./parquet-stream.ts"
import type { FileSink, FileSinkOptions, FileSinkResult } from "./sink.ts"

export type TableFormat = "arrow" | "parquet" | "csv"

export const TABLE_FORMATS: ReadonlyArray<TableFormat> = ["arrow", "parquet", "csv"]

/** The file a table is written to: `events.arrow`, `ledger.parquet`, `accounts.csv`, … */
export const tableFileName = (table: string, format: TableFormat): string => `${table}.${format}`

export interface TableFileWriter {
  /** Appends one record batch (resolves when the writer has taken it; Parquet may wait for its writer). */
  write(batch: TableBatch): Promise<void>
  /** Writes the end of the file and closes (fsyncs) its sink: the file's rows, size and sha256. */
  finish(): Promise<FileSinkResult & { readonly rows: number }>
  /** Abandons the file: stops the writer and discards the sink (the caller removes the file). */
  abort(): void
}

/**
 * A writer for `schema` in `format`, into a sink opened by `openSink` (a run directory writer's
 * `openSink`; for Arrow it is asked not to hash, since the Arrow stream hashes as it writes).
 */
export const openTableFile = (
  format: TableFormat,
  schema: TableSchema,
  openSink: (options: Pick<FileSinkOptions, "hash">) => FileSink
): TableFileWriter => {
  let rows = 0
  const checked = (batch: TableBatch): TableBatch => {
    if (batch.columns.length !== schema.fields.length) throw new LogWriteError(`${schema.name}: a batch of ${batch.columns.length} columns, expected ${schema.fields.length}`)
    rows += batch.length
    return batch
  }
  switch (format) {
    case "arrow": {
      const sink = openSink({ hash: false })
      const file = new ArrowFileStream(sink, schema.fields, schema.metadata)
      return {
        write: async (batch) => {
          const b = checked(batch)
          file.writeBatch(b.columns, b.length)
        },
        finish: async () => {
          const r = file.finish()
          return { ...sink.close(r.sha256), rows }
        },
        abort: () => sink.discard()
      }
    }
    case "csv": {
      const sink = openSink({ hash: true })
      const csv = new CsvWriter(sink, schema.fields)
      return {
        write: async (batch) => {
          const b = checked(batch)
          csv.writeBatch(b.columns, b.length)
        },
        finish: async () => {
          csv.finish()
          return { ...sink.close(), rows }
        },
        abort: () => sink.discard()
      }
    }
    case "parquet": {
      const sink = openSink({ hash: true })
      const parquet = new ParquetStreamWriter(sink, schema.fields, schema.metadata, { dictionaryColumns: dictionaryColumnsOf(schema) })
      return {
        write: async (batch) => {
          const b = checked(batch)
          await parquet.writeBatch(b.columns, b.length)
        },
        finish: async () => {
          await parquet.finish()
          return { ...sink.close(), rows }
        },
        abort: () => {
          parquet.abort()
          sink.discard()
        }
      }
    }
  }
}
