/**
 * The hand-written `data` of the frequent control kinds is canonical JSON, byte for byte, and the
 * hand-written decoding of it agrees with core's schema.
 */
import { decodeControlEvent, type ControlEvent, type RunStarted } from "@devosim/core"
import { tableFromIPC } from "apache-arrow"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { EventLogWriter } from "../src/event-log-writer.ts"
import { ControlPayloadWriter } from "../src/control-payload.ts"
import { MemorySink } from "../src/sink.ts"
import { run as fixtureRun } from "./fixture.ts"
import { canonicalJson } from "../src/json.ts"
import { decodeEventLog, decodeFrequentControl } from "../src/event-log.ts"
import { LogReadError } from "../src/errors.ts"

const id = fc.oneof(fc.string(), fc.constantFrom("Kent", "locality-000001", 'quo"te', "back\\slash", "\u2028", "\u{1F3F4}", "ünï"))
/** JSON's longest numbers: 25 bytes. */
const LONGEST = [-0.0000010000000142873201, -0.0000012345678901234567, -1.2345678901234567e-308]
const num = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 0.1, 1e21, 5e-324, 2 ** 53, ...LONGEST))
const int = fc.integer({ min: 0, max: 2 ** 31 - 1 })
const head = { seq: int, t: num }

const runStarted: fc.Arbitrary<ControlEvent> = fc.record({
  _tag: fc.constant("RunStarted" as const),
  seq: fc.constant(0),
  t: fc.constant(0),
  engineVersion: id,
  scenario: id,
  seed: num,
  start: id,
  months: int,
  capacity: int,
  tranches: fc.array(fc.record({ id, opens: num }), { maxLength: 3 }),
  agencies: fc.array(fc.record({ id, name: id }), { maxLength: 3 }),
  localities: fc.array(fc.record({ id, name: id, population: num, tranche: id, accountabilityLevel: int }), { maxLength: 4 }),
  discountRateBasisPoints: int,
  coverage: fc.option(fc.record({ population: num, label: id }), { nil: null }),
  appraisalDiscounting: fc.constantFrom("green_book" as const, "monthly" as const)
})

const events: fc.Arbitrary<ControlEvent> = fc.oneof(
  runStarted,
  fc.record({ _tag: fc.constant("NegotiationQueued" as const), ...head, locality: id, attempt: int }),
  fc.record({ _tag: fc.constant("NegotiationStarted" as const), ...head, locality: id, attempt: int, duration: num, queueLength: int }),
  fc.record({ _tag: fc.constant("NegotiationFailed" as const), ...head, locality: id, attempt: int, retryAt: fc.option(num, { nil: null }) }),
  fc.record({ _tag: fc.constant("PeriodSpent" as const), ...head, period: int }),
  fc.record({ _tag: fc.constant("SinglePlaceBudgetReset" as const), ...head, locality: id, horizon: int, fromPeriod: int, toPeriod: int }),
  fc.record({
    _tag: fc.constant("DealAgreed" as const),
    ...head,
    locality: id,
    attempt: int,
    pooledAgencies: fc.array(id, { maxLength: 4 }),
    reductionBasisPoints: int,
    gainshareBasisPoints: int,
    pooledFrom: int,
    horizonMonths: int
  })
)

const utf8 = new TextDecoder()

/** The payload bytes the writer writes for `ev` (its locality known by index, or not), as text; undefined: left to canonicalJson. */
const controlPayloadJson = (ev: ControlEvent, knownLocality = false): string | undefined => {
  const ids = knownLocality && "locality" in ev ? [ev.locality] : []
  // A one-byte buffer to start with, so every write grows it.
  const w = new ControlPayloadWriter(ids, 1)
  const end = w.write(ev, ids.length > 0 ? 0 : -1, 0)
  return end < 0 ? undefined : utf8.decode(w.bytes.subarray(0, end))
}

describe("ControlPayloadWriter", () => {
  it("equals canonicalJson of the event less _tag, seq and t", () => {
    fc.assert(
      fc.property(events, (ev) => {
        const { _tag, seq: _s, t: _t, ...rest } = ev
        expect(controlPayloadJson(ev, true)).toBe(canonicalJson(rest))
        expect(controlPayloadJson(ev)).toBe(canonicalJson(rest))
      }),
      { numRuns: 2000 }
    )
  })

  it("leaves what is not a plain finite number (a missing field, Infinity) to canonicalJson, which drops or refuses it", () => {
    const ev: ControlEvent = { _tag: "NegotiationStarted", seq: 3, t: 1, locality: "A", attempt: 1, duration: Number.POSITIVE_INFINITY, queueLength: 0 }
    expect(controlPayloadJson(ev)).toBeUndefined()
    const old = { _tag: "NegotiationStarted", seq: 3, t: 1, locality: "A", attempt: 1, duration: 2 } as unknown as ControlEvent
    expect(controlPayloadJson(old)).toBeUndefined()
  })

  it("appends: what was written before a payload stays, whatever the buffer's growth", () => {
    fc.assert(
      fc.property(fc.array(events, { minLength: 1, maxLength: 20 }), (evs) => {
        const w = new ControlPayloadWriter([], 1)
        const ends = [0]
        for (const ev of evs) ends.push(w.write(ev, -1, ends[ends.length - 1]!))
        evs.forEach((ev, i) => {
          const { _tag, seq: _s, t: _t, ...rest } = ev
          expect(utf8.decode(w.bytes.subarray(ends[i]!, ends[i + 1]!))).toBe(canonicalJson(rest))
        })
      }),
      { numRuns: 300 }
    )
  })

  it("leaves the rarer kinds to canonicalJson", () => {
    expect(controlPayloadJson({ _tag: "TrancheOpened", seq: 1, t: 0, tranche: "t1" })).toBeUndefined()
  })

  it("leaves a RunStarted with tiers or running costs, and a deal with an envelope, to canonicalJson (the writer knows only the frequent fields: dropping these lost the tiers' accounts on replay)", () => {
    fc.assert(
      fc.property(events, (ev) => {
        if (ev._tag === "RunStarted") {
          const tiers = [{ id: "Kent/Dover", name: "Dover", level: "district", locality: "Kent", parent: null, population: 1, baseline: [] }]
          expect(controlPayloadJson({ ...ev, tiers })).toBeUndefined()
          expect(controlPayloadJson({ ...ev, runningCosts: { centreMonthlyPence: 1, centrePerNegotiationMonthPence: 0, mayoralOfficeMonthlyPence: 0 } })).toBeUndefined()
        }
        if (ev._tag === "DealAgreed") expect(controlPayloadJson({ ...ev, envelope: "fixed_cash" })).toBeUndefined()
      }),
      { numRuns: 300 }
    )
  })
})

describe("decodeFrequentControl", () => {
  it("decodes what the writer wrote to what core's schema decodes, and refuses what it refuses", () => {
    fc.assert(
      fc.property(events, fc.boolean(), (ev, spoil) => {
        const { _tag, seq, t, ...rest } = ev
        const fields: Record<string, unknown> = JSON.parse(controlPayloadJson(ev)!)
        if (spoil) {
          const keys = Object.keys(fields)
          fields[keys[seq % keys.length]!] = [-1, 0.5, "x", null][seq % 4]
        }
        const bySchema = (() => {
          try {
            return decodeControlEvent({ ...fields, _tag, seq, t })
          } catch {
            return "refused"
          }
        })()
        const fast = (() => {
          try {
            return decodeFrequentControl(_tag, seq, t, fields) ?? "not frequent"
          } catch (e) {
            expect(e).toBeInstanceOf(LogReadError)
            return "refused"
          }
        })()
        if (fast !== "not frequent") expect(fast).toEqual(bySchema)
        // What JSON holds of it (-0 is 0 in JSON).
        if (!spoil && fast !== "not frequent") expect(fast).toEqual({ _tag, seq, t, ...JSON.parse(canonicalJson(rest)) })
      }),
      { numRuns: 3000 }
    )
  })
})

describe("the data column", () => {
  it("holds each control event's payload as UTF-8, whichever of a batch's payloads are ASCII and wherever its batches are cut", () => {
    const ids = fc.array(fc.oneof(fc.constantFrom("kent", "locality-000001"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 })), { minLength: 1, maxLength: 6 })
    fc.assert(
      fc.property(ids, fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 9 }), (raw, picks, batchRows) => {
        const localities = [...new Set(raw)]
        const run: RunStarted = {
          ...fixtureRun,
          localities: localities.map((id) => ({ id, name: `${id} (name)`, population: 1, tranche: "T1", accountabilityLevel: 0 }))
        }
        const controls: Array<ControlEvent> = [run]
        picks.forEach((k, i) => controls.push({ _tag: "NegotiationQueued", seq: i + 1, t: i, locality: localities[k % localities.length]!, attempt: 1 + (k % 3) }))
        const sink = new MemorySink()
        const w = new EventLogWriter(run, sink, { batchRows })
        w.append({ firstSeq: 0, controls, postings: { length: 0, seq: new Float64Array(0), t: new Float64Array(0), from: new Int32Array(0), to: new Int32Array(0), amount: new Float64Array(0), cause: new Float64Array(0) } })
        w.finish()
        const table = tableFromIPC(sink.bytes())
        const data = table.getChild("data")!
        controls.forEach((e, row) => {
          const { _tag: _k, seq: _s, t: _t, ...rest } = e as unknown as Record<string, unknown>
          expect(data.get(row)).toBe(canonicalJson(rest))
        })
        const decoded = decodeEventLog(sink.bytes())
        if (!decoded.ok) throw decoded.error
        expect(decoded.log.controls).toEqual(controls)
      }),
      { numRuns: 200 }
    )
  })
})

describe("ControlPayloadWriter.writeCanonical", () => {
  const anything = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom(null, true, false, undefined, -0, 0.1, 1e21, 2 ** 53, -(2 ** 31), 5e-324),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.string({ unit: "binary" }),
      fc.string(),
      fc.array(tie("value"), { maxLength: 5 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("a", "b", "__proto_", "é", "\u{1F3F4}")), tie("value"), { maxKeys: 5 })
    )
  })).value

  it("writes what canonicalJson writes, at any offset, for any JSON-like value", () => {
    fc.assert(
      fc.property(anything, fc.integer({ min: 0, max: 9 }), (v, at) => {
        const w = new ControlPayloadWriter([], 1)
        const end = w.writeCanonical(v, at)
        if (v === undefined) return
        expect(utf8.decode(w.bytes.subarray(at, end))).toBe(canonicalJson(v))
      }),
      { numRuns: 3000 }
    )
  })

  it("writes JSON's longest numbers (25 bytes) whole wherever the buffer has to grow", () => {
    for (const x of LONGEST) {
      expect(JSON.stringify(x).length).toBeGreaterThanOrEqual(24)
      for (let at = 0; at < 70; at++) {
        const w = new ControlPayloadWriter([], 1)
        const end = w.writeCanonical([x, 0], at)
        expect(utf8.decode(w.bytes.subarray(at, end))).toBe(canonicalJson([x, 0]))
      }
    }
  })

  it("leaves what JSON cannot hold (Infinity, NaN, a function) to canonicalJson, which names it", () => {
    const w = new ControlPayloadWriter([])
    expect(w.writeCanonical({ a: [1, Number.POSITIVE_INFINITY] }, 0)).toBe(-1)
    expect(w.writeCanonical({ a: Number.NaN }, 0)).toBe(-1)
    expect(w.writeCanonical({ f: () => 1 }, 0)).toBe(-1)
    expect(() => canonicalJson({ a: [1, Number.POSITIVE_INFINITY] })).toThrow("$.a[1]")
  })
})
