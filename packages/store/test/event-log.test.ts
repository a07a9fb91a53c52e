import { Schema, Table, tableFromIPC, tableToIPC } from "apache-arrow"
import { describe, expect, it } from "vitest"
import { EVENT_SCHEMA_VERSION } from "@devosim/core"
import type { EventLog } from "@devosim/core"
import { int32Column, int64Column, int64FromFloat64, utf8FromStrings, writeArrowFile, type ColumnSpec } from "../src/columns.ts"
import { eventLogColumns, eventLogMetadata } from "../src/event-log.ts"
import { decodeEventLog, decodeTable, encodeEventLog, LogReadError, LogWriteError, type LogReadReason } from "../src/index.ts"
import { makeLog, run } from "./fixture.ts"

const decodeOk = (bytes: Uint8Array): EventLog => {
  const r = decodeEventLog(bytes)
  if (!r.ok) throw r.error
  return r.log
}

const reasonOf = (bytes: Uint8Array): LogReadReason => {
  const r = decodeEventLog(bytes)
  if (r.ok) throw new Error("expected the log to be rejected")
  expect(r.error).toBeInstanceOf(LogReadError)
  return r.error.reason
}

/** A file from the real columns with one replaced (or removed, when `data` is null). */
const forge = (
  log: EventLog,
  replace: Record<string, ColumnSpec["data"] | null>,
  metadata: ReadonlyArray<readonly [string, string]> = eventLogMetadata()
): Uint8Array => {
  const cols = eventLogColumns(log).flatMap((c) => {
    if (!(c.name in replace)) return [c]
    const d = replace[c.name]
    return d ? [{ ...c, data: d }] : []
  })
  return writeArrowFile(cols, metadata)
}

describe("events.arrow round trip", () => {
  it("decode(encode(log)) equals the log", () => {
    const log = makeLog()
    expect(decodeOk(encodeEventLog(log))).toEqual(log)
  })

  it("is deterministic: same log, same bytes; re-encoding a decoded log gives the same bytes", () => {
    const a = encodeEventLog(makeLog())
    const b = encodeEventLog(makeLog())
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    expect(Buffer.from(encodeEventLog(decodeOk(a))).equals(Buffer.from(a))).toBe(true)
  })

  it("stores one row per event with the documented columns", () => {
    const log = makeLog()
    const t = decodeTable(encodeEventLog(log))
    expect(t.metadata).toEqual({
      "devosim.format": "events/2",
      "devosim.event_schema_version": String(EVENT_SCHEMA_VERSION),
      "devosim.content_sha256": expect.stringMatching(/^devosim-sha256:[0-9a-f]{64}$/)
    })
    expect(t.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "seq:Int64",
      "t:Float64",
      "kind:Dictionary<Int8, Utf8>",
      "locality:Dictionary<Int32, Utf8>",
      "from_account:Int32",
      "to_account:Int32",
      "amount_pence:Int64",
      "cause_seq:Int64",
      "data:Utf8"
    ])
    const c = t.columns
    expect(t.numRows).toBe(log.controls.length + log.postings.length)
    expect(c["seq"]).toEqual([...Array(t.numRows).keys()])
    expect(c["kind"]?.slice(0, 5)).toEqual(["RunStarted", "TrancheOpened", "EnvelopesSettled", "Posting", "Posting"])
    // Postings take the locality of their non-Treasury side; control events their own, if any.
    expect(c["locality"]?.slice(0, 6)).toEqual([null, null, null, "north", "south", "north"])
    expect(c["from_account"]?.slice(2, 5)).toEqual([null, 0, 0])
    expect(c["cause_seq"]?.slice(2, 5)).toEqual([null, 2, 2])
    expect(c["data"]?.[1]).toBe('{"tranche":"T1"}')
    expect(c["data"]?.[3]).toBe(null)
    expect(JSON.parse(String(c["data"]?.[0]))).toMatchObject({ scenario: run.scenario, seed: 42 })
  })

  it("keeps int64 amounts exact up to ±(2^53 − 1)", () => {
    const max = Number.MAX_SAFE_INTEGER
    const amounts = [max, -max, 2 ** 32, -(2 ** 32) - 1]
    const log = makeLog(amounts)
    const back = decodeOk(encodeEventLog(log))
    expect(Array.from(back.postings.amount.slice(0, 4))).toEqual(amounts)
    const t = decodeTable(encodeEventLog(log))
    expect(t.columns["amount_pence"]?.filter((x) => x !== null).slice(0, 4)).toEqual(amounts)
  })

  it("refuses to write amounts that are not exact integers", () => {
    expect(() => encodeEventLog(makeLog([2 ** 53, 1, 1, 1]))).toThrow(LogWriteError)
    expect(() => encodeEventLog(makeLog([0.5, 1, 1, 1]))).toThrow(LogWriteError)
  })

  it("refuses to write a log with a gap, a clash or a bad cause", () => {
    const log = makeLog()
    const gap = { ...log, postings: { ...log.postings, seq: log.postings.seq.map((s, i) => (i === 0 ? s + 100 : s)) } }
    expect(() => encodeEventLog(gap)).toThrow(LogWriteError)
    const clash = { ...log, postings: { ...log.postings, seq: log.postings.seq.map((s, i) => (i === 0 ? 1 : s)) } }
    expect(() => encodeEventLog(clash)).toThrow(LogWriteError)
    const cause = { ...log, postings: { ...log.postings, cause: log.postings.cause.map((c, i) => (i === 1 ? 3 : c)) } }
    expect(() => encodeEventLog(cause)).toThrow(/not an earlier control event/)
    expect(() => encodeEventLog({ ...log, controls: log.controls.slice(1) })).toThrow(/RunStarted/)
  })

  it("round-trips a log with no postings", () => {
    const log: EventLog = {
      controls: [run],
      postings: { length: 0, seq: new Float64Array(0), t: new Float64Array(0), from: new Int32Array(0), to: new Int32Array(0), amount: new Float64Array(0), cause: new Float64Array(0) }
    }
    expect(decodeOk(encodeEventLog(log))).toEqual(log)
  })

  it("reads a file that does not start on an 8-byte boundary", () => {
    const bytes = encodeEventLog(makeLog())
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    expect(decodeOk(shifted.subarray(3))).toEqual(makeLog())
  })
})

describe("events.arrow: damaged or foreign files are reported, not crashed on", () => {
  const good = encodeEventLog(makeLog())

  it("reports a truncated file", () => {
    for (const keep of [good.length - 1, good.length - 6, Math.floor(good.length / 2), 10]) {
      expect(reasonOf(good.slice(0, keep))).toBe("Truncated")
    }
    expect(reasonOf(good.slice(0, 3))).toBe("NotArrowFile")
    expect(reasonOf(new Uint8Array(0))).toBe("NotArrowFile")
  })

  it("reports something that is not an Arrow file", () => {
    expect(reasonOf(new TextEncoder().encode("seq,t,kind\n0,0,RunStarted\n"))).toBe("NotArrowFile")
  })

  it("reports a flipped byte at any position, promptly (the embedded checksum)", () => {
    const reasons = new Set<string>()
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice()
      bad[i] = bad[i]! ^ 0x01
      const r = decodeEventLog(bad) // must not throw, hang, or run out of memory
      expect(r.ok, `flip at byte ${i}`).toBe(false)
      if (!r.ok) reasons.add(r.error.reason)
    }
    // WrongFormat: the flip hit the checksum's own marker, so the file no longer carries one.
    expect([...reasons].sort()).toEqual(["ChecksumMismatch", "NotArrowFile", "Truncated", "WrongFormat"])
  })

  it("rejects a log without the checksum; decodeTable still reads it", () => {
    const t = tableFromIPC(good)
    const meta = new Map([...t.schema.metadata].filter(([k]) => k !== "devosim.content_sha256"))
    const plain = tableToIPC(new Table(new Schema(t.schema.fields, meta), t.batches), "file")
    expect(reasonOf(plain)).toBe("WrongFormat")
    expect(decodeTable(plain).numRows).toBe(t.numRows)
  })

  it("reports a flipped byte in the magic", () => {
    const bad = good.slice()
    bad[0] = 0x42
    expect(reasonOf(bad)).toBe("NotArrowFile")
  })

  it("reports a missing column", () => {
    expect(reasonOf(forge(makeLog(), { data: null }))).toBe("MissingColumn")
    expect(reasonOf(forge(makeLog(), { cause_seq: null }))).toBe("MissingColumn")
  })

  it("reports a column of the wrong type", () => {
    const n = makeLog().controls.length + makeLog().postings.length
    expect(reasonOf(forge(makeLog(), { t: int32Column(new Int32Array(n)) }))).toBe("WrongColumnType")
  })

  it("reports a schema version newer than this reader, and a foreign format", () => {
    const newer = forge(makeLog(), {}, [
      ["devosim.format", "events/1"],
      ["devosim.event_schema_version", String(EVENT_SCHEMA_VERSION + 1)]
    ])
    const r = decodeEventLog(newer)
    expect(r.ok || r.error.reason).toBe("UnsupportedVersion")
    expect(r.ok || r.error.message).toMatch(/newer/)
    expect(reasonOf(forge(makeLog(), {}, [["devosim.format", "ledger/1"]]))).toBe("WrongFormat")
    expect(reasonOf(forge(makeLog(), {}, [["devosim.format", "events/1"]]))).toBe("WrongFormat")
  })

  it("reports seq out of order", () => {
    const log = makeLog()
    const n = log.controls.length + log.postings.length
    const seq = int64FromFloat64("seq", n, (i) => (i === 4 ? 5 : i === 5 ? 4 : i))
    const r = decodeEventLog(forge(log, { seq: int64Column(seq) }))
    expect(r.ok || [r.error.reason, r.error.row]).toEqual(["BadSequence", 4])
  })

  it("reports a posting whose cause is not an earlier control event", () => {
    const log = makeLog()
    const n = log.controls.length + log.postings.length
    const rows = decodeTable(encodeEventLog(log)).columns["cause_seq"]!
    const withCause = (row: number, cause: number) => {
      const v = int64FromFloat64("cause", n, (i) => (i === row ? cause : ((rows[i] as number | null) ?? 0)))
      const bits = new Uint8Array((n + 7) >> 3)
      rows.forEach((x, i) => {
        if (x !== null) bits[i >> 3]! |= 1 << (i & 7)
      })
      return forge(log, { cause_seq: int64Column(v, { bits, nullCount: rows.filter((x) => x === null).length }) })
    }
    expect(decodeEventLog(withCause(4, 3)).ok).toBe(false) // row 3 is a posting
    expect(reasonOf(withCause(4, 3))).toBe("BadPosting")
    expect(reasonOf(withCause(4, 5))).toBe("BadPosting") // a later control event
    expect(reasonOf(withCause(4, -1))).toBe("BadPosting")
    expect(decodeEventLog(withCause(4, 1)).ok).toBe(true) // any earlier control event is a valid cause
  })

  it("reports a posting with a null amount", () => {
    const log = makeLog()
    const n = log.controls.length + log.postings.length
    const none = { bits: new Uint8Array((n + 7) >> 3), nullCount: n }
    expect(reasonOf(forge(log, { amount_pence: int64Column(new BigInt64Array(n), none) }))).toBe("BadPosting")
  })

  it("reports a malformed control event", () => {
    const log = makeLog()
    const data = decodeTable(encodeEventLog(log)).columns["data"]! as ReadonlyArray<string | null>
    const withData = (row: number, json: string | null) =>
      forge(log, { data: utf8FromStrings(data.map((d, i) => (i === row ? json : d))) })
    const missingField = decodeEventLog(withData(5, '{"locality":"north"}')) // NegotiationQueued without attempt
    expect(missingField.ok || [missingField.error.reason, missingField.error.row]).toEqual(["BadControlEvent", 5])
    expect(missingField.ok || missingField.error.message).toMatch(/NegotiationQueued/)
    expect(reasonOf(withData(5, "{not json"))).toBe("BadControlEvent")
    expect(reasonOf(withData(5, "[1,2]"))).toBe("BadControlEvent")
    expect(reasonOf(withData(5, null))).toBe("BadControlEvent")
    expect(reasonOf(withData(0, '{"scenario":"x"}'))).toBe("BadControlEvent") // RunStarted without its fields
  })
})

describe("events.arrow: a damaged posting anywhere in a long run of postings", () => {
  /** RunStarted, a settlement, `k` postings, a period, `k` more: runs long enough to be checked in bulk. */
  const longLog = (k: number): EventLog => {
    const controls: EventLog["controls"] = [
      run,
      { _tag: "EnvelopesSettled", seq: 1, t: 0, financialYear: "2026-27", fromPeriod: 0, toPeriod: 11 },
      { _tag: "PeriodSpent", seq: 2 + k, t: 1, period: 0 }
    ]
    const n = 2 * k
    const p = { length: n, seq: new Float64Array(n), t: new Float64Array(n), from: new Int32Array(n), to: new Int32Array(n), amount: new Float64Array(n), cause: new Float64Array(n) }
    for (let i = 0; i < n; i++) {
      const second = i >= k
      p.seq[i] = second ? 3 + i : 2 + i
      p.t[i] = second ? 1 : 0
      p.from[i] = 0
      p.to[i] = 1 + (i % 4)
      p.amount[i] = 1000 + i
      p.cause[i] = second ? 2 + k : 1
    }
    return { controls, postings: p }
  }

  it("reports the damaged row, whichever check it fails", () => {
    const k = 40
    const log = longLog(k)
    const n = log.controls.length + log.postings.length
    const cols = decodeTable(encodeEventLog(log)).columns
    const postingRows = Array.from({ length: n }, (_, i) => i).filter((i) => cols["kind"]![i] === "Posting")
    const validBits = (column: string) => {
      const bits = new Uint8Array((n + 7) >> 3)
      cols[column]!.forEach((x, i) => {
        if (x !== null) bits[i >> 3]! |= 1 << (i & 7)
      })
      return { bits, nullCount: cols[column]!.filter((x) => x === null).length }
    }
    const damages: ReadonlyArray<(row: number) => Record<string, ColumnSpec["data"]>> = [
      (row) => ({ to_account: int32Column(Int32Array.from(cols["to_account"]!, (x, i) => (i === row ? 99 : ((x as number | null) ?? 0))), validBits("to_account")) }),
      (row) => ({ from_account: int32Column(Int32Array.from(cols["from_account"]!, (x, i) => (i === row ? -1 : ((x as number | null) ?? 0))), validBits("from_account")) }),
      (row) => ({ cause_seq: int64Column(int64FromFloat64("cause", n, (i) => (i === row ? row : ((cols["cause_seq"]![i] as number | null) ?? 0))), validBits("cause_seq")) }),
      (row) => {
        const v = validBits("amount_pence")
        v.bits[row >> 3]! &= ~(1 << (row & 7))
        return { amount_pence: int64Column(int64FromFloat64("amount", n, (i) => (cols["amount_pence"]![i] as number | null) ?? 0), { bits: v.bits, nullCount: v.nullCount + 1 }) }
      }
    ]
    for (const row of [postingRows[0]!, postingRows[7]!, postingRows[k - 1]!, postingRows[k]!, postingRows[postingRows.length - 1]!]) {
      for (const damage of damages) {
        const r = decodeEventLog(forge(log, damage(row)))
        expect(r.ok || [r.error.reason, r.error.row]).toEqual(["BadPosting", row])
      }
    }
    expect(decodeOk(encodeEventLog(log)).postings.length).toBe(2 * k)
  })
})
