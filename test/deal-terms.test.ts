/**
 * Deal terms per locality (issue "Answers true to the run", §2): a locality's `deal` overrides the
 * scenario's reduction, gainshare and powers sought; the rest keep the scenario's.
 */
import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, tempDir } from "./cli-helpers.ts"

const dir = tempDir("deal-terms")

const scenario = (own: string) => `version: 1
name: deal terms
start: 2010-04
months: 12
seed: 1
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
deal: { reduction_pct: 5, horizon_months: 36, pooled_agencies: [council] }
localities:
  - { id: A, name: A, population: 1000, tranche: t1, negotiation: { months: 1 }, baseline: { council: 12000 } }
  - { id: B, name: B, population: 1000, tranche: t1, negotiation: { months: 1 }, baseline: { council: 12000 }${own} }
`

describe("deal terms per locality", () => {
  it("given B's own 10% reduction, when both deal at month 1, then A returns 5% and B 10% of 100,000p a month for periods 1–11", () => {
    const file = path.join(dir, "terms.yaml")
    writeFileSync(file, scenario(", deal: { reduction_pct: 10, gainshare_pct: 25 }"))
    const out = path.join(dir, "terms")
    const r = devosim("run", file, "--out", out, "--no-parquet")
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
    const byId = Object.fromEntries(s.money.localities.map((l: { locality: string; spb_reduction_pence: number }) => [l.locality, l.spb_reduction_pence]))
    expect(byId).toEqual({ A: 55_000, B: 110_000 })
  })

  it("a locality seeking a power the menu does not have is refused with a located error", () => {
    const file = path.join(dir, "bad.yaml")
    writeFileSync(file, scenario(", deal: { powers: [transport] }"))
    const r = devosim("run", file, "--out", path.join(dir, "bad"))
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: localities\[1\]\.deal\.powers: expected no powers \(or an empty list\): the scenario has no powers menu/)
  })
})
