import { Schema } from "effect"
import type { RunStarted } from "./events.ts"
import { accountCount, layoutOf } from "./ledger.ts"
import type { EventLog, LogChunk } from "./log.ts"
import { applyLog, initialState, type LocalityStatus, type State } from "./state.ts"

/**
 * Snapshots (DESIGN §4: snapshot + tail = full replay). A snapshot is the state after the first
 * `applied` events of a log, as plain JSON: every number in it is exact (balances are integer pence,
 * below 2^53), "not yet" times (NaN in State) are null and "never pooled" (Infinity) is null. It does
 * not repeat the log's RunStarted: `stateFromSnapshot` takes it from the log the snapshot belongs to,
 * and checks the snapshot fits it (scenario, seed, and the number of localities, agencies, tranches
 * and accounts).
 *
 *   { "format": "devosim-snapshot/1", "scenario", "seed", "applied", "lastSeq",
 *     "activeNegotiations", "lastPeriodSpent", "tranchesOpen": [bool],
 *     "localities": [{ "status", "eligible", "start", "deal", "attempts", "pooledFrom": [period|null],
 *                      "reductionBasisPoints", "gainshareBasisPoints", "horizonMonths",
 *                      "accountabilityLevel", "powers": [id] }],   (in RunStarted's locality order)
 *     "balances": [pence] }                                        (by account number, ledger.ts)
 */
export const SNAPSHOT_FORMAT = "devosim-snapshot/1"

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const Maybe = Schema.NullOr(Schema.Finite)

const LocalitySnapshot = Schema.Struct({
  status: Schema.Literals(["waiting", "queued", "negotiating", "deal", "abandoned"]),
  eligible: Maybe,
  start: Maybe,
  deal: Maybe,
  attempts: Count,
  pooledFrom: Schema.Array(Schema.NullOr(Schema.Int)),
  reductionBasisPoints: Schema.Int,
  gainshareBasisPoints: Schema.Int,
  horizonMonths: Schema.Int,
  accountabilityLevel: Schema.Int,
  powers: Schema.Array(Schema.String)
})

export const Snapshot = Schema.Struct({
  format: Schema.Literal(SNAPSHOT_FORMAT),
  scenario: Schema.String,
  seed: Schema.Finite,
  /** Events applied: the state after events 0 .. applied − 1. */
  applied: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** The seq of the last event applied (applied − 1). */
  lastSeq: Count,
  activeNegotiations: Count,
  lastPeriodSpent: Schema.Int,
  tranchesOpen: Schema.Array(Schema.Boolean),
  localities: Schema.Array(LocalitySnapshot),
  balances: Schema.Array(Schema.Int)
})
export type Snapshot = typeof Snapshot.Type

const decodeSnapshot = Schema.decodeUnknownSync(Snapshot)

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** The state as a snapshot (a copy: later events applied to `s` do not change it). */
export const snapshotOf = (s: State): Snapshot => ({
  format: SNAPSHOT_FORMAT,
  scenario: s.run.scenario,
  seed: s.run.seed,
  applied: s.applied,
  lastSeq: s.applied - 1,
  activeNegotiations: s.activeNegotiations,
  lastPeriodSpent: s.lastPeriodSpent,
  tranchesOpen: [...s.tranchesOpen],
  localities: s.localities.map((l) => ({
    status: l.status,
    eligible: orNull(l.eligible),
    start: orNull(l.start),
    deal: orNull(l.deal),
    attempts: l.attempts,
    pooledFrom: Array.from(l.pooledFrom, orNull),
    reductionBasisPoints: l.reductionBasisPoints,
    gainshareBasisPoints: l.gainshareBasisPoints,
    horizonMonths: l.horizonMonths,
    accountabilityLevel: l.accountabilityLevel,
    powers: [...l.powers]
  })),
  balances: Array.from(s.balances)
})

/** The snapshot as file text: one line of JSON, keys in a fixed order, so equal states give equal bytes. */
export const snapshotJson = (s: State | Snapshot): string => `${JSON.stringify("format" in s ? s : snapshotOf(s))}\n`

/**
 * The state a snapshot records, for the log whose RunStarted is `run`. `json` is the snapshot (as
 * parsed JSON, or its text). Throws if it is not a snapshot or does not fit the run.
 */
export const stateFromSnapshot = (json: unknown, run: RunStarted): State => {
  const raw = typeof json === "string" ? (JSON.parse(json) as unknown) : json
  const snap = decodeSnapshot(raw)
  const misfit = (what: string, found: unknown, expected: unknown): never => {
    throw new Error(`the snapshot does not fit this run: ${what} is ${JSON.stringify(found)}, the run's is ${JSON.stringify(expected)}`)
  }
  if (snap.scenario !== run.scenario) misfit("scenario", snap.scenario, run.scenario)
  if (snap.seed !== run.seed) misfit("seed", snap.seed, run.seed)
  if (snap.lastSeq !== snap.applied - 1) misfit("lastSeq", snap.lastSeq, snap.applied - 1)
  if (snap.tranchesOpen.length !== run.tranches.length) misfit("the number of tranches", snap.tranchesOpen.length, run.tranches.length)
  if (snap.localities.length !== run.localities.length) misfit("the number of localities", snap.localities.length, run.localities.length)
  const accounts = accountCount(layoutOf(run))
  if (snap.balances.length !== accounts) misfit("the number of accounts", snap.balances.length, accounts)
  const s = initialState(run)
  snap.localities.forEach((l, i) => {
    if (l.pooledFrom.length !== run.agencies.length) misfit(`localities[${i}]: the number of agencies`, l.pooledFrom.length, run.agencies.length)
    const into = s.localities[i]!
    into.status = l.status satisfies LocalityStatus
    into.eligible = l.eligible ?? Number.NaN
    into.start = l.start ?? Number.NaN
    into.deal = l.deal ?? Number.NaN
    into.attempts = l.attempts
    l.pooledFrom.forEach((p, a) => (into.pooledFrom[a] = p ?? Number.POSITIVE_INFINITY))
    into.reductionBasisPoints = l.reductionBasisPoints
    into.gainshareBasisPoints = l.gainshareBasisPoints
    into.horizonMonths = l.horizonMonths
    into.accountabilityLevel = l.accountabilityLevel
    into.powers.push(...l.powers)
  })
  snap.tranchesOpen.forEach((open, k) => (s.tranchesOpen[k] = open))
  s.balances.set(snap.balances)
  s.activeNegotiations = snap.activeNegotiations
  s.lastPeriodSpent = snap.lastPeriodSpent
  s.applied = snap.applied
  return s
}

/**
 * Snapshot + tail: the state a snapshot records, with the rest of the log (events from
 * `applied` on) applied. Equals `replay(log)` (test/snapshot.properties.test.ts). Pure.
 */
export const replayFrom = (snapshot: unknown, log: EventLog): State => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  const s = stateFromSnapshot(snapshot, run)
  const n = log.controls.length + log.postings.length
  if (s.applied > n) throw new Error(`the snapshot is after the end of the log: it has applied ${s.applied} events, the log has ${n}`)
  return applyLog(s, log)
}

export interface PeriodSnapshot {
  /** The snapshot holds every event of periods 0 .. period (those with t < period + 1). */
  readonly period: number
  readonly snapshot: Snapshot
}

/**
 * Snapshots taken after the last event of every `everyMonths`-th period (periods everyMonths − 1,
 * 2·everyMonths − 1, … up to the run's last): for boundary b the state after all events with t < b
 * (event times never decrease along a log). A boundary with no new events since the previous one,
 * or none at all since RunStarted, gives no snapshot. One pass over the log.
 */
export const snapshotsEvery = (log: EventLog, everyMonths: number): Array<PeriodSnapshot> => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  const fold = new SnapshotFold(initialState(run), everyMonths)
  return [...fold.add({ firstSeq: 0, ...log }), ...fold.finish()]
}

/**
 * `snapshotsEvery` over a log that arrives in chunks (a streamed run): folds each chunk into
 * `state` (the run's state, which it owns: after `finish` it is the final state) and hands out
 * each snapshot as soon as the first event at or after its boundary has been seen.
 */
export class SnapshotFold {
  private boundary: number
  private readonly months: number
  private lastSnapshot: number
  readonly state: State

  constructor(state: State, everyMonths: number) {
    if (!(Number.isInteger(everyMonths) && everyMonths >= 1)) throw new RangeError(`snapshot interval must be a whole number of months >= 1, found ${everyMonths}`)
    this.state = state
    this.months = state.run.months
    this.boundary = everyMonths
    this.every = everyMonths
    this.lastSnapshot = state.applied
  }

  private readonly every: number

  /** Applies the chunk (the next events of the log); returns the snapshots it completes. */
  add(chunk: LogChunk): Array<PeriodSnapshot> {
    const out: Array<PeriodSnapshot> = []
    const s = this.state
    const { controls, postings: p } = chunk
    const end = chunk.firstSeq + controls.length + p.length
    let c = 0
    let j = 0
    for (; this.boundary <= this.months; this.boundary += this.every) {
      // The first event at or after the boundary (controls and postings are each in seq order).
      while (c < controls.length && controls[c]!.t < this.boundary) c++
      while (j < p.length && p.t[j]! < this.boundary) j++
      if (c === controls.length && j === p.length) break // not in this chunk: a later one, or the end
      const cut = Math.min(c < controls.length ? controls[c]!.seq : end, j < p.length ? p.seq[j]! : end)
      if (cut <= this.lastSnapshot) continue
      applyLog(s, chunk, cut)
      out.push({ period: this.boundary - 1, snapshot: snapshotOf(s) })
      this.lastSnapshot = cut
    }
    applyLog(s, chunk, end)
    return out
  }

  /** The snapshot at the end of the log, if a boundary is still pending and events came since the last. */
  finish(): Array<PeriodSnapshot> {
    if (this.boundary > this.months || this.state.applied <= this.lastSnapshot) return []
    const out = [{ period: this.boundary - 1, snapshot: snapshotOf(this.state) }]
    this.lastSnapshot = this.state.applied
    this.boundary = this.months + 1
    return out
  }
}
