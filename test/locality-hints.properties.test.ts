/**
 * `LogChunk.localities` is a hint: the writer, the summary and the state fold read a control
 * event's locality from it instead of looking its id up, and check it against the id. Whatever the
 * hint says (the engine's, none, or wrong), the bytes, the summary and the state are the same.
 */
import { applyLog, canonicalState, initialState, type LogChunk, type RunStarted } from "@devosim/core"
import { decideCentre, logChunks } from "@devosim/engine"
import { SummaryBuilder } from "@devosim/report"
import { EventLogWriter, MemorySink } from "@devosim/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario } from "./arbitraries.ts"

type Hints = "engine" | "none" | "wrong"

const outputsOf = (chunks: ReadonlyArray<LogChunk>, run: RunStarted) => {
  const sink = new MemorySink()
  const writer = new EventLogWriter(run, sink)
  const summary = new SummaryBuilder(run)
  const state = initialState(run)
  for (const c of chunks) {
    writer.append(c)
    summary.add(c)
    applyLog(state, c)
  }
  writer.finish()
  return { bytes: Buffer.from(sink.bytes()).toString("base64"), summary: JSON.stringify(summary.finish()), state: canonicalState(state) }
}

describe("locality hints on log chunks", () => {
  it("change nothing: the engine's, none, or wrong ones give the same log, summary and state", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), fc.integer({ min: 1, max: 5 }), (sc, shift) => {
        const decisions = decideCentre(sc)
        const run = decisions.controls[0] as RunStarted
        const L = sc.localities.length
        const chunksWith = (hints: Hints): Array<LogChunk> =>
          [...logChunks(decisions, { windowPeriods: 2 })].map((c) => {
            const copy = { ...c, postings: { ...c.postings, seq: c.postings.seq.slice(), t: c.postings.t.slice(), from: c.postings.from.slice(), to: c.postings.to.slice(), amount: c.postings.amount.slice(), cause: c.postings.cause.slice() } }
            if (hints === "engine") return copy
            const { localities, ...rest } = copy
            if (hints === "none") return rest
            // Every hint pointing at another locality (or at none where there is one).
            return { ...rest, localities: Int32Array.from(localities ?? [], (x) => (x >= 0 ? (x + shift) % Math.max(1, L) : 0)) }
          })
        const engine = outputsOf(chunksWith("engine"), run)
        expect(chunksWith("engine").some((c) => c.localities !== undefined)).toBe(true)
        expect(outputsOf(chunksWith("none"), run)).toEqual(engine)
        expect(outputsOf(chunksWith("wrong"), run)).toEqual(engine)
      }),
      { numRuns: 60 }
    )
  })
})
