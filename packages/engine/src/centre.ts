import type { ControlEvent, DealTermsInForce, ProjectedNegotiation, RunStarted, Scenario } from "@devosim/core"
import {
  ACCOUNTABILITY_LEVELS,
  dealTermsOf,
  scenarioDealTerms,
  codePointOrder,
  draw,
  ENGINE_VERSION,
  evolve,
  formatYearMonth,
  initialState,
  MAX_TIME_MONTHS,
  NO_DRAWS,
  poolsAnything,
  streamFor
} from "@devosim/core"
import type { RandomStream } from "@devosim/core"
import { Scheduler } from "./scheduler.ts"
import { settlementBlocks } from "./spending.ts"

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
  // A change of capacity at t applies before the grants at t.
  CapacityChanges: 6,
  CentreServesQueue: 7,
  AccountabilityAdopts: 8,
  SinglePlaceBudgetResets: 9,
  ProgrammeStarts: 10,
  TransferStarts: 11,
  PassDownStarts: 12,
  PersonalBudgetsStart: 13,
  PeriodSpends: 14
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
  | { readonly kind: "PassDownStarts"; readonly passDown: number; readonly generation: number }
  | { readonly kind: "PersonalBudgetsStart"; readonly personalBudget: number; readonly generation: number }
  | { readonly kind: "CapacityChanges"; readonly capacity: number; readonly generation: number }

/** Retries are decided by the run itself, not the scenario: a fork keeps them. */
const ANY_GENERATION = -1

/**
 * Where a slot's postings come from: the control event they follow (its index among the control
 * events), its time, the scenario generation in force (0 = as written, 1 = a fork's amended
 * scenario) and what it moves. Every locality posts its share of a slot, in locality order.
 */
export type PostingSlot =
  | { readonly kind: "settle"; readonly control: number; readonly t: number; readonly generation: number; readonly from: number; readonly to: number }
  | {
      readonly kind: "resettle"
      readonly control: number
      readonly t: number
      readonly generation: number
      /** Periods [firstPeriod, settledTo) were settled under the previous generation; now [firstPeriod, blockTo). */
      readonly firstPeriod: number
      readonly settledTo: number
      readonly blockTo: number
    }
  | {
      readonly kind: "spend"
      readonly control: number
      readonly t: number
      readonly generation: number
      readonly period: number
      /** The centre's running cost this period (pence; present only when the scenario models running costs). */
      readonly centreCostPence?: number
    }

/**
 * The centre's decisions: every control event of the run, in order, and the slots where
 * localities post money. Control events carry their index as a provisional `seq`; the final seqs
 * (which count the postings before them) are given when the localities' postings are merged in.
 * Plain data, so it can be sent to worker threads.
 */
export interface CentreDecisions {
  /** The scenario of each generation: [as written] or [as written, amended by a fork]. */
  readonly scenarios: ReadonlyArray<Scenario>
  readonly controls: ReadonlyArray<ControlEvent>
  /** Each control event's locality index (-1: none), for the log's chunks (`LogChunk.localities`). */
  readonly controlLocalities: Int32Array
  readonly slots: ReadonlyArray<PostingSlot>
  /** Where a fork switched to its amended scenario: the first control event decided with it. */
  readonly forkedAt: { readonly control: number; readonly t: number } | null
}

/**
 * A what-if fork: decide with `scenario` from the fork point on: the first trigger boundary once
 * `atControl` control events have been emitted (see `forkPointOfSeq`), or at or after time
 * `atTime`. Everything before is decided exactly as in the parent run, so the fork's log shares
 * the parent's prefix. The amended scenario must keep the parent's start, months, seed,
 * localities, agencies and tranches (their fields may change).
 */
export interface Fork {
  readonly scenario: Scenario
  readonly atControl?: number
  readonly atTime?: number
}

/**
 * The centre decides first (DESIGN: the centre's events, then the localities in shards): tranches,
 * the negotiation queue, deals and powers, programme and transfer starts, reviews, and the
 * instants at which envelopes are settled and periods spent. Nothing here reads a balance, so the
 * money can be posted afterwards, locality by locality. Pure.
 */
/** The log's first event: what the run is of (a verifier compiles scenario.yaml and compares it with the log's). */
export const runStartedOf = (sc: Scenario): RunStarted => ({
  _tag: "RunStarted",
  seq: 0,
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
  discountRateBasisPoints: sc.discountRateBasisPoints,
  coverage: sc.coverage === undefined ? null : { population: sc.coverage.population, label: sc.coverage.label },
  appraisalDiscounting: sc.appraisalDiscounting ?? "green_book",
  // Only with uncertain inputs: every other log stays byte-identical.
  ...(sc.inputs === undefined ? {} : { inputs: sc.inputs.map((i) => ({ path: i.path, value: i.value })) }),
  // Likewise tiers and running costs (they add accounts).
  ...(sc.tiers === undefined || sc.tiers.length === 0
    ? {}
    : {
        tiers: sc.tiers.map((t) => ({
          id: t.id,
          name: t.name,
          level: t.level,
          locality: sc.localities[t.locality]!.id,
          parent: t.parent < 0 ? null : sc.tiers![t.parent]!.id,
          population: t.population,
          baseline: Array.from({ length: sc.agencies.length }, (_, a) => t.baseline[a] ?? 0)
        }))
      }),
  ...(sc.runningCosts === undefined ? {} : { runningCosts: { ...sc.runningCosts } })
})

const NO_POWERS: ReadonlyArray<number> = []

/**
 * What the queue reads of each locality at every grant, in flat arrays made in one pass: the queue
 * visits localities in no memory order, and a chain of objects per grant (locality, terms,
 * distribution) cost a cache miss at each link.
 */
interface QueueTerms {
  readonly ids: ReadonlyArray<string>
  /** The duration when it is fixed (as `draw` gives it, which takes nothing from a stream); NaN when drawn. */
  readonly fixedDuration: Float64Array
  readonly failProbability: Float64Array
  /** A deal's pooled agency ids when the scenario has no menu of powers (every deal pools these). */
  readonly dealPooledIds: ReadonlyArray<string>
  /** The accountability model each locality starts with (index into ACCOUNTABILITY_LEVELS). */
  readonly level: Int32Array
  /** 1 where the locality negotiated deal terms of its own; the others deal on `scenarioDeal`. */
  readonly ownDeal: Uint8Array
  readonly scenarioDeal: DealTermsInForce
  /** 1 where the drawn duration is adjusted (`durationOf`): the locality's readiness is set, or a power it seeks has a weight. */
  readonly adjusted: Uint8Array
  /** Σ weight_months of the powers the locality seeks (0 where none has a weight). */
  readonly extraMonths: Float64Array
  /** 100 / readiness_pct (1 where readiness is not set). */
  readonly slowness: Float64Array
}

/**
 * A negotiation's duration: the draw, plus the months the powers sought add, stretched by how
 * unready the locality is: (draw + Σ weight_months) × 100 / readiness_pct, capped like a draw.
 * Only where the scenario sets one of them (`adjusted`), so other runs keep their durations bit for bit.
 */
const durationOf = (q: QueueTerms, locality: number, drawn: number): number =>
  q.adjusted[locality] === 1 ? Math.min(MAX_TIME_MONTHS, (drawn + q.extraMonths[locality]!) * q.slowness[locality]!) : drawn

const queueTermsOf = (sc: Scenario): QueueTerms => {
  const L = sc.localities.length
  const fixedDuration = new Float64Array(L)
  const failProbability = new Float64Array(L)
  const ids: Array<string> = new Array(L)
  const level = new Int32Array(L)
  const ownDeal = new Uint8Array(L)
  sc.localities.forEach((l, i) => {
    ids[i] = l.id
    level[i] = l.accountability.level
    ownDeal[i] = l.deal === undefined ? 0 : 1
    const d = l.negotiation.duration
    fixedDuration[i] = d.kind === "fixed" ? draw(d, NO_DRAWS) : Number.NaN
    failProbability[i] = l.negotiation.failProbability
  })
  const dealPooledIds = [...sc.deal.pooledAgencies].sort((x, y) => x - y).map((a) => sc.agencies[a]!.id)
  const scenarioDeal = scenarioDealTerms(sc.deal)
  // The duration's adjustments (readiness, powers' weights): looked at only where the scenario has them.
  const adjusted = new Uint8Array(L)
  const extraMonths = new Float64Array(L)
  const slowness = new Float64Array(L).fill(1)
  const weighted = sc.powers.some((p) => p.weightMonths !== undefined && p.weightMonths > 0)
  sc.localities.forEach((l, i) => {
    if (weighted) {
      const sought = l.deal === undefined ? scenarioDeal.powers : dealTermsOf(sc.deal, l).powers
      let w = 0
      for (const k of sought) w += sc.powers[k]!.weightMonths ?? 0
      extraMonths[i] = w
      if (w > 0) adjusted[i] = 1
    }
    if (l.readinessPct !== undefined) {
      slowness[i] = 100 / l.readinessPct
      adjusted[i] = 1
    }
  })
  return { ids, fixedDuration, failProbability, dealPooledIds, level, ownDeal, scenarioDeal, adjusted, extraMonths, slowness }
}

export const decideCentre = (original: Scenario, fork?: Fork): CentreDecisions => {
  let sc = original
  const scenarios: Array<Scenario> = [original]
  const L = sc.localities.length
  const A = sc.agencies.length

  // Code-point rank of each locality: the queue's tie-break and the scheduler's.
  const byId = codePointOrder(sc.localities.map((l) => l.id))
  const rank = new Int32Array(L)
  byId.forEach((loc, r) => (rank[loc] = r))

  const controls: Array<ControlEvent> = []
  const localityOfControl: Array<number> = []
  const slots: Array<PostingSlot> = []
  const runStarted = runStartedOf(sc)
  controls.push(runStarted)
  localityOfControl.push(-1)
  const state = initialState(runStarted)

  // The horizon (DESIGN §6): the run covers [0, months). From the first trigger at or after it the
  // centre goes on deciding the queue only, to project it ("projecting"): those decisions fold into
  // the centre's own state but are not events; RunEnded records where they would take each open
  // locality. Nothing else happens at or after the horizon, so no money moves there.
  let projecting = false
  // Each locality's way through the queue, by index (typed arrays: the queue visits localities in no memory order).
  const queue = {
    eligible: new Float64Array(L).fill(Number.NaN),
    start: new Float64Array(L).fill(Number.NaN),
    deal: new Float64Array(L).fill(Number.NaN),
    attempts: new Int32Array(L),
    failed: new Uint8Array(L),
    negotiating: new Uint8Array(L)
  }
  const statusAtEnd: Array<ProjectedNegotiation["status"] | "closed"> = []
  const projectedIntervals: Array<[number, number]> = []
  // The centre's capacity in force (the scenario's, then its schedule's or a fork's), and the changes the projection applies beyond the horizon.
  let capacity = sc.centre.capacity
  const projectedCapacities: Array<[number, number]> = []
  /** Each locality's way through the queue (`i`: the event's locality), in the run and beyond it. */
  const track = (e: ControlEvent, i: number): void => {
    const q = queue
    switch (e._tag) {
      case "NegotiationQueued":
        q.eligible[i] = e.t
        break
      case "NegotiationStarted":
        q.start[i] = e.t
        q.attempts[i] = e.attempt
        q.negotiating[i] = 1
        break
      case "NegotiationFailed":
      case "DealAgreed":
        if (e.t >= sc.months) projectedIntervals.push([q.start[i]!, e.t])
        q.negotiating[i] = 0
        if (e._tag === "DealAgreed") q.deal[i] = e.t
        else if (e.retryAt === null) q.failed[i] = 1
        break
      default:
        break
    }
  }
  const closeTheRun = (): void => {
    projecting = true
    const q = queue
    for (let i = 0; i < L; i++) {
      statusAtEnd[i] = !Number.isNaN(q.deal[i]!) || q.failed[i] === 1 ? "closed" : q.negotiating[i] === 1 ? "negotiating" : !Number.isNaN(q.eligible[i]!) ? "queued" : "not_eligible"
    }
  }

  /**
   * Emits a control event: appends and folds it; returns its index (-1 while projecting: not an
   * event). `locality`: the index of the locality it names (-1: none).
   */
  const emit = (e: ControlEvent, locality = -1): number => {
    if (locality >= 0) track(e, locality)
    evolve(state, e, locality)
    if (projecting) return -1
    controls.push(e)
    localityOfControl.push(locality)
    return controls.length - 1
  }

  let queueTerms = queueTermsOf(sc)
  // Every negotiation's [start, end) as pairs, for the centre's running cost per negotiation-month.
  const negotiationIntervals: Array<number> | undefined = sc.runningCosts === undefined ? undefined : []
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
  // Programmes, transfers and reviews already started (by id): a fork does not start them again.
  const started = { programme: new Set<string>(), transfer: new Set<string>(), review: new Set<string>(), passDown: new Set<string>(), personalBudget: new Set<string>() }
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
    sc.passDowns?.forEach((d, j) => {
      if (!started.passDown.has(d.id)) agenda.schedule(Math.max(d.starts, from), Priority.PassDownStarts, rank[d.locality]!, { kind: "PassDownStarts", passDown: j, generation })
    })
    sc.personalBudgets?.forEach((b, j) => {
      if (!started.personalBudget.has(b.id)) {
        agenda.schedule(Math.max(b.starts, from), Priority.PersonalBudgetsStart, rank[b.locality]!, { kind: "PersonalBudgetsStart", personalBudget: j, generation })
      }
    })
  }
  /**
   * The schedule's changes still to come: those not `past`. A change is a trigger of the scenario's
   * generation, so a fork's amended schedule replaces the one as written.
   */
  const scheduleCapacityChanges = (past: (at: number) => boolean) => {
    for (const c of sc.centre.schedule ?? []) {
      if (!past(c.at)) agenda.schedule(c.at, Priority.CapacityChanges, -1, { kind: "CapacityChanges", capacity: c.capacity, generation })
    }
  }
  scheduleFromScenario(0, 0)
  scheduleCapacityChanges(() => false)
  if (A > 0) for (let m = 0; m < sc.months; m++) agenda.schedule(m, Priority.PeriodSpends, -1, { kind: "PeriodSpends", period: m })

  /**
   * The fork point: from here on, decide with the amended scenario. Envelopes already settled for
   * periods not yet spent are re-settled to the amended plan (the difference moves between the
   * Treasury and each department), and the scenario-derived agenda is rebuilt.
   */
  const switchTo = (amended: Scenario, t: number, priority: number) => {
    const firstPeriod = state.lastPeriodSpent + 1
    const before = sc
    const moved = amended.localities.flatMap((l, i) =>
      amended.tranches[l.tranche]!.id === before.tranches[before.localities[i]!.tranche]!.id ? [] : [{ locality: l.id, tranche: amended.tranches[l.tranche]!.id }]
    )
    // The amended schedule's changes already due (before t, or at t once t's changes have been
    // applied) set the capacity now; the later ones are scheduled.
    const past = (at: number) => at < t || (at === t && priority > Priority.CapacityChanges)
    let amendedCapacity = amended.centre.capacity
    for (const c of amended.centre.schedule ?? []) if (past(c.at)) amendedCapacity = c.capacity
    // Recorded only when what the outputs report changes: a fork that amends nothing reproduces its parent.
    if (moved.length > 0 || amendedCapacity !== capacity) {
      emit({ _tag: "ScenarioAmended", seq: controls.length, t, capacity: amendedCapacity, tranches: moved })
    }
    capacity = amendedCapacity
    sc = amended
    queueTerms = queueTermsOf(sc)
    scenarios.push(amended)
    generation++
    const block = settlementBlocks(sc).find((b) => b.from <= firstPeriod && firstPeriod < b.to)
    // Nothing to re-settle when no envelope covers unspent periods and the amended blocks start here.
    if (A > 0 && block !== undefined && (settledTo > firstPeriod || block.from < firstPeriod)) {
      const control = emit({
        _tag: "EnvelopesSettled",
        seq: controls.length,
        t,
        financialYear: `${block.label} (re-settled)`,
        fromPeriod: firstPeriod,
        toPeriod: block.to
      })
      slots.push({ kind: "resettle", control, t, generation, firstPeriod, settledTo, blockTo: block.to })
      settledTo = block.to
    }
    scheduleFromScenario(t, firstPeriod)
    scheduleCapacityChanges(past)
    serveQueueAt(t)
  }
  let forkedAt: { control: number; t: number } | null = null

  /** Powers of the deal that can go live now, and the ones that wait for stronger accountability. */
  const devolvePowers = (t: number, i: number, fromPeriod: number, powers: ReadonlyArray<number>) => {
    const l = sc.localities[i]!
    for (const k of powers) {
      const power = sc.powers[k]!
      emit({
        _tag: "PowerDevolved",
        seq: controls.length,
        t,
        locality: l.id,
        power: power.id,
        agencies: power.agencies.map((a) => sc.agencies[a]!.id),
        fromPeriod
      }, i)
    }
  }

  /** The reset of a single place budget's `horizon`-th horizon, at its first period (within the run). */
  const scheduleReset = (locality: number, at: number, horizon: number) => {
    if (at < sc.months) agenda.schedule(at, Priority.SinglePlaceBudgetResets, rank[locality]!, { kind: "SinglePlaceBudgetResets", locality, horizon })
  }

  for (let trigger = agenda.next(); trigger !== undefined; trigger = agenda.next()) {
    const t = agenda.at
    if (!projecting && t >= sc.months) closeTheRun()
    // Beyond the horizon only the queue goes on (programmes, reviews, powers, budgets do not).
    if (
      projecting &&
      trigger.kind !== "LocalityJoinsQueue" &&
      trigger.kind !== "CentreServesQueue" &&
      trigger.kind !== "NegotiationEnds" &&
      trigger.kind !== "CapacityChanges"
    ) {
      continue
    }
    if (!projecting && fork !== undefined && forkedAt === null && (fork.atControl !== undefined ? controls.length >= fork.atControl : t >= (fork.atTime ?? 0))) {
      forkedAt = { control: controls.length, t }
      switchTo(fork.scenario, t, Priority[trigger.kind])
    }
    if ("generation" in trigger && trigger.generation !== ANY_GENERATION && trigger.generation !== generation) continue
    switch (trigger.kind) {
      case "TrancheOpens":
        emit({ _tag: "TrancheOpened", seq: controls.length, t, tranche: sc.tranches[trigger.tranche]!.id })
        break

      case "EnvelopeSettles": {
        const control = emit({ _tag: "EnvelopesSettled", seq: controls.length, t, financialYear: trigger.label, fromPeriod: trigger.from, toPeriod: trigger.to })
        slots.push({ kind: "settle", control, t, generation, from: trigger.from, to: trigger.to })
        settledTo = trigger.to
        break
      }

      case "SpendingReviewStarts": {
        const r = sc.spendingReviews[trigger.review]!
        started.review.add(r.id)
        emit({
          _tag: "SpendingReviewSettled",
          seq: controls.length,
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
        started.programme.add(p.id)
        emit({
          _tag: "ProgrammeStarted",
          seq: controls.length,
          t,
          programme: p.id,
          locality: sc.localities[p.locality]!.id,
          payer: sc.agencies[p.payer]!.id,
          beneficiaries: [...new Set(p.effects.map((e) => sc.agencies[e.beneficiary]!.id))],
          fromPeriod: p.starts,
          toPeriod: p.starts + p.durationMonths,
          cohort: p.cohort,
          effects: p.effects.map((e) => ({
            beneficiary: sc.agencies[e.beneficiary]!.id,
            service: e.service,
            unitCostPence: e.unitCostPence,
            demandPerMemberPerYear: e.demandPerMemberPerYear,
            reduction: e.reduction,
            lagMonths: e.lagMonths,
            rampMonths: e.rampMonths,
            decayPerYear: e.decayPerYear,
            deadweight: e.deadweight,
            optimismBias: e.optimismBias,
            ...(e.outcome === undefined ? {} : { outcome: e.outcome })
          }))
        }, p.locality)
        break
      }

      case "TransferStarts": {
        const tr = sc.transfers[trigger.transfer]!
        started.transfer.add(tr.id)
        emit({
          _tag: "TransferAgreed",
          seq: controls.length,
          t,
          transfer: tr.id,
          locality: sc.localities[tr.locality]!.id,
          from: sc.agencies[tr.from]!.id,
          to: sc.agencies[tr.to]!.id,
          fromPeriod: tr.starts,
          toPeriod: tr.starts + tr.months
        }, tr.locality)
        break
      }

      case "PassDownStarts": {
        const d = sc.passDowns![trigger.passDown]!
        started.passDown.add(d.id)
        emit({
          _tag: "BudgetPassedDown",
          seq: controls.length,
          t,
          passDown: d.id,
          locality: sc.localities[d.locality]!.id,
          agency: sc.agencies[d.agency]!.id,
          tiers: d.tiers.map((k) => sc.tiers![k]!.id),
          shareBasisPoints: d.shareBasisPoints,
          annualPence: d.annualPence,
          splitBy: d.splitBy,
          fromPeriod: d.starts,
          toPeriod: Math.min(sc.months, d.starts + d.months)
        }, d.locality)
        break
      }

      case "PersonalBudgetsStart": {
        const b = sc.personalBudgets![trigger.personalBudget]!
        started.personalBudget.add(b.id)
        emit({
          _tag: "PersonalBudgetsOffered",
          seq: controls.length,
          t,
          personalBudget: b.id,
          locality: sc.localities[b.locality]!.id,
          agency: sc.agencies[b.agency]!.id,
          fromPeriod: b.starts,
          shareBasisPoints: b.shareBasisPoints,
          rampMonths: b.rampMonths,
          initialTakeUp: b.initialTakeUp,
          costChange: b.costChange
        }, b.locality)
        break
      }

      case "AccountabilityAdopts": {
        const l = sc.localities[trigger.locality]!
        emit({
          _tag: "AccountabilityAdopted",
          seq: controls.length,
          t,
          locality: l.id,
          model: ACCOUNTABILITY_LEVELS[trigger.level]!,
          level: trigger.level
        }, trigger.locality)
        // A deal that pooled nothing has no single place budget until a power pools a line: its
        // resets start with the first horizon after that.
        const ls = state.localities[trigger.locality]!
        const hadBudget = poolsAnything(ls)
        devolvePowers(t, trigger.locality, Math.ceil(t), trigger.powers)
        if (!hadBudget && poolsAnything(ls)) {
          const horizon = Math.floor((Math.ceil(t) - Math.ceil(ls.deal)) / ls.horizonMonths) + 1
          scheduleReset(trigger.locality, Math.ceil(ls.deal) + horizon * ls.horizonMonths, horizon)
        }
        break
      }

      case "SinglePlaceBudgetResets": {
        const ls = state.localities[trigger.locality]!
        const from = Math.ceil(ls.deal) + trigger.horizon * ls.horizonMonths
        emit({
          _tag: "SinglePlaceBudgetReset",
          seq: controls.length,
          t,
          locality: sc.localities[trigger.locality]!.id,
          horizon: trigger.horizon,
          fromPeriod: from,
          toPeriod: from + ls.horizonMonths
        }, trigger.locality)
        scheduleReset(trigger.locality, from + ls.horizonMonths, trigger.horizon + 1)
        break
      }

      case "LocalityJoinsQueue": {
        const { locality, attempt } = trigger
        emit({ _tag: "NegotiationQueued", seq: controls.length, t, locality: queueTerms.ids[locality]!, attempt }, locality)
        waiting.schedule(t, 0, rank[locality]!, { locality, attempt })
        serveQueueAt(t)
        break
      }

      case "CentreServesQueue": {
        serveScheduledAt = Number.NaN
        while (state.activeNegotiations < capacity && waiting.size > 0) {
          const { locality, attempt } = waiting.next()!
          // A fixed duration draws nothing: its stream is not even made.
          const fixed = queueTerms.fixedDuration[locality]!
          const drawn = fixed === fixed ? fixed : draw(sc.localities[locality]!.negotiation.duration, durationStream(locality))
          const duration = durationOf(queueTerms, locality, drawn)
          if (negotiationIntervals !== undefined && t < sc.months) negotiationIntervals.push(t, t + duration)
          const failProbability = queueTerms.failProbability[locality]!
          const fails = failProbability > 0 && outcomeStream(locality).next() < failProbability
          emit({ _tag: "NegotiationStarted", seq: controls.length, t, locality: queueTerms.ids[locality]!, attempt, duration, queueLength: waiting.size }, locality)
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
          emit({ _tag: "NegotiationFailed", seq: controls.length, t, locality: l.id, attempt, retryAt }, locality)
          if (retryAt !== null) {
            agenda.schedule(retryAt, Priority.LocalityJoinsQueue, rank[locality]!, { kind: "LocalityJoinsQueue", locality, attempt: attempt + 1, generation: ANY_GENERATION })
          }
        } else {
          // Lines pool from the first whole period after the deal lands.
          const pooledFrom = Math.ceil(t)
          const level = queueTerms.level[locality]!
          // Its own terms where it negotiated them, the scenario's otherwise.
          const terms = queueTerms.ownDeal[locality] === 1 ? dealTermsOf(sc.deal, l) : queueTerms.scenarioDeal
          const live = terms.powers.length === 0 ? NO_POWERS : terms.powers.filter((k) => sc.powers[k]!.requiredLevel <= level)
          const waiting = terms.powers.length === 0 ? NO_POWERS : terms.powers.filter((k) => sc.powers[k]!.requiredLevel > level)
          // Without a menu of powers every deal pools the scenario's lines: their ids made once.
          const pooledAgencies =
            sc.powers.length === 0 ? queueTerms.dealPooledIds : [...new Set(live.flatMap((k) => sc.powers[k]!.agencies))].sort((x, y) => x - y).map((a) => sc.agencies[a]!.id)
          emit({
            _tag: "DealAgreed",
            seq: controls.length,
            t,
            locality: queueTerms.ids[locality]!,
            attempt,
            pooledAgencies,
            reductionBasisPoints: terms.reductionBasisPoints,
            gainshareBasisPoints: terms.gainshareBasisPoints,
            pooledFrom,
            horizonMonths: sc.deal.horizonMonths,
            ...(terms.envelope === undefined ? {} : { envelope: terms.envelope })
          }, locality)
          // The outcomes the deal agrees: paid for by results from the first whole period after it.
          const outcomes = l.deal?.outcomes
          if (outcomes !== undefined && outcomes.length > 0) {
            emit({ _tag: "OutcomesAgreed", seq: controls.length, t, locality: l.id, fromPeriod: pooledFrom, outcomes: outcomes.map((o) => ({ ...o })) }, locality)
          }
          devolvePowers(t, locality, pooledFrom, live)
          // Powers that need a stronger model wait for the next election at which the locality adopts one.
          const adoptable = waiting.length === 0 ? NO_POWERS : waiting.filter((k) => sc.powers[k]!.requiredLevel <= l.accountability.adopts)
          const election = adoptable.length === 0 ? undefined : l.accountability.elections.find((e) => e >= t)
          if (election !== undefined) {
            agenda.schedule(election, Priority.AccountabilityAdopts, rank[locality]!, {
              kind: "AccountabilityAdopts",
              locality,
              level: l.accountability.adopts,
              powers: adoptable
            })
          }
          // No moneyless events: a deal that pools nothing has no single place budget to reset.
          if (pooledAgencies.length > 0) scheduleReset(locality, pooledFrom + sc.deal.horizonMonths, 1)
        }
        serveQueueAt(t)
        break
      }

      case "CapacityChanges": {
        // Only a change of the capacity in force is an event (a schedule that repeats it changes nothing).
        if (trigger.capacity === capacity) break
        const rise = trigger.capacity > capacity
        capacity = trigger.capacity
        emit({ _tag: "CapacityChanged", seq: controls.length, t, capacity })
        if (projecting) projectedCapacities.push([t, capacity])
        // A fall interrupts no negotiation: it only holds back the next grants.
        if (rise) serveQueueAt(t)
        break
      }

      case "PeriodSpends": {
        const control = emit({ _tag: "PeriodSpent", seq: controls.length, t, period: trigger.period })
        slots.push({ kind: "spend", control, t, generation, period: trigger.period })
        break
      }

      default: {
        const never: never = trigger
        throw new Error(`unknown trigger ${JSON.stringify(never)}`)
      }
    }
  }

  if (!projecting) closeTheRun()
  const open: Array<ProjectedNegotiation> = []
  for (const i of byId) {
    const status = statusAtEnd[i]!
    if (status === "closed") continue
    const q = queue
    open.push({
      locality: sc.localities[i]!.id,
      status,
      eligible: Number.isNaN(q.eligible[i]!) ? null : q.eligible[i]!,
      start: Number.isNaN(q.start[i]!) ? null : q.start[i]!,
      deal: Number.isNaN(q.deal[i]!) ? null : q.deal[i]!,
      attempts: q.attempts[i]!,
      failed: q.failed[i] === 1
    })
  }
  controls.push({
    _tag: "RunEnded",
    seq: controls.length,
    t: sc.months,
    open,
    intervals: projectedIntervals,
    ...(projectedCapacities.length === 0 ? {} : { capacities: projectedCapacities })
  })
  localityOfControl.push(-1)

  return { scenarios, controls, controlLocalities: Int32Array.from(localityOfControl), slots: withCentreCosts(scenarios, slots, negotiationIntervals), forkedAt }
}

/**
 * The centre's running cost in each spend slot: a fixed monthly cost and a cost per month of each
 * negotiation in progress (the months of [start, end) that fall in the period), to the penny, half
 * up, under the scenario generation in force. Known only once every negotiation that overlaps a
 * period has started, so added after the queue has run.
 */
const withCentreCosts = (scenarios: ReadonlyArray<Scenario>, slots: ReadonlyArray<PostingSlot>, intervals: ReadonlyArray<number> | undefined): ReadonlyArray<PostingSlot> => {
  if (intervals === undefined) return slots
  return slots.map((slot) => {
    if (slot.kind !== "spend") return slot
    const costs = scenarios[slot.generation]!.runningCosts
    if (costs === undefined) return slot
    const m = slot.period
    let months = 0
    for (let k = 0; k < intervals.length; k += 2) {
      const overlap = Math.min(m + 1, intervals[k + 1]!) - Math.max(m, intervals[k]!)
      if (overlap > 0) months += overlap
    }
    return { ...slot, centreCostPence: costs.centreMonthlyPence + Math.floor(costs.centrePerNegotiationMonthPence * months + 0.5) }
  })
}
