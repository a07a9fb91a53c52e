import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

/**
 * The golden negotiation cases (test/golden/README.md): an independent queue model, bit-exact with
 * SimPy. Run through the CLI as users run it; times compared with ===, mean_wait within 1e-12.
 */
const GOLDEN = path.join(ROOT, "test", "golden", "negotiation")
const cases = readdirSync(GOLDEN)
  .filter((f) => f.endsWith(".scenario.json"))
  .map((f) => f.slice(0, -".scenario.json".length))
  .sort()

interface Expected {
  negotiations: Array<{ locality: string; eligible: number; start: number; deal: number; wait: number }>
  centre: { capacity: number; makespan: number; mean_wait: number; max_concurrent: number }
}

describe("golden negotiation cases through `devosim run`", () => {
  it("has the published cases", () => expect(cases).toEqual(["contract-ties", "random-n12", "random-n600", "random-n75"]))

  for (const name of cases) {
    it(name, () => {
      const out = path.join(tempDir("golden"), name)
      const r = devosim("run", path.join(GOLDEN, `${name}.scenario.json`), "--out", out)
      expect(r.stderr).toBe("")
      expect(r.status).toBe(0)
      const want = JSON.parse(readFileSync(path.join(GOLDEN, `${name}.expected.json`), "utf8")) as Expected
      const got = JSON.parse(readFileSync(path.join(out, "summary.json"), "utf8")) as Expected
      const byLocality = new Map(got.negotiations.map((n) => [n.locality, n]))
      expect(got.negotiations).toHaveLength(want.negotiations.length)
      for (const w of want.negotiations) {
        const g = byLocality.get(w.locality)
        expect(g, w.locality).toBeDefined()
        for (const k of ["eligible", "start", "deal", "wait"] as const) {
          expect(Object.is(g![k], w[k]), `${w.locality}.${k}: got ${g![k]}, want ${w[k]}`).toBe(true)
        }
      }
      expect(got.centre.capacity).toBe(want.centre.capacity)
      expect(got.centre.makespan).toBe(want.centre.makespan)
      expect(got.centre.max_concurrent).toBe(want.centre.max_concurrent)
      expect(Math.abs(got.centre.mean_wait - want.centre.mean_wait)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want.centre.mean_wait)))
    })
  }
})
