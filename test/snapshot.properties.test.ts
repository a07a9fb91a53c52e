/**
 * Snapshot + tail = full replay (DESIGN §4), on generated scenarios with the whole money model.
 */
import {
  canonicalState,
  replay,
  replayFrom,
  replayUntil,
  snapshotJson,
  snapshotOf,
  initialState,
  SnapshotFold,
  snapshotsEvery,
  stateFromSnapshot,
  type EventLog,
  type RunStarted
} from "@devosim/core"
import { decideCentre, logChunks, runScenario } from "@devosim/engine"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario } from "./arbitraries.ts"

const runOf = (log: EventLog): RunStarted => {
  const run = log.controls[0]
  if (run?._tag !== "RunStarted") throw new Error("no RunStarted")
  return run
}
const eventCount = (log: EventLog) => log.controls.length + log.postings.length

/** A generated scenario and a cut point: k = cut mod (number of events + 1), so k ranges over [0, events]. */
const arbScenarioAndCut = fc.tuple(arbMoneyScenario(), fc.nat())

/** The time of event `seq`. */
const timeOf = (log: EventLog, seq: number): number => {
  const c = log.controls.find((e) => e.seq === seq)
  if (c !== undefined) return c.t
  const i = log.postings.seq.indexOf(seq)
  return log.postings.t[i]!
}

describe("snapshots on generated scenarios", () => {
  it("snapshots taken while the log streams in chunks are the snapshots of the whole log, and the fold ends at the final state", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 13 }), (sc, windowPeriods, every) => {
        const whole = runScenario(sc)
        const chunks = [...logChunks(decideCentre(sc), { windowPeriods, shards: 2 })]
        const fold = new SnapshotFold(initialState(runOf(whole.log)), every)
        const streamed = [...chunks.flatMap((c) => fold.add(c)), ...fold.finish()]
        expect(streamed).toEqual(snapshotsEvery(whole.log, every))
        expect(canonicalState(fold.state)).toBe(canonicalState(whole.state))
      }),
      { numRuns: 150, seed: 5 }
    )
  })

  it("snapshot after k events + replay of the tail = full replay, and the snapshot survives JSON unchanged", () => {
    fc.assert(
      fc.property(arbScenarioAndCut, ([sc, cut]) => {
        const { log, state } = runScenario(sc)
        const final = canonicalState(state)
        const k = cut % (eventCount(log) + 1)
        const run = runOf(log)
        // State exists from RunStarted (event 0) on: the state after 0 events and after 1 are both the initial state.
        const prefix = replayUntil(log, Math.max(1, k))
        expect(prefix.applied).toBe(Math.max(1, k))
        const snapshot = snapshotOf(prefix)
        const text = snapshotJson(snapshot)
        const parsed: unknown = JSON.parse(text)
        // Serialising and reading back changes nothing: same object, same state, same bytes.
        expect(parsed).toEqual(snapshot)
        const restored = stateFromSnapshot(parsed, run)
        expect(canonicalState(restored)).toBe(canonicalState(prefix))
        expect(snapshotJson(restored)).toBe(text)
        // Snapshot + tail = full replay = the engine's own final state.
        const tail = replayFrom(parsed, log)
        expect(tail.applied).toBe(eventCount(log))
        expect(canonicalState(tail)).toBe(canonicalState(replay(log)))
        expect(canonicalState(tail)).toBe(final)
        // Taking the snapshot did not tie it to the state it came from.
        expect(snapshotJson(snapshot)).toBe(text)
        // The ends, every time: a snapshot of the initial state, and of the final state (an empty tail).
        for (const end of [1, eventCount(log)]) expect(canonicalState(replayFrom(JSON.parse(snapshotJson(replayUntil(log, end))), log))).toBe(final)
      }),
      { numRuns: 150 }
    )
  })

  it("snapshotsEvery(log, m) cuts after the last event of every m-th period, and each replays to the end", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), fc.integer({ min: 1, max: 13 }), (sc, every) => {
        const { log, state } = runScenario(sc)
        const n = eventCount(log)
        const snaps = snapshotsEvery(log, every)
        let previous = 1
        for (const { period, snapshot } of snaps) {
          expect((period + 1) % every).toBe(0)
          expect(period).toBeLessThan(runOf(log).months)
          expect(snapshot.applied).toBeGreaterThan(previous)
          previous = snapshot.applied
          // Every event before the cut is in periods 0..period; the first after it is not.
          expect(timeOf(log, snapshot.lastSeq)).toBeLessThan(period + 1)
          if (snapshot.applied < n) expect(timeOf(log, snapshot.applied)).toBeGreaterThanOrEqual(period + 1)
          expect(snapshotJson(snapshot)).toBe(snapshotJson(replayUntil(log, snapshot.applied)))
          expect(canonicalState(replayFrom(snapshot, log))).toBe(canonicalState(state))
        }
      }),
      { numRuns: 60 }
    )
  })

  it("a snapshot refuses a run it does not fit", () => {
    const [a, b] = fc.sample(arbMoneyScenario({ maxLocalities: 3 }), { seed: 11, numRuns: 2 })
    const logA = runScenario(a!).log
    const runB = runOf(runScenario({ ...b!, name: "other" }).log)
    const snap = snapshotOf(replay(logA))
    expect(() => stateFromSnapshot(snap, runB)).toThrow(/does not fit this run/)
    expect(() => stateFromSnapshot({ ...snap, balances: snap.balances.slice(1) }, runOf(logA))).toThrow(/number of accounts/)
    expect(() => stateFromSnapshot({ ...snap, format: "devosim-snapshot/0" }, runOf(logA))).toThrow()
    expect(() => replayFrom({ ...snap, applied: snap.applied + 1, lastSeq: snap.applied }, logA)).toThrow(/after the end of the log/)
  })
})
