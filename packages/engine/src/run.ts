import type { ControlEvent, EventLog, Scenario, State } from "@devosim/core"
import {
  agencyAccount,
  compareCodePoints,
  departmentAccount,
  draw,
  ENGINE_VERSION,
  evolve,
  financialYearBlocks,
  financialYearLabel,
  formatYearMonth,
  initialState,
  post,
  PostingBuffer,
  shareOf,
  spbAccount,
  streamFor,
  TREASURY,
  worldAccount
} from "@devosim/core"
import type { RandomStream } from "@devosim/core"
import { Scheduler } from "./scheduler.ts"
import { Baselines } from "./spending.ts"

/**
 * What can happen at one instant, in the order it happens (the scheduler's `priority`).
 * A slot freed at t is usable at t (DESIGN §3.2): negotiations end before the queue is served.
 */
export const Priority = {
  TrancheOpens: 1,
  EnvelopeSettles: 2,
  NegotiationEnds: 3,
  LocalityJoinsQueue: 4,
  CentreServesQueue: 5,
  PeriodSpends: 6
} as const

type Trigger =
  | { readonly kind: "TrancheOpens"; readonly tranche: number }
  | { readonly kind: "EnvelopeSettles"; readonly fy: number; readonly from: number; readonly to: number }
  | { readonly kind: "LocalityJoinsQueue"; readonly locality: number; readonly attempt: number }
  | { readonly kind: "CentreServesQueue" }
  | { readonly kind: "NegotiationEnds"; readonly locality: number; readonly attempt: number; readonly fails: boolean }
  | { readonly kind: "PeriodSpends"; readonly period: number }

export interface RunResult {
  readonly log: EventLog
  readonly state: State
}

/**
 * Runs a scenario: decides events from triggers and the state, and folds each event into the
 * state as it is emitted (decide → evolve). Pure: same scenario, same log, bit for bit.
 */
export const runScenario = (sc: Scenario): RunResult => {
  const L = sc.localities.length
  const A = sc.agencies.length
  const layout = { localityCount: L, agencyCount: A }

  // Code-point rank of each locality: the queue's tie-break and the scheduler's.
  const byId = [...sc.localities.keys()].sort((a, b) => compareCodePoints(sc.localities[a]!.id, sc.localities[b]!.id))
  const rank = new Int32Array(L)
  byId.forEach((loc, r) => (rank[loc] = r))

  const controls: Array<ControlEvent> = []
  const postings = new PostingBuffer(1024)
  let seq = 0

  const runStarted: ControlEvent = {
    _tag: "RunStarted",
    seq: seq++,
    t: 0,
    engineVersion: ENGINE_VERSION,
    scenario: sc.name,
    seed: sc.seed,
    start: formatYearMonth(sc.start),
    months: sc.months,
    capacity: sc.centre.capacity,
    tranches: sc.tranches.map((t) => ({ id: t.id, opens: t.opens })),
    agencies: sc.agencies.map((a) => ({ id: a.id, name: a.name })),
    localities: sc.localities.map((l) => ({ id: l.id, name: l.name, population: l.population, tranche: sc.tranches[l.tranche]!.id }))
  }
  controls.push(runStarted)
  const state = initialState(runStarted)

  const emit = (e: ControlEvent): number => {
    controls.push(e)
    evolve(state, e)
    seq++
    return e.seq
  }
  const transfer = (t: number, from: number, to: number, amount: number, cause: number): void => {
    if (amount === 0) return
    postings.push(seq++, t, from, to, amount, cause)
    post(state.balances, from, to, amount)
    state.applied++
  }

  const durationDraws: Array<RandomStream | undefined> = new Array(L)
  const outcomeDraws: Array<RandomStream | undefined> = new Array(L)
  const durationStream = (i: number) => (durationDraws[i] ??= streamFor(sc.seed, sc.localities[i]!.id, "negotiation-duration"))
  const outcomeStream = (i: number) => (outcomeDraws[i] ??= streamFor(sc.seed, sc.localities[i]!.id, "negotiation-outcome"))

  const agenda = new Scheduler<Trigger>()
  // Localities waiting for a slot, served in (eligible time, code-point rank) order.
  const waiting = new Scheduler<{ readonly locality: number; readonly attempt: number }>()
  let serveScheduledAt = Number.NaN
  const serveQueueAt = (t: number) => {
    if (serveScheduledAt === t) return
    serveScheduledAt = t
    agenda.schedule(t, Priority.CentreServesQueue, -1, { kind: "CentreServesQueue" })
  }

  sc.tranches.forEach((tr, k) => agenda.schedule(tr.opens, Priority.TrancheOpens, k, { kind: "TrancheOpens", tranche: k }))
  sc.localities.forEach((l, i) => {
    const eligible = Math.max(l.ready, sc.tranches[l.tranche]!.opens)
    agenda.schedule(eligible, Priority.LocalityJoinsQueue, rank[i]!, { kind: "LocalityJoinsQueue", locality: i, attempt: 1 })
  })

  const baselines = new Baselines(sc)
  if (A > 0) {
    for (const b of financialYearBlocks(sc.start, sc.months)) {
      agenda.schedule(b.from, Priority.EnvelopeSettles, -1, { kind: "EnvelopeSettles", fy: b.fy, from: b.from, to: b.to })
    }
    for (let m = 0; m < sc.months; m++) agenda.schedule(m, Priority.PeriodSpends, -1, { kind: "PeriodSpends", period: m })
  }

  for (let next = agenda.next(); next !== undefined; next = agenda.next()) {
    const { t, trigger } = next
    switch (trigger.kind) {
      case "TrancheOpens":
        emit({ _tag: "TrancheOpened", seq, t, tranche: sc.tranches[trigger.tranche]!.id })
        break

      case "EnvelopeSettles": {
        const cause = emit({
          _tag: "EnvelopesSettled",
          seq,
          t,
          financialYear: financialYearLabel(trigger.fy),
          fromPeriod: trigger.from,
          toPeriod: trigger.to
        })
        for (let i = 0; i < L; i++) {
          for (let a = 0; a < A; a++) {
            transfer(t, TREASURY, departmentAccount(layout, i, a), baselines.over(i, a, trigger.from, trigger.to), cause)
          }
        }
        break
      }

      case "LocalityJoinsQueue": {
        const { locality, attempt } = trigger
        emit({ _tag: "NegotiationQueued", seq, t, locality: sc.localities[locality]!.id, attempt })
        waiting.schedule(t, 0, rank[locality]!, { locality, attempt })
        serveQueueAt(t)
        break
      }

      case "CentreServesQueue": {
        serveScheduledAt = Number.NaN
        while (state.activeNegotiations < sc.centre.capacity && waiting.size > 0) {
          const { locality, attempt } = waiting.next()!.trigger
          const terms = sc.localities[locality]!.negotiation
          const duration = draw(terms.duration, durationStream(locality))
          const fails = terms.failProbability > 0 && outcomeStream(locality).next() < terms.failProbability
          emit({ _tag: "NegotiationStarted", seq, t, locality: sc.localities[locality]!.id, attempt, duration })
          agenda.schedule(t + duration, Priority.NegotiationEnds, rank[locality]!, { kind: "NegotiationEnds", locality, attempt, fails })
        }
        break
      }

      case "NegotiationEnds": {
        const { locality, attempt } = trigger
        const l = sc.localities[locality]!
        if (trigger.fails) {
          const retry = attempt < l.negotiation.maxAttempts
          const retryAt = retry ? t + l.negotiation.coolOffMonths : null
          emit({ _tag: "NegotiationFailed", seq, t, locality: l.id, attempt, retryAt })
          if (retryAt !== null) {
            agenda.schedule(retryAt, Priority.LocalityJoinsQueue, rank[locality]!, { kind: "LocalityJoinsQueue", locality, attempt: attempt + 1 })
          }
        } else {
          // Lines pool from the first whole period after the deal lands.
          const pooledFrom = Math.ceil(t)
          emit({
            _tag: "DealAgreed",
            seq,
            t,
            locality: l.id,
            attempt,
            pooledAgencies: sc.deal.pooledAgencies.map((a) => sc.agencies[a]!.id),
            reductionBasisPoints: sc.deal.reductionBasisPoints,
            pooledFrom,
            pooledTo: pooledFrom + sc.deal.horizonMonths
          })
        }
        serveQueueAt(t)
        break
      }

      case "PeriodSpends": {
        const m = trigger.period
        const cause = emit({ _tag: "PeriodSpent", seq, t, period: m })
        for (let i = 0; i < L; i++) {
          const ls = state.localities[i]!
          const pooledNow = ls.status === "deal" && m >= ls.pooledFrom && m < ls.pooledTo
          const spb = spbAccount(layout, i)
          const world = worldAccount(layout, i)
          for (let a = 0; a < A; a++) {
            const b = baselines.monthly(i, a, m)
            if (b === 0) continue
            const dept = departmentAccount(layout, i, a)
            const agency = agencyAccount(layout, i, a)
            if (pooledNow && ls.pooledAgencies.includes(a)) {
              // 'More for less': the line is paid through the SPB, which returns the reduction.
              const reduction = shareOf(b, ls.reductionBasisPoints)
              transfer(t, dept, spb, b, cause)
              transfer(t, spb, TREASURY, reduction, cause)
              transfer(t, spb, agency, b - reduction, cause)
              transfer(t, agency, world, b - reduction, cause)
            } else {
              transfer(t, dept, agency, b, cause)
              transfer(t, agency, world, b, cause)
            }
          }
        }
        break
      }

      default: {
        const never: never = trigger
        throw new Error(`unknown trigger ${JSON.stringify(never)}`)
      }
    }
  }

  return { log: { controls, postings: postings.seal() }, state }
}
