/**
 * `devosim export` end to end: the route-map run exported table by table in each format, checked
 * against the run itself (its manifest's counts, summary.json's figures to the penny, the decoded
 * log event by event), CSV parsed back and Parquet read by DuckDB against the Arrow export row for
 * row; --tables and --force; bad input (exit 2, one located line, nothing written); a damaged run
 * (verify's exit code); a version-1 log (upcast); and memory that does not grow with the log.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api"
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ControlEvent, EventLog, Holder, RunStarted } from "@devosim/core"
import { classifyFlow } from "@devosim/report"
import { decodeEventLogOrThrow, decodeTable, type DecodedTable, type TableValue } from "../packages/store/src/index.ts"
import { syntheticScenario } from "../bench/synthetic.ts"
import { devosim, measuredDevosim, ROOT, tempDir } from "./cli-helpers.ts"

const TABLES = ["events", "ledger", "accounts", "negotiations", "localities"] as const
const FORMATS = ["arrow", "parquet", "csv"] as const
type Table = (typeof TABLES)[number]
type Format = (typeof FORMATS)[number]

const dir = tempDir("export")
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const runDir = path.join(dir, "run")
const outOf = (format: Format) => path.join(dir, `out-${format}`)
const fileOf = (table: Table, format: Format) => path.join(outOf(format), `${table}.${format}`)
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

interface RunManifest {
  readonly event_count: number
  readonly control_event_count: number
  readonly posting_count: number
  readonly log_sha256: string
}
/** The aggregates summary.json keeps (whether or not per-locality lists sit beside it). */
interface SummaryFigures {
  readonly centre: { readonly deals: number }
  readonly money: {
    readonly settled_pence: number
    readonly baseline_pence: number
    readonly actual_pence: number
    readonly spb_reduction_pence: number
    readonly prevention_invested_pence: number
    readonly savings_realised_pence: number
    readonly total_balance_pence: number
    readonly present_values: { readonly spb_reduction_pence: number; readonly npv_pence: number }
  }
}

let manifest: RunManifest
let summary: SummaryFigures
let log: EventLog
let run: RunStarted
/** The Arrow export of every table, decoded. */
const arrow = {} as Record<Table, DecodedTable>
let db: DuckDBInstance
let sql: DuckDBConnection

const rows = async (query: string): Promise<Array<Record<string, unknown>>> => (await sql.runAndReadAll(query)).getRowObjects()
const one = async (query: string): Promise<unknown> => Object.values((await rows(query))[0]!)[0]

beforeAll(async () => {
  const r = devosim("run", "scenarios/route-map-2010.yaml", "--out", runDir, "--force", "--quiet")
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  for (const format of FORMATS) {
    const e = devosim("export", runDir, "--format", format, "--out", outOf(format))
    expect(e.stderr).toBe("")
    expect(e.status).toBe(0)
  }
  manifest = JSON.parse(readFileSync(path.join(runDir, "manifest.json"), "utf8"))
  summary = JSON.parse(readFileSync(path.join(runDir, "summary.json"), "utf8"))
  log = decodeEventLogOrThrow(readFileSync(path.join(runDir, "events.arrow")))
  run = log.controls[0] as RunStarted
  for (const t of TABLES) arrow[t] = decodeTable(readFileSync(fileOf(t, "arrow")))
  // Never reach for the network: extensions load only if already on this machine.
  db = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" })
  sql = await db.connect()
  for (const t of TABLES) await sql.run(`CREATE VIEW ${t} AS SELECT * FROM read_parquet(${lit(fileOf(t, "parquet"))})`)
}, 120_000)

afterAll(() => {
  sql?.closeSync()
  db?.closeSync()
})

const expectedRows = (): Record<Table, number> => ({
  events: manifest.event_count,
  ledger: arrow.ledger.numRows,
  accounts: 1 + run.localities.length * (2 * run.agencies.length + 2),
  negotiations: run.localities.length,
  localities: run.localities.length
})

/** An independent snake_case: `queueLength` → `queue_length`, in nested objects too. */
const snake = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(snake)
    : typeof v === "object" && v !== null
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase(), snake(x)]))
      : v

const payload = (e: ControlEvent): unknown => {
  const { _tag, seq, t, ...rest } = e as unknown as Record<string, unknown>
  delete rest["locality"]
  return snake(rest)
}

describe("devosim export: the files", () => {
  it("writes one file per table in each format, with the run's counts, and a manifest verify checks", () => {
    const counts = expectedRows()
    expect(counts.ledger).toBeGreaterThan(1000)
    for (const format of FORMATS) {
      expect(readdirSync(outOf(format)).sort()).toEqual([...TABLES.map((t) => `${t}.${format}`), "manifest.json"].sort())
      const m = JSON.parse(readFileSync(path.join(outOf(format), "manifest.json"), "utf8"))
      expect(m.format).toBe("devosim-export/1")
      expect(m.table_format).toBe(format)
      expect(m.source.log_sha256).toBe(manifest.log_sha256)
      expect(m.source.event_count).toBe(manifest.event_count)
      for (const t of TABLES) {
        expect(m.tables[t], `${format} ${t}`).toEqual({ file: `${t}.${format}`, rows: counts[t] })
        const bytes = readFileSync(fileOf(t, format))
        expect(m.files[`${t}.${format}`]).toEqual({ sha256: sha256(bytes), bytes: bytes.length })
      }
      const v = devosim("verify", outOf(format))
      expect(v.stdout).toMatch(/intact export: 5 files match the manifest/)
      expect(v.status).toBe(0)
    }
    for (const t of TABLES) {
      expect(arrow[t].numRows, t).toBe(counts[t])
      expect(arrow[t].metadata["devosim.format"]).toBe(`export-${t}/${t === "events" || t === "ledger" ? 2 : 1}`)
    }
  })

  it("has the documented columns and types", () => {
    const types = (t: Table) => Object.fromEntries(arrow[t].fields.map((f) => [f.name, `${f.type}${f.nullable ? "?" : ""}`]))
    const dict = (index: string) => `Dictionary<${index}, Utf8>`
    expect(types("events")).toEqual({
      seq: "Int64",
      t: "Float64",
      month: `${dict("Int32")}?`,
      kind: dict("Int8"),
      flow: `${dict("Int8")}?`,
      locality: `${dict("Int32")}?`,
      from_account: "Int32?",
      to_account: "Int32?",
      amount_pence: "Int64?",
      cause_seq: "Int64?",
      data: "Utf8?",
      tier: `${dict("Int32")}?`
    })
    const pence = (...names: Array<string>) => Object.fromEntries(names.map((n) => [n, "Int64"]))
    expect(types("ledger")).toEqual({ period: "Int32", month: dict("Int32"), account: "Int32", locality: `${dict("Int32")}?`, agency: `${dict("Int32")}?`, ...pence("opening_pence", "inflow_pence", "outflow_pence", "closing_pence"), tier: `${dict("Int32")}?` })
    expect(types("accounts")).toEqual({ account: "Int32", holder: dict("Int8"), purpose: dict("Int8"), locality: `${dict("Int32")}?`, agency: `${dict("Int32")}?`, tier: `${dict("Int32")}?` })
    expect(types("negotiations")).toEqual({
      locality: dict("Int32"),
      tranche: dict("Int32"),
      population: "Float64",
      eligible: "Float64",
      start: "Float64",
      deal: "Float64?",
      wait: "Float64",
      attempts: "Int32",
      outcome: dict("Int32")
    })
    expect(types("localities")).toEqual({
      locality: dict("Int32"),
      ...pence(
        "baseline_pence",
        "actual_pence",
        "spb_reduction_pence",
        "prevention_invested_pence",
        "savings_realised_pence",
        "savings_claimed_pence",
        "savings_capped_pence",
        "savings_on_pooled_lines_pence",
        "gainshare_kept_pence",
        "gainshare_returned_pence",
        "pv_prevention_invested_pence",
        "pv_savings_realised_pence",
        "pv_npv_pence",
        "pv_spb_reduction_pence"
      ),
      payback_period: "Int32?"
    })
  })
})

describe("devosim export: the tables are the log's", () => {
  it("events: one row per event in seq order, postings and control events as the decoded log has them", () => {
    const c = arrow.events.columns
    const n = manifest.event_count
    expect(c["seq"]).toEqual(Array.from({ length: n }, (_, i) => i))
    const p = log.postings
    for (let i = 0; i < p.length; i++) {
      const s = p.seq[i]!
      expect([c["kind"]![s], c["t"]![s], c["from_account"]![s], c["to_account"]![s], c["amount_pence"]![s], c["cause_seq"]![s], c["data"]![s]]).toEqual([
        "Posting",
        p.t[i],
        p.from[i],
        p.to[i],
        p.amount[i],
        p.cause[i],
        null
      ])
    }
    for (const e of log.controls) {
      const s = e.seq
      expect(c["kind"]![s]).toBe(e._tag)
      expect(c["t"]![s]).toBe(e.t)
      expect(c["locality"]![s]).toBe("locality" in e ? e.locality : null)
      expect([c["from_account"]![s], c["to_account"]![s], c["amount_pence"]![s], c["cause_seq"]![s], c["flow"]![s]]).toEqual([null, null, null, null, null])
      expect(JSON.parse(c["data"]![s] as string), `${e._tag} at ${s}`).toEqual(payload(e))
    }
    // snake_case keys, the locality in its column only
    const started = log.controls.find((e) => e._tag === "NegotiationStarted")!
    expect(Object.keys(JSON.parse(c["data"]![started.seq] as string)).sort()).toEqual(["attempt", "duration", "queue_length"])
    expect(JSON.parse(c["data"]![0] as string)).toMatchObject({ engine_version: run.engineVersion, discount_rate_basis_points: run.discountRateBasisPoints })
    // A posting's flow is report's classifyFlow of its accounts' holders and its cause's kind; its month floor(t)'s.
    const holderOf = arrow.accounts.columns["holder"]! as Array<Holder>
    const kindOf = new Map(log.controls.map((e) => [e.seq, e._tag]))
    const flows = new Set<unknown>()
    for (let i = 0; i < p.length; i++) {
      const s = p.seq[i]!
      expect(c["flow"]![s], `seq ${s}`).toBe(classifyFlow(holderOf[p.from[i]!]!, holderOf[p.to[i]!]!, kindOf.get(p.cause[i]!)))
      flows.add(c["flow"]![s])
    }
    expect([...flows].sort()).toEqual(["envelope", "line funding", "pooled funding", "reduction", "service spend"])
    const start = run.start.split("-").map(Number) as [number, number]
    const monthOf = (t: number) => {
      const z = start[0] * 12 + start[1] - 1 + Math.floor(t)
      return `${Math.floor(z / 12)}-${String((z % 12) + 1).padStart(2, "0")}`
    }
    c["t"]!.forEach((t, s) => expect(c["month"]![s], `seq ${s}`).toBe(monthOf(t as number)))
    // A posting's locality is its non-Treasury side's (accounts table).
    const accountLocality = arrow.accounts.columns["locality"]!
    for (let i = 0; i < p.length; i++) {
      const side = p.from[i] !== 0 ? p.from[i]! : p.to[i]!
      expect(c["locality"]![p.seq[i]!]).toBe(accountLocality[side])
    }
  })

  it("sums of amount_pence by kind and flow are summary.json's figures to the penny", async () => {
    const kinds = new Map<string, number>()
    for (const e of log.controls) kinds.set(e._tag, (kinds.get(e._tag) ?? 0) + 1)
    kinds.set("Posting", log.postings.length)
    expect(await rows("SELECT kind, count(*)::INTEGER n, sum(amount_pence) pence FROM events GROUP BY kind ORDER BY kind")).toEqual(
      [...kinds]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([kind, n]) => ({ kind, n, pence: kind === "Posting" ? BigInt(log.postings.amount.reduce((a, x) => a + x, 0)) : null }))
    )
    const flow = (from: string, to: string) => `
      SELECT coalesce(sum(e.amount_pence), 0) FROM events e
      JOIN accounts f ON f.account = e.from_account JOIN accounts t ON t.account = e.to_account
      WHERE e.kind = 'Posting' AND f.holder ${from} AND t.holder ${to}`
    const m = summary.money
    expect(await one(flow("= 'treasury'", "IS NOT NULL"))).toBe(BigInt(m.settled_pence))
    expect(await one(flow("= 'treasury'", "<> 'department'"))).toBe(0n)
    expect(await one(flow("IS NOT NULL", "= 'world'"))).toBe(BigInt(m.actual_pence))
    expect(await one(flow("= 'spb'", "= 'treasury'"))).toBe(BigInt(m.spb_reduction_pence))
    expect(m.spb_reduction_pence).toBeGreaterThan(0)
    // The same from the Arrow export, in JavaScript.
    const c = arrow.events.columns
    const holder = arrow.accounts.columns["holder"]!
    let world = 0n
    for (let s = 0; s < manifest.event_count; s++) if (c["kind"]![s] === "Posting" && holder[c["to_account"]![s] as number] === "world") world += BigInt(c["amount_pence"]![s] as number)
    expect(world).toBe(BigInt(m.actual_pence))
  })

  it("ledger: closing = opening + inflow − outflow on every row, and its flows are the postings'", async () => {
    const c = arrow.ledger.columns
    for (let r = 0; r < arrow.ledger.numRows; r++) {
      const [o, i, x, cl] = ["opening_pence", "inflow_pence", "outflow_pence", "closing_pence"].map((k) => BigInt(c[k]![r] as number))
      expect(o! + i! - x!, `row ${r}`).toBe(cl)
    }
    expect(await one("SELECT count(*) FROM ledger WHERE opening_pence + inflow_pence - outflow_pence <> closing_pence")).toBe(0n)
    // inflows and outflows by period and account are the postings' (period = floor(t), within the run)
    const mismatch = await one(`
      WITH p AS (
        SELECT least(${run.months - 1}, floor(t))::INTEGER period, to_account account, amount_pence inflow, 0 outflow FROM events WHERE kind = 'Posting'
        UNION ALL
        SELECT least(${run.months - 1}, floor(t))::INTEGER, from_account, 0, amount_pence FROM events WHERE kind = 'Posting'),
      q AS (SELECT period, account, sum(inflow) inflow, sum(outflow) outflow FROM p GROUP BY ALL)
      SELECT count(*) FROM ledger l FULL JOIN q USING (period, account)
      WHERE coalesce(l.inflow_pence, 0) <> coalesce(q.inflow, 0) OR coalesce(l.outflow_pence, 0) <> coalesce(q.outflow, 0)`)
    expect(mismatch).toBe(0n)
    expect(await one("SELECT sum(closing_pence) FROM ledger WHERE period = (SELECT max(period) FROM ledger)")).toBe(BigInt(summary.money.total_balance_pence))
    expect(await one("SELECT sum(l.inflow_pence) FROM ledger l JOIN accounts a USING (account) WHERE a.holder = 'world'")).toBe(BigInt(summary.money.actual_pence))
    // The run's own ledger.arrow (when it wrote one) has the same rows (its layout is its own: no month column).
    const own = path.join(runDir, "ledger.arrow")
    if (existsSync(own)) {
      const ledger = decodeTable(readFileSync(own))
      expect(ledger.columns["month"]).toBeUndefined()
      // The run directory's ledger has a tier column only in a run with tiers (the export always has one).
      for (const k of Object.keys(c)) if (k !== "month" && k !== "tier") expect(ledger.columns[k], k).toEqual(c[k])
    }
    // month is the period's calendar month
    const start = run.start.split("-").map(Number) as [number, number]
    c["period"]!.forEach((m, r) => {
      const z = start[0] * 12 + start[1] - 1 + (m as number)
      if (r % 97 === 0) expect(c["month"]![r], `row ${r}`).toBe(`${Math.floor(z / 12)}-${String((z % 12) + 1).padStart(2, "0")}`)
    })
  })

  it("negotiations and money by locality: from the log, adding up to summary.json", async () => {
    const n = arrow.negotiations.columns
    const outcome = n["outcome"]!
    expect(outcome.filter((o) => o === "deal")).toHaveLength(summary.centre.deals)
    const deals = new Map(log.controls.filter((e) => e._tag === "DealAgreed").map((e) => [(e as { locality: string }).locality, e.t]))
    n["locality"]!.forEach((l, r) => expect(n["deal"]![r], String(l)).toBe(deals.get(l as string) ?? null))
    expect(n["locality"]).toEqual(run.localities.map((l) => l.id))
    expect(n["population"]).toEqual(run.localities.map((l) => l.population))
    const l = arrow.localities.columns
    const total = (k: string) => l[k]!.reduce<number>((a, x) => a + (x as number), 0)
    const m = summary.money
    for (const k of ["baseline_pence", "actual_pence", "spb_reduction_pence", "prevention_invested_pence", "savings_realised_pence"] as const) expect(total(k), k).toBe(m[k])
    expect(total("pv_spb_reduction_pence")).toBe(m.present_values.spb_reduction_pence)
    expect(total("pv_npv_pence")).toBe(m.present_values.npv_pence)
    // each locality's actual spend is what its postings paid into the world
    const spent = await rows(`
      SELECT a.locality, sum(e.amount_pence) pence FROM events e JOIN accounts a ON a.account = e.to_account
      WHERE e.kind = 'Posting' AND a.holder = 'world' GROUP BY ALL`)
    const byLocality = new Map(spent.map((s) => [s["locality"], s["pence"]]))
    l["locality"]!.forEach((id, r) => expect(BigInt(l["actual_pence"]![r] as number), String(id)).toBe((byLocality.get(id) as bigint | undefined) ?? 0n))
  })
})

/** RFC 4180: records of fields; a quoted field is a string ("" the empty one), an unquoted empty field a null. */
const parseCsv = (text: string): Array<Array<string | null>> => {
  const records: Array<Array<string | null>> = []
  let record: Array<string | null> = []
  let i = 0
  while (i < text.length) {
    let field: string | null
    if (text[i] === '"') {
      let s = ""
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) throw new Error(`unclosed quote at ${i}`)
        s += text.slice(i, q)
        i = q + 1
        if (text[i] === '"') {
          s += '"'
          i++
        } else break
      }
      field = s
    } else {
      let j = i
      while (j < text.length && text[j] !== "," && text[j] !== "\r" && text[j] !== "\n") j++
      const raw = text.slice(i, j)
      if (raw.includes('"')) throw new Error(`a quote inside an unquoted field at ${i}`)
      field = raw === "" ? null : raw
      i = j
    }
    record.push(field)
    if (text[i] === ",") {
      i++
      continue
    }
    if (text.startsWith("\r\n", i)) {
      i += 2
      records.push(record)
      record = []
      continue
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text.slice(i, i + 10))}`)
  }
  if (record.length > 0) throw new Error("the last record has no CRLF")
  return records
}

describe("devosim export --format csv", () => {
  it("parses back (RFC 4180) to the Arrow export's values, row for row, integers as integers", () => {
    for (const t of TABLES) {
      const text = readFileSync(fileOf(t, "csv"), "utf8")
      const [header, ...body] = parseCsv(text)
      const a = arrow[t]
      expect(header, t).toEqual(a.fields.map((f) => f.name))
      expect(body, t).toHaveLength(a.numRows)
      a.fields.forEach((f, k) => {
        const integer = /^Int/.test(f.type)
        const float = f.type === "Float64"
        const values = body.map((rec) => {
          const v = rec[k]!
          if (v === null) return null
          if (integer) {
            expect(v, `${t}.${f.name}`).toMatch(/^-?[0-9]+$/)
            return Number(v)
          }
          if (float) {
            expect(v, `${t}.${f.name}`).toMatch(/^-?[0-9]+(\.[0-9]+)?$/)
            return Number(v)
          }
          return v
        })
        expect(values, `${t}.${f.name}`).toEqual(a.columns[f.name])
      })
    }
    // A locality id with a comma is quoted; a control event's JSON has its quotes doubled.
    const negotiations = readFileSync(fileOf("negotiations", "csv"), "utf8")
    expect(negotiations).toContain('\r\n"Bournemouth, Dorset and Poole",second,')
    expect(readFileSync(fileOf("events", "csv"), "utf8")).toMatch(/\r\n[0-9]+,[0-9.]+,20[0-9]{2}-[0-9]{2},NegotiationStarted,,Kent,,,,,"\{""attempt"":1,""duration"":[0-9.]+,""queue_length"":[0-9]+\}",\r\n/)
  })
})

describe("devosim export --format parquet", () => {
  it("reads in DuckDB as the Arrow export, row for row and value for value", async () => {
    const duckType: Record<string, string> = { Int64: "BIGINT", Int32: "INTEGER", Float64: "DOUBLE", Utf8: "VARCHAR" }
    for (const t of TABLES) {
      const described = await rows(`DESCRIBE ${t}`)
      expect(Object.fromEntries(described.map((c) => [c["column_name"], c["column_type"]])), t).toEqual(
        Object.fromEntries(arrow[t].fields.map((f) => [f.name, duckType[f.type] ?? "VARCHAR"]))
      )
      const all = await rows(`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${lit(fileOf(t, "parquet"))}, file_row_number = true) ORDER BY file_row_number`)
      expect(all, t).toHaveLength(arrow[t].numRows)
      for (const f of arrow[t].fields) {
        const expected = arrow[t].columns[f.name]!.map((v: TableValue) => (v === null ? null : f.type === "Int64" ? BigInt(v as number) : v))
        expect(all.map((r) => r[f.name]), `${t}.${f.name}`).toEqual(expected)
      }
    }
  })

  it("is zstd, with dictionary encoding only on the dictionary columns", async () => {
    const dictionaries: Record<Table, Array<string>> = {
      events: ["flow", "kind", "locality", "month", "tier"],
      ledger: ["agency", "locality", "month", "tier"],
      accounts: ["agency", "holder", "locality", "purpose", "tier"],
      negotiations: ["locality", "outcome", "tranche"],
      localities: ["locality"]
    }
    for (const t of TABLES) {
      const chunks = await rows(`SELECT path_in_schema p, encodings e, compression c FROM parquet_metadata(${lit(fileOf(t, "parquet"))})`)
      expect(new Set(chunks.map((c) => c["c"])), t).toEqual(new Set(["ZSTD"]))
      const encoded = [...new Set(chunks.filter((c) => /DICTIONARY/.test(String(c["e"]))).map((c) => String(c["p"])))].sort()
      expect(encoded, t).toEqual(dictionaries[t])
    }
  })
})

const listing = (d: string) => readdirSync(d).sort()
/** Nothing half-written beside `out`: no temporary directory left. */
const noTemporaries = (out: string) => expect(readdirSync(path.dirname(out)).filter((n) => n.startsWith(`${path.basename(out)}.tmp-`))).toEqual([])

describe("devosim export --tables, --out and --force", () => {
  it("writes only the tables asked for; replaces an earlier export only with --force", () => {
    const out = path.join(dir, "some")
    const first = devosim("export", runDir, "--tables", "ledger, events,ledger", "--format", "csv", "--out", out)
    expect(first.stderr).toBe("")
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(/exported 2 tables .* as CSV/)
    expect(listing(out)).toEqual(["events.csv", "ledger.csv", "manifest.json"])
    expect(readFileSync(path.join(out, "events.csv"))).toEqual(readFileSync(fileOf("events", "csv")))

    const again = devosim("export", runDir, "--tables", "accounts", "--format", "csv", "--out", out)
    expect(again.status).toBe(2)
    expect(again.stderr).toMatch(/^devosim: --out .*some: an earlier export is there; choose another --out, or pass --force to replace it; see devosim export --help\n$/)
    expect(listing(out)).toEqual(["events.csv", "ledger.csv", "manifest.json"])

    const forced = devosim("export", runDir, "--tables", "accounts", "--format", "parquet", "--out", out, "--force")
    expect(forced.status).toBe(0)
    expect(listing(out)).toEqual(["accounts.parquet", "manifest.json"])
    noTemporaries(out)
  })

  it("never replaces a run or a directory devosim did not write, and never writes inside a run", () => {
    const before = readFileSync(path.join(runDir, "manifest.json"))
    const intoRun = devosim("export", runDir, "--out", runDir, "--force")
    expect(intoRun.status).toBe(2)
    expect(intoRun.stderr).toMatch(/--out .*run: expected a new or empty directory, or an earlier export to replace with --force; found a run directory, which export never replaces/)
    expect(readFileSync(path.join(runDir, "manifest.json"))).toEqual(before)
    expect(devosim("verify", runDir).status).toBe(0)

    const inside = devosim("export", runDir, "--out", path.join(runDir, "export"))
    expect(inside.status).toBe(2)
    expect(inside.stderr).toMatch(/it is inside .*run, a directory devosim wrote/)
    expect(existsSync(path.join(runDir, "export"))).toBe(false)

    const mine = path.join(dir, "notes")
    mkdirSync(mine)
    writeFileSync(path.join(mine, "notes.txt"), "mine")
    for (const force of [[], ["--force"]]) {
      const r = devosim("export", runDir, "--out", mine, ...force)
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(/--out .*notes: .*(never replace it|it has no manifest\.json); .*choose another output directory/)
      expect(listing(mine)).toEqual(["notes.txt"])
    }
    // An empty directory is used as it is.
    const empty = path.join(dir, "empty-out")
    mkdirSync(empty)
    expect(devosim("export", runDir, "--tables", "negotiations", "--out", empty).status).toBe(0)
    expect(listing(empty)).toEqual(["manifest.json", "negotiations.arrow"])
  })
})

describe("devosim export: bad input", () => {
  const notARun = path.join(dir, "not-a-run")
  const aFile = path.join(dir, "a-file.txt")
  beforeAll(() => {
    mkdirSync(notARun, { recursive: true })
    writeFileSync(aFile, "hello")
  })

  it.each([
    [["--tables", "events,bogus"], /^devosim: --tables "events,bogus": expected a comma-separated list of events, ledger, accounts, negotiations, localities; found "bogus"; see devosim export --help$/],
    [["--tables", "events,,ledger"], /^devosim: --tables "events,,ledger": expected a comma-separated list of .*; found an empty name; see devosim export --help$/],
    [["--format", "xlsx"], /^devosim: --format: expected one of arrow, parquet, csv, found "xlsx"; see devosim export --help$/],
    [["--format", "Parquet"], /^devosim: --format: expected one of arrow, parquet, csv, found "Parquet"; see devosim export --help$/]
  ])("%j exits 2 naming what was expected and found", (flags, message) => {
    const out = path.join(dir, `bad-${Math.random().toString(36).slice(2)}`)
    const r = devosim("export", runDir, ...flags, "--out", out)
    expect(r.status).toBe(2)
    expect(r.stderr.trimEnd()).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(out)).toBe(false)
    noTemporaries(out)
  })

  it("a DIR that is not a run exits 2 with what was expected and found", () => {
    const cases: Array<readonly [string, RegExp]> = [
      [path.join(dir, "nothing-here"), /nothing-here: expected a run directory written by devosim run \(manifest\.json, events\.arrow, …\), found nothing there$/],
      [aFile, /a-file\.txt: expected a run directory written by devosim run .*, found a file that is not a directory$/],
      [notARun, /not-a-run: expected a run directory written by devosim run .*, found a directory without manifest\.json$/],
      [outOf("csv"), /out-csv: expected a run directory written by devosim run .*, found an export directory$/]
    ]
    for (const [input, message] of cases) {
      const out = path.join(dir, `bad-${Math.random().toString(36).slice(2)}`)
      const r = devosim("export", input, "--out", out)
      expect(r.status, input).toBe(2)
      expect(r.stderr.trimEnd().split("\n"), input).toHaveLength(1)
      expect(r.stderr.trimEnd()).toMatch(message)
      expect(existsSync(out)).toBe(false)
    }
    const noOut = devosim("export", runDir)
    expect(noOut.status).toBe(2)
    expect(noOut.stderr).toBe("devosim: missing required flag --out; see devosim export --help\n")
  })

  it("a damaged run is reported as verify reports it (same line, same exit code), and nothing is written", () => {
    const damaged = path.join(dir, "damaged")
    cpSync(runDir, damaged, { recursive: true })
    const file = path.join(damaged, "events.arrow")
    const bytes = readFileSync(file)
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff
    writeFileSync(file, bytes)
    const v = devosim("verify", damaged)
    const out = path.join(dir, "from-damaged")
    const r = devosim("export", damaged, "--out", out)
    expect(r.status).toBe(4)
    expect(r.status).toBe(v.status)
    expect(r.stderr.split("\n")[0]).toBe(v.stderr.split("\n")[0])
    expect(r.stderr).toMatch(/events\.arrow: .*\[content changed\]/)
    expect(existsSync(out)).toBe(false)
    noTemporaries(out)
  })
})

describe("devosim export of an old log", () => {
  it("exports a version-1 run through the upcaster: today's event shapes", () => {
    const fixture = path.join(ROOT, "test", "fixtures", "run-v1")
    const out = path.join(dir, "v1")
    const r = devosim("export", fixture, "--tables", "events,negotiations", "--format", "csv", "--out", out)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const [header, ...events] = parseCsv(readFileSync(path.join(out, "events.csv"), "utf8"))
    const m = JSON.parse(readFileSync(path.join(fixture, "manifest.json"), "utf8"))
    expect(events).toHaveLength(m.event_count)
    const [kind, data, flow] = ["kind", "data", "flow"].map((c) => header!.indexOf(c))
    const started = events.filter((e) => e[kind!] === "NegotiationStarted").map((e) => JSON.parse(e[data!]!) as Record<string, unknown>)
    // An old log's postings get today's flows.
    expect(new Set(events.filter((e) => e[kind!] === "Posting").map((e) => e[flow!]))).toEqual(new Set(["envelope", "line funding", "pooled funding", "reduction", "service spend", "investment funding", "investment spend", "saving", "gainshare returned"]))
    expect(started.length).toBeGreaterThan(0)
    for (const s of started) expect(Object.keys(s).sort()).toEqual(["attempt", "duration", "queue_length"])
  })
})

describe("devosim export: memory", () => {
  /** devosim in a child; its peak RSS in bytes. */
  const peakRss = (...args: ReadonlyArray<string>): number => {
    const r = measuredDevosim(dir, args)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    return r.peakRss
  }

  it("does not grow with the log: a log 2.5 times longer costs less than half its extra bytes (Parquet, all tables)", () => {
    const sizes: Array<{ log: number; rss: number }> = []
    for (const months of [480, 1200]) {
      const file = path.join(dir, `long-${months}.json`)
      writeFileSync(file, JSON.stringify(syntheticScenario({ localities: 150, agencies: 8, months })))
      const long = path.join(dir, `long-${months}`)
      const r = devosim("run", file, "--out", long, "--quiet")
      expect(r.status).toBe(0)
      // The lower of two peaks: the collector's timing (on a busy machine, with the other tests
      // running beside it) only ever adds to a peak.
      const rss = Math.min(
        ...[0, 1].map((k) => {
          const out = path.join(dir, `long-${months}-parquet-${k}`)
          const peak = peakRss("export", long, "--format", "parquet", "--out", out)
          rmSync(out, { recursive: true, force: true })
          return peak
        })
      )
      sizes.push({ log: readFileSync(path.join(long, "events.arrow")).length, rss })
      rmSync(long, { recursive: true, force: true })
    }
    const [short, long] = sizes as [{ log: number; rss: number }, { log: number; rss: number }]
    console.log(`export growth: ${((long.rss - short.rss) / 1e6).toFixed(1)} MB for ${((long.log - short.log) / 1e6).toFixed(1)} MB more log (peaks ${(short.rss / 1e6).toFixed(0)}, ${(long.rss / 1e6).toFixed(0)} MB)`)
    expect(long.log / short.log).toBeGreaterThan(2.4)
    // Holding the log (or a table) would cost about all of the extra log; the margin is for V8's garbage-collection timing.
    expect(long.rss - short.rss).toBeLessThan((long.log - short.log) / 2)
  }, 600_000)
})
