/**
 * The writers behind `devosim export`: the tables' record batches do not depend on how the log was
 * chunked; CSV is RFC 4180 with exact integers and plain decimals; the streamed Parquet writer
 * gives the same rows over many batches and row groups as the Arrow file, empty tables included.
 */
import { tableFromIPC, type Table } from "apache-arrow"
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { EVENT_KINDS, HOLDERS, type LogChunk } from "@devosim/core"
import {
  AccountsTable,
  controlEventPayload,
  csvText,
  dictionaryColumnsOf,
  MemorySink,
  ParquetStreamWriter,
  EventsTable,
  LedgerTable,
  openTableFile,
  plainNumber,
  RowsTable,
  type FlowClassifier,
  type TableBatch,
  type TableFormat,
  type TableSchema
} from "../src/index.ts"
import { FileSink } from "../src/sink.ts"
import { makeLog, run } from "./fixture.ts"
import { mkdtempSync, openSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"

const pw = createRequire(import.meta.url)("parquet-wasm") as typeof import("parquet-wasm")
const max = Number.MAX_SAFE_INTEGER

const rowsOf = (t: Table): Array<Record<string, unknown>> =>
  Array.from({ length: t.numRows }, (_, r) => Object.fromEntries(t.schema.fields.map((f, i) => [f.name, t.getChildAt(i)!.get(r) ?? null])))

/** The log as chunks cut at the given seqs. */
const chunked = (cuts: ReadonlyArray<number>): Array<LogChunk> => {
  const log = makeLog([max, 1, 99, 7])
  const n = log.controls.length + log.postings.length
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < n), n]
  const out: Array<LogChunk> = []
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [lo, hi] = [bounds[k]!, bounds[k + 1]!]
    const idx = Array.from(log.postings.seq.keys()).filter((i) => log.postings.seq[i]! >= lo && log.postings.seq[i]! < hi)
    const pick = <A extends Float64Array | Int32Array>(a: A): A => a.filter((_, i) => idx.includes(i)) as A
    const p = log.postings
    out.push({
      firstSeq: lo,
      controls: log.controls.filter((c) => c.seq >= lo && c.seq < hi),
      postings: { length: idx.length, seq: pick(p.seq), t: pick(p.t), from: pick(p.from), to: pick(p.to), amount: pick(p.amount), cause: pick(p.cause) }
    })
  }
  return out
}

const dir = mkdtempSync(path.join(tmpdir(), "devosim-export-writers-"))
let files = 0

/** Writes `batches` as one file in `format`; returns its bytes. */
const write = async (format: TableFormat, schema: TableSchema, batches: Iterable<TableBatch>): Promise<Uint8Array> => {
  const file = path.join(dir, `t${files++}.${format}`)
  const w = openTableFile(format, schema, (o) => new FileSink(openSync(file, "wx"), o))
  for (const b of batches) await w.write(b)
  const r = await w.finish()
  const bytes = readFileSync(file)
  expect(r.bytes).toBe(bytes.length)
  return bytes
}

const readParquet = (bytes: Uint8Array): Table => tableFromIPC(pw.readParquet(bytes).intoIPCStream())

/**
 * A small classifier (the CLI's is report's classifyFlow tabulated): Treasury → department is
 * "settled", department → agency "funded", and agency → SPB "pooled" only when a DealAgreed caused it.
 */
const flows: FlowClassifier = (() => {
  const names = ["other", "settled", "funded", "pooled"]
  const H = HOLDERS.length
  const K = EVENT_KINDS.length
  const h = (x: string) => HOLDERS.indexOf(x as never)
  const table = new Uint8Array(H * H * K)
  for (let k = 0; k < K; k++) {
    table[(h("treasury") * H + h("department")) * K + k] = 1
    table[(h("department") * H + h("agency")) * K + k] = 2
  }
  table[(h("agency") * H + h("spb")) * K + EVENT_KINDS.indexOf("DealAgreed")] = 3
  return { names, table }
})()

const eventsBatches = (chunks: ReadonlyArray<LogChunk>, batchRows: number): { schema: TableSchema; batches: Array<TableBatch> } => {
  const t = new EventsTable(run, flows, batchRows)
  const batches = chunks.flatMap((c) => t.append(c))
  batches.push(...t.finish())
  return { schema: t.schema, batches }
}

describe("plain numbers and CSV fields", () => {
  it("writes doubles as the shortest decimal that reads back, never in exponent notation", () => {
    for (const [x, s] of [
      [0, "0"],
      [7.5, "7.5"],
      [1e21, "1000000000000000000000"],
      [1.5e22, "15000000000000000000000"],
      [1e-7, "0.0000001"],
      [-2.5e-8, "-0.000000025"],
      [5e-324, `0.${"0".repeat(323)}5`],
      [2 ** 53, "9007199254740992"],
      [12.11360492556108, "12.11360492556108"]
    ] as const) {
      expect(plainNumber(x)).toBe(s)
      expect(Number(plainNumber(x))).toBe(x)
    }
  })

  it("quotes what RFC 4180 requires, and the empty string so it differs from a null", () => {
    expect(csvText("Kent")).toBe("Kent")
    expect(csvText("Bournemouth, Dorset and Poole")).toBe('"Bournemouth, Dorset and Poole"')
    expect(csvText('say "hi"')).toBe('"say ""hi"""')
    expect(csvText("two\r\nlines")).toBe('"two\r\nlines"')
    expect(csvText("")).toBe('""')
    expect(csvText("Söuth 🏴")).toBe("Söuth 🏴")
  })
})

describe("EventsTable", () => {
  it("gives the same batches however the log is chunked", async () => {
    const whole = eventsBatches(chunked([]), 3)
    const pieces = eventsBatches(chunked([1, 2, 5, 6, 9]), 3)
    expect(pieces.batches.map((b) => b.length)).toEqual(whole.batches.map((b) => b.length))
    expect(whole.batches.slice(0, -1).every((b) => b.length === 3)).toBe(true)
    const a = await write("arrow", whole.schema, whole.batches)
    const b = await write("arrow", pieces.schema, pieces.batches)
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true)
  })

  it("has a row per event: postings with accounts and pence, control events with their payload", async () => {
    const log = makeLog([max, 1, 99, 7])
    const { schema, batches } = eventsBatches(chunked([4]), 1 << 16)
    const rows = rowsOf(tableFromIPC(await write("arrow", schema, batches)))
    expect(rows).toHaveLength(log.controls.length + log.postings.length)
    expect(rows.map((r) => r["seq"])).toEqual(rows.map((_, i) => BigInt(i)))
    const posting = rows[3]!
    expect(posting).toEqual({ seq: 3n, t: 0, month: "2026-04", kind: "Posting", flow: "settled", locality: "north", from_account: 0, to_account: 1, amount_pence: BigInt(max), cause_seq: 2n, data: null, tier: null })
    // A posting's flow is its holders' and its cause's kind; a control event has none.
    const postings = rows.filter((r) => r["kind"] === "Posting")
    expect(postings.map((r) => [r["t"], r["month"], r["flow"]])).toEqual([
      [0, "2026-04", "settled"],
      [0, "2026-04", "settled"],
      [1, "2026-05", "funded"],
      [1, "2026-05", "other"],
      [6.75, "2026-10", "pooled"],
      [6.75, "2026-10", "other"]
    ])
    expect(rows.filter((r) => r["kind"] !== "Posting").map((r) => r["flow"])).toEqual(rows.filter((r) => r["kind"] !== "Posting").map(() => null))
    const started = rows.find((r) => r["kind"] === "NegotiationStarted")!
    expect(started["locality"]).toBe("north")
    expect([started["from_account"], started["to_account"], started["amount_pence"], started["cause_seq"]]).toEqual([null, null, null, null])
    expect(JSON.parse(started["data"] as string)).toEqual({ attempt: 1, duration: 2.5, queue_length: 0 })
    const first = JSON.parse(rows[0]!["data"] as string) as Record<string, unknown>
    expect(Object.keys(first)).toContain("engine_version")
    expect(first["localities"]).toContainEqual({ id: "south", name: "Söuth 🏴", population: 250000, tranche: "T1", accountability_level: 2 })
    expect(controlEventPayload(log.controls[0]!)).toBe(rows[0]!["data"])
  })

  it("refuses a chunk that does not follow the last", () => {
    const t = new EventsTable(run, flows, 4)
    const [a, b] = chunked([3])
    expect(() => t.append(b!)).toThrow(/a chunk from seq 3, expected 0/)
    t.append(a!)
    expect(() => t.append(a!)).toThrow(/a chunk from seq 0, expected 3/)
  })
})

describe("CSV", () => {
  it("writes the Arrow table's values, nulls as empty fields, pence as exact integers", async () => {
    const { schema, batches } = eventsBatches(chunked([2, 7]), 2)
    const arrow = rowsOf(tableFromIPC(await write("arrow", schema, batches)))
    const text = new TextDecoder().decode(await write("csv", schema, batches))
    expect(text.startsWith("seq,t,month,kind,flow,locality,from_account,to_account,amount_pence,cause_seq,data,tier\r\n")).toBe(true)
    expect(text.endsWith("\r\n")).toBe(true)
    expect(text).toContain(`\r\n3,0,2026-04,Posting,settled,north,0,1,${max},2,,\r\n`)
    const started = arrow.find((r) => r["kind"] === "NegotiationStarted")!
    expect(text).toContain(`\r\n${started["seq"]},0,2026-04,NegotiationStarted,,north,,,,,"{""attempt"":1,""duration"":2.5,""queue_length"":0}",\r\n`)
    expect(text.split("\r\n").length - 2).toBe(arrow.length)
  })
})

describe("ParquetStreamWriter", () => {
  it("writes many batches and row groups with the rows of the Arrow file", async () => {
    const { schema, batches } = eventsBatches(chunked([5]), 2)
    const arrow = rowsOf(tableFromIPC(await write("arrow", schema, batches)))
    const parquet = await write("parquet", schema, batches)
    expect(Buffer.from(parquet.subarray(0, 4)).toString("latin1")).toBe("PAR1")
    expect(rowsOf(readParquet(parquet))).toEqual(arrow)
    // Row groups of 3 rows: the writer emits each as it completes; the rows are the same.
    const sink = new MemorySink()
    const w = new ParquetStreamWriter(sink, schema.fields, schema.metadata, { dictionaryColumns: dictionaryColumnsOf(schema), rowGroupRows: 3 })
    for (const b of batches) await w.writeBatch(b.columns, b.length)
    expect((await w.finish()).rows).toBe(arrow.length)
    const small = sink.bytes()
    expect(rowsOf(readParquet(small))).toEqual(arrow)
    const meta = (await pw.ParquetFile.fromFile(new Blob([small]))).metadata()
    expect(meta.numRowGroups()).toBe(Math.ceil(arrow.length / 3))
    // Dictionary encoding on the dictionary columns only (month, kind, flow, locality).
    const dictionaryEncoded = meta
      .rowGroup(0)
      .columns()
      .filter((c) => c.encodings().includes(pw.Encoding.RLE_DICTIONARY))
      .map((c) => c.columnPath().join("."))
    expect(dictionaryEncoded).toEqual(["month", "kind", "flow", "locality", "tier"])
  })

  it("refuses a file without a batch, and a write after finish", async () => {
    const { schema, batches } = eventsBatches(chunked([]), 1 << 16)
    const w = new ParquetStreamWriter(new MemorySink(), schema.fields, schema.metadata)
    await expect(w.finish()).rejects.toThrow(/no record batch written/)
    await expect(w.writeBatch(batches[0]!.columns, batches[0]!.length)).rejects.toThrow(/write after finish/)
  })

  it("writes an empty table from one empty batch, with its schema", async () => {
    const t = new LedgerTable(run)
    const batches = t.finish()
    expect(batches.map((b) => b.length)).toEqual([0])
    const back = readParquet(await write("parquet", t.schema, batches))
    expect(back.numRows).toBe(0)
    expect(back.schema.fields.map((f) => f.name)).toEqual(["period", "month", "account", "locality", "agency", "opening_pence", "inflow_pence", "outflow_pence", "closing_pence", "tier"])
    expect(new TextDecoder().decode(await write("csv", t.schema, batches))).toBe("period,month,account,locality,agency,opening_pence,inflow_pence,outflow_pence,closing_pence,tier\r\n")
  })
})

describe("LedgerTable and AccountsTable", () => {
  it("re-batch the ledger's periods and check that every row balances", async () => {
    const t = new LedgerTable(run, 3)
    const period = (m: number, accounts: Array<number>, opening: Array<number>, inflow: Array<number>, outflow: Array<number>) => ({
      length: accounts.length,
      period: new Int32Array(accounts.length).fill(m),
      account: Int32Array.from(accounts),
      opening: Float64Array.from(opening),
      inflow: Float64Array.from(inflow),
      outflow: Float64Array.from(outflow),
      closing: Float64Array.from(opening.map((o, i) => o + inflow[i]! - outflow[i]!))
    })
    const batches = [...t.append(period(0, [0, 1, 3, 4], [0, 0, 0, 0], [0, 100, 40, 0], [140, 0, 0, 0])), ...t.append(period(1, [0, 1], [-140, 100], [0, 0], [0, 0])), ...t.finish()]
    expect(batches.map((b) => b.length)).toEqual([3, 3])
    const rows = rowsOf(tableFromIPC(await write("arrow", t.schema, batches)))
    expect(rows[1]).toEqual({ period: 0, month: "2026-04", account: 1, locality: "north", agency: "police", opening_pence: 0n, inflow_pence: 100n, outflow_pence: 0n, closing_pence: 100n, tier: null })
    expect(rows[4]!["month"]).toBe("2026-05")
    expect(rows[0]!["locality"]).toBeNull()
    expect(rows[2]!["agency"]).toBeNull() // north's SPB
    const bad = period(0, [1], [0], [5], [0])
    ;(bad.closing as Float64Array)[0] = 4
    expect(() => new LedgerTable(run).append(bad)).toThrow(/opening 0 \+ inflow 5 − outflow 0 ≠ closing 4/)
  })

  it("describe every account of the run in account order", async () => {
    const t = new AccountsTable(run, 4)
    const rows = rowsOf(tableFromIPC(await write("arrow", t.schema, t.batches())))
    expect(rows).toHaveLength(t.rows)
    expect(rows.map((r) => r["holder"])).toEqual(["treasury", "department", "agency", "spb", "world", "department", "agency", "spb", "world"])
    expect(rows[6]).toEqual({ account: 6, holder: "agency", purpose: "service delivery", locality: "south", agency: "police", tier: null })
  })
})

describe("RowsTable", () => {
  it("builds typed columns from plain rows, with nulls and dictionaries", async () => {
    type Row = { readonly id: string; readonly n: number | null; readonly pence: number; readonly x: number }
    const rows: Array<Row> = [
      { id: "b", n: 1, pence: max, x: 0.5 },
      { id: "a", n: null, pence: -3, x: 1e-9 }
    ]
    const t = new RowsTable<Row>("demo", [
      { name: "id", type: "dictionary", values: ["a"], value: (r) => r.id },
      { name: "n", type: "int32", nullable: true, value: (r) => r.n },
      { name: "pence", type: "int64", value: (r) => r.pence },
      { name: "x", type: "float64", value: (r) => r.x }
    ], rows, 1)
    const arrow = rowsOf(tableFromIPC(await write("arrow", t.schema, t.batches())))
    expect(arrow).toEqual([
      { id: "b", n: 1, pence: BigInt(max), x: 0.5 },
      { id: "a", n: null, pence: -3n, x: 1e-9 }
    ])
    expect(new TextDecoder().decode(await write("csv", t.schema, t.batches()))).toBe(`id,n,pence,x\r\nb,1,${max},0.5\r\na,,-3,0.000000001\r\n`)
    expect(rowsOf(readParquet(await write("parquet", t.schema, t.batches())))).toEqual(arrow)
    expect(() => [...new RowsTable<Row>("demo", [{ name: "n", type: "int32", value: (r) => r.n }], rows).batches()]).toThrow(/demo\.n: row 1 is null/)
  })
})
