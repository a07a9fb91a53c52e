import { tableFromIPC, type Table } from "apache-arrow"
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { decodeTable, encodeAccounts, encodeEventLog, encodeLedger, encodeParquet, LogReadError, type LedgerInput } from "../src/index.ts"
import { makeLog, run } from "./fixture.ts"

const pw = createRequire(import.meta.url)("parquet-wasm") as typeof import("parquet-wasm")

const max = Number.MAX_SAFE_INTEGER

/** Reads a Parquet file back through the same Rust reader, as an Arrow JS table. */
const readBack = (parquet: Uint8Array): Table => tableFromIPC(pw.readParquet(parquet).intoIPCStream())

const columns = (t: Table): Record<string, Array<unknown>> =>
  Object.fromEntries(
    t.schema.fields.map((f, i) => {
      const v = t.getChildAt(i)!
      return [f.name, Array.from({ length: t.numRows }, (_, r) => v.get(r) ?? null)]
    })
  )

/** The Arrow file's own columns, with int64 as bigint (as the Parquet side reads them). */
const arrowColumns = (arrow: Uint8Array): Record<string, Array<unknown>> => columns(tableFromIPC(arrow))

/** Eight rows: a multiple of 8 is the case Arrow JS once wrote wrongly when columns shared a buffer. */
const ledgerInput = (): LedgerInput => ({
  run,
  period: new Int32Array([0, 0, 0, 0, 1, 1, 1, 1]),
  account: new Int32Array([0, 1, 2, 3, 0, 1, 2, 3]),
  opening: new Float64Array([0, 0, 0, 0, -100, 60, 40, 0]),
  inflow: new Float64Array([0, 100, 40, 0, 0, max - 60, 0, 0]),
  outflow: new Float64Array([100, 40, 0, 0, max - 100, 0, 0, 0]),
  closing: new Float64Array([-100, 60, 40, 0, -max, max, 40, 0])
})

describe("encodeParquet", () => {
  it("writes the event log with the same columns, types, values and nulls", () => {
    const arrow = encodeEventLog(makeLog([max, 1, 99, 7]))
    const parquet = encodeParquet(arrow)
    expect(Buffer.from(parquet.subarray(0, 4)).toString("latin1")).toBe("PAR1")
    expect(Buffer.from(parquet.subarray(-4)).toString("latin1")).toBe("PAR1")

    const back = readBack(parquet)
    const original = tableFromIPC(arrow)
    expect(back.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual(
      original.schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)
    )
    expect(back.schema.fields.map((f) => String(f.type))).toEqual([
      "Int64",
      "Float64",
      "Dictionary<Int8, Utf8>",
      "Dictionary<Int32, Utf8>",
      "Int32",
      "Int32",
      "Int64",
      "Int64",
      "Utf8"
    ])
    const c = columns(back)
    expect(c).toEqual(arrowColumns(arrow))
    // int64 exact at 2^53 − 1; nulls where the event is not a posting.
    expect(c["amount_pence"]).toContain(BigInt(max))
    expect(c["amount_pence"]).toContain(null)
    expect(c["data"]).toContain(null)

    const meta = Object.fromEntries(back.schema.metadata)
    expect(meta["devosim.format"]).toBe("events/2")
    expect(Object.keys(meta).some((k) => k.includes("sha256"))).toBe(false)
  })

  it("writes ledger.arrow and accounts.arrow the same way", () => {
    for (const arrow of [encodeLedger(ledgerInput()), encodeAccounts(run)]) {
      const back = readBack(encodeParquet(arrow))
      expect(columns(back)).toEqual(arrowColumns(arrow))
    }
    const ledger = decodeTable(encodeLedger(ledgerInput()))
    expect(ledger.numRows).toBe(8)
    expect(ledger.columns["purpose"]).toHaveLength(8)
    expect(ledger.columns["closing_pence"]).toEqual([-100, 60, 40, 0, -max, max, 40, 0])
  })

  it("is deterministic: same Arrow bytes, same Parquet bytes", () => {
    // Repeated: key-value metadata set through the writer's options once came out in a random
    // order (a Rust HashMap), so two calls agreeing was luck half the time.
    const arrow = encodeEventLog(makeLog())
    const a = Buffer.from(encodeParquet(arrow))
    for (let i = 0; i < 12; i++) {
      encodeParquet(encodeLedger(ledgerInput())) // something else in between, reusing the WebAssembly memory
      expect(Buffer.from(encodeParquet(arrow)).equals(a)).toBe(true)
    }
  })

  it("rejects bytes that are not an Arrow file, or a damaged one", () => {
    expect(() => encodeParquet(new Uint8Array([1, 2, 3]))).toThrow(LogReadError)
    const arrow = encodeEventLog(makeLog())
    const damaged = arrow.slice()
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff
    expect(() => encodeParquet(damaged)).toThrow(LogReadError)
  })
})
