/**
 * docs/recipes.sql, the DuckDB recipe for each of summary.json's `centre` and `money` figures, run
 * on the Parquet and CSV exports of real runs (the route-map, Stockport's programme and transfer,
 * the early-years city region's gainshare returned, and a short run that ends with negotiations
 * open and failures behind it): each recipe equals
 * summary.json, money to the penny. The CSV export loads in DuckDB's read_csv with the documented
 * columns and types, and holds the same rows as the Parquet one. README's SQL is the file's.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EVENT_KINDS, POSTING_KIND } from "@devosim/core"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

interface Recipe {
  /** The summary.json figure: `centre.deals`, `money.localities[].agencies[]`, … */
  readonly name: string
  /** Columns a list recipe's rows are matched on. */
  readonly by: ReadonlyArray<string>
  readonly sql: string
}

/** The sections of docs/recipes.sql: setups by name, then recipes, in file order. */
const parseRecipes = (text: string): { setups: Map<string, string>; recipes: Array<Recipe> } => {
  const setups = new Map<string, string>()
  const recipes: Array<Recipe> = []
  let current: { kind: "setup" | "recipe"; name: string; lines: Array<string> } | undefined
  const close = () => {
    if (current === undefined) return
    const sql = current.lines.join("\n").trim()
    if (current.kind === "setup") setups.set(current.name, sql)
    else {
      const [name, by] = current.name.split(/ by /) as [string, string | undefined]
      recipes.push({ name: name.trim(), by: by === undefined ? [] : by.split(",").map((s) => s.trim()), sql })
    }
  }
  for (const line of text.split("\n")) {
    const marker = /^-- @(setup|recipe) (.+)$/.exec(line)
    if (marker !== null) {
      close()
      current = { kind: marker[1] as "setup" | "recipe", name: marker[2]!.trim(), lines: [] }
    } else current?.lines.push(line)
  }
  close()
  return { setups, recipes }
}

/** SQL statements of a section (each ends with `;` at the end of a line); comment-only tails dropped. */
const statements = (sql: string): Array<string> =>
  sql
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter((s) => s.split("\n").some((l) => l.trim() !== "" && !l.trim().startsWith("--")))

const RECIPES_FILE = path.join(ROOT, "docs", "recipes.sql")
const { setups, recipes } = parseRecipes(readFileSync(RECIPES_FILE, "utf8"))

const dir = tempDir("recipes")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A short tiny run: Stockport still negotiating and Kent queued at the end, Kent failed once before. */
const shortScenario = (): string => {
  const file = path.join(dir, "short.yaml")
  const text = readFileSync(path.join(ROOT, "test", "fixtures", "tiny.yaml"), "utf8")
  expect(text).toMatch(/^months: 12$/m)
  writeFileSync(file, text.replace(/^months: 12$/m, "months: 7"))
  return file
}

/** The runs, made in order (a fork needs its parent): each is a CLI call writing `out`. */
const RUNS: ReadonlyArray<{ readonly name: string; readonly make: (out: string) => ReadonlyArray<string> }> = [
  { name: "route-map", make: (out) => ["run", path.join(ROOT, "scenarios", "route-map-2010.yaml"), "--out", out, "--quiet"] },
  { name: "stockport", make: (out) => ["run", path.join(ROOT, "scenarios", "stockport-mental-health.yaml"), "--out", out, "--quiet"] },
  { name: "early-years", make: (out) => ["run", path.join(ROOT, "scenarios", "early-years-city-region.yaml"), "--out", out, "--quiet"] },
  // Tiers, budgets passed down, personal budgets, agreed outcomes, fixed cash and running costs (issue 17).
  { name: "beyond-the-town-hall", make: (out) => ["run", path.join(ROOT, "scenarios", "beyond-the-town-hall.yaml"), "--out", out, "--quiet"] },
  { name: "short", make: (out) => ["run", shortScenario(), "--out", out, "--quiet"] },
  // A fork with a second negotiation slot from month 3: its capacity is ScenarioAmended's; a third
  // from month 5 on its schedule (CapacityChanged).
  { name: "fork", make: (out) => ["fork", path.join(dir, "short"), "--at", "3", "--set", "centre.capacity=2", "--set", "centre.schedule=[{ from: 5, capacity: 3 }]", "--out", out] }
]
const FORMATS = ["parquet", "csv"] as const

type Summary = Record<string, unknown>
const summaries = new Map<string, Summary>()
const exportOf = (run: string, format: string) => path.join(dir, `${run}-${format}`)

let db: DuckDBInstance
beforeAll(async () => {
  for (const r of RUNS) {
    const out = path.join(dir, r.name)
    const ran = devosim(...r.make(out))
    expect(ran.stderr, r.name).toBe("")
    expect(ran.status, r.name).toBe(0)
    summaries.set(r.name, JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")))
    for (const format of FORMATS) {
      const e = devosim("export", out, "--format", format, "--out", exportOf(r.name, format))
      expect(e.stderr).toBe("")
      expect(e.status).toBe(0)
    }
  }
  // Never reach for the network: extensions load only if already on this machine (json is built in).
  db = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" })
}, 120_000)
afterAll(() => db?.closeSync())

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`

/** A connection reading the export of `run` in `format` through the recipes' setup. */
const connect = async (run: string, format: "parquet" | "csv"): Promise<DuckDBConnection> => {
  const sql = await db.connect()
  await sql.run(`SET file_search_path = ${lit(exportOf(run, format))}`)
  for (const s of [...statements(setups.get(format)!), ...statements(setups.get("views")!)]) await sql.run(s)
  return sql
}

/** DuckDB's values as summary.json has them: integers (BIGINT, HUGEINT) exact as numbers. */
const plain = (v: unknown, where: string): unknown => {
  if (typeof v === "bigint") {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${where}: ${v} is beyond 2^53`)
    return Number(v)
  }
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v
  throw new Error(`${where}: a value of an unexpected type: ${String(v)}`)
}

const rowsOf = async (sql: DuckDBConnection, query: string, where: string): Promise<Array<Record<string, unknown>>> => {
  const rows = (await sql.runAndReadAll(query)).getRowObjects()
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v, `${where}.${k}`)])))
}

/**
 * The figure a recipe names: a value, an object, or rows (a list, `[]`, its nested lists
 * flattened with their parent's id fields; `money.by_period`'s lists by period zipped into rows).
 */
const figureAt = (summary: Summary, name: string): unknown => {
  let values: Array<unknown> = [summary]
  let list = false
  for (const part of name.split(".")) {
    const flatten = part.endsWith("[]")
    const key = flatten ? part.slice(0, -2) : part
    values = values.flatMap((v) => {
      const parent = v as Record<string, unknown>
      const x = parent[key]
      if (!flatten) return [x]
      if (Array.isArray(x)) {
        const ids = Object.fromEntries(Object.entries(parent).filter(([, y]) => typeof y === "string"))
        return x.map((child) => ({ ...ids, ...(child as object) }))
      }
      // An object of lists by period (money.by_period): a row per period.
      const columns = Object.entries(x as Record<string, Array<unknown>>)
      return Array.from({ length: columns[0]![1].length }, (_, period) => ({ period, ...Object.fromEntries(columns.map(([k, xs]) => [k, xs[period]])) }))
    })
    list ||= flatten
  }
  return list ? values : values[0]
}

/** Money and counts exactly; other doubles (waits, factors, ratios) to 1e-12 of their size. */
const expectSame = (got: unknown, want: unknown, where: string) => {
  if (typeof got === "number" && typeof want === "number" && !(Number.isInteger(got) && Number.isInteger(want)) && !/_pence$/.test(where)) {
    expect(Math.abs(got - want), `${where}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)))
  } else expect(got, where).toStrictEqual(want)
}

/** Result columns a list recipe adds beside summary.json's (the calendar month of a period). */
const EXTRA_COLUMNS = new Set(["month"])

describe("docs/recipes.sql", () => {
  it("has a setup per format, the shared views, and a recipe for every figure of centre and money", () => {
    expect([...setups.keys()]).toEqual(["parquet", "csv", "views"])
    const names = recipes.map((r) => r.name)
    expect(new Set(names).size).toBe(names.length)
    // Every scalar and object of summary.json's centre and money sections has its recipe (a list's
    // or an object's fields are covered by the recipe for it), except the lists by effect (the
    // claims are the model's: see money.savings_claimed_pence).
    const summary = summaries.get("stockport")!
    const covered = (p: string) => names.some((n) => n === p || p.startsWith(`${n}.`) || n.replaceAll("[]", "") === p)
    const missing: Array<string> = []
    for (const section of ["centre", "money"]) {
      for (const [k, v] of Object.entries(summary[section] as Record<string, unknown>)) {
        const p = `${section}.${k}`
        if (p === "money.effects") continue
        if (typeof v === "object" && v !== null && !Array.isArray(v) && !covered(p)) {
          for (const k2 of Object.keys(v)) if (!covered(`${p}.${k2}`)) missing.push(`${p}.${k2}`)
        } else if (!covered(p)) missing.push(p)
      }
    }
    expect(missing).toEqual([])
  })

  for (const run of RUNS.map((r) => r.name)) {
    for (const format of FORMATS) {
      it(`every recipe equals summary.json on the ${format} export of the ${run} run`, async () => {
        const summary = summaries.get(run)!
        const sql = await connect(run, format)
        try {
          for (const recipe of recipes) {
            const [query, ...more] = statements(recipe.sql)
            expect(more, recipe.name).toEqual([])
            const rows = await rowsOf(sql, query!, recipe.name)
            const want = figureAt(summary, recipe.name)
            if (recipe.by.length > 0) {
              expect(Array.isArray(want), `${recipe.name} is a list in summary.json`).toBe(true)
              const wanted = want as Array<Record<string, unknown>>
              const keyOf = (r: Record<string, unknown>) => JSON.stringify(recipe.by.map((k) => r[k]))
              expect(rows.map(keyOf).sort(), `${recipe.name}: the rows' keys`).toEqual(wanted.map(keyOf).sort())
              const byKey = new Map(wanted.map((w) => [keyOf(w), w]))
              for (const row of rows) {
                const w = byKey.get(keyOf(row))!
                for (const [k, v] of Object.entries(row)) {
                  if (!(k in w)) {
                    expect(EXTRA_COLUMNS.has(k), `${recipe.name}: column ${k} is not in summary.json`).toBe(true)
                    continue
                  }
                  expectSame(v, w[k], `${recipe.name}[${keyOf(row)}].${k}`)
                }
              }
            } else {
              expect(rows, recipe.name).toHaveLength(1)
              const row = rows[0]!
              if (typeof want === "object" && want !== null) {
                for (const [k, v] of Object.entries(row)) {
                  expect(k in want, `${recipe.name}.${k} is in summary.json`).toBe(true)
                  expectSame(v, (want as Record<string, unknown>)[k], `${recipe.name}.${k}`)
                }
              } else {
                expect(Object.keys(row), `${recipe.name}: one column, named after the figure`).toEqual([recipe.name.split(".").at(-1)])
                expectSame(Object.values(row)[0], want, recipe.name)
              }
            }
          }
        } finally {
          sql.closeSync()
        }
      })
    }
  }

  it("the runs exercise what the recipes add up: transfers, programmes, gainshare returned, failures, negotiations open at the end", () => {
    const sp = summaries.get("stockport")! as { money: { localities: Array<{ agencies: Array<{ transfers_in_pence: number }> }>; prevention_invested_pence: number } }
    expect(sp.money.localities[0]!.agencies.some((a) => a.transfers_in_pence > 0)).toBe(true)
    expect(sp.money.prevention_invested_pence).toBeGreaterThan(0)
    const short = summaries.get("short")! as { centre: { failures: number; makespan_after_end: boolean; open_at_end: Record<string, number> } }
    expect(short.centre.failures).toBeGreaterThan(0)
    expect(short.centre.makespan_after_end).toBe(true)
    expect(short.centre.open_at_end["negotiating"]! + short.centre.open_at_end["queued"]!).toBeGreaterThan(0)
    expect((summaries.get("early-years")!["money"] as { gainshare_returned_pence: number }).gainshare_returned_pence).toBeGreaterThan(0)
    expect((summaries.get("fork")!["centre"] as { capacity: number }).capacity).toBe(2)
    for (const s of summaries.values()) expect((s["money"] as { appraisal: { discounting: string } }).appraisal.discounting).toBe("green_book")
  })
})

describe("the events' data", () => {
  it("has snake_case keys, at every depth, for every kind of control event", async () => {
    const kinds = new Set<string>()
    const bad: Array<string> = []
    const walk = (v: unknown, where: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`))
      else if (typeof v === "object" && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(k)) bad.push(`${where}.${k}`)
          walk(x, `${where}.${k}`)
        }
      }
    }
    for (const r of RUNS) {
      const sql = await connect(r.name, "parquet")
      try {
        for (const row of await rowsOf(sql, "SELECT seq, kind, data FROM events WHERE kind <> 'Posting' ORDER BY seq", r.name)) {
          kinds.add(row["kind"] as string)
          walk(JSON.parse(row["data"] as string), `${r.name} seq ${row["seq"]} ${row["kind"]}`)
        }
        // Postings have no data: their fields are columns.
        expect(await rowsOf(sql, "SELECT count(*) AS n FROM events WHERE kind = 'Posting' AND data IS NOT NULL", r.name)).toEqual([{ n: 0 }])
      } finally {
        sql.closeSync()
      }
    }
    expect(bad).toEqual([])
    expect([...kinds].sort()).toEqual(EVENT_KINDS.filter((k) => k !== POSTING_KIND).sort())
  })
})

describe("the CSV export in DuckDB's read_csv", () => {
  const DUCK: Record<string, string> = { int64: "BIGINT", int32: "INTEGER", float64: "DOUBLE", utf8: "VARCHAR", dictionary: "VARCHAR" }
  /** The documented columns (README, "Exporting tables") and the DuckDB types they read as. */
  const DOCUMENTED: Record<string, Record<string, string>> = {
    events: { seq: "int64", t: "float64", month: "dictionary", kind: "dictionary", flow: "dictionary", locality: "dictionary", from_account: "int32", to_account: "int32", amount_pence: "int64", cause_seq: "int64", data: "utf8", tier: "dictionary" },
    ledger: { period: "int32", month: "dictionary", account: "int32", locality: "dictionary", agency: "dictionary", opening_pence: "int64", inflow_pence: "int64", outflow_pence: "int64", closing_pence: "int64", tier: "dictionary" },
    accounts: { account: "int32", holder: "dictionary", purpose: "dictionary", locality: "dictionary", agency: "dictionary", tier: "dictionary" }
  }

  it("loads events, ledger and accounts with the documented columns and types, the same rows as the Parquet export", async () => {
    const sql = await connect("stockport", "parquet")
    try {
      for (const table of Object.keys(DOCUMENTED)) await sql.run(`CREATE TABLE parquet_${table} AS FROM ${table}`)
      await sql.run(`SET file_search_path = ${lit(exportOf("stockport", "csv"))}`)
      for (const s of statements(setups.get("csv")!)) await sql.run(s)
      for (const [table, columns] of Object.entries(DOCUMENTED)) {
        const described = await rowsOf(sql, `DESCRIBE ${table}`, table)
        const want = Object.fromEntries(Object.entries(columns).map(([k, t]) => [k, DUCK[t]]))
        expect(Object.fromEntries(described.map((c) => [c["column_name"], c["column_type"]])), table).toEqual(want)
        expect(Object.fromEntries((await rowsOf(sql, `DESCRIBE parquet_${table}`, table)).map((c) => [c["column_name"], c["column_type"]])), table).toEqual(want)
        const count = (q: string) => rowsOf(sql, q, table).then((r) => r[0]!["n"])
        const n = await count(`SELECT count(*) n FROM ${table}`)
        expect(n, table).toBe(await count(`SELECT count(*) n FROM parquet_${table}`))
        expect(n as number, table).toBeGreaterThan(0)
        // Row for row, nulls included (EXCEPT ALL compares NULLs as equal): nothing in one and not the other.
        expect(await count(`SELECT count(*) n FROM (FROM ${table} EXCEPT ALL FROM parquet_${table})`), table).toBe(0)
        expect(await count(`SELECT count(*) n FROM (FROM parquet_${table} EXCEPT ALL FROM ${table})`), table).toBe(0)
      }
      // The empty string and null differ: control events have no flow (null); postings' data is null.
      expect(await rowsOf(sql, "SELECT count(*) FILTER (WHERE flow IS NULL) AS null_flows, count(*) FILTER (WHERE flow = '') AS empty_flows FROM events WHERE kind <> 'Posting'", "events")).toEqual([
        { null_flows: await rowsOf(sql, "SELECT count(*) n FROM events WHERE kind <> 'Posting'", "events").then((r) => r[0]!["n"]), empty_flows: 0 }
      ])
      // A tool that guesses the types still finds the columns, by name, in the documented order.
      for (const [table, columns] of Object.entries(DOCUMENTED)) {
        const guessed = await rowsOf(sql, `DESCRIBE FROM read_csv(${lit(`${table}.csv`)})`, table)
        expect(guessed.map((c) => c["column_name"]), table).toEqual(Object.keys(columns))
      }
    } finally {
      sql.closeSync()
    }
  })
})

describe("README", () => {
  it("shows the recipes as docs/recipes.sql has them", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8")
    const file = readFileSync(RECIPES_FILE, "utf8")
    // The SQL of the section on the recipes (up to the next heading).
    const from = readme.indexOf("#### Summary figures in SQL")
    expect(from).toBeGreaterThan(0)
    const section = readme.slice(from, readme.slice(from + 4).search(/\n#{1,4} /) + from + 4)
    const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!)
    expect(blocks.length).toBeGreaterThanOrEqual(4)
    for (const b of blocks) expect(file, b.slice(0, 80)).toContain(b.trim())
  })
})
