/**
 * Byte sinks for the streaming writers (event log, ledger): where the bytes of a file go as they
 * are produced. Writes are synchronous: a run is synchronous CPU work done in chunks, and a sync
 * write between chunks is the simplest way to keep memory bounded.
 */
import { createHash, type Hash } from "node:crypto"
import { closeSync, fstatSync, fsyncSync, readSync, writeSync } from "node:fs"

export interface ByteSink {
  /** Appends `bytes`. The sink must not keep a reference to them after returning (the caller reuses its buffers). */
  write(bytes: Uint8Array): void
  /** Overwrites bytes already written, at `offset` (not past the end). */
  writeAt(offset: number, bytes: Uint8Array): void
}

/**
 * A sink that keeps the file's sha256 itself and seals an Arrow file's self-checksum into its tail
 * (the threaded file sink): the Arrow stream then hashes nothing.
 */
export interface SealingSink extends ByteSink {
  /** The file's last bytes; the self-checksum's hex goes at `markers` (zeros in `tail`). */
  seal(tail: Uint8Array, markers: ReadonlyArray<number>): void
}

export const isSealingSink = (s: ByteSink): s is SealingSink => typeof (s as Partial<SealingSink>).seal === "function"

/** A growable in-memory sink; `bytes()` gives the file (one copy, exact length). */
export class MemorySink implements ByteSink {
  private blocks: Array<Uint8Array> = []
  private current = new Uint8Array(1 << 16)
  private used = 0
  private total = 0

  get length(): number {
    return this.total
  }

  write(bytes: Uint8Array): void {
    let from = 0
    while (from < bytes.length) {
      if (this.used === this.current.length) {
        this.blocks.push(this.current)
        // Blocks grow with the file so the number of blocks stays logarithmic.
        this.current = new Uint8Array(Math.min(1 << 26, Math.max(1 << 16, this.total >> 1)))
        this.used = 0
      }
      const n = Math.min(bytes.length - from, this.current.length - this.used)
      this.current.set(bytes.subarray(from, from + n), this.used)
      this.used += n
      from += n
      this.total += n
    }
  }

  writeAt(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.total) throw new RangeError(`writeAt ${offset}+${bytes.length} beyond the ${this.total} bytes written`)
    let at = 0 // start of the block in the file
    let from = 0
    for (const block of [...this.blocks, this.current.subarray(0, this.used)]) {
      const end = at + block.length
      while (from < bytes.length && offset + from >= at && offset + from < end) {
        const n = Math.min(bytes.length - from, end - (offset + from))
        block.set(bytes.subarray(from, from + n), offset + from - at)
        from += n
      }
      at = end
    }
  }

  /** The whole file as one array of exactly `length` bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.total)
    let at = 0
    for (const b of this.blocks) {
      out.set(b, at)
      at += b.length
    }
    out.set(this.current.subarray(0, this.used), at)
    return out
  }
}

export interface FileSinkResult {
  /** sha256 of the whole file as it ends up on disk. */
  readonly sha256: string
  readonly bytes: number
}

const STAGE = 1 << 16

/**
 * A sink onto an open file descriptor, written with `writeSync` at increasing offsets. Small writes
 * (the Arrow framing: lengths, flatbuffers, padding) are gathered in a 64 KiB buffer; large ones
 * (column buffers) go straight to the file. The sha256 of the bytes is kept as they pass, so the
 * file need not be read again for the manifest (unless `writeAt` changed bytes already hashed, in
 * which case `close` hashes the file again). `close` fsyncs and closes the descriptor.
 */
export interface FileSinkOptions {
  /** false: skip the fsync on close. */
  readonly sync?: boolean
  /** false: leave the descriptor open on close. */
  readonly closeFd?: boolean
  /** false: keep no running sha256 (the writer keeps one and gives it to `close`). */
  readonly hash?: boolean
}

export class FileSink implements ByteSink {
  private readonly stage = new Uint8Array(STAGE)
  private staged = 0
  private position = 0 // bytes handed to the kernel
  private hash: Hash | null = createHash("sha256")
  private result: FileSinkResult | null = null
  private readonly fd: number
  private readonly options: FileSinkOptions

  /** See `FileSinkOptions`. */
  constructor(fd: number, options: FileSinkOptions = {}) {
    this.fd = fd
    this.options = options
    if (options.hash === false) this.hash = null
  }

  get length(): number {
    return this.position + this.staged
  }

  get closed(): boolean {
    return this.result !== null
  }

  write(bytes: Uint8Array): void {
    if (this.result !== null) throw new Error("write to a closed FileSink")
    this.hash?.update(bytes)
    if (bytes.length >= STAGE >> 2) {
      this.flush()
      this.writeFully(bytes, this.position)
      this.position += bytes.length
      return
    }
    if (this.staged + bytes.length > STAGE) this.flush()
    this.stage.set(bytes, this.staged)
    this.staged += bytes.length
  }

  writeAt(offset: number, bytes: Uint8Array): void {
    if (this.result !== null) throw new Error("write to a closed FileSink")
    if (offset < 0 || offset + bytes.length > this.length) throw new RangeError(`writeAt ${offset}+${bytes.length} beyond the ${this.length} bytes written`)
    this.flush()
    this.writeFully(bytes, offset)
    this.hash = null // the running digest no longer describes the file
    this.rewritten = true
  }

  private rewritten = false

  /**
   * Flushes, fsyncs (unless `sync: false`), closes; returns the file's sha256 and size. Idempotent.
   * `sha256`: the digest of the bytes as written, when the writer kept one (an Arrow file stream
   * does), so they are not hashed twice; otherwise the sink's own, or the file is read again.
   */
  close(sha256?: string): FileSinkResult {
    if (this.result !== null) return this.result
    this.flush()
    if (this.options.sync !== false) fsyncSync(this.fd)
    const digest = this.hash !== null ? this.hash.digest("hex") : sha256 !== undefined && !this.rewritten ? sha256 : hashFd(this.fd, this.position)
    if (this.options.closeFd !== false) closeSync(this.fd)
    this.result = { sha256: digest, bytes: this.position }
    return this.result
  }

  /** Closes the descriptor without the fsync (for abandoning a file). */
  discard(): void {
    if (this.result !== null) return
    this.result = { sha256: "", bytes: this.position }
    if (this.options.closeFd !== false) closeSync(this.fd)
  }

  private flush(): void {
    if (this.staged === 0) return
    this.writeFully(this.stage.subarray(0, this.staged), this.position)
    this.position += this.staged
    this.staged = 0
  }

  private writeFully(bytes: Uint8Array, at: number): void {
    let done = 0
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done)
  }
}

/** sha256 of the first `size` bytes of a file, read in 4 MiB pieces. */
export const hashFd = (fd: number, size = fstatSync(fd).size): string => {
  const h = createHash("sha256")
  const buf = new Uint8Array(Math.min(size, 1 << 22))
  for (let at = 0; at < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at)
    if (n === 0) break
    h.update(buf.subarray(0, n))
    at += n
  }
  return h.digest("hex")
}
