import type { ControlEvent, EventLog, ProjectedNegotiation, RunStarted } from "@devosim/core"
import { compareCodePoints } from "@devosim/core"

/** One locality's way through the centre's queue, as `summary.json` reports it. */
export interface NegotiationRecord {
  readonly locality: string
  readonly tranche: string
  readonly population: number
  /** When the locality last joined the queue (its final attempt). */
  readonly eligible: number
  readonly start: number
  /** When the deal landed; null if it never did. */
  readonly deal: number | null
  readonly wait: number
  readonly attempts: number
  /**
   * Judged at the end of the run (t = months): `deal` (landed at t < months), `failed` (attempts
   * exhausted within the run), `negotiating` (started before the end, deal after), `queued`
   * (eligible before the end, not started), `not_eligible` (eligible at or after the end). The times
   * above are the queue's own at this capacity, projected beyond the end where the run stops.
   */
  readonly outcome: NegotiationOutcome
}

export type NegotiationOutcome = "deal" | "failed" | "negotiating" | "queued" | "not_eligible"

export interface CentreFigures {
  readonly capacity: number
  /** When the centre's last negotiation ended (months since start; 0 if none). */
  readonly makespan: number
  readonly mean_wait: number
  /** The most negotiations in progress at once, over half-open intervals [start, end). */
  readonly max_concurrent: number
  readonly negotiations_started: number
  /** Deals within the run (t < months). */
  readonly deals: number
  readonly failures: number
  /** The queue's makespan is after the run's end: some deals are only projected. */
  readonly makespan_after_end: boolean
  /** Localities still open when the run ends. */
  readonly open_at_end: { readonly negotiating: number; readonly queued: number; readonly not_eligible: number }
}

interface Acc {
  eligible: number
  start: number
  deal: number | null
  attempts: number
  /** When its last attempt failed with no retry; null while it may still get a deal. */
  failedAt: number | null
  /** RunEnded's word for it (version 3 logs); otherwise judged by its times. */
  status: ProjectedNegotiation["status"] | null
}

/**
 * The negotiation figures as a fold over control events (`add` each, in seq order, then `finish`):
 * O(localities) memory, whatever the length of the log.
 */
export class NegotiationsBuilder {
  readonly run: RunStarted
  private readonly acc = new Map<string, Acc>()
  private readonly intervals: Array<[number, number]> = []
  private readonly open = new Map<string, number>()
  private makespan = 0
  private capacity: number
  private readonly trancheOf = new Map<string, string>()
  private started = 0
  private failures = 0

  constructor(run: RunStarted) {
    this.run = run
    this.capacity = run.capacity
  }

  add(e: ControlEvent): void {
    const { acc, open } = this
    switch (e._tag) {
      case "NegotiationQueued": {
        const a = acc.get(e.locality) ?? { eligible: e.t, start: Number.NaN, deal: null, attempts: 0, failedAt: null, status: null }
        a.eligible = e.t
        acc.set(e.locality, a)
        break
      }
      case "NegotiationStarted": {
        const a = acc.get(e.locality)!
        a.start = e.t
        a.attempts = e.attempt
        open.set(e.locality, e.t)
        this.started++
        break
      }
      case "NegotiationFailed":
      case "DealAgreed": {
        const a = acc.get(e.locality)!
        this.intervals.push([open.get(e.locality)!, e.t])
        open.delete(e.locality)
        if (e.t > this.makespan) this.makespan = e.t
        if (e._tag === "DealAgreed") a.deal = e.t
        else {
          if (e.t < this.run.months) this.failures++
          if (e.retryAt === null) a.failedAt = e.t
        }
        break
      }
      case "ScenarioAmended":
        // A fork: its capacity and moved tranches are what its figures report.
        this.capacity = e.capacity
        for (const x of e.tranches) this.trancheOf.set(x.locality, x.tranche)
        break
      case "RunEnded": {
        // The queue beyond the horizon, as the centre projected it.
        for (const o of e.open) {
          acc.set(o.locality, { eligible: o.eligible ?? Number.NaN, start: o.start ?? Number.NaN, deal: o.deal, attempts: o.attempts, failedAt: o.failed ? Number.POSITIVE_INFINITY : null, status: o.status })
          open.delete(o.locality)
        }
        for (const [s, end] of e.intervals) {
          this.intervals.push([s, end])
          if (end > this.makespan) this.makespan = end
        }
        break
      }
      default:
        break
    }
  }

  finish(): { negotiations: Array<NegotiationRecord>; centre: CentreFigures } {
    const { run, acc } = this
    const negotiations: Array<NegotiationRecord> = []
    let deals = 0
    const months = run.months
    const openAtEnd = { negotiating: 0, queued: 0, not_eligible: 0 }
    for (const l of run.localities) {
      const a = acc.get(l.id)
      if (a === undefined || Number.isNaN(a.start)) continue
      // Judged at the end of the run by the queue's times (a version-2 log's events beyond the horizon included).
      const outcome: NegotiationOutcome =
        a.status !== null
          ? a.status
          : a.deal !== null && a.deal < months
            ? "deal"
            : a.failedAt !== null && a.failedAt < months
              ? "failed"
              : a.start < months
                ? "negotiating"
                : a.eligible < months
                  ? "queued"
                  : "not_eligible"
      if (outcome === "deal") deals++
      else if (outcome !== "failed") openAtEnd[outcome]++
      negotiations.push({
        locality: l.id,
        tranche: this.trancheOf.get(l.id) ?? l.tranche,
        population: l.population,
        eligible: a.eligible,
        start: a.start,
        deal: a.deal,
        wait: a.start - a.eligible,
        attempts: a.attempts,
        outcome
      })
    }
    // Summed in code-point order of ids, so the mean does not depend on the order of the file.
    let waitSum = 0
    for (const n of [...negotiations].sort((a, b) => compareCodePoints(a.locality, b.locality))) waitSum += n.wait
    return {
      negotiations,
      centre: {
        capacity: this.capacity,
        makespan: this.makespan,
        mean_wait: negotiations.length === 0 ? 0 : waitSum / negotiations.length,
        max_concurrent: maxConcurrent(this.intervals),
        negotiations_started: this.started,
        deals,
        failures: this.failures,
        makespan_after_end: this.makespan >= months,
        open_at_end: openAtEnd
      }
    }
  }
}

/** Projects the negotiation figures from the log's control events. */
export const negotiationFigures = (log: EventLog): { negotiations: Array<NegotiationRecord>; centre: CentreFigures } => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  const b = new NegotiationsBuilder(run)
  for (const e of log.controls) b.add(e)
  return b.finish()
}

/** Sweep over half-open intervals: an interval ending at t does not overlap one starting at t; empty ones never count. */
export const maxConcurrent = (intervals: ReadonlyArray<readonly [number, number]>): number => {
  const points: Array<[number, number]> = []
  for (const [s, e] of intervals) {
    if (e > s) {
      points.push([s, 1])
      points.push([e, -1])
    }
  }
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  let cur = 0
  let max = 0
  for (const [, d] of points) {
    cur += d
    if (cur > max) max = cur
  }
  return max
}
