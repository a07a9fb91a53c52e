/**
 * Parquet copies of the run's Arrow files (events.parquet, ledger.parquet), for tools that read
 * Parquet more readily than Arrow IPC (DuckDB without its arrow extension, Spark, BigQuery…).
 *
 * Written by parquet-wasm: the Rust `parquet` crate (Apache Arrow's own Rust implementation)
 * compiled to WebAssembly and shipped inside the npm package, so no native build and no download at
 * install or run time. Its Arrow writer maps the columns one to one: Int64 → INT64, Int32 → INT32,
 * Float64 → DOUBLE, Utf8 and Dictionary<Utf8> → BYTE_ARRAY (UTF8), dictionary-encoded; nulls stay
 * nulls. The Arrow schema (types and the devosim.* metadata) travels in the file's one key-value
 * entry, `ARROW:schema`, so Arrow readers (pyarrow, polars, arrow-rs) get the original types and
 * metadata back; SQL readers such as DuckDB see BIGINT, INTEGER, DOUBLE and VARCHAR columns.
 *
 * Same Arrow input, same Parquet bytes: no timestamps, fixed writer settings, a pinned writer
 * (`created_by` names its version).
 */
import { Schema, Table, tableToIPC } from "apache-arrow"
import { packageRequire } from "./package-require.ts"
import { CHECKSUM_KEY } from "./checksum.ts"
import { LogWriteError } from "./errors.ts"
import { openArrowFile } from "./read.ts"

type ParquetWasm = typeof import("parquet-wasm")

// Loaded on first use (~35 ms to compile 5 MB of WebAssembly), so commands that write no Parquet
// (validate, replay, explain) do not pay for it. The package's `node` entry is CommonJS and loads
// its .wasm synchronously from beside itself.
let wasm: ParquetWasm | undefined
const parquetWasm = (): ParquetWasm => (wasm ??= packageRequire()("parquet-wasm") as ParquetWasm)

/**
 * Encodes an Arrow IPC file (as written by `writeArrowFile`) as a Parquet file with the same
 * columns, types, nulls and schema metadata (less the Arrow file's own content checksum, which
 * describes the Arrow bytes). zstd-compressed, Parquet format 1 data pages (the widest reader
 * support), row groups of up to 1,048,576 rows with min/max/null-count statistics per column chunk
 * (page-level statistics cost ~10% more time and buy little at these sizes). Deterministic.
 * Throws `LogReadError` on a damaged Arrow file, `LogWriteError` if the writer fails.
 */
export const encodeParquet = (arrowIpcFile: Uint8Array): Uint8Array => {
  const table = openArrowFile(arrowIpcFile, { requireChecksum: false })
  const metadata = new Map([...table.schema.metadata].filter(([k]) => k !== CHECKSUM_KEY))
  const schema = new Schema(table.schema.fields, metadata)
  const stream = tableToIPC(new Table(schema, table.batches), "stream")
  const pw = parquetWasm()
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setWriterVersion(pw.WriterVersion.V1)
    .setMaxRowGroupSize(1 << 20)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    // No setKeyValueMetadata: it goes through a Rust HashMap, so the order of the keys (and the
    // bytes) changed from call to call. The devosim keys travel inside `ARROW:schema` instead.
    .build()
  try {
    // writeParquet takes ownership of (and frees) both the table and the properties.
    return pw.writeParquet(pw.Table.fromIPCStream(stream), props)
  } catch (e) {
    throw new LogWriteError(`Parquet writer failed: ${e instanceof Error ? e.message : String(e)}`)
  }
}
