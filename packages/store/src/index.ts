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
  EVENTS_FORMAT,
  META_EVENT_SCHEMA_VERSION,
  META_FORMAT,
  type DecodeEventLogResult
} from "./event-log.ts"
export { ACCOUNTS_FORMAT, encodeAccounts, encodeLedger, LEDGER_FORMAT, type LedgerInput } from "./ledger-file.ts"
export { encodeParquet } from "./parquet.ts"
export { decodeTable, type DecodedTable, type TableValue } from "./table.ts"
export { canonicalJson } from "./json.ts"
export {
  ACCOUNTS_FILE,
  EVENTS_FILE,
  LEDGER_FILE,
  MANIFEST_FILE,
  makeManifest,
  manifestJson,
  readRunDirectory,
  RUN_FORMAT,
  sha256Hex,
  writeRunDirectory,
  type Manifest,
  type ManifestArgs,
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
  RunDirectoryWriteError,
  RunFileMissing,
  type LogReadReason,
  type RunDirectoryError
} from "./errors.ts"
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
