import type { ControlEvent, EventLog, ProjectedNegotiation, RunStarted } from "@devosim/core"
import { codePointOrder, lengthened } from "@devosim/core"

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
  /** The capacity the run starts with (a fork's: the amended scenario's at the fork). */
  readonly capacity: number
  /**
   * The capacity over time, when it changes (the scenario's `centre.schedule`): `capacity` from
   * month `from` on, the first from 0; changes at or after the end are the queue's projection.
   * Absent when the capacity never changes.
   */
  readonly capacity_schedule?: ReadonlyArray<CapacityInForce>
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

export interface CapacityInForce {
  readonly from: number
  readonly capacity: number
}

/** RunEnded's word for a locality, by index; -1: none (judged by its times). */
const PROJECTED_STATUS: ReadonlyArray<ProjectedNegotiation["status"]> = ["negotiating", "queued", "not_eligible"]

/**
 * The negotiation figures as a fold over control events (`add` each, in seq order, then `finish`):
 * O(localities) memory, whatever the length of the log, held in typed arrays by locality index.
 */
export class NegotiationsBuilder {
  readonly run: RunStarted
  /** Locality ids to indices, made when an event comes without a hint. */
  private indexMap: Map<string, number> | undefined
  /** The locality has been in the queue (or RunEnded projected it). */
  private readonly seen: Uint8Array
  /** When it last joined the queue. */
  private readonly eligible: Float64Array
  /** Start of its current or last negotiation (NaN: none). */
  private readonly start: Float64Array
  /** When its deal landed (NaN: none). */
  private readonly deal: Float64Array
  private readonly attempts: Int32Array
  /** When its last attempt failed with no retry (NaN while it may still get a deal). */
  private readonly failedAt: Float64Array
  /** Index into PROJECTED_STATUS (version 3 logs' RunEnded), -1: judged by its times. */
  private readonly status: Int8Array
  /** Negotiation intervals [start, end), as pairs. */
  private intervals = new Float64Array(256)
  private intervalCount = 0
  private makespan = 0
  private capacity: number
  /** The capacity over time: [from, capacity] pairs, the first from 0. */
  private readonly schedule: Array<CapacityInForce>
  /** Some CapacityChanged (or a projected change) came: the schedule is reported. */
  private scheduled = false
  private readonly trancheOf = new Map<string, string>()
  private started = 0
  private failures = 0

  constructor(run: RunStarted) {
    this.run = run
    this.capacity = run.capacity
    this.schedule = [{ from: 0, capacity: run.capacity }]
    const L = run.localities.length
    this.seen = new Uint8Array(L)
    this.eligible = new Float64Array(L).fill(Number.NaN)
    this.start = new Float64Array(L).fill(Number.NaN)
    this.deal = new Float64Array(L).fill(Number.NaN)
    this.attempts = new Int32Array(L)
    this.failedAt = new Float64Array(L).fill(Number.NaN)
    this.status = new Int8Array(L).fill(-1)
  }

  private indexOf(id: string): number | undefined {
    this.indexMap ??= new Map(this.run.localities.map((l, i) => [l.id, i]))
    return this.indexMap.get(id)
  }

  /** The capacity becomes `capacity` from `t` (a change at the time of the last replaces it). */
  private capacityFrom(t: number, capacity: number): void {
    const last = this.schedule[this.schedule.length - 1]!
    if (last.from === t) this.schedule[this.schedule.length - 1] = { from: t, capacity }
    else this.schedule.push({ from: t, capacity })
  }

  private interval(from: number, to: number): void {
    if (2 * this.intervalCount + 2 > this.intervals.length) this.intervals = lengthened(this.intervals, 2 * this.intervals.length)
    this.intervals[2 * this.intervalCount] = from
    this.intervals[2 * this.intervalCount + 1] = to
    this.intervalCount++
  }

  /** `hint`: the index of the event's locality when the caller knows it (checked by `localityHint`), else -1. */
  add(e: ControlEvent, hint = -1): void {
    switch (e._tag) {
      case "NegotiationQueued": {
        const i = hint >= 0 ? hint : this.indexOf(e.locality)
        if (i === undefined) break
        this.seen[i] = 1
        this.eligible[i] = e.t
        break
      }
      case "NegotiationStarted": {
        const i = hint >= 0 ? hint : this.indexOf(e.locality)
        if (i === undefined) break
        this.start[i] = e.t
        this.attempts[i] = e.attempt
        this.started++
        break
      }
      case "NegotiationFailed":
      case "DealAgreed": {
        const i = hint >= 0 ? hint : this.indexOf(e.locality)
        if (i === undefined) break
        // The negotiation that ends here started at the locality's last start.
        this.interval(this.start[i]!, e.t)
        if (e.t > this.makespan) this.makespan = e.t
        if (e._tag === "DealAgreed") this.deal[i] = e.t
        else {
          if (e.t < this.run.months) this.failures++
          if (e.retryAt === null) this.failedAt[i] = e.t
        }
        break
      }
      case "ScenarioAmended":
        // A fork: its capacity and moved tranches are what its figures report.
        this.capacity = e.capacity
        this.capacityFrom(e.t, e.capacity)
        for (const x of e.tranches) this.trancheOf.set(x.locality, x.tranche)
        break
      case "CapacityChanged":
        this.scheduled = true
        this.capacityFrom(e.t, e.capacity)
        break
      case "RunEnded": {
        // The queue beyond the horizon, as the centre projected it.
        for (const o of e.open) {
          const i = this.indexOf(o.locality)
          if (i === undefined) continue
          this.seen[i] = 1
          this.eligible[i] = o.eligible ?? Number.NaN
          this.start[i] = o.start ?? Number.NaN
          this.deal[i] = o.deal ?? Number.NaN
          this.attempts[i] = o.attempts
          this.failedAt[i] = o.failed ? Number.POSITIVE_INFINITY : Number.NaN
          this.status[i] = PROJECTED_STATUS.indexOf(o.status)
        }
        for (const [s, end] of e.intervals) {
          this.interval(s, end)
          if (end > this.makespan) this.makespan = end
        }
        for (const [t, capacity] of e.capacities ?? []) {
          this.scheduled = true
          this.capacityFrom(t, capacity)
        }
        break
      }
      default:
        break
    }
  }

  finish(): { negotiations: Array<NegotiationRecord>; centre: CentreFigures } {
    const { run, seen, eligible, start, deal, attempts, failedAt, status } = this
    const negotiations: Array<NegotiationRecord> = []
    let deals = 0
    const months = run.months
    const openAtEnd = { negotiating: 0, queued: 0, not_eligible: 0 }
    run.localities.forEach((l, i) => {
      if (seen[i] === 0 || Number.isNaN(start[i]!)) return
      const a = start[i]!
      // Judged at the end of the run by the queue's times (a version-2 log's events beyond the horizon included).
      const outcome: NegotiationOutcome =
        status[i]! >= 0
          ? PROJECTED_STATUS[status[i]!]!
          : deal[i]! < months
            ? "deal"
            : failedAt[i]! < months
              ? "failed"
              : a < months
                ? "negotiating"
                : eligible[i]! < months
                  ? "queued"
                  : "not_eligible"
      if (outcome === "deal") deals++
      else if (outcome !== "failed") openAtEnd[outcome]++
      negotiations.push({
        locality: l.id,
        tranche: this.trancheOf.get(l.id) ?? l.tranche,
        population: l.population,
        eligible: eligible[i]!,
        start: a,
        deal: Number.isNaN(deal[i]!) ? null : deal[i]!,
        wait: a - eligible[i]!,
        attempts: attempts[i]!,
        outcome
      })
    })
    // Summed in code-point order of ids, so the mean does not depend on the order of the file.
    let waitSum = 0
    for (const i of codePointOrder(run.localities.map((l) => l.id))) {
      if (seen[i] === 1 && !Number.isNaN(start[i]!)) waitSum += start[i]! - eligible[i]!
    }
    return {
      negotiations,
      centre: {
        capacity: this.capacity,
        // Only when the capacity changes over time: every other summary stays as it was.
        ...(this.scheduled ? { capacity_schedule: this.schedule } : {}),
        makespan: this.makespan,
        mean_wait: negotiations.length === 0 ? 0 : waitSum / negotiations.length,
        max_concurrent: maxConcurrent(this.intervals.subarray(0, 2 * this.intervalCount)),
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

/**
 * Sweep over half-open intervals [start, end) given as pairs: an interval ending at t does not
 * overlap one starting at t; empty ones never count. Starts and ends are sorted apart (typed
 * arrays sort natively) and merged, ends first at a tie.
 */
export const maxConcurrent = (pairs: Float64Array): number => {
  const n = pairs.length >> 1
  const starts = new Float64Array(n)
  const ends = new Float64Array(n)
  let k = 0
  for (let i = 0; i < n; i++) {
    const s = pairs[2 * i]!
    const e = pairs[2 * i + 1]!
    if (e > s) {
      starts[k] = s
      ends[k] = e
      k++
    }
  }
  const a = starts.subarray(0, k).sort()
  const b = ends.subarray(0, k).sort()
  let cur = 0
  let max = 0
  for (let i = 0, j = 0; i < k; ) {
    if (b[j]! <= a[i]!) {
      cur--
      j++
    } else {
      cur++
      i++
      if (cur > max) max = cur
    }
  }
  return max
}
