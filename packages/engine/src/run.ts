import type { ControlEvent, EventLog, Scenario, State } from "@devosim/core"
import {
  ACCOUNTABILITY_LEVELS,
  agencyAccount,
  compareCodePoints,
  departmentAccount,
  draw,
  ENGINE_VERSION,
  evolve,
  formatYearMonth,
  initialState,
  isPooled,
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
import { monthlyInvestment, monthlySaving } from "./prevention.ts"
import { Plans, settlementBlocks } from "./spending.ts"

/**
 * What can happen at one instant, in the order it happens (the scheduler's `priority`).
 * A slot freed at t is usable at t (DESIGN §3.2): negotiations end before the queue is served.
 */
export const Priority = {
  TrancheOpens: 1,
  SpendingReviewStarts: 2,
  EnvelopeSettles: 3,
  NegotiationEnds: 4,
  LocalityJoinsQueue: 5,
  CentreServesQueue: 6,
  AccountabilityAdopts: 7,
  SinglePlaceBudgetResets: 8,
  ProgrammeStarts: 9,
  TransferStarts: 10,
  PeriodSpends: 11
} as const

/**
 * `generation` marks triggers derived from the scenario as written (tranches, first joins,
 * envelopes, reviews, programmes, transfers): a fork replaces them with those of its amended
 * scenario, and the stale ones are skipped.
 */
type Trigger =
  | { readonly kind: "TrancheOpens"; readonly tranche: number; readonly generation: number }
  | { readonly kind: "EnvelopeSettles"; readonly label: string; readonly from: number; readonly to: number; readonly generation: number }
  | { readonly kind: "LocalityJoinsQueue"; readonly locality: number; readonly attempt: number; readonly generation: number }
  | { readonly kind: "CentreServesQueue" }
  | { readonly kind: "NegotiationEnds"; readonly locality: number; readonly attempt: number; readonly fails: boolean }
  | { readonly kind: "PeriodSpends"; readonly period: number }
  | { readonly kind: "SpendingReviewStarts"; readonly review: number; readonly generation: number }
  | { readonly kind: "AccountabilityAdopts"; readonly locality: number; readonly level: number; readonly powers: ReadonlyArray<number> }
  | { readonly kind: "SinglePlaceBudgetResets"; readonly locality: number; readonly horizon: number }
  | { readonly kind: "ProgrammeStarts"; readonly programme: number; readonly generation: number }
  | { readonly kind: "TransferStarts"; readonly transfer: number; readonly generation: number }

/** Retries are decided by the run itself, not the scenario: a fork keeps them. */
const ANY_GENERATION = -1

/** Savings effects by (locality, beneficiary line): [programme, effect] pairs, in programme order. */
const effectsByLine = (sc: Scenario): Map<number, Array<readonly [number, number]>> => {
  const A = sc.agencies.length
  const m = new Map<number, Array<readonly [number, number]>>()
  sc.programmes.forEach((p, j) =>
    p.effects.forEach((e, k) => {
      const key = p.locality * A + e.beneficiary
      m.set(key, [...(m.get(key) ?? []), [j, k] as const])
    })
  )
  return m
}

export interface RunResult {
  readonly log: EventLog
  readonly state: State
  /** Where a fork switched to its amended scenario: the first event decided with it. */
  readonly forkedAt: { readonly seq: number; readonly t: number } | null
}

/**
 * A what-if fork: decide with `scenario` from the fork point on (the first trigger boundary at or
 * after event `atSeq`, or at or after time `atTime`). Everything before is decided exactly as in
 * the parent run, so the fork's log shares the parent's prefix. The amended scenario must keep the
 * parent's start, months, seed, localities, agencies and tranches (their fields may change).
 */
export interface Fork {
  readonly scenario: Scenario
  readonly atSeq?: number
  readonly atTime?: number
}

/**
 * Runs a scenario: decides events from triggers and the state, and folds each event into the
 * state as it is emitted (decide → evolve). Pure: same scenario, same log, bit for bit.
 */
export const runScenario = (original: Scenario, options: { readonly fork?: Fork } = {}): RunResult => {
  let sc = original
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
    localities: sc.localities.map((l) => ({
      id: l.id,
      name: l.name,
      population: l.population,
      tranche: sc.tranches[l.tranche]!.id,
      accountabilityLevel: l.accountability.level
    })),
    discountRateBasisPoints: sc.discountRateBasisPoints
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

  let generation = 0
  // What the scenario derives: rebuilt when a fork switches to its amended scenario.
  let plans = new Plans(sc)
  let effectsOn = effectsByLine(sc)
  // The control event that started each programme and transfer (by id): the cause of their postings.
  const started = { programme: new Map<string, number>(), transfer: new Map<string, number>(), review: new Set<string>() }
  // Envelopes are settled for periods [0, settledTo).
  let settledTo = 0

  const scheduleFromScenario = (from: number, firstPeriod: number) => {
    sc.tranches.forEach((tr, k) => {
      if (!state.tranchesOpen[k]) agenda.schedule(Math.max(tr.opens, from), Priority.TrancheOpens, k, { kind: "TrancheOpens", tranche: k, generation })
    })
    sc.localities.forEach((l, i) => {
      const ls = state.localities[i]!
      if (ls.attempts > 0 || ls.status !== "waiting" || !Number.isNaN(ls.eligible)) return
      const eligible = Math.max(l.ready, sc.tranches[l.tranche]!.opens, from)
      agenda.schedule(eligible, Priority.LocalityJoinsQueue, rank[i]!, { kind: "LocalityJoinsQueue", locality: i, attempt: 1, generation })
    })
    if (A > 0) {
      for (const b of settlementBlocks(sc)) {
        if (b.from >= Math.max(firstPeriod, settledTo)) {
          agenda.schedule(b.from, Priority.EnvelopeSettles, -1, { kind: "EnvelopeSettles", label: b.label, from: b.from, to: b.to, generation })
        }
      }
    }
    sc.spendingReviews.forEach((r, k) => {
      if (!started.review.has(r.id) && r.starts + r.months > firstPeriod) {
        agenda.schedule(Math.max(r.starts, from), Priority.SpendingReviewStarts, k, { kind: "SpendingReviewStarts", review: k, generation })
      }
    })
    sc.programmes.forEach((p, j) => {
      if (!started.programme.has(p.id)) {
        agenda.schedule(Math.max(p.starts, from), Priority.ProgrammeStarts, rank[p.locality]!, { kind: "ProgrammeStarts", programme: j, generation })
      }
    })
    sc.transfers.forEach((tr, j) => {
      if (!started.transfer.has(tr.id)) {
        agenda.schedule(Math.max(tr.starts, from), Priority.TransferStarts, rank[tr.locality]!, { kind: "TransferStarts", transfer: j, generation })
      }
    })
  }
  scheduleFromScenario(0, 0)
  if (A > 0) for (let m = 0; m < sc.months; m++) agenda.schedule(m, Priority.PeriodSpends, -1, { kind: "PeriodSpends", period: m })

  /**
   * The fork point: from here on, decide with the amended scenario. Envelopes already settled for
   * periods not yet spent are re-settled to the amended plan (the difference moves between the
   * Treasury and each department), and the scenario-derived agenda is rebuilt.
   */
  const switchTo = (amended: Scenario, t: number) => {
    const firstPeriod = state.lastPeriodSpent + 1
    const before = plans
    sc = amended
    generation++
    plans = new Plans(sc)
    effectsOn = effectsByLine(sc)
    const block = settlementBlocks(sc).find((b) => b.from <= firstPeriod && firstPeriod < b.to)
    // Nothing to re-settle when no envelope covers unspent periods and the amended blocks start here.
    if (A > 0 && block !== undefined && (settledTo > firstPeriod || block.from < firstPeriod)) {
      const resettled = emit({
        _tag: "EnvelopesSettled",
        seq,
        t,
        financialYear: `${block.label} (re-settled)`,
        fromPeriod: firstPeriod,
        toPeriod: block.to
      })
      for (let i = 0; i < L; i++) {
        for (let a = 0; a < A; a++) {
          let diff = 0
          for (let m = firstPeriod; m < settledTo; m++) diff -= before.departmentOutflow(i, a, m)
          for (let m = firstPeriod; m < block.to; m++) diff += plans.departmentOutflow(i, a, m)
          if (diff > 0) transfer(t, TREASURY, departmentAccount(layout, i, a), diff, resettled)
          else transfer(t, departmentAccount(layout, i, a), TREASURY, -diff, resettled)
        }
      }
      settledTo = block.to
    }
    scheduleFromScenario(t, firstPeriod)
    serveQueueAt(t)
  }
  const fork = options.fork
  let forkedAt: { seq: number; t: number } | null = null

  /** Powers of the deal that can go live now, and the ones that wait for stronger accountability. */
  const devolvePowers = (t: number, i: number, fromPeriod: number, powers: ReadonlyArray<number>) => {
    const l = sc.localities[i]!
    for (const k of powers) {
      const power = sc.powers[k]!
      emit({
        _tag: "PowerDevolved",
        seq,
        t,
        locality: l.id,
        power: power.id,
        agencies: power.agencies.map((a) => sc.agencies[a]!.id),
        fromPeriod
      })
    }
  }

  for (let next = agenda.next(); next !== undefined; next = agenda.next()) {
    const { t, trigger } = next
    if (fork !== undefined && forkedAt === null && (fork.atSeq !== undefined ? seq >= fork.atSeq : t >= (fork.atTime ?? 0))) {
      forkedAt = { seq, t }
      switchTo(fork.scenario, t)
    }
    if ("generation" in trigger && trigger.generation !== ANY_GENERATION && trigger.generation !== generation) continue
    switch (trigger.kind) {
      case "TrancheOpens":
        emit({ _tag: "TrancheOpened", seq, t, tranche: sc.tranches[trigger.tranche]!.id })
        break

      case "EnvelopeSettles": {
        const settled = emit({ _tag: "EnvelopesSettled", seq, t, financialYear: trigger.label, fromPeriod: trigger.from, toPeriod: trigger.to })
        for (let i = 0; i < L; i++) {
          for (let a = 0; a < A; a++) {
            let envelope = 0
            for (let m = trigger.from; m < trigger.to; m++) envelope += plans.departmentOutflow(i, a, m)
            transfer(t, TREASURY, departmentAccount(layout, i, a), envelope, settled)
          }
        }
        settledTo = trigger.to
        break
      }

      case "SpendingReviewStarts": {
        const r = sc.spendingReviews[trigger.review]!
        started.review.add(r.id)
        emit({
          _tag: "SpendingReviewSettled",
          seq,
          t,
          review: r.id,
          fromPeriod: r.starts,
          toPeriod: Math.min(sc.months, r.starts + r.months),
          changes: sc.agencies.flatMap((ag, a) => (r.changeBasisPoints[a] ? [{ agency: ag.id, basisPoints: r.changeBasisPoints[a]! }] : []))
        })
        break
      }

      case "ProgrammeStarts": {
        const p = sc.programmes[trigger.programme]!
        started.programme.set(p.id, seq)
        emit({
          _tag: "ProgrammeStarted",
          seq,
          t,
          programme: p.id,
          locality: sc.localities[p.locality]!.id,
          payer: sc.agencies[p.payer]!.id,
          beneficiaries: [...new Set(p.effects.map((e) => sc.agencies[e.beneficiary]!.id))],
          fromPeriod: p.starts,
          toPeriod: p.starts + p.durationMonths
        })
        break
      }

      case "TransferStarts": {
        const tr = sc.transfers[trigger.transfer]!
        started.transfer.set(tr.id, seq)
        emit({
          _tag: "TransferAgreed",
          seq,
          t,
          transfer: tr.id,
          locality: sc.localities[tr.locality]!.id,
          from: sc.agencies[tr.from]!.id,
          to: sc.agencies[tr.to]!.id,
          fromPeriod: tr.starts,
          toPeriod: tr.starts + tr.months
        })
        break
      }

      case "AccountabilityAdopts": {
        const l = sc.localities[trigger.locality]!
        emit({
          _tag: "AccountabilityAdopted",
          seq,
          t,
          locality: l.id,
          model: ACCOUNTABILITY_LEVELS[trigger.level]!,
          level: trigger.level
        })
        devolvePowers(t, trigger.locality, Math.ceil(t), trigger.powers)
        break
      }

      case "SinglePlaceBudgetResets": {
        const ls = state.localities[trigger.locality]!
        const from = Math.ceil(ls.deal) + trigger.horizon * ls.horizonMonths
        emit({
          _tag: "SinglePlaceBudgetReset",
          seq,
          t,
          locality: sc.localities[trigger.locality]!.id,
          horizon: trigger.horizon,
          fromPeriod: from,
          toPeriod: from + ls.horizonMonths
        })
        if (from + ls.horizonMonths < sc.months) {
          agenda.schedule(from + ls.horizonMonths, Priority.SinglePlaceBudgetResets, rank[trigger.locality]!, {
            kind: "SinglePlaceBudgetResets",
            locality: trigger.locality,
            horizon: trigger.horizon + 1
          })
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
          emit({ _tag: "NegotiationStarted", seq, t, locality: sc.localities[locality]!.id, attempt, duration, queueLength: waiting.size })
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
            agenda.schedule(retryAt, Priority.LocalityJoinsQueue, rank[locality]!, { kind: "LocalityJoinsQueue", locality, attempt: attempt + 1, generation: ANY_GENERATION })
          }
        } else {
          // Lines pool from the first whole period after the deal lands.
          const pooledFrom = Math.ceil(t)
          const level = l.accountability.level
          const live = sc.deal.powers.filter((k) => sc.powers[k]!.requiredLevel <= level)
          const waiting = sc.deal.powers.filter((k) => sc.powers[k]!.requiredLevel > level)
          const pooled = sc.powers.length === 0 ? sc.deal.pooledAgencies : [...new Set(live.flatMap((k) => sc.powers[k]!.agencies))]
          emit({
            _tag: "DealAgreed",
            seq,
            t,
            locality: l.id,
            attempt,
            pooledAgencies: [...pooled].sort((x, y) => x - y).map((a) => sc.agencies[a]!.id),
            reductionBasisPoints: sc.deal.reductionBasisPoints,
            gainshareBasisPoints: sc.deal.gainshareBasisPoints,
            pooledFrom,
            horizonMonths: sc.deal.horizonMonths
          })
          devolvePowers(t, locality, pooledFrom, live)
          // Powers that need a stronger model wait for the next election at which the locality adopts one.
          const adoptable = waiting.filter((k) => sc.powers[k]!.requiredLevel <= l.accountability.adopts)
          const election = l.accountability.elections.find((e) => e >= t)
          if (adoptable.length > 0 && election !== undefined) {
            agenda.schedule(election, Priority.AccountabilityAdopts, rank[locality]!, {
              kind: "AccountabilityAdopts",
              locality,
              level: l.accountability.adopts,
              powers: adoptable
            })
          }
          if (pooledFrom + sc.deal.horizonMonths < sc.months) {
            agenda.schedule(pooledFrom + sc.deal.horizonMonths, Priority.SinglePlaceBudgetResets, rank[locality]!, {
              kind: "SinglePlaceBudgetResets",
              locality,
              horizon: 1
            })
          }
        }
        serveQueueAt(t)
        break
      }

      case "PeriodSpends": {
        const m = trigger.period
        const spent = emit({ _tag: "PeriodSpent", seq, t, period: m })
        for (let i = 0; i < L; i++) {
          const ls = state.localities[i]!
          const spb = spbAccount(layout, i)
          const world = worldAccount(layout, i)
          for (let a = 0; a < A; a++) {
            const dept = departmentAccount(layout, i, a)
            const agency = agencyAccount(layout, i, a)
            const pooled = isPooled(ls, a, m)
            // Whoever funds the line this period: its department (silo) or the locality's SPB.
            const funder = pooled ? spb : dept
            const plan = plans.plan(i, a, m)
            transfer(t, dept, pooled ? spb : agency, plan.ownFunding, spent)
            for (const x of plan.transfersIn) {
              transfer(t, departmentAccount(layout, i, x.from), pooled ? spb : agency, x.amount, started.transfer.get(sc.transfers[x.transfer]!.id)!)
            }
            let service = plan.baseline
            if (pooled) {
              // 'More for less': the SPB returns the reduction and funds the line with the rest.
              const reduction = shareOf(plan.baseline, ls.reductionBasisPoints)
              transfer(t, spb, TREASURY, reduction, spent)
              transfer(t, spb, agency, plan.baseline - reduction, spent)
              service -= reduction
            }
            // Realised savings go back to the line's funder; an SPB returns the Treasury's share.
            for (const [j, k] of effectsOn.get(i * A + a) ?? []) {
              const p = sc.programmes[j]!
              const saving = Math.min(service, monthlySaving(p, p.effects[k]!, m))
              if (saving <= 0) continue
              const programme = started.programme.get(p.id)!
              transfer(t, agency, funder, saving, programme)
              if (pooled) transfer(t, spb, TREASURY, saving - shareOf(saving, ls.gainshareBasisPoints), programme)
              service -= saving
            }
            transfer(t, agency, world, service, spent)
            // Prevention investment by this line, funded like the line.
            for (const j of plans.programmesPaidByLine(i, a)) {
              const invest = monthlyInvestment(sc.programmes[j]!, m)
              if (invest === 0) continue
              const programme = started.programme.get(sc.programmes[j]!.id)!
              if (pooled) {
                transfer(t, dept, spb, invest, programme)
                transfer(t, spb, agency, invest, programme)
              } else transfer(t, dept, agency, invest, programme)
              transfer(t, agency, world, invest, programme)
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

  return { log: { controls, postings: postings.seal() }, state, forkedAt }
}
