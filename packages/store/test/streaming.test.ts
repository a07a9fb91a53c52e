/**
 * Streaming the log and the ledger: written chunk by chunk into record batches of a fixed row count
 * (bytes independent of the chunking, equal to the in-memory encoders), read back batch by batch.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import type { ControlEvent, EventLog, LogChunk } from "@devosim/core"
import { agencyAccount, departmentAccount, PostingBuffer, spbAccount, TREASURY, worldAccount } from "@devosim/core"
import { verifyChecksum } from "../src/checksum.ts"
import {
  decodeEventLog,
  decodeTable,
  encodeEventLog,
  encodeLedger,
  EventLogWriter,
  FileSink,
  LedgerWriter,
  LogReadError,
  LogWriteError,
  makeManifest,
  manifestJson,
  MemorySink,
  openRunDirectory,
  readEventLogChunks,
  readEventLogFile,
  readRunDirectory,
  RunDirectoryExists,
  sha256Hex,
  ThreadedFileSink,
  verifyChecksumFile,
  type LedgerInput,
  type LogReadReason
} from "../src/index.ts"
import { layout, makeLog, run } from "./fixture.ts"

const root = mkdtempSync(join(tmpdir(), "devosim-stream-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let fileNo = 0
const tempFile = () => join(root, `f${fileNo++}.arrow`)

/** A log of `n` events on the fixture's run: control events now and then, postings caused by the latest. */
const bigLog = (n: number, seed = 1): EventLog => {
  let x = seed >>> 0 || 1
  const rand = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const controls: Array<ControlEvent> = [run]
  const p = new PostingBuffer(Math.max(4, n))
  const accounts = [TREASURY, departmentAccount(layout, 0, 0), agencyAccount(layout, 1, 0), spbAccount(layout, 0), worldAccount(layout, 1)]
  let lastControl = 0
  let period = 0
  let t = 0
  for (let s = 1; s < n; s++) {
    t += rand() < 0.1 ? 0.25 : 0
    const r = rand()
    if (r < 0.05) {
      controls.push({ _tag: "PeriodSpent", seq: s, t, period: period++ })
      lastControl = s
    } else if (r < 0.08) {
      controls.push({ _tag: "NegotiationQueued", seq: s, t, locality: rand() < 0.5 ? "north" : "south", attempt: 1 })
      lastControl = s
    } else {
      const from = accounts[Math.floor(rand() * accounts.length)]!
      const to = accounts[Math.floor(rand() * accounts.length)]!
      const amount = Math.floor((rand() - 0.3) * 2 ** 40)
      p.push(s, t, from, to, amount, lastControl)
    }
  }
  return { controls, postings: p.seal() }
}

/** The log cut at the given seqs into contiguous chunks. */
const chunked = (log: EventLog, cuts: ReadonlyArray<number>): Array<LogChunk> => {
  const n = log.controls.length + log.postings.length
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < n), n])].sort((a, b) => a - b)
  const out: Array<LogChunk> = []
  const p = log.postings
  let j = 0
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [lo, hi] = [bounds[k]!, bounds[k + 1]!]
    let j2 = j
    while (j2 < p.length && p.seq[j2]! < hi) j2++
    const sub = <A extends Float64Array | Int32Array>(a: A) => a.slice(j, j2) as A
    out.push({
      firstSeq: lo,
      controls: log.controls.filter((c) => c.seq >= lo && c.seq < hi),
      postings: { length: j2 - j, seq: sub(p.seq), t: sub(p.t), from: sub(p.from), to: sub(p.to), amount: sub(p.amount), cause: sub(p.cause) }
    })
    j = j2
  }
  return out
}

const inMemory = (log: EventLog, batchRows?: number): Uint8Array => {
  const sink = new MemorySink()
  const w = new EventLogWriter(run, sink, batchRows === undefined ? {} : { batchRows })
  w.append({ firstSeq: 0, ...log })
  w.finish()
  return sink.bytes()
}

const streamToFile = (log: EventLog, cuts: ReadonlyArray<number>, batchRows?: number) => {
  const path = tempFile()
  const sink = new FileSink(openSync(path, "w"), { sync: false })
  const w = new EventLogWriter(run, sink, batchRows === undefined ? {} : { batchRows })
  for (const c of chunked(log, cuts)) w.append(c)
  const result = w.finish()
  const closed = sink.close()
  return { path, result, closed, bytes: readFileSync(path) }
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

const streamReason = (bytes: Uint8Array): LogReadReason | "ok" => {
  const path = tempFile()
  writeFileSync(path, bytes)
  try {
    for (const _ of readEventLogChunks(path)) {
      // drain
    }
    return "ok"
  } catch (e) {
    if (!(e instanceof LogReadError)) throw e
    return e.reason
  } finally {
    rmSync(path)
  }
}

describe("EventLogWriter", () => {
  it("streamed to a file in chunks gives the bytes of encodeEventLog, and the sha256 and counts of the file", () => {
    const log = bigLog(5000)
    const { result, closed, bytes } = streamToFile(log, [1, 7, 100, 101, 2500, 4999])
    expect(same(bytes, encodeEventLog(log))).toBe(true)
    expect(result).toEqual({
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
      events: 5000,
      controls: log.controls.length,
      postings: log.postings.length
    })
    expect(closed).toEqual({ sha256: sha256Hex(bytes), bytes: bytes.length })
    expect(verifyChecksum(bytes)).toBe("ok")
  })

  it("property: any chunking and batch size gives the in-memory bytes; decode and the streaming reader give the log back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 1000 }),
        (n, batchRows, cuts, seed) => {
          const log = bigLog(n, seed)
          const { path, bytes, result } = streamToFile(log, cuts, batchRows)
          expect(same(bytes, inMemory(log, batchRows))).toBe(true)
          expect(result.sha256).toBe(sha256Hex(bytes))
          const decoded = decodeEventLog(bytes)
          if (!decoded.ok) throw decoded.error
          expect(decoded.log).toEqual(log)
          const chunks = [...readEventLogChunks(path)]
          expect(chunks.length).toBe(Math.ceil(n / batchRows))
          expect(chunks.map((c) => c.firstSeq)).toEqual(chunks.map((_, i) => i * batchRows))
          expect(readEventLogFile(path)).toEqual(log)
          rmSync(path)
        }
      ),
      { numRuns: 60, seed: 7 }
    )
  })

  it("multi-batch files decode in memory as well (decodeTable, decodeEventLog)", () => {
    const log = bigLog(1000)
    const bytes = inMemory(log, 64)
    expect(decodeTable(bytes).numRows).toBe(1000)
    const d = decodeEventLog(bytes)
    expect(d.ok && d.log).toEqual(log)
  })

  it("checks what encodeEventLog checks, across chunks", () => {
    const log = makeLog()
    const w = () => new EventLogWriter(run, new MemorySink(), { batchRows: 2 })
    const [a, b] = chunked(log, [5])
    // A gap between chunks, a chunk out of order, a cause that is a posting in an earlier chunk.
    expect(() => w().append(b!)).toThrow(/starts at seq 5, expected 0/)
    const gap = w()
    gap.append(a!)
    expect(() => gap.append({ ...b!, firstSeq: 6 })).toThrow(LogWriteError)
    const bad = w()
    bad.append(a!)
    expect(() => bad.append({ ...b!, postings: { ...b!.postings, cause: b!.postings.cause.map(() => 3) } })).toThrow(/not an earlier control event/)
    expect(() => bad.append(b!)).toThrow(/failed earlier/)
    expect(() => w().finish()).toThrow(/RunStarted/)
    expect(() => w().append({ ...a!, controls: a!.controls.slice(1) })).toThrow(/RunStarted/)
    expect(() => w().append({ ...a!, postings: { ...a!.postings, amount: a!.postings.amount.map(() => 0.5) } })).toThrow(LogWriteError)
  })
})

describe("ThreadedFileSink (writing, hashing and fsync on an I/O thread)", () => {
  /** The chunks of `log` written through an EventLogWriter into a threaded sink on a new file. */
  const streamThreaded = async (log: EventLog, cuts: ReadonlyArray<number>, batchRows?: number) => {
    const path = tempFile()
    const sink = new ThreadedFileSink(openSync(path, "wx"))
    const writer = new EventLogWriter(run, sink, batchRows === undefined ? undefined : { batchRows })
    for (const c of chunked(log, cuts)) {
      writer.append(c)
      await sink.drain()
    }
    const result = writer.finish()
    const closed = await sink.close()
    return { path, result, closed, bytes: readFileSync(path) }
  }

  it("gives the bytes of encodeEventLog; the thread keeps the file's sha256 and seals the self-checksum", async () => {
    const log = bigLog(20_000, 3)
    const { result, closed, bytes } = await streamThreaded(log, [3, 900, 901, 15_000], 4096)
    expect(same(bytes, inMemory(log, 4096))).toBe(true)
    expect(result.sha256).toBe("") // the sink has it
    expect(closed).toEqual({ sha256: sha256Hex(bytes), bytes: bytes.length })
    expect(verifyChecksum(bytes)).toBe("ok")
  })

  it("property: any chunking and batch size, the same bytes as in memory", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 8 }), async (n, batchRows, cuts) => {
        const log = bigLog(n, n)
        const { bytes, closed, path } = await streamThreaded(log, cuts, batchRows)
        expect(same(bytes, inMemory(log, batchRows))).toBe(true)
        expect(closed.sha256).toBe(sha256Hex(bytes))
        rmSync(path)
      }),
      { numRuns: 25, seed: 17 }
    )
  })

  it("a write that fails on the thread is reported, and nothing more is accepted", async () => {
    const path = tempFile()
    writeFileSync(path, "")
    const sink = new ThreadedFileSink(openSync(path, "r")) // read-only: the thread's writes fail
    sink.write(new Uint8Array(1 << 19)) // large: sent at once
    await expect(sink.close()).rejects.toThrow(/writing the file failed/)
    expect(() => sink.write(new Uint8Array(8))).toThrow()
  })
})

describe("readEventLogChunks", () => {
  const log = bigLog(700, 3)
  const good = inMemory(log, 100)

  it("rejects damaged files with the reasons decodeEventLog gives", () => {
    const reasons = new Set<string>()
    for (let i = 0; i < good.length; i += i < 64 || i > good.length - 2048 ? 3 : 97) {
      const bad = good.slice()
      bad[i] = bad[i]! ^ 0x01
      const mem = decodeEventLog(bad)
      expect(mem.ok).toBe(false)
      const r = streamReason(bad)
      expect(r, `flip at byte ${i}`).toBe(mem.ok ? "ok" : mem.error.reason)
      reasons.add(r)
    }
    expect([...reasons].sort()).toEqual(expect.arrayContaining(["ChecksumMismatch", "NotArrowFile", "Truncated"]))
    for (const keep of [good.length - 1, good.length - 6, Math.floor(good.length / 2), 10, 3, 0]) {
      const mem = decodeEventLog(good.slice(0, keep))
      expect(streamReason(good.slice(0, keep))).toBe(mem.ok ? "ok" : mem.error.reason)
    }
  })

  it("verifyChecksumFile agrees with verifyChecksum, including a damaged marker", () => {
    for (const at of [0, 100, good.length - 200, good.length - 11]) {
      for (const bytes of [good, (() => { const b = good.slice(); b[at] = b[at]! ^ 4; return b })()]) {
        const path = tempFile()
        writeFileSync(path, bytes)
        const fd = openSync(path, "r")
        expect(verifyChecksumFile(fd, bytes.length)).toBe(verifyChecksum(bytes))
        closeSync(fd)
      }
    }
    // The marker's own hex: the file no longer carries a valid checksum.
    const marker = Buffer.from(good).lastIndexOf("devosim-sha256:") + 20
    const b = good.slice()
    b[marker] = 0x7a // 'z'
    const path = tempFile()
    writeFileSync(path, b)
    const fd = openSync(path, "r")
    expect(verifyChecksumFile(fd, b.length)).toBe(verifyChecksum(b))
    closeSync(fd)
  })

  it("reuseBuffers: each chunk, taken before the next is asked for, is the chunk fresh buffers give; one set of buffers serves them all", () => {
    const path = tempFile()
    writeFileSync(path, good)
    const copy = (c: LogChunk): LogChunk => ({
      firstSeq: c.firstSeq,
      controls: c.controls,
      postings: { length: c.postings.length, seq: c.postings.seq.slice(), t: c.postings.t.slice(), from: c.postings.from.slice(), to: c.postings.to.slice(), amount: c.postings.amount.slice(), cause: c.postings.cause.slice() }
    })
    const fresh = [...readEventLogChunks(path)]
    const pooled: Array<LogChunk> = []
    const buffers = new Set<ArrayBufferLike>()
    for (const c of readEventLogChunks(path, { reuseBuffers: true })) {
      buffers.add(c.postings.amount.buffer)
      pooled.push(copy(c))
    }
    expect(fresh.length).toBeGreaterThan(3)
    expect(pooled).toEqual(fresh)
    // The first batch is the largest (the last may be shorter): its arrays serve every batch.
    expect(buffers.size).toBe(1)
  })

  it("reads the version-1 fixture (events/1, upcast) as decodeEventLog does", () => {
    const path = resolve(import.meta.dirname, "../../../test/fixtures/run-v1/events.arrow")
    const mem = decodeEventLog(readFileSync(path))
    if (!mem.ok) throw mem.error
    expect(readEventLogFile(path)).toEqual(mem.log)
  })
})

describe("LedgerWriter", () => {
  const max = Number.MAX_SAFE_INTEGER
  const input = (): LedgerInput => ({
    run,
    period: new Int32Array([0, 0, 0, 1, 1, 1, 2, 2]),
    account: new Int32Array([0, 1, 2, 0, 1, 2, 5, 8]),
    opening: new Float64Array([0, 0, 0, -100, 60, 40, 0, 0]),
    inflow: new Float64Array([0, 100, 40, 0, max - 60, 0, 5, 0]),
    outflow: new Float64Array([100, 40, 0, max - 100, 0, 0, 0, 0]),
    closing: new Float64Array([-100, 60, 40, -max, max, 40, 5, 0])
  })
  const rows = (lo: number, hi: number) => {
    const i = input()
    return {
      period: i.period.slice(lo, hi),
      account: i.account.slice(lo, hi),
      opening: i.opening.slice(lo, hi),
      inflow: i.inflow.slice(lo, hi),
      outflow: i.outflow.slice(lo, hi),
      closing: i.closing.slice(lo, hi)
    }
  }

  it("appended in pieces equals encodeLedger of the whole; small batches read back the same rows", () => {
    const whole = encodeLedger(input())
    const path = tempFile()
    const sink = new FileSink(openSync(path, "w"), { sync: false })
    const w = new LedgerWriter(run, sink)
    for (const [lo, hi] of [[0, 3], [3, 3], [3, 7], [7, 8]] as const) w.append(rows(lo, hi))
    const r = w.finish()
    sink.close()
    const bytes = readFileSync(path)
    expect(same(bytes, whole)).toBe(true)
    expect(r).toEqual({ bytes: bytes.length, sha256: sha256Hex(bytes), rows: 8 })

    const small = (cuts: ReadonlyArray<readonly [number, number]>) => {
      const m = new MemorySink()
      const lw = new LedgerWriter(run, m, { batchRows: 3 })
      for (const [lo, hi] of cuts) lw.append(rows(lo, hi))
      lw.finish()
      return m.bytes()
    }
    const multi = small([[0, 8]])
    expect(same(multi, small([[0, 1], [1, 5], [5, 8]]))).toBe(true)
    expect(decodeTable(multi).columns).toEqual(decodeTable(whole).columns)
    expect(decodeTable(multi).columns["agency"]).toEqual([null, "police", "police", null, "police", "police", "police", null])
  })

  it("checks rows across pieces (row numbers count from the start)", () => {
    const w = new LedgerWriter(run, new MemorySink(), { batchRows: 2 })
    w.append(rows(0, 3))
    const bad = rows(3, 5)
    bad.closing[1] = 1
    expect(() => w.append(bad)).toThrow(/ledger row 4 .*≠ closing 1/)
    expect(() => w.finish()).toThrow(/failed earlier/)
  })
})

describe("openRunDirectory: a streamed run directory", () => {
  const log = bigLog(3000, 5)

  const write = async (out: string, options?: { overwrite?: boolean }) => {
    const w = await openRunDirectory(out, options)
    const ew = new EventLogWriter(run, w.openSink("events.arrow"), { batchRows: 512 })
    for (const c of chunked(log, [10, 1000, 2999])) ew.append(c)
    const written = ew.finish()
    await w.writeFile("summary.json", '{"ok":true}\n')
    const lw = new LedgerWriter(run, w.openSink("sub/ledger.arrow"))
    lw.append(
      { period: new Int32Array([0]), account: new Int32Array([1]), opening: new Float64Array([0]), inflow: new Float64Array([3]), outflow: new Float64Array([1]), closing: new Float64Array([2]) }
    )
    lw.finish()
    writeFileSync(w.filePath("notes.txt"), "by other means\n")
    await w.commit((files) =>
      manifestJson(
        makeManifest({
          run,
          controlEventCount: written.controls,
          postingCount: written.postings,
          logSha256: written.sha256,
          inputSha256: sha256Hex("x"),
          stateSha256: "ab".repeat(32),
          files
        })
      )
    )
    return written
  }

  it("commits atomically with a manifest from the recorded hashes, identical to the one made from the bytes", async () => {
    const out = join(root, "run-a")
    const written = await write(out)
    expect(readdirSync(root).filter((e) => e.startsWith("run-a"))).toEqual(["run-a"])
    const back = await readRunDirectory(out) // every file checked against the manifest
    expect(back.manifest.log_sha256).toBe(written.sha256)
    const d = decodeEventLog(back.eventsArrow)
    expect(d.ok && d.log).toEqual(log)
    expect(readEventLogFile(join(out, "events.arrow"))).toEqual(log)
    const files = ["notes.txt", "sub/ledger.arrow", "summary.json"].map((name) => ({ name, bytes: readFileSync(join(out, ...name.split("/"))) }))
    const fromBytes = makeManifest({ log, eventsArrow: back.eventsArrow, inputSha256: sha256Hex("x"), stateSha256: "ab".repeat(32), files })
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(manifestJson(fromBytes))
  })

  it("refuses an existing run without overwrite; replaces it with; abort leaves nothing", async () => {
    const out = join(root, "run-b")
    await write(out)
    await expect(openRunDirectory(out)).rejects.toBeInstanceOf(RunDirectoryExists)
    await write(out, { overwrite: true })
    const w = await openRunDirectory(join(root, "run-c"))
    w.openSink("events.arrow").write(new Uint8Array(10))
    expect(existsSync(w.tmp)).toBe(true)
    await w.abort()
    expect(existsSync(w.tmp)).toBe(false)
    expect(readdirSync(root).filter((e) => e.startsWith("run-b") || e.startsWith("run-c"))).toEqual(["run-b"])
  })

  it("rejects bad names and a name used twice", async () => {
    const w = await openRunDirectory(join(root, "run-d"))
    expect(() => w.openSink("../x")).toThrow(/plain file name/)
    w.openSink("a")
    expect(() => w.filePath("a")).toThrow(/twice/)
    await w.abort()
  })

  it("an aborted signal stops the commit and removes the temporary directory", async () => {
    const controller = new AbortController()
    const w = await openRunDirectory(join(root, "run-e"), { signal: controller.signal })
    await w.writeFile("x", "1")
    controller.abort(new Error("stop"))
    await expect(w.commit()).rejects.toThrow("stop")
    expect(existsSync(w.tmp)).toBe(false)
    expect(existsSync(join(root, "run-e"))).toBe(false)
  })
})
