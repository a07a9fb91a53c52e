/**
 * Parquet written record batch by record batch (`devosim export --format parquet`), so a table of
 * any length is written in bounded memory: parquet-wasm's `transformParquetStream` turns a
 * ReadableStream of its RecordBatches into a ReadableStream of the file's bytes, emitting each row
 * group as it is complete. Each Arrow JS batch handed to `writeBatch` crosses into WebAssembly as a
 * small IPC stream (schema, dictionaries, the batch), and the next one is taken only when the writer
 * asks for it, so at most one batch waits in JavaScript and one row group in the writer.
 *
 * Settings as parquet.ts's `encodeParquet` (zstd, format 1 data pages, row groups of up to 2^20
 * rows, chunk statistics), except that dictionary encoding is on only for the columns named in
 * `dictionaryColumns` (Arrow dictionary columns: event kinds, holders, locality and agency ids),
 * where values repeat; elsewhere (seqs, amounts, JSON) it would cost time for nothing. The Arrow
 * schema travels in the file's `ARROW:schema` entry, as with `encodeParquet`.
 */
import { makeData, RecordBatch, Schema, Struct, Table, tableToIPC, type Data, type Field } from "apache-arrow"
import { packageRequire } from "./package-require.ts"
import { LogWriteError } from "./errors.ts"
import type { ByteSink } from "./sink.ts"

type ParquetWasm = typeof import("parquet-wasm")
type WasmRecordBatch = import("parquet-wasm").RecordBatch
let wasm: ParquetWasm | undefined
const parquetWasm = (): ParquetWasm => (wasm ??= packageRequire()("parquet-wasm") as ParquetWasm)

export interface ParquetStreamOptions {
  /** Columns to dictionary-encode (per-column writer setting); all others are plain. */
  readonly dictionaryColumns?: ReadonlyArray<string>
  /** Rows per row group (default 2^20). */
  readonly rowGroupRows?: number
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * One Parquet file, streamed into `sink`. Call `writeBatch` for each record batch (awaiting each:
 * it resolves when the writer has taken the batch), then `finish`. A file needs at least one batch
 * (an empty one for an empty table) for its schema. Rejects with `LogWriteError` if the writer fails.
 */
export class ParquetStreamWriter {
  private readonly schema: Schema
  private readonly struct: Struct
  private controller!: ReadableStreamDefaultController<unknown>
  private demand = false
  private waiter: (() => void) | null = null
  private failure: LogWriteError | null = null
  private readonly pump: Promise<void>
  private batches = 0
  private rowsWritten = 0
  private state: "open" | "finished" = "open"

  constructor(sink: ByteSink, fields: ReadonlyArray<Field>, metadata: ReadonlyArray<readonly [string, string]>, options?: ParquetStreamOptions) {
    this.schema = new Schema([...fields], new Map(metadata))
    this.struct = new Struct([...fields])
    const pw = parquetWasm()
    let builder = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.ZSTD)
      .setWriterVersion(pw.WriterVersion.V1)
      .setMaxRowGroupSize(options?.rowGroupRows ?? 1 << 20)
      .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
      .setDictionaryEnabled(false)
    for (const c of options?.dictionaryColumns ?? []) builder = builder.setColumnDictionaryEnabled(c, true)
    const props = builder.build()
    const input = new ReadableStream<unknown>(
      {
        start: (c) => {
          this.controller = c
        },
        // The writer wants the next batch.
        pull: () => {
          this.demand = true
          this.wake()
        },
        cancel: (reason) => this.fail(reason)
      },
      { highWaterMark: 0 }
    )
    // transformParquetStream settles only once it has the first batch (for the schema): not awaited here.
    this.pump = (async () => {
      const output = (await pw.transformParquetStream(input, props)) as ReadableStream<Uint8Array>
      const reader = output.getReader()
      for (;;) {
        const r = await reader.read()
        if (r.done) return
        sink.write(r.value)
      }
    })()
    this.pump.catch((e: unknown) => this.fail(e))
  }

  get rows(): number {
    return this.rowsWritten
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  private fail(e: unknown): void {
    this.failure ??= e instanceof LogWriteError ? e : new LogWriteError(`Parquet writer failed: ${messageOf(e)}`)
    this.wake()
  }

  /** Hands one record batch (`columns` in the order of the fields) to the writer; resolves once it is taken. */
  async writeBatch(columns: ReadonlyArray<Data>, length: number): Promise<void> {
    if (this.state !== "open") throw new LogWriteError("Parquet writer: write after finish")
    if (this.failure !== null) throw this.failure
    const data = makeData({ type: this.struct, length, nullCount: 0, children: [...columns] })
    const ipc = tableToIPC(new Table(this.schema, [new RecordBatch(this.schema, data)]), "stream")
    const pw = parquetWasm()
    let batch: WasmRecordBatch | undefined
    try {
      // The table would otherwise live in WebAssembly memory until garbage-collected: freed at once.
      const table = pw.Table.fromIPCStream(ipc)
      try {
        batch = table.recordBatch(0)
      } finally {
        table.free()
      }
    } catch (e) {
      throw new LogWriteError(`Parquet writer: the batch did not cross into WebAssembly: ${messageOf(e)}`)
    }
    if (batch === undefined) throw new LogWriteError("Parquet writer: the batch did not cross into WebAssembly")
    while (!this.demand && this.failure === null) await new Promise<void>((resolve) => (this.waiter = resolve))
    if (this.failure !== null) {
      batch.free()
      throw this.failure
    }
    this.demand = false
    this.controller.enqueue(batch) // the writer takes ownership of (and frees) the batch
    this.batches++
    this.rowsWritten += length
  }

  /** Ends the stream and waits for the footer to be written. */
  async finish(): Promise<{ readonly rows: number }> {
    if (this.state === "finished") return { rows: this.rowsWritten }
    this.state = "finished"
    if (this.failure !== null) throw this.failure
    if (this.batches === 0) throw new LogWriteError("Parquet writer: no record batch written (an empty table needs one empty batch)")
    this.controller.close()
    try {
      await this.pump
    } catch (e) {
      throw this.failure ?? new LogWriteError(`Parquet writer failed: ${messageOf(e)}`)
    }
    if (this.failure !== null) throw this.failure
    return { rows: this.rowsWritten }
  }

  /** Abandons the file (the sink is left to its owner to discard). */
  abort(): void {
    if (this.state === "finished") return
    this.state = "finished"
    this.fail(new Error("aborted"))
    try {
      this.controller.error(new Error("aborted"))
    } catch {
      // already closed or errored
    }
  }
}
