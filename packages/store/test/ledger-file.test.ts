import { describe, expect, it } from "vitest"
import { PURPOSE } from "@devosim/core"
import { decodeTable, encodeAccounts, encodeLedger, LogWriteError, type LedgerInput } from "../src/index.ts"
import { run } from "./fixture.ts"

const max = Number.MAX_SAFE_INTEGER

/** Two periods × three accounts: the Treasury, north's department, north's agency. */
const input = (): LedgerInput => ({
  run,
  period: new Int32Array([0, 0, 0, 1, 1, 1]),
  account: new Int32Array([0, 1, 2, 0, 1, 2]),
  opening: new Float64Array([0, 0, 0, -100, 60, 40]),
  inflow: new Float64Array([0, 100, 40, 0, max - 60, 0]),
  outflow: new Float64Array([100, 40, 0, max - 100, 0, 0]),
  closing: new Float64Array([-100, 60, 40, -max, max, 40])
})

describe("ledger.arrow", () => {
  it("stores one row per period × account with who the account is", () => {
    const t = decodeTable(encodeLedger(input()))
    expect(t.metadata["devosim.format"]).toBe("ledger/2")
    expect(t.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "period:Int32",
      "account:Int32",
      "holder:Dictionary<Int8, Utf8>",
      "purpose:Dictionary<Int8, Utf8>",
      "locality:Dictionary<Int32, Utf8>",
      "agency:Dictionary<Int32, Utf8>",
      "opening_pence:Int64",
      "inflow_pence:Int64",
      "outflow_pence:Int64",
      "closing_pence:Int64"
    ])
    const c = t.columns
    expect(c["holder"]).toEqual(["treasury", "department", "agency", "treasury", "department", "agency"])
    expect(c["purpose"]?.slice(0, 3)).toEqual([PURPOSE.treasury, PURPOSE.department, PURPOSE.agency])
    expect(c["locality"]?.slice(0, 3)).toEqual([null, "north", "north"])
    expect(c["agency"]?.slice(0, 3)).toEqual([null, "police", "police"])
    // int64 pence, exact at the 2^53 − 1 limit.
    expect(c["closing_pence"]).toEqual([-100, 60, 40, -max, max, 40])
    expect(c["inflow_pence"]?.[4]).toBe(max - 60)
  })

  it("is deterministic", () => {
    expect(Buffer.from(encodeLedger(input())).equals(Buffer.from(encodeLedger(input())))).toBe(true)
  })

  it("refuses rows that do not balance, unknown accounts and ragged columns", () => {
    const bad = input()
    bad.closing[2] = 41
    expect(() => encodeLedger(bad)).toThrow(/row 2.*≠ closing 41/)
    expect(() => encodeLedger({ ...input(), account: new Int32Array([0, 1, 2, 0, 1, 99]) })).toThrow(LogWriteError)
    expect(() => encodeLedger({ ...input(), closing: new Float64Array(5) })).toThrow(/closing has 5 rows/)
  })
})

describe("accounts.arrow", () => {
  it("lists every account of the run in core's layout", () => {
    const t = decodeTable(encodeAccounts(run))
    expect(t.metadata["devosim.format"]).toBe("accounts/1")
    expect(t.numRows).toBe(9) // Treasury + 2 localities × (2·1 + 2)
    const rows = [...Array(t.numRows).keys()].map((i) =>
      ["account", "holder", "locality", "agency"].map((k) => t.columns[k]?.[i])
    )
    expect(rows).toEqual([
      [0, "treasury", null, null],
      [1, "department", "north", "police"],
      [2, "agency", "north", "police"],
      [3, "spb", "north", null],
      [4, "world", "north", null],
      [5, "department", "south", "police"],
      [6, "agency", "south", "police"],
      [7, "spb", "south", null],
      [8, "world", "south", null]
    ])
    expect(t.columns["purpose"]?.[3]).toBe(PURPOSE.spb)
  })
})
