/**
 * `devosim run --parquet`: the Parquet copy of a devosim Arrow file (events.arrow, ledger.arrow),
 * streamed batch by batch (memory: one batch, whatever the file's size) through the export's
 * Parquet writer: the same columns, types, nulls and schema metadata (less the Arrow file's own
 * checksum, which describes the Arrow bytes), dictionary encoding only on the dictionary columns.
 */
import { DataType } from "apache-arrow"
import { CHECKSUM_KEY } from "./checksum.ts"
import { LogWriteError } from "./errors.ts"
import { arrowFileBatches } from "./event-log.ts"
import { ParquetStreamWriter } from "./parquet-stream.ts"
import type { ByteSink } from "./sink.ts"

/** Writes the Parquet copy of the Arrow file open at `fd` into `sink`; returns the rows written. */
export const writeParquetCopy = async (fd: number, sink: ByteSink): Promise<number> => {
  let writer: ParquetStreamWriter | undefined
  // writeBatch turns the batch into IPC bytes before it resolves: one read buffer serves every batch.
  for (const { schema, batch } of arrowFileBatches(fd, { verifyChecksum: false, reuseBuffers: true })) {
    if (writer === undefined) {
      const metadata = [...schema.metadata].filter(([k]) => k !== CHECKSUM_KEY)
      const dictionaries = schema.fields.filter((f) => DataType.isDictionary(f.type)).map((f) => f.name)
      writer = new ParquetStreamWriter(sink, schema.fields, metadata, { dictionaryColumns: dictionaries })
    }
    await writer.writeBatch(batch.data.children, batch.numRows)
  }
  if (writer === undefined) throw new LogWriteError("Parquet copy: the Arrow file has no record batch")
  return (await writer.finish()).rows
}
