/**
 * events.parquet and ledger.parquet, as written by `devosim run`, read by DuckDB (native, through
 * @duckdb/node-api): the same rows as events.arrow, and totals that match summary.json exactly.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decodeTable } from "../packages/store/src/index.ts"
import { devosim, tempDir } from "./cli-helpers.ts"

interface SummaryMoney {
  readonly settled_pence: number
  readonly actual_pence: number
  readonly spb_reduction_pence: number
  readonly total_balance_pence: number
  readonly localities: ReadonlyArray<{ readonly locality: string; readonly actual_pence: number }>
}

const dir = tempDir("parquet")
const file = (name: string) => path.join(dir, name)
/** SQL string literal. */
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`

let db: DuckDBInstance
let sql: DuckDBConnection
let manifest: { event_count: number; control_event_count: number; posting_count: number; files: Record<string, { sha256: string; bytes: number }> }
let money: SummaryMoney

const rows = async (query: string): Promise<Array<Record<string, unknown>>> => (await sql.runAndReadAll(query)).getRowObjects()
const one = async (query: string): Promise<unknown> => Object.values((await rows(query))[0]!)[0]

beforeAll(async () => {
  const r = devosim("run", "scenarios/route-map-2010.yaml", "--out", dir, "--force", "--parquet")
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  manifest = JSON.parse(readFileSync(file("manifest.json"), "utf8"))
  money = JSON.parse(readFileSync(file("summary.json"), "utf8")).money
  // Never reach for the network: extensions load only if already on this machine.
  db = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" })
  sql = await db.connect()
  await sql.run(`CREATE VIEW events AS SELECT * FROM read_parquet(${lit(file("events.parquet"))})`)
  await sql.run(`CREATE VIEW ledger AS SELECT * FROM read_parquet(${lit(file("ledger.parquet"))})`)
})

afterAll(() => {
  sql?.closeSync()
  db?.closeSync()
})

describe("Parquet outputs read by DuckDB", () => {
  it("are listed in the manifest and are zstd Parquet with the Arrow files' column types", async () => {
    for (const name of ["events.parquet", "ledger.parquet"]) {
      const bytes = readFileSync(file(name))
      expect(manifest.files[name]?.bytes).toBe(bytes.length)
      expect(bytes.subarray(0, 4).toString("latin1")).toBe("PAR1")
    }
    const types = async (view: string) =>
      Object.fromEntries((await rows(`DESCRIBE ${view}`)).map((c) => [c["column_name"], c["column_type"]]))
    expect(await types("events")).toEqual({
      seq: "BIGINT",
      t: "DOUBLE",
      kind: "VARCHAR",
      locality: "VARCHAR",
      from_account: "INTEGER",
      to_account: "INTEGER",
      amount_pence: "BIGINT",
      cause_seq: "BIGINT",
      data: "VARCHAR"
    })
    expect(await types("ledger")).toEqual({
      period: "INTEGER",
      account: "INTEGER",
      holder: "VARCHAR",
      purpose: "VARCHAR",
      locality: "VARCHAR",
      agency: "VARCHAR",
      opening_pence: "BIGINT",
      inflow_pence: "BIGINT",
      outflow_pence: "BIGINT",
      closing_pence: "BIGINT"
    })
    const codecs = await rows(
      `SELECT DISTINCT compression FROM parquet_metadata([${lit(file("events.parquet"))}, ${lit(file("ledger.parquet"))}])`
    )
    expect(codecs).toEqual([{ compression: "ZSTD" }])
  })

  it("events.parquet has one row per event, row for row the same as events.arrow", async () => {
    expect(await one("SELECT count(*) FROM events")).toBe(BigInt(manifest.event_count))
    expect(await one("SELECT count(*) FROM events WHERE kind = 'Posting'")).toBe(BigInt(manifest.posting_count))
    expect(await one("SELECT count(*) FROM events WHERE kind <> 'Posting'")).toBe(BigInt(manifest.control_event_count))
    // seq is 0..n−1 with no gaps
    expect(await rows("SELECT min(seq) lo, max(seq) hi, count(DISTINCT seq) n FROM events")).toEqual([
      { lo: 0n, hi: BigInt(manifest.event_count - 1), n: BigInt(manifest.event_count) }
    ])

    const arrow = decodeTable(readFileSync(file("events.arrow")))
    const kinds = new Map<string, bigint>()
    for (const k of arrow.columns["kind"]!) kinds.set(String(k), (kinds.get(String(k)) ?? 0n) + 1n)
    const byKind = await rows("SELECT kind, count(*) n FROM events GROUP BY kind ORDER BY kind")
    expect(byKind).toEqual([...kinds].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => ({ kind, n })))

    // Every value, nulls included (Arrow's int64 decode to numbers when exact; DuckDB's BIGINT to bigint).
    const all = await rows("SELECT * FROM events ORDER BY seq")
    const asDuck = (v: unknown, type: string) => (v === null ? null : type === "Int64" ? BigInt(v as number) : v)
    for (const f of arrow.fields) {
      const col = arrow.columns[f.name]!
      expect(all.map((r) => r[f.name]), f.name).toEqual(col.map((v) => asDuck(v, f.type)))
    }
  })

  it("postings out of the Treasury add up to the envelopes settled", async () => {
    expect(await one("SELECT sum(amount_pence) FROM events WHERE kind = 'Posting' AND from_account = 0")).toBe(BigInt(money.settled_pence))
    // …all of them into departments' envelopes (the account → holder map from the ledger)
    const into = await rows(`
      SELECT DISTINCT a.holder FROM events e
      JOIN (SELECT DISTINCT account, holder FROM ledger) a ON a.account = e.to_account
      WHERE e.kind = 'Posting' AND e.from_account = 0`)
    expect(into).toEqual([{ holder: "department" }])
  })

  it("spend into the world, by locality, is summary.json's actual spend, exactly", async () => {
    const actual = await rows(`
      SELECT locality, sum(inflow_pence) AS actual_pence FROM ledger
      WHERE holder = 'world' GROUP BY locality ORDER BY locality`)
    // The ledger has rows only for accounts that hold or move money: a locality that spends nothing
    // (London in the route-map, an arrangement whose money is not modelled) has none.
    const expected = [...money.localities]
      .filter((l) => l.actual_pence !== 0)
      .map((l) => ({ locality: l.locality, actual_pence: BigInt(l.actual_pence) }))
      .sort((a, b) => (a.locality < b.locality ? -1 : 1))
    expect(actual).toEqual(expected)
    expect(await one("SELECT sum(inflow_pence) FROM ledger WHERE holder = 'world'")).toBe(BigInt(money.actual_pence))
    // the same from the log's postings
    expect(
      await one(`
        SELECT sum(e.amount_pence) FROM events e
        JOIN (SELECT DISTINCT account, holder FROM ledger) a ON a.account = e.to_account
        WHERE e.kind = 'Posting' AND a.holder = 'world'`)
    ).toBe(BigInt(money.actual_pence))
  })

  it("the ledger balances: every row, and all accounts together at the end", async () => {
    expect(await one("SELECT count(*) FROM ledger WHERE opening_pence + inflow_pence - outflow_pence <> closing_pence")).toBe(0n)
    expect(await one("SELECT sum(closing_pence) FROM ledger WHERE period = (SELECT max(period) FROM ledger)")).toBe(
      BigInt(money.total_balance_pence)
    )
    expect(await one("SELECT sum(inflow_pence) - sum(outflow_pence) FROM ledger")).toBe(0n)
  })

  it("reads the Arrow files too, when DuckDB's arrow extension is already installed", async (ctx) => {
    let loaded: string | undefined
    for (const ext of ["nanoarrow", "arrow"]) {
      try {
        await sql.run(`LOAD ${ext}`)
        loaded = ext
        break
      } catch {
        // not installed here; installing would need the network
      }
    }
    if (loaded === undefined) return ctx.skip("DuckDB's arrow (nanoarrow) extension is not installed and cannot be fetched offline")
    expect(await one(`SELECT count(*) FROM read_arrow(${lit(file("events.arrow"))})`)).toBe(BigInt(manifest.event_count))
    expect(
      await one(`SELECT sum(inflow_pence) FROM read_arrow(${lit(file("ledger.arrow"))}) WHERE holder = 'world'`)
    ).toBe(BigInt(money.actual_pence))
  })
})
