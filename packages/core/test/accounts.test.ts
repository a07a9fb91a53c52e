import { accountDirectory, describeAccount, HOLDERS } from "../src/ledger.ts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

describe("accountDirectory", () => {
  it("describes every account as core's describeAccount does, for any number of localities and agencies", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 5 }), (L, A) => {
        const run = { localities: Array.from({ length: L }, (_, i) => ({ id: `L${i}` })), agencies: Array.from({ length: A }, (_, a) => ({ id: `a${a}` })) }
        const dir = accountDirectory(run)
        expect(dir.count).toBe(1 + L * (2 * A + 2))
        for (let k = 0; k < dir.count; k++) {
          const info = describeAccount({ localityCount: L, agencyCount: A }, k)
          expect([HOLDERS[dir.holder[k]!], dir.locality[k], dir.agency[k]]).toEqual([info.holder, info.locality, info.agency])
        }
      }),
      { numRuns: 200 }
    )
  })
})
