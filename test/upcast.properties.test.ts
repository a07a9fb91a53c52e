/**
 * Event schema versions and upcasting (DESIGN §4, packages/core/src/upcast.ts): a log written in an
 * older version reads back exactly as the current engine would have written it.
 */
import { EVENT_SCHEMA_VERSION, UPCAST_STEPS, upcaster, upcastEvents, type ControlEvent, type EventLog, type RawControlEvent } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { decodeEventLog, encodeEventLog } from "@devosim/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { writeArrowFile } from "../packages/store/src/columns.ts"
import { eventLogColumns } from "../packages/store/src/event-log.ts"
import { arbMoneyScenario } from "./arbitraries.ts"

/** Version-1 shapes of the current events: what the version-1 engine wrote. */
const toV1 = (e: ControlEvent): RawControlEvent => {
  if (e._tag !== "NegotiationStarted") return e
  const { queueLength: _, ...v1 } = e
  return v1
}

/** events.arrow as the version-1 engine wrote it for the same run. */
const v1File = (log: EventLog): Uint8Array =>
  writeArrowFile(eventLogColumns({ ...log, controls: log.controls.map(toV1) as unknown as ReadonlyArray<ControlEvent> }), [
    ["devosim.format", "events/1"],
    ["devosim.event_schema_version", "1"]
  ])

describe("event schema versions", () => {
  it("the upcast chain has one step per version, in order, ending at the current version", () => {
    expect(UPCAST_STEPS.map((s) => s.from)).toEqual(Array.from({ length: EVENT_SCHEMA_VERSION - 1 }, (_, i) => i + 1))
    const e = { _tag: "NegotiationStarted", seq: 3, t: 0, locality: "x", attempt: 1, duration: 2 }
    expect(upcaster(EVENT_SCHEMA_VERSION)(e)).toBe(e)
    expect(() => upcaster(0)).toThrow(RangeError)
    expect(() => upcaster(EVENT_SCHEMA_VERSION + 1)).toThrow(RangeError)
  })

  it("1 → 2 fills NegotiationStarted.queueLength with the backlog: queued − started so far", () => {
    const q = (seq: number, locality: string) => ({ _tag: "NegotiationQueued", seq, t: 0, locality, attempt: 1 })
    const s = (seq: number, locality: string) => ({ _tag: "NegotiationStarted", seq, t: 0, locality, attempt: 1, duration: 1 })
    const out = upcastEvents([q(1, "a"), q(2, "b"), q(3, "c"), s(4, "a"), s(5, "b"), q(6, "d"), s(7, "c"), s(8, "d")], 1)
    expect(out.filter((e) => e["_tag"] === "NegotiationStarted").map((e) => e["queueLength"])).toEqual([2, 1, 1, 0])
    // Each log gets a fresh count.
    expect(upcastEvents([s(1, "a")], 1)[0]).toEqual({ ...s(1, "a"), queueLength: 0 })
  })

  it("on generated scenarios, a version-1 events.arrow decodes to exactly the log the current engine writes", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), (sc) => {
        const { log } = runScenario(sc)
        const old = decodeEventLog(v1File(log))
        if (!old.ok) throw old.error
        expect(old.log.controls).toEqual(log.controls)
        expect(old.log.postings).toEqual(log.postings)
        // And the current version's file is read without change.
        const now = decodeEventLog(encodeEventLog(log))
        if (!now.ok) throw now.error
        expect(now.log.controls).toEqual(log.controls)
      }),
      { numRuns: 60 }
    )
  })

  it("a version-2 NegotiationStarted without queueLength is rejected, not guessed", () => {
    const { log } = runScenario(fc.sample(arbMoneyScenario().filter((sc) => sc.localities.length > 1), { seed: 7, numRuns: 1 })[0]!)
    const stripped = writeArrowFile(eventLogColumns({ ...log, controls: log.controls.map(toV1) as unknown as ReadonlyArray<ControlEvent> }), [
      ["devosim.format", "events/1"],
      ["devosim.event_schema_version", String(EVENT_SCHEMA_VERSION)]
    ])
    const r = decodeEventLog(stripped)
    expect(r.ok || [r.error.reason, r.error.message]).toEqual(["BadControlEvent", expect.stringMatching(/NegotiationStarted.*queueLength/s)])
  })
})
