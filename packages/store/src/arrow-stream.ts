/**
 * An Arrow IPC *file* written record batch by record batch into a `ByteSink`, with the devosim
 * self-checksum (checksum.ts) sealed at the end without reading anything back.
 *
 * Arrow JS's own file writer does the framing (messages, padding, dictionary batches, footer); we
 * only take over its `_write`, so its bytes go to the sink (and a running sha256) as they are made,
 * instead of into its in-memory queue. (That queue is also what merged adjacent body buffers that
 * view the same bytes: see ledger-file.ts. Bypassing it, buffers are written exactly as assembled.)
 *
 * The schema, and with it the checksum marker, is written once, in the footer (Arrow JS's file
 * writer does not repeat it at the start). So the footer is held back: the digest of everything
 * before it is extended (a copy of the running hash) over the footer with the placeholder zeros,
 * which is the file "with the marker zeroed"; the hex is filled in and only then is the footer
 * written. The same running hash then gives the sha256 of the finished file, for the manifest.
 */
import { createHash, type Hash } from "node:crypto"
import { Field, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, type Data } from "apache-arrow"
import { CHECKSUM_KEY, CHECKSUM_PLACEHOLDER } from "./checksum.ts"
import { LogWriteError } from "./errors.ts"
import { isSealingSink, type ByteSink } from "./sink.ts"

const asBytes = (chunk: ArrayBufferView): Uint8Array =>
  chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)

/** Arrow JS's file writer with its output redirected to a callback. */
class RedirectedFileWriter extends RecordBatchFileWriter {
  out: (bytes: Uint8Array) => void = () => undefined

  protected override _write(chunk: unknown): this {
    if (this._started && ArrayBuffer.isView(chunk) && chunk.byteLength > 0) {
      this.out(asBytes(chunk))
      this._position += chunk.byteLength
    }
    return this
  }
}

export interface ArrowFileResult {
  /** Length of the file. */
  readonly bytes: number
  /** sha256 of the whole file as written (checksum sealed); "" when the sink keeps it (a sealing sink's `close` gives it). */
  readonly sha256: string
}

const PLACEHOLDER_BYTES = Buffer.from(CHECKSUM_PLACEHOLDER, "latin1")
const PREFIX_LEN = CHECKSUM_PLACEHOLDER.length - 64

export class ArrowFileStream {
  readonly schema: Schema
  private readonly struct: Struct
  private readonly writer = new RedirectedFileWriter()
  private readonly hash: Hash = createHash("sha256")
  private readonly sink: ByteSink
  private tail: Array<Uint8Array> | null = null
  private written = 0
  private done: ArrowFileResult | null = null

  /** The sink keeps the sha256 and seals the checksum: nothing to hash here. */
  private readonly sealing: boolean

  constructor(sink: ByteSink, fields: ReadonlyArray<Field>, metadata: ReadonlyArray<readonly [string, string]>) {
    this.sink = sink
    this.sealing = isSealingSink(sink)
    this.schema = new Schema([...fields], new Map([...metadata, [CHECKSUM_KEY, CHECKSUM_PLACEHOLDER]]))
    this.struct = new Struct([...fields])
    this.writer.out = (b) => this.emit(b)
    this.writer.reset(undefined, this.schema) // the file magic
  }

  /** Bytes written to the sink so far. */
  get position(): number {
    return this.written
  }

  /** Writes one record batch of `length` rows; `columns` in the order of the fields. */
  writeBatch(columns: ReadonlyArray<Data>, length: number): void {
    if (this.done !== null) throw new LogWriteError("the Arrow file is already finished")
    const data = makeData({ type: this.struct, length, nullCount: 0, children: [...columns] })
    this.writer.write(new RecordBatch(this.schema, data))
  }

  /** Writes the footer with the checksum filled in. */
  finish(): ArrowFileResult {
    if (this.done !== null) return this.done
    this.tail = []
    this.writer.finish()
    const tail = Buffer.concat(this.tail)
    this.tail = null
    const at: Array<number> = []
    for (let i = tail.indexOf(PLACEHOLDER_BYTES); i >= 0; i = tail.indexOf(PLACEHOLDER_BYTES, i + 1)) at.push(i + PREFIX_LEN)
    if (at.length === 0) throw new LogWriteError("checksum marker missing from the Arrow footer")
    if (isSealingSink(this.sink)) {
      this.sink.seal(tail, at)
      this.written += tail.length
      this.done = { bytes: this.written, sha256: "" }
      return this.done
    }
    const self = Buffer.from(this.hash.copy().update(tail).digest("hex"), "latin1")
    for (const a of at) self.copy(tail, a)
    this.emit(tail)
    this.done = { bytes: this.written, sha256: this.hash.digest("hex") }
    return this.done
  }

  private emit(bytes: Uint8Array): void {
    if (this.tail !== null) {
      this.tail.push(bytes.slice())
      return
    }
    if (!this.sealing) this.hash.update(bytes)
    this.sink.write(bytes)
    this.written += bytes.length
  }
}
