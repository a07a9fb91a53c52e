import { canonicalState, replay } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { decodeEventLog, encodeEventLog } from "@devosim/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario } from "./arbitraries.ts"

describe("the Arrow event log on generated scenarios", () => {
  it("same scenario → byte-identical events.arrow, and replaying the decoded file gives the run's final state", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const first = runScenario(sc)
        const bytes = encodeEventLog(first.log)
        const again = encodeEventLog(runScenario(structuredClone(sc)).log)
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true)
        const decoded = decodeEventLog(bytes)
        if (!decoded.ok) throw new Error(decoded.error.message)
        expect(decoded.log.controls).toEqual(first.log.controls)
        expect(canonicalState(replay(decoded.log))).toBe(canonicalState(first.state))
      }),
      { numRuns: 60 }
    )
  })
})
