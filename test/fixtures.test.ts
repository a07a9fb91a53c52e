/**
 * Old logs stay readable (DESIGN §4). test/fixtures/run-v1 is a run directory written by the
 * version-1 engine (event schema 1, before NegotiationStarted had `queueLength`) from
 * test/fixtures/tiny.yaml with `devosim run … --no-parquet`, committed exactly as written.
 * test/fixtures/run-v1.expected.json holds its final state and key figures as computed then.
 * Never regenerate either: the point is that today's reader still reads what yesterday's wrote.
 */
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { canonicalState, EVENT_SCHEMA_VERSION, replay, replayFrom, snapshotsEvery, type State } from "@devosim/core"
import { summarize } from "@devosim/report"
import { decodeEventLog, decodeTable, readRunDirectory, sha256Hex } from "@devosim/store"
import { describe, expect, it } from "vitest"
import { devosim, ROOT } from "./cli-helpers.ts"

const DIR = path.join(ROOT, "test", "fixtures", "run-v1")
const expected = JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "run-v1.expected.json"), "utf8"))

const orNull = (x: number) => (Number.isFinite(x) ? x : null)

/** The state by field name (not position), so it stays comparable when State grows fields. */
const project = (s: State) => ({
  applied: s.applied,
  activeNegotiations: s.activeNegotiations,
  lastPeriodSpent: s.lastPeriodSpent,
  tranchesOpen: s.tranchesOpen,
  localities: Object.fromEntries(
    s.run.localities.map((info, i) => {
      const l = s.localities[i]!
      return [
        info.id,
        {
          status: l.status,
          eligible: orNull(l.eligible),
          start: orNull(l.start),
          deal: orNull(l.deal),
          attempts: l.attempts,
          pooledFrom: Object.fromEntries(s.run.agencies.map((a, k) => [a.id, orNull(l.pooledFrom[k]!)])),
          reductionBasisPoints: l.reductionBasisPoints,
          gainshareBasisPoints: l.gainshareBasisPoints,
          horizonMonths: l.horizonMonths,
          accountabilityLevel: l.accountabilityLevel,
          powers: l.powers
        }
      ]
    })
  ),
  balances_pence: Array.from(s.balances)
})

const read = async () => {
  const { manifest, eventsArrow } = await readRunDirectory(DIR) // every file checked against the manifest
  const decoded = decodeEventLog(eventsArrow)
  if (!decoded.ok) throw decoded.error
  return { manifest, eventsArrow, log: decoded.log }
}

describe("the version-1 run directory test/fixtures/run-v1", () => {
  it("is still the directory the version-1 engine wrote: its manifest verifies, and it says event schema 1", async () => {
    const { manifest, eventsArrow } = await read()
    expect(manifest.log_sha256).toBe("c834f3f7d5ad00aa6f3a6aef116e17bc500573a9cd52052280fc78eff1d16726")
    expect(manifest.event_schema_version).toBe(1)
    expect(decodeTable(eventsArrow).metadata["devosim.event_schema_version"]).toBe("1")
    expect(EVENT_SCHEMA_VERSION).toBeGreaterThan(1)
  })

  it("decodes with upcasting: its NegotiationStarted rows have no queueLength in the file, and get the exact backlog on read", async () => {
    const { eventsArrow, log } = await read()
    const table = decodeTable(eventsArrow)
    const stored = table.columns["kind"]!.flatMap((k, r) => (k === "NegotiationStarted" ? [JSON.parse(String(table.columns["data"]![r]))] : []))
    expect(stored).toHaveLength(4)
    for (const fields of stored) expect(fields).not.toHaveProperty("queueLength")
    const started = log.controls.flatMap((e) => (e._tag === "NegotiationStarted" ? [[e.seq, e.locality, e.queueLength]] : []))
    // Capacity 1: Kent starts with Ynys Môn waiting; Ynys Môn with Stockport waiting; Stockport with
    // Kent's second attempt waiting; Kent last with nobody waiting.
    expect(started).toEqual([
      [11, "Kent", 1],
      [57, "Ynys Môn", 1],
      [92, "Stockport", 1],
      [172, "Kent", 0]
    ])
  })

  it("replays to exactly the state and figures recorded when it was written", async () => {
    const { manifest, log } = await read()
    const state = replay(log)
    expect(state.applied).toBe(manifest.event_count)
    expect(project(state)).toEqual(expected.state)
    const s = summarize(log)
    expect({
      negotiations: s.negotiations.map((n) => ({ locality: n.locality, eligible: n.eligible, start: n.start, deal: n.deal, wait: n.wait, attempts: n.attempts, outcome: n.outcome })),
      centre_makespan: s.centre.makespan,
      baseline_pence: s.money.baseline_pence,
      actual_pence: s.money.actual_pence,
      spb_reduction_pence: s.money.spb_reduction_pence,
      prevention_invested_pence: s.money.prevention_invested_pence,
      savings_realised_pence: s.money.savings_realised_pence,
      total_balance_pence: s.money.total_balance_pence
    }).toEqual(expected.summary)
  })

  it("replays to the manifest's state_sha256 (if this alone fails, canonicalState changed shape: old manifests no longer verify with `devosim replay`)", async () => {
    const { manifest, log } = await read()
    expect(sha256Hex(canonicalState(replay(log)))).toBe(manifest.state_sha256)
  })

  it("snapshot + tail of the upcast log equals its full replay", async () => {
    const { log } = await read()
    const full = canonicalState(replay(log))
    const snaps = snapshotsEvery(log, 2)
    expect(snaps.length).toBeGreaterThan(3)
    for (const { snapshot } of snaps) expect(canonicalState(replayFrom(JSON.parse(JSON.stringify(snapshot)), log))).toBe(full)
  })

  it("`devosim replay` checks it against its manifest", () => {
    const r = devosim("replay", DIR)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/replayed 244 events .*event schema 1, upcast to \d+.* final state matches the manifest/)
  })
})
