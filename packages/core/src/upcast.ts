import { EVENT_SCHEMA_VERSION } from "./events.ts"

/**
 * Old logs stay readable (DESIGN §4): control events written under an older event schema version
 * are rewritten here, and only here, into the current shapes before they are decoded with
 * `decodeControlEvent`. The store's log decoder is the one caller.
 *
 * One step per version: step `from` rewrites a log of version `from` into version `from + 1`, and
 * a log of version v passes through steps v, v+1, …, EVENT_SCHEMA_VERSION − 1 in turn. A step sees
 * the log's control events one at a time in seq order, with state of its own for that log (`start`
 * makes a fresh rewriter per log), so a new field can be filled from the events before it exactly
 * as the engine that writes it would, not only with a default.
 *
 * Steps work on raw JSON-like objects (`_tag`, `seq`, `t` and the event's fields as stored) and must
 * leave anything they do not recognise alone: the schema decode that follows reports malformed events.
 */
export type RawControlEvent = { readonly [field: string]: unknown }

export interface UpcastStep {
  /** The version this step reads; it writes version `from + 1`. */
  readonly from: number
  /** What changed, for people reading the chain. */
  readonly change: string
  /** A fresh rewriter for one log, called on each of its control events in seq order. */
  readonly start: () => (event: RawControlEvent) => RawControlEvent
}

/**
 * 1 → 2: NegotiationStarted gains `queueLength`, the localities still waiting for a slot once this
 * one has it. Every locality joins the centre's queue with a NegotiationQueued event and leaves it
 * only by a NegotiationStarted, so the backlog after a start is (queued − started) so far: version-1
 * logs get exactly the value a version-2 engine writes (test/upcast.properties.test.ts).
 */
const negotiationStartedQueueLength: UpcastStep = {
  from: 1,
  change: "NegotiationStarted gains queueLength (localities still waiting for a slot once this one has it)",
  start: () => {
    let waiting = 0
    return (e) => {
      if (e["_tag"] === "NegotiationQueued") waiting++
      else if (e["_tag"] === "NegotiationStarted") {
        // Only a hand-made log starts a negotiation it never queued: count it as jumping no queue.
        waiting = Math.max(0, waiting - 1)
        if (!("queueLength" in e)) return { ...e, queueLength: waiting }
      }
      return e
    }
  }
}

/**
 * 2 → 3: a version-3 log ends at the horizon with RunEnded, which holds the queue's projection
 * beyond it. A version-2 log has no RunEnded: its queue ran until it was empty, and its events at or
 * after `months` (deals, failures, starts) are that projection, written as events. No event changes
 * shape but ProgrammeStarted, whose effect terms a version-2 log did not record (null: claims, and so
 * capped savings, are unknown for it); readers judge both the same way, by time against the horizon (a deal at t >= months is
 * projected, never reached), so a version-2 log gives the figures a version-3 log of the same run does.
 */
const runEndsAtHorizon: UpcastStep = {
  from: 2,
  change: "the log ends at the horizon with RunEnded (a version-2 log's events at or after it are read as the queue's projection); ProgrammeStarted gains cohort and effects, RunStarted coverage (null: not recorded) and appraisalDiscounting (the Green Book's)",
  start: () => (e) =>
    e["_tag"] === "ProgrammeStarted" && !("effects" in e)
      ? { ...e, cohort: null, effects: null }
      : e["_tag"] === "RunStarted" && !("coverage" in e)
        ? { ...e, coverage: null, appraisalDiscounting: "green_book" }
        : e
}

/**
 * 3 → 4: tiers, personal budgets, agreed outcomes, running costs and the centre's capacity schedule add only optional fields and
 * new kinds, so a version-3 log reads as it stands: a version-4 engine writes the same events for a
 * scenario without them.
 */
const issue17Additions: UpcastStep = {
  from: 3,
  change: "RunStarted may hold tiers and runningCosts, DealAgreed an envelope, an effect an outcome; RunEnded optional capacities; new kinds BudgetPassedDown, PersonalBudgetsOffered, OutcomesAgreed, CapacityChanged (all optional or new: nothing to rewrite)",
  start: () => (e) => e
}

/** The chain, in version order: UPCAST_STEPS[i].from === i + 1. */
export const UPCAST_STEPS: ReadonlyArray<UpcastStep> = [negotiationStartedQueueLength, runEndsAtHorizon, issue17Additions]

/**
 * A rewriter for one log of version `fromVersion`: feed it the log's control events in seq order;
 * it returns each in the current version's shape (the event itself when nothing changes). Throws a
 * RangeError for a version this engine does not know (below 1, or newer than EVENT_SCHEMA_VERSION).
 */
export const upcaster = (fromVersion: number): ((event: RawControlEvent) => RawControlEvent) => {
  if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > EVENT_SCHEMA_VERSION) {
    throw new RangeError(`event schema version ${fromVersion}: this engine reads versions 1 to ${EVENT_SCHEMA_VERSION}`)
  }
  const steps = UPCAST_STEPS.slice(fromVersion - 1).map((s) => s.start())
  if (steps.length === 0) return (e) => e
  return (e) => {
    let x = e
    for (const step of steps) x = step(x)
    return x
  }
}

/** Upcasts a whole log's control events (in seq order) from `fromVersion` to the current version. */
export const upcastEvents = (events: ReadonlyArray<RawControlEvent>, fromVersion: number): Array<RawControlEvent> => {
  const up = upcaster(fromVersion)
  return events.map(up)
}
