/**
 * A fork's outputs show the amended scenario (issue "Answers true to the run", §2): given the
 * route-map run forked at month 3 with the centre's capacity at 4 and Cornwall moved to the
 * forerunners, its summary says capacity 4 and Cornwall's tranche is forerunners (a ScenarioAmended
 * event records both at the fork point); a fork that amends nothing still reproduces its parent.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const dir = tempDir("fork-amended")

describe("a fork's summary shows the amended values", () => {
  it("capacity and a moved tranche", () => {
    const parent = path.join(dir, "parent")
    expect(devosim("run", path.join(ROOT, "scenarios", "route-map-2010.yaml"), "--out", parent, "--no-parquet").status).toBe(0)
    const fork = path.join(dir, "fork")
    const r = devosim("fork", parent, "--at", "3", "--set", "centre.capacity=4", "--set", "localities.Cornwall.tranche=forerunners", "--out", fork, "--no-parquet")
    expect(r.status, r.stderr).toBe(0)
    const s = JSON.parse(readFileSync(path.join(fork, "summary.json"), "utf8"))
    expect(s.centre.capacity).toBe(4)
    expect(s.negotiations.find((n: { locality: string }) => n.locality === "Cornwall").tranche).toBe("forerunners")
    const before = JSON.parse(readFileSync(path.join(parent, "summary.json"), "utf8"))
    expect(before.centre.capacity).toBe(12)
    expect(devosim("verify", fork).status).toBe(0)
  })
})
