/**
 * The tiers example (scenarios/beyond-the-town-hall.yaml) through the CLI: its "WHAT THE RUN SHOWS"
 * figures, to the penny, and the run directory's tier columns; `verify` and `explain` at a ward.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { decodeTable } from "../packages/store/src/index.ts"
import { beforeAll, describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const out = path.join(tempDir("beyond"), "run")
type Summary = Record<string, any>
let s: Summary
beforeAll(() => {
  const r = devosim("run", path.join(ROOT, "scenarios", "beyond-the-town-hall.yaml"), "--out", out, "--quiet")
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  s = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8"))
}, 60_000)

describe("scenarios/beyond-the-town-hall.yaml: what the run shows", () => {
  it("deals in months 17 and 21.5 (readiness and the powers' weights), Kent's health power at its 2013 election", () => {
    expect(s["negotiations"].map((n: Summary) => [n.locality, n.start, n.deal])).toEqual([
      ["Birmingham", 7, 17],
      ["Kent", 9, 21.5]
    ])
    expect(s["running_costs"].centre_pence).toBe(1_305_000_000)
    expect(s["running_costs"].mayoral_offices).toEqual([expect.objectContaining({ locality: "Kent", total_pence: 875_000_000 })])
  })

  it("passes the districts' line to Kent's districts and a Total Community budget to three wards; every place rolls up to its locality", () => {
    const by = Object.fromEntries(s["tiers"].by_locality.map((l: Summary) => [l.locality, l]))
    expect(by["Kent"].passed_down_pence).toBe(103_455_000_000)
    expect(by["Birmingham"].passed_down_pence).toBe(15_412_263_747)
    const ward = s["tiers"].by_tier.find((t: Summary) => t.tier === "Birmingham/Hodge Hill/Shard End")
    expect(ward).toMatchObject({ level: "ward", passed_down_pence: 5_137_421_258, spend_pence: 55_973_315_094 })
    for (const l of s["money"].localities) expect(by[l.locality].spend_pence, l.locality).toBe(l.actual_pence)
  })

  it("pays direct payments, holds fixed cash envelopes (with the Treasury's top-ups) and pays by results", () => {
    expect(s["personal_budgets"][0]).toMatchObject({ direct_payments_pence: 70_355_779_103, saving_returned_pence: 3_702_935_743 })
    expect(s["envelopes"].map((e: Summary) => [e.locality, e.returned_pence, e.top_ups_pence])).toEqual([
      ["Birmingham", 92_946_006_017, 0],
      ["Kent", 71_663_766_453, 7_597_500_000]
    ])
    expect(s["outcomes"].map((o: Summary) => [o.locality, o.measure, o.met, o.payments_pence])).toEqual([
      ["Birmingham", "emergency-admissions", false, 124_434_690],
      ["Kent", "claimants", true, 481_993_446]
    ])
    expect(s["money"].appraisal.npv_pence).toBe(-1_614_442_907)
  })

  it("writes the tier path in accounts.arrow and ledger.arrow, verifies, and explains a ward", () => {
    const accounts = decodeTable(readFileSync(path.join(out, "accounts.arrow")))
    expect([...(accounts.columns["tier"] ?? [])]).toContain("Kent/Canterbury")
    expect(Object.keys(decodeTable(readFileSync(path.join(out, "ledger.arrow"))).columns)).toContain("tier")
    const v = devosim("verify", out)
    expect(v.stderr).toBe("")
    expect(v.status).toBe(0)
    const x = devosim("explain", out, "--locality", "Birmingham/Hodge Hill/Shard End")
    expect(x.status).toBe(0)
    expect(x.stdout).toContain("net £559,733,150.94 into Birmingham/Hodge Hill/Shard End's accounts")
    expect(x.stdout).toContain("passed down")
  })
})
