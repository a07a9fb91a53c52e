/**
 * A file sink whose writing, hashing and fsync happen on an I/O thread (io-worker.ts), so the run's
 * main thread only frames the bytes: on a 2 GB log that moves about 6 s of kernel copies, sha256
 * and fsync off it. Small writes are gathered into 1 MiB blocks; each block is handed over
 * (transferred, not shared). `drain` bounds the bytes in flight, so memory stays bounded when the
 * disk is slower than the run. An Arrow file stream gives its tail to `seal` instead of hashing
 * itself: the thread fills in the self-checksum (checksum.ts) and keeps the file's sha256.
 */
import { siblingModule } from "@devosim/core/sibling"
import { closeSync } from "node:fs"
import { Worker } from "node:worker_threads"
import { LogWriteError } from "./errors.ts"
import type { IoReply, IoRequest } from "./io-worker.ts"
import type { ByteSink, FileSinkResult } from "./sink.ts"

const BLOCK = 1 << 20
/** Bytes handed over but not yet written beyond which `drain` waits. */
const MAX_IN_FLIGHT = 32 * (1 << 20)

export class ThreadedFileSink implements ByteSink {
  private readonly worker: Worker
  private block = new Uint8Array(BLOCK)
  private used = 0
  private inFlight = 0
  private total = 0
  private failure: Error | null = null
  private waiting: Array<() => void> = []
  private closing: Promise<FileSinkResult> | null = null
  private onClosed: ((r: FileSinkResult) => void) | null = null
  private onFailed: ((e: Error) => void) | null = null
  private readonly sync: boolean

  private readonly fd: number

  /** Takes over `fd` (it is closed by `close` or `discard`). `sync: false` skips the fsync. */
  constructor(fd: number, options: { readonly sync?: boolean } = {}) {
    this.fd = fd
    this.sync = options.sync !== false
    this.worker = new Worker(siblingModule(import.meta.url, "io-worker"), { workerData: { fd } })
    this.worker.on("message", (r: IoReply) => this.reply(r))
    this.worker.on("error", (e) => this.fail(e))
    this.worker.on("exit", (code) => {
      if (this.onClosed !== null) this.fail(new Error(`the I/O thread exited with code ${code} before closing the file`))
    })
  }

  get length(): number {
    return this.total
  }

  /** The result once `close` has completed (null before). */
  get closedResult(): FileSinkResult | null {
    return this.result
  }

  private result: FileSinkResult | null = null

  write(bytes: Uint8Array): void {
    this.check()
    this.total += bytes.length
    if (bytes.length >= BLOCK >> 2) {
      this.flush()
      this.send({ op: "write", bytes: new Uint8Array(bytes) }) // a copy with its own buffer (Buffers may view a shared pool)
      return
    }
    if (this.used + bytes.length > BLOCK) this.flush()
    this.block.set(bytes, this.used)
    this.used += bytes.length
  }

  writeAt(): void {
    throw new LogWriteError("a threaded file sink only appends")
  }

  /** The file's last bytes; `markers` are where the self-checksum's hex goes (zeros in `tail`). */
  seal(tail: Uint8Array, markers: ReadonlyArray<number>): void {
    this.check()
    this.flush()
    this.total += tail.length
    this.send({ op: "seal", tail: new Uint8Array(tail), markers })
  }

  /** Resolves once the bytes in flight are below the bound (at once when they are). */
  drain(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (this.inFlight < MAX_IN_FLIGHT) return Promise.resolve()
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Writes what is left, fsyncs and closes; the file's sha256 and size. Idempotent. */
  close(): Promise<FileSinkResult> {
    if (this.closing !== null) return this.closing
    this.closing = new Promise<FileSinkResult>((resolve, reject) => {
      this.onClosed = resolve
      this.onFailed = reject
      try {
        this.check()
        this.flush()
        this.send({ op: "close", sync: this.sync })
      } catch (e) {
        reject(e)
      }
    }).finally(() => this.release())
    return this.closing
  }

  /** The thread has written and fsynced (or failed): stop it, close the descriptor here, where it was opened. */
  private release(): void {
    void this.worker.terminate()
    try {
      closeSync(this.fd)
    } catch {
      // already closed
    }
  }

  /** Abandons the file (closes the descriptor, no fsync). */
  discard(): Promise<void> {
    if (this.closing !== null) return this.closing.then(() => undefined, () => undefined)
    this.closing = new Promise<FileSinkResult>((resolve, reject) => {
      this.onClosed = resolve
      this.onFailed = reject
      this.send({ op: "discard" })
    }).finally(() => this.release())
    return this.closing.then(() => undefined, () => undefined)
  }

  private check(): void {
    if (this.failure !== null) throw this.failure
    if (this.closing !== null) throw new LogWriteError("write to a closed file sink")
  }

  private flush(): void {
    if (this.used === 0) return
    const full = this.block.subarray(0, this.used)
    // The block itself goes over (transferred); a fresh one takes its place.
    this.send({ op: "write", bytes: full }, [this.block.buffer])
    this.block = new Uint8Array(BLOCK)
    this.used = 0
  }

  private send(m: IoRequest, transfer?: ReadonlyArray<ArrayBuffer>): void {
    if (m.op === "write" || m.op === "seal") this.inFlight += m.op === "write" ? m.bytes.length : m.tail.length
    const buffers = transfer ?? (m.op === "write" ? [m.bytes.buffer as ArrayBuffer] : m.op === "seal" ? [m.tail.buffer as ArrayBuffer] : [])
    this.worker.postMessage(m, buffers)
  }

  private reply(r: IoReply): void {
    switch (r.op) {
      case "written":
        this.inFlight -= r.bytes
        if (this.inFlight < MAX_IN_FLIGHT) for (const w of this.waiting.splice(0)) w()
        break
      case "closed":
        if (r.sha256 !== "") this.result = { sha256: r.sha256, bytes: r.bytes }
        this.onClosed?.({ sha256: r.sha256, bytes: r.bytes })
        this.onClosed = null
        break
      case "failed":
        this.fail(new LogWriteError(`writing the file failed: ${r.message}`))
        break
    }
  }

  private fail(e: Error): void {
    this.failure ??= e
    for (const w of this.waiting.splice(0)) w()
    this.onFailed?.(this.failure)
    this.onClosed = null
  }
}
