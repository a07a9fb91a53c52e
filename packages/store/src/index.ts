/**
 * @devosim/store: the run directory, the Arrow IPC event log, the ledger and accounts files,
 * and their integrity checks (DESIGN §5, §6).
 *
 * Error style: pure decoders return results (`decodeEventLog`) or throw a tagged `LogReadError`
 * (`decodeEventLogOrThrow`, `decodeTable`); file-system functions reject with tagged errors
 * (`_tag` fields, ready for Effect's `catchTag`). Encoders throw `LogWriteError` on a malformed input.
 */
export {
  decodeEventLog,
  decodeEventLogOrThrow,
  encodeEventLog,
  EventLogDecoder,
  EVENTS_FORMAT,
  EVENTS_FORMAT_V1,
  META_EVENT_SCHEMA_VERSION,
  META_FORMAT,
  readEventLogChunks,
  readEventLogChunksFromFd,
  readEventLogFile,
  type DecodeEventLogResult,
  type ReadEventLogOptions
} from "./event-log.ts"
export { EVENT_BATCH_ROWS, EventLogWriter, type EventLogWriteResult, type EventLogWriterOptions } from "./event-log-writer.ts"
export { FileSink, isSealingSink, MemorySink, type ByteSink, type FileSinkOptions, type FileSinkResult, type SealingSink } from "./sink.ts"
export { ThreadedFileSink } from "./threaded-sink.ts"
export { type ArrowFileResult } from "./arrow-stream.ts"
export { verifyChecksumFile } from "./checksum.ts"
export {
  ACCOUNTS_FORMAT,
  encodeAccounts,
  encodeLedger,
  LEDGER_BATCH_ROWS,
  LEDGER_FORMAT,
  LEDGER_FORMAT_V1,
  LedgerWriter,
  type LedgerInput,
  type LedgerRows,
  type LedgerWriterOptions
} from "./ledger-file.ts"
export { encodeParquet } from "./parquet.ts"
export { csvText, CsvWriter, plainNumber } from "./csv.ts"
export { ParquetStreamWriter, type ParquetStreamOptions } from "./parquet-stream.ts"
export { writeParquetCopy } from "./parquet-copy.ts"
export {
  AccountsTable,
  controlEventPayload,
  dictionaryColumnsOf,
  EventsTable,
  EXPORT_BATCH_ROWS,
  exportTableFormat,
  LedgerTable,
  RowsTable,
  snakeCaseKeys,
  type FlowClassifier,
  type RowColumn,
  type TableBatch,
  type TableSchema
} from "./export-tables.ts"
export { openTableFile, TABLE_FORMATS, tableFileName, type TableFileWriter, type TableFormat } from "./table-writer.ts"
export { decodeFloat64Columns, decodeTable, type DecodedTable, type TableValue } from "./table.ts"
export { decodeRecordTable, encodeRecordTable } from "./record-table.ts"
export { canonicalJson, prettyJsonPieces } from "./json.ts"
export {
  ACCOUNTS_FILE,
  EVENTS_FILE,
  LEDGER_FILE,
  MANIFEST_FILE,
  makeManifest,
  manifestJson,
  openRunDirectory,
  readRunDirectory,
  checkRunDirectory,
  type CheckedRunDirectory,
  RUN_FORMAT,
  REPLICATIONS_FORMAT,
  COMPARE_FORMAT_MANIFEST,
  EXPORT_FORMAT_MANIFEST,
  SWEEP_FORMAT_MANIFEST,
  SWEEP_PART_FORMAT_MANIFEST,
  whyNotSealed,
  sha256Hex,
  writeRunDirectory,
  type Manifest,
  type ManifestArgs,
  type ManifestCountsArgs,
  type RunDirectoryWriter,
  type RunFileHash,
  type ManifestFileEntry,
  type ReadRunOptions,
  type RunDirectoryContents,
  type RunFile,
  type WriteRunOptions
} from "./run-dir.ts"
export {
  HashMismatch,
  InvalidFileName,
  LogReadError,
  LogWriteError,
  ManifestInvalid,
  RunDirectoryExists,
  RunDirectoryNotFound,
  RunDirectoryPlacement,
  RunDirectoryWriteError,
  RunFileMissing,
  UntrustedFile,
  type LogReadReason,
  type RunDirectoryError
} from "./errors.ts"
export { hashUntrusted, listUntrusted, MAX_MANIFEST_BYTES, MAX_WHOLE_FILE_BYTES, openUntrusted, readUntrusted } from "./untrusted.ts"
export { COMPARE_FORMAT, encodeCompareTable, type CompareRow } from "./compare-file.ts"
export {
  sourceFromDirectory,
  sourceFromFiles,
  verifyRun,
  verifyRunDirectory,
  type DamageKind,
  type Problem,
  type RunSource,
  type Verdict
} from "./verify.ts"
