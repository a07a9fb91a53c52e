import { decodeTable } from "@devosim/store"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

/** Rows of events.arrow with seq below n, as arrays, for comparing a fork's prefix with its parent's. */
const rowsBefore = (dir: string, n: number) => {
  const t = decodeTable(readFileSync(path.join(dir, "events.arrow")))
  const cols = Object.keys(t.columns)
  const rows: Array<Array<unknown>> = []
  for (let i = 0; i < t.numRows && Number(t.columns["seq"]![i]) < n; i++) rows.push(cols.map((c) => t.columns[c]![i]))
  return rows
}

describe("devosim fork", () => {
  const dir = tempDir("fork")
  const parent = path.join(dir, "parent")
  const child = path.join(dir, "child")
  const ROLLOUT = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")

  it("re-runs from month 18 with the centre's capacity raised; the prefix is the parent's, byte for byte", () => {
    expect(devosim("run", ROLLOUT, "--out", parent, "--no-parquet").status).toBe(0)
    const r = devosim("fork", parent, "--at", "18", "--set", "centre.capacity=30", "--out", child, "--no-parquet")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const info = JSON.parse(readFileSync(path.join(child, "fork.json"), "utf8"))
    expect(info.settings).toEqual(["centre.capacity=30"])
    expect(info.forked_at_t).toBeGreaterThanOrEqual(18)
    const n = info.forked_at_seq
    expect(n).toBeGreaterThan(0)
    expect(rowsBefore(child, n)).toEqual(rowsBefore(parent, n))
    expect(rowsBefore(child, n + 50)).not.toEqual(rowsBefore(parent, n + 50))
    expect(devosim("replay", child).status).toBe(0)
    expect(devosim("verify", child).status).toBe(0)
    // Later localities wait less with 30 slots than with 12.
    const wait = (d: string) => JSON.parse(readFileSync(path.join(d, "summary.json"), "utf8")).centre.mean_wait as number
    expect(wait(child)).toBeLessThan(wait(parent))
  })

  it("moves a locality to an earlier tranche from a calendar month, and compare reads parent and fork", () => {
    const moved = path.join(dir, "moved")
    const r = devosim("fork", parent, "--at", "2011-01", "--set", "localities.Area 40.tranche=forerunners", "--out", moved, "--no-parquet")
    expect(r.status).toBe(0)
    const c = devosim("compare", parent, moved, "--out", path.join(dir, "cmp"))
    expect(c.status).toBe(0)
    expect(c.stdout).toMatch(/^Comparing 2 scenarios over 1 replication/)
  })

  it("refuses amendments that would change the past or the shape of the run (exit 2, nothing written)", () => {
    for (const [set, message] of [
      ["seed=7", "a fork cannot change seed"],
      ["months=12", "programmes[0].starts: expected a month before the end of the run"],
      ["centre.capacity=0", "--set: centre.capacity: expected an integer >= 1, found 0"],
      ["localities.Nowhere.tranche=second", "Nowhere"],
      ["capacity", "expected PATH=VALUE"]
    ] as const) {
      const out = path.join(dir, `bad-${set.replace(/\W/g, "")}`)
      const r = devosim("fork", parent, "--at", "18", "--set", set, "--out", out)
      expect(r.status, set).toBe(2)
      expect(r.stderr, set).toContain(message)
      expect(existsSync(out)).toBe(false)
    }
  })

  it("refuses to fork a fork, saying why and what to do instead (exit 2, nothing written)", () => {
    const out = path.join(dir, "fork-of-fork")
    const r = devosim("fork", child, "--at", "24", "--set", "centre.capacity=40", "--out", out)
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/a fork cannot be forked again: fork its parent with every --set at once/)
    expect(existsSync(out)).toBe(false)
  })
})
