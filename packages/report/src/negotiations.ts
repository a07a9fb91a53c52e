import type { EventLog } from "@devosim/core"
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
  readonly outcome: "deal" | "abandoned" | "unfinished"
}

export interface CentreFigures {
  readonly capacity: number
  /** When the centre's last negotiation ended (months since start; 0 if none). */
  readonly makespan: number
  readonly mean_wait: number
  /** The most negotiations in progress at once, over half-open intervals [start, end). */
  readonly max_concurrent: number
  readonly negotiations_started: number
  readonly deals: number
  readonly failures: number
}

/** Projects the negotiation figures from the log's control events. */
export const negotiationFigures = (log: EventLog): { negotiations: Array<NegotiationRecord>; centre: CentreFigures } => {
  const run = log.controls[0]
  if (run === undefined || run._tag !== "RunStarted") throw new Error("a log starts with RunStarted")
  interface Acc {
    eligible: number
    start: number
    deal: number | null
    attempts: number
    outcome: NegotiationRecord["outcome"]
    queued: boolean
  }
  const acc = new Map<string, Acc>()
  const intervals: Array<[number, number]> = []
  const open = new Map<string, number>()
  let makespan = 0
  let started = 0
  let failures = 0
  for (const e of log.controls) {
    switch (e._tag) {
      case "NegotiationQueued": {
        const a = acc.get(e.locality) ?? { eligible: e.t, start: Number.NaN, deal: null, attempts: 0, outcome: "unfinished", queued: true }
        a.eligible = e.t
        acc.set(e.locality, a)
        break
      }
      case "NegotiationStarted": {
        const a = acc.get(e.locality)!
        a.start = e.t
        a.attempts = e.attempt
        open.set(e.locality, e.t)
        started++
        break
      }
      case "NegotiationFailed":
      case "DealAgreed": {
        const a = acc.get(e.locality)!
        intervals.push([open.get(e.locality)!, e.t])
        open.delete(e.locality)
        if (e.t > makespan) makespan = e.t
        if (e._tag === "DealAgreed") {
          a.deal = e.t
          a.outcome = "deal"
        } else {
          failures++
          if (e.retryAt === null) a.outcome = "abandoned"
        }
        break
      }
      default:
        break
    }
  }
  const negotiations: Array<NegotiationRecord> = []
  for (const l of run.localities) {
    const a = acc.get(l.id)
    if (a === undefined || Number.isNaN(a.start)) continue
    negotiations.push({
      locality: l.id,
      tranche: l.tranche,
      population: l.population,
      eligible: a.eligible,
      start: a.start,
      deal: a.deal,
      wait: a.start - a.eligible,
      attempts: a.attempts,
      outcome: a.outcome
    })
  }
  // Summed in code-point order of ids, so the mean does not depend on the order of the file.
  let waitSum = 0
  for (const n of [...negotiations].sort((a, b) => compareCodePoints(a.locality, b.locality))) waitSum += n.wait
  return {
    negotiations,
    centre: {
      capacity: run.capacity,
      makespan,
      mean_wait: negotiations.length === 0 ? 0 : waitSum / negotiations.length,
      max_concurrent: maxConcurrent(intervals),
      negotiations_started: started,
      deals: negotiations.filter((n) => n.outcome === "deal").length,
      failures
    }
  }
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
