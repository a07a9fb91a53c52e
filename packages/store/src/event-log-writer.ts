/**
 * events.arrow written while the run proceeds: chunks of the log in, record batches of a fixed row
 * count out, so memory is bounded by one batch and the bytes do not depend on how the producer
 * chunked the log. `encodeEventLog` is this writer over an in-memory sink.
 *
 * Columns (format "events/2"):
 *   seq Int64 · t Float64 · kind Dictionary<Utf8, Int8> over core's EVENT_KINDS (fixed order)
 *   locality Dictionary<Utf8, Int32>? over the run's locality ids (RunStarted order)
 *   from_account Int32? · to_account Int32? · amount_pence Int64? · cause_seq Int64?   (postings)
 *   data Utf8? (control events: canonical JSON of the event minus seq, t, _tag)
 * Dictionary ids are fixed (kind 0, locality 1) and each dictionary is written once, before the
 * first record batch.
 */
import { Dictionary, Field, Float64, Int8, Int32, Int64, makeData, makeVector, Utf8, type Data, type Vector } from "apache-arrow"
import { EVENT_KINDS, EVENT_SCHEMA_VERSION, lengthened, localityHint, type ControlEvent, type LogChunk, type PostingColumns, type RunStarted } from "@devosim/core"
import { accountDirectory } from "@devosim/core"
import { ArrowFileStream, type ArrowFileResult } from "./arrow-stream.ts"
import { utf8FromStrings, type ColumnSpec } from "./columns.ts"
import { ControlPayloadWriter } from "./control-payload.ts"
import { LogWriteError } from "./errors.ts"
import { SeqBits } from "./seq-bits.ts"
import { canonicalJson } from "./json.ts"
import type { ByteSink } from "./sink.ts"

export const EVENTS_FORMAT = "events/2"
export const EVENTS_FORMAT_V1 = "events/1"
export const META_FORMAT = "devosim.format"
export const META_EVENT_SCHEMA_VERSION = "devosim.event_schema_version"

/** Rows per record batch of events.arrow. */
export const EVENT_BATCH_ROWS = 1 << 19

const KIND_DICTIONARY_ID = 0
const LOCALITY_DICTIONARY_ID = 1
const TWO31 = 2147483648
const TWO32 = 4294967296

export const eventLogMetadata = (): Array<readonly [string, string]> => [
  [META_FORMAT, EVENTS_FORMAT],
  [META_EVENT_SCHEMA_VERSION, String(EVENT_SCHEMA_VERSION)]
]

export interface EventLogWriterOptions {
  /** Rows per record batch (default `EVENT_BATCH_ROWS`); smaller in tests. */
  readonly batchRows?: number
  /** Rows expected in all (a hint for the first buffer size; does not change the bytes). */
  readonly expectedRows?: number
}

export interface EventLogWriteResult extends ArrowFileResult {
  readonly events: number
  readonly controls: number
  readonly postings: number
}

const kindIndex = new Map<string, number>(EVENT_KINDS.map((k, i) => [k, i]))
if (EVENT_KINDS.length > 127) throw new Error("EVENT_KINDS does not fit Int8 indices")

/** A control event's `data`: the event less `_tag`, `seq` and `t`. */
const withoutHeader = (ev: ControlEvent): Record<string, unknown> => {
  const { seq: _s, t: _t, _tag, ...rest } = ev
  return rest
}

/**
 * Validates a log chunk by chunk and fills record batches of `batchRows` rows; hands each full
 * batch (and the last, partial one) to `onBatch`. The buffers are reused for the next batch, so
 * `onBatch` must consume the columns before returning.
 */
export class EventBatcher {
  private readonly cap: number
  private readonly onBatch: (columns: ReadonlyArray<ColumnSpec>, length: number, firstSeq: number) => void
  private readonly run: RunStarted
  private readonly accounts: number
  private readonly accountLocality: Int32Array
  /** Locality ids to indices, made when an event comes without a hint (`LogChunk.localities`). */
  private localityIndex: Map<string, number> | undefined
  readonly kindType = new Dictionary(new Utf8(), new Int8(), KIND_DICTIONARY_ID)
  readonly localityType = new Dictionary(new Utf8(), new Int32(), LOCALITY_DICTIONARY_ID)
  private readonly kindValues: Vector
  private readonly localityValues: Vector
  private readonly controlSeqs = new SeqBits()
  /** Writes the data column's bytes (it owns them; they grow as needed). */
  private readonly payloads: ControlPayloadWriter

  // The batch being filled.
  private rows = 0
  private size = 0 // rows the buffers hold; grows (doubling) up to `cap`
  private t = new Float64Array(0)
  private kind = new Int8Array(0)
  private locality = new Int32Array(0)
  private localityBits = new Uint8Array(0)
  private localityNulls = 0
  private from = new Int32Array(0)
  private to = new Int32Array(0)
  private amount = new Int32Array(0) // int64 as little-endian word pairs
  private cause = new Int32Array(0)
  private postingBits = new Uint8Array(0)
  private postingRows = 0
  private dataOffsets = new Int32Array(1)
  private seqWords = new Int32Array(0)

  private nextSeq = 0
  private batchStart = 0
  controls = 0
  postings = 0
  private failed = false

  constructor(
    run: RunStarted,
    batchRows: number,
    onBatch: (columns: ReadonlyArray<ColumnSpec>, length: number, firstSeq: number) => void,
    expectedRows?: number
  ) {
    if (run._tag !== "RunStarted" || run.seq !== 0) throw new LogWriteError("the first control event must be RunStarted at seq 0")
    if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > 0x7fffffff) throw new RangeError(`batchRows ${batchRows} is not a positive int32`)
    this.run = run
    this.cap = batchRows
    this.onBatch = onBatch
    const dir = accountDirectory(run)
    this.accounts = dir.count
    this.accountLocality = dir.locality
    this.payloads = new ControlPayloadWriter(dir.localityIds)
    this.kindValues = makeVector(utf8FromStrings(EVENT_KINDS))
    this.localityValues = makeVector(utf8FromStrings(dir.localityIds))
    // Buffers for a whole batch up front would cost ~45 MB even for a ten-event log: they start
    // small (or at the expected size) and double up to the batch size.
    this.grow(Math.min(batchRows, Math.max(1024, expectedRows ?? 0)))
  }

  private grow(min: number): void {
    const n = Math.min(this.cap, Math.max(min, this.size * 2))
    const bits = (n + 7) >> 3
    this.t = lengthened(this.t, n)
    this.kind = lengthened(this.kind, n)
    this.locality = lengthened(this.locality, n)
    this.localityBits = lengthened(this.localityBits, bits)
    this.from = lengthened(this.from, n)
    this.to = lengthened(this.to, n)
    this.amount = lengthened(this.amount, 2 * n)
    this.cause = lengthened(this.cause, 2 * n)
    this.postingBits = lengthened(this.postingBits, bits)
    this.dataOffsets = lengthened(this.dataOffsets, n + 1)
    this.size = n
  }

  get events(): number {
    return this.nextSeq
  }

  fields(): Array<Field> {
    return [
      new Field("seq", new Int64(), false),
      new Field("t", new Float64(), false),
      new Field("kind", this.kindType, false),
      new Field("locality", this.localityType, true),
      new Field("from_account", new Int32(), true),
      new Field("to_account", new Int32(), true),
      new Field("amount_pence", new Int64(), true),
      new Field("cause_seq", new Int64(), true),
      new Field("data", new Utf8(), true)
    ]
  }

  /** Adds the next stretch of the log (seq order, contiguous with what came before). */
  append(chunk: LogChunk): void {
    if (this.failed) throw new LogWriteError("the event log writer failed earlier")
    try {
      this.appendChunk(chunk)
    } catch (e) {
      this.failed = true
      throw e
    }
  }

  /** Hands over the last (partial) batch. A log always has at least RunStarted, so never empty. */
  end(): void {
    if (this.failed) throw new LogWriteError("the event log writer failed earlier")
    if (this.nextSeq === 0) {
      this.failed = true
      throw new LogWriteError("the first control event must be RunStarted at seq 0")
    }
    if (this.rows > 0) this.flush()
  }

  private appendChunk(chunk: LogChunk): void {
    const { firstSeq, controls, postings: p } = chunk
    if (firstSeq !== this.nextSeq) throw new LogWriteError(`log chunk starts at seq ${firstSeq}, expected ${this.nextSeq}`)
    const np = p.length
    for (const [name, col] of [["seq", p.seq], ["t", p.t], ["from", p.from], ["to", p.to], ["amount", p.amount], ["cause", p.cause]] as const) {
      if (col.length < np) throw new LogWriteError(`posting column ${name} has ${col.length} rows, expected ${np}`)
    }
    const end = firstSeq + controls.length + np
    if (firstSeq === 0) {
      const first = controls[0]
      if (first === undefined || first._tag !== "RunStarted" || first.seq !== 0) {
        throw new LogWriteError("the first control event must be RunStarted at seq 0")
      }
      if (first !== this.run && canonicalJson(first) !== canonicalJson(this.run)) {
        throw new LogWriteError("the log's RunStarted differs from the one the writer was opened with")
      }
    }
    let s = firstSeq
    let j = 0
    for (let i = 0; i <= controls.length; i++) {
      const ev = controls[i]
      const stop = ev === undefined ? end : ev.seq
      if (ev !== undefined && (!Number.isInteger(stop) || stop < s || stop >= end)) {
        throw new LogWriteError(`control event seq ${stop} is out of order or outside ${firstSeq}..${end - 1}`)
      }
      if (s < stop) {
        this.postingRun(s, p, j, stop - s, firstSeq, end)
        j += stop - s
        s = stop
      }
      if (ev !== undefined) {
        this.control(ev, "locality" in ev ? localityHint(chunk, i, this.run.localities, ev.locality) : -1)
        s++
      }
    }
    this.nextSeq = end
  }

  private lastCause = -1

  /**
   * Postings p[j, j + n), which must have seqs s, s + 1, …: checked and put into the batch
   * columns in one loop per batch (the hot path of writing a log).
   */
  private postingRun(s: number, p: PostingColumns, j: number, n: number, firstSeq: number, end: number): void {
    if (j + n > p.length) {
      throw new LogWriteError(`posting ${p.length}: seq ${p.seq[p.length] ?? "missing"} is out of order, outside ${firstSeq}..${end - 1} or used by a control event (expected seq ${s + p.length - j})`)
    }
    const pSeq = p.seq
    const pT = p.t
    const pFrom = p.from
    const pTo = p.to
    const pAmount = p.amount
    const pCause = p.cause
    const accounts = this.accounts
    const accountLocality = this.accountLocality
    while (n > 0) {
      if (this.rows === 0 && this.bitsDirty) this.clearBits()
      const r0 = this.rows
      const m = Math.min(n, this.cap - r0)
      if (r0 + m > this.size) this.grow(r0 + m)
      const { t, from, to, amount, cause, locality, localityBits, postingBits, dataOffsets } = this
      const dataAt = dataOffsets[r0]!
      let lastCause = this.lastCause
      let nulls = 0
      for (let k = 0; k < m; k++) {
        const i = j + k
        const seq = s + k
        const r = r0 + k
        if (pSeq[i] !== seq) {
          throw new LogWriteError(`posting ${i}: seq ${pSeq[i]} is out of order, outside ${firstSeq}..${end - 1} or used by a control event (expected seq ${seq})`)
        }
        const c = pCause[i]!
        if (c !== lastCause) {
          if (!Number.isInteger(c) || c < 0 || c >= seq || !this.controlSeqs.has(c)) {
            throw new LogWriteError(`posting at seq ${seq}: cause ${c} is not an earlier control event`)
          }
          lastCause = c
        }
        const f = pFrom[i]!
        const g = pTo[i]!
        if (!(f >= 0 && f < accounts && g >= 0 && g < accounts)) {
          throw new LogWriteError(`posting at seq ${seq}: account ${f} → ${g} outside 0..${accounts - 1}`)
        }
        const x = pAmount[i]!
        if (!Number.isSafeInteger(x)) throw new LogWriteError(`amount[${i}] = ${x} is not an integer within ±(2^53-1)`)
        t[r] = pT[i]!
        from[r] = f
        to[r] = g
        // int64 as two little-endian words; most amounts and every cause fit the low word.
        if (x >= 0 && x < TWO31) {
          amount[2 * r] = x
          amount[2 * r + 1] = 0
        } else {
          const hi = Math.floor(x / TWO32)
          amount[2 * r] = (x - hi * TWO32) | 0
          amount[2 * r + 1] = hi
        }
        if (c < TWO31) {
          cause[2 * r] = c
          cause[2 * r + 1] = 0
        } else {
          const hi = Math.floor(c / TWO32)
          cause[2 * r] = (c - hi * TWO32) | 0
          cause[2 * r + 1] = hi
        }
        postingBits[r >> 3]! |= 1 << (r & 7)
        // The locality a posting belongs to is that of its non-Treasury side (the Treasury's is -1).
        const l = f !== 0 ? accountLocality[f]! : accountLocality[g]!
        if (l >= 0) {
          locality[r] = l
          localityBits[r >> 3]! |= 1 << (r & 7)
        } else {
          locality[r] = 0
          nulls++
        }
        dataOffsets[r + 1] = dataAt
      }
      this.kind.fill(0, r0, r0 + m)
      this.lastCause = lastCause
      this.localityNulls += nulls
      this.postingRows += m
      this.postings += m
      this.rows = r0 + m
      if (this.rows === this.cap) this.flush()
      s += m
      j += m
      n -= m
    }
  }

  /** `hint`: the index of its locality when the chunk says so (checked), else -1 (looked up by id). */
  private indexOfLocality(id: string): number | undefined {
    this.localityIndex ??= new Map(this.run.localities.map((l, i) => [l.id, i]))
    return this.localityIndex.get(id)
  }

  private control(ev: ControlEvent, hint: number): void {
    const k = kindIndex.get(ev._tag)
    if (k === undefined || k === 0) throw new LogWriteError(`control event seq ${ev.seq}: unknown kind ${JSON.stringify(ev._tag)}`)
    const r = this.rows
    if (r === 0 && this.bitsDirty) this.clearBits()
    if (r === this.size) this.grow(r + 1)
    this.t[r] = ev.t
    this.kind[r] = k
    const loc = hint >= 0 ? hint : "locality" in ev && typeof ev.locality === "string" ? this.indexOfLocality(ev.locality) : -1
    if (loc === undefined) throw new LogWriteError(`control event seq ${ev.seq}: locality ${JSON.stringify((ev as { locality: string }).locality)} is not one of the run's`)
    if (loc >= 0) {
      this.locality[r] = loc
      this.localityBits[r >> 3]! |= 1 << (r & 7)
    } else {
      this.locality[r] = 0
      this.localityNulls++
    }
    this.from[r] = 0
    this.to[r] = 0
    this.amount[2 * r] = this.amount[2 * r + 1] = 0
    this.cause[2 * r] = this.cause[2 * r + 1] = 0
    const at = this.dataOffsets[r]!
    let end = this.payloads.write(ev, loc, at)
    if (end < 0) end = this.payloads.writeCanonical(withoutHeader(ev), at)
    // Not plain JSON (a forged log in the tests, a bug): canonicalJson names what it cannot hold.
    if (end < 0) end = this.payloads.writeText(canonicalJson(withoutHeader(ev)), at)
    if (end > 0x7fffffff) throw new LogWriteError("data column of one batch exceeds 2 GiB")
    this.dataOffsets[r + 1] = end
    this.controlSeqs.add(ev.seq)
    this.controls++
    if (++this.rows === this.cap) this.flush()
  }

  private flush(): void {
    const n = this.rows
    const first = this.batchStart
    // Reused from batch to batch, like the other columns (onBatch consumes them before returning).
    if (this.seqWords.length < 2 * n) this.seqWords = new Int32Array(2 * this.size)
    const seq = this.seqWords.subarray(0, 2 * n)
    for (let i = 0; i < n; i++) {
      const x = first + i
      const hi = Math.floor(x / TWO32)
      seq[2 * i] = (x - hi * TWO32) | 0
      seq[2 * i + 1] = hi
    }
    const bitBytes = (n + 7) >> 3
    const controlsHere = n - this.postingRows
    const posting = this.postingRows === n ? null : this.postingBits.subarray(0, bitBytes)
    const dataBits = controlsHere === 0 ? null : posting === null ? null : Uint8Array.from(posting, (b) => ~b & 0xff)
    if (dataBits !== null && (n & 7) !== 0) dataBits[bitBytes - 1]! &= (1 << (n & 7)) - 1
    const flat = <T extends Int32 | Int64 | Float64>(type: T, values: ArrayBufferView, nulls: number, bits: Uint8Array | null): Data<T> =>
      makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? bits : null, data: values } as never) as unknown as Data<T>
    const columns: Array<ColumnSpec> = [
      { name: "seq", data: flat(new Int64(), new BigInt64Array(seq.buffer, 0, n), 0, null), nullable: false },
      { name: "t", data: flat(new Float64(), this.t.subarray(0, n), 0, null), nullable: false },
      {
        name: "kind",
        data: makeData({ type: this.kindType, length: n, nullCount: 0, data: this.kind.subarray(0, n), dictionary: this.kindValues }),
        nullable: false
      },
      {
        name: "locality",
        data: makeData({
          type: this.localityType,
          length: n,
          nullCount: this.localityNulls,
          nullBitmap: this.localityNulls > 0 ? this.localityBits.subarray(0, bitBytes) : null,
          data: this.locality.subarray(0, n),
          dictionary: this.localityValues
        }),
        nullable: true
      },
      { name: "from_account", data: flat(new Int32(), this.from.subarray(0, n), controlsHere, posting), nullable: true },
      { name: "to_account", data: flat(new Int32(), this.to.subarray(0, n), controlsHere, posting), nullable: true },
      { name: "amount_pence", data: flat(new Int64(), new BigInt64Array(this.amount.buffer, 0, n), controlsHere, posting), nullable: true },
      { name: "cause_seq", data: flat(new Int64(), new BigInt64Array(this.cause.buffer, 0, n), controlsHere, posting), nullable: true },
      {
        name: "data",
        data: makeData({
          type: new Utf8(),
          length: n,
          nullCount: this.postingRows,
          nullBitmap: this.postingRows > 0 ? dataBits ?? new Uint8Array(bitBytes) : null,
          valueOffsets: this.dataOffsets.subarray(0, n + 1),
          data: this.payloads.bytes.subarray(0, this.dataOffsets[n]!)
        }),
        nullable: true
      }
    ]
    this.onBatch(columns, n, first)
    // Reset for the next batch. The bitmaps are cleared when its first row arrives (their padding
    // bits are written, so they must start clear), not here: the columns just handed over view them.
    this.batchStart += n
    this.rows = 0
    this.postingRows = 0
    this.localityNulls = 0
    this.bitsDirty = true
  }

  private bitsDirty = false

  private clearBits(): void {
    this.postingBits.fill(0)
    this.localityBits.fill(0)
    this.bitsDirty = false
  }
}

/**
 * Writes events.arrow into a sink as the log is produced. Same log, same bytes, however it is
 * chunked. Throws `LogWriteError` on a malformed log (as `encodeEventLog` does).
 */
export class EventLogWriter {
  private readonly batcher: EventBatcher
  private readonly file: ArrowFileStream
  private result: EventLogWriteResult | null = null

  constructor(run: RunStarted, sink: ByteSink, options?: EventLogWriterOptions) {
    this.batcher = new EventBatcher(
      run,
      options?.batchRows ?? EVENT_BATCH_ROWS,
      (cols, n) => this.file.writeBatch(cols.map((c) => c.data), n),
      options?.expectedRows
    )
    this.file = new ArrowFileStream(sink, this.batcher.fields(), eventLogMetadata())
  }

  /** Appends the next chunk of the log: seq order, starting where the previous one ended. */
  append(chunk: LogChunk): void {
    if (this.result !== null) throw new LogWriteError("append after finish")
    this.batcher.append(chunk)
  }

  /** Writes the last batch and the footer; returns the file's size and sha256 and the event counts. */
  finish(): EventLogWriteResult {
    if (this.result !== null) return this.result
    this.batcher.end()
    const r = this.file.finish()
    this.result = { ...r, events: this.batcher.events, controls: this.batcher.controls, postings: this.batcher.postings }
    return this.result
  }
}
