/**
 * summary.json's per-locality tables (issue 13): split into the file and its Arrow tables and
 * joined back, a summary is the same summary, for every example scenario and golden money case.
 */
import type { RecordTable } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { joinSummary, splitSummary, summarize, SUMMARY_TABLES, type SummaryTableName } from "@devosim/report"
import { compileScenarioText } from "@devosim/scenario"
import { decodeRecordTable, encodeRecordTable } from "@devosim/store"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { ROOT } from "./cli-helpers.ts"

const files = [
  ...readdirSync(path.join(ROOT, "scenarios")).map((f) => path.join(ROOT, "scenarios", f)),
  ...readdirSync(path.join(ROOT, "test", "golden", "money", "cases")).flatMap((c) => {
    const dir = path.join(ROOT, "test", "golden", "money", "cases", c)
    return readdirSync(dir).filter((f) => /^scenario\.(ya?ml|json)$/.test(f)).map((f) => path.join(dir, f))
  })
]

describe("summary.json and its tables", () => {
  it.each(files.map((f) => [path.relative(ROOT, f), f]))("%s: split, through Arrow and joined back, is the summary", (_, file) => {
    const compiled = compileScenarioText(readFileSync(file, "utf8"), file)
    if (!compiled.ok) throw new Error(compiled.error.message)
    const summary = summarize(runScenario(compiled.value.scenario).log)
    // A small run keeps its lists in summary.json too; the tables alone must rebuild the summary.
    const small = splitSummary(summary)
    expect(small.file.negotiations).toEqual(summary.negotiations)
    const { negotiations: _n, money: { localities: _l, cost_shift: _c, effects: _e, pools: _p, transfers: _t, ...aggregates }, ...rest } = small.file
    const split = { file: { ...rest, money: aggregates }, tables: small.tables }
    const decoded = new Map<SummaryTableName, RecordTable>()
    for (const { name, table } of split.tables) {
      const spec = SUMMARY_TABLES[name]
      const bytes = encodeRecordTable(table, spec.format)
      // Deterministic bytes.
      expect(Buffer.from(encodeRecordTable(table, spec.format)).equals(Buffer.from(bytes))).toBe(true)
      decoded.set(name, decodeRecordTable(bytes, spec.format, spec.fields))
      expect(split.file.tables[name]?.rows).toBe(table.rows.length)
    }
    const joined = joinSummary(JSON.parse(JSON.stringify(split.file)), (name) => decoded.get(name)!)
    expect(joined).toEqual(summary)
    // Of the tables, a small summary.json needs only pools.arrow (its pools by period are never in the file).
    expect(small.file.money.pools).toBeUndefined()
    expect(joinSummary(JSON.parse(JSON.stringify(small.file)), (name) => {
      if (name !== "pools") throw new Error(`${name} read`)
      return decoded.get(name)!
    })).toEqual(summary)
    expect(decoded.get("negotiations")!.rows.length).toBe(compiled.value.scenario.localities.length)
  })

  it("a table of another format, or missing a column, is refused", () => {
    const spec = SUMMARY_TABLES.negotiations
    const bytes = encodeRecordTable({ fields: spec.fields, rows: [] }, spec.format)
    expect(() => decodeRecordTable(bytes, SUMMARY_TABLES.localities.format, SUMMARY_TABLES.localities.fields)).toThrow(/expected an Arrow table of format localities\/1, found "negotiations\/1"/)
    const short = encodeRecordTable({ fields: spec.fields.slice(0, 2), rows: [{ locality: "A", tranche: "t" }] }, spec.format)
    expect(() => decodeRecordTable(short, spec.format, spec.fields)).toThrow(/no column population/)
  })
})
