/**
 * The golden money and horizon cases (test/golden/money/, copied unchanged from the project's
 * shared/golden/money/): small scenarios whose figures were computed independently of devosim in
 * exact rational arithmetic (lib/gb.py), to the penny. Each case runs through the CLI with the cases'
 * own harness (check.mjs: summary paths, postings from events.arrow, ledger rows, event fields, CLI
 * text), as the shared README says; every check of every case must pass.
 */
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { ROOT } from "./cli-helpers.ts"

const MONEY = path.join(ROOT, "test", "golden", "money")
const cases = readdirSync(path.join(MONEY, "cases")).sort()

describe("golden money and horizon cases through `devosim run`", () => {
  it("has the published cases", () => expect(cases).toEqual(["a_spb_reduction", "b_prevention_profile", "c_cost_shift", "g_accountability", "q2_horizon"]))

  for (const name of cases) {
    it(name, () => {
      const r = spawnSync(process.execPath, [path.join(MONEY, "check.mjs"), path.join(MONEY, "cases", name)], { cwd: ROOT, encoding: "utf8", timeout: 120_000 })
      const failed = r.stdout.split("\n").filter((l) => l.startsWith("FAIL"))
      expect(failed, r.stdout + r.stderr).toEqual([])
      expect(r.stdout).toMatch(/fidelity: \d+ checks, 0 failed/)
      expect(r.status).toBe(0)
    })
  }
})
