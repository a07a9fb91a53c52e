import type { ControlEvent, RunStarted, Scenario, State } from "@devosim/core/model"
import {
  ACCOUNTABILITY_LEVELS,
  agencyAccount,
  centreAccount,
  compareCodePoints,
  departmentAccount,
  directPaymentsPence,
  directPaymentsSavingPence,
  evolve,
  initialState,
  isPooled,
  layoutOf,
  lengthened,
  localityPlaces,
  mayoralOfficeAccount,
  monthlyInvestment,
  monthlySaving,
  outcomePaymentPence,
  shareOf,
  spbAccount,
  splitLargestRemainder,
  splitLargestRemainderInto,
  tierBudgetAccount,
  tierWorldAccount,
  TREASURY,
  unitsAvoidedPerYear,
  worldAccount,
  type AccountLayout
} from "@devosim/core/model"
import type { CentreDecisions, PostingSlot } from "./centre.ts"
import { monthlyPart, Plans } from "./spending.ts"

/**
 * What one shard posted for a window of slots: its localities' postings, slot by slot, in
 * locality order. `cause` is the index of the control event the posting cites (the merge turns
 * it into that event's seq). Transferable: plain typed arrays.
 */
export interface ShardPostings {
  /** The shard's first locality: shards are merged in this order. */
  readonly firstLocality: number
  /** Postings per slot of the window. */
  readonly counts: Int32Array<ArrayBuffer>
  readonly from: Int32Array<ArrayBuffer>
  readonly to: Int32Array<ArrayBuffer>
  readonly amount: Float64Array<ArrayBuffer>
  readonly cause: Int32Array<ArrayBuffer>
}

/**
 * The buffers of a window's postings, handed back by whoever read them (`LocalityShard.recycle`):
 * the next window is posted into them instead of new ones, so a worker thread and its reader pass
 * the same memory back and forth.
 */
export interface RecycledPostings {
  readonly from: ArrayBuffer
  readonly to: ArrayBuffer
  readonly amount: ArrayBuffer
  readonly cause: ArrayBuffer
}

/** The buffers of `p` to hand back (and to transfer between threads). */
export const postingBuffers = (p: ShardPostings): RecycledPostings => ({ from: p.from.buffer, to: p.to.buffer, amount: p.amount.buffer, cause: p.cause.buffer })

/** Growable posting columns for one shard and window. */
class ShardBuffer {
  length = 0
  from: Int32Array<ArrayBuffer>
  to: Int32Array<ArrayBuffer>
  amount: Float64Array<ArrayBuffer>
  cause: Int32Array<ArrayBuffer>

  /** Fresh arrays of `capacity`, or `reused` ones (a window's that its reader has handed back). */
  constructor(capacity: number, reused?: RecycledPostings) {
    if (reused !== undefined && reused.from.byteLength >= 4 * capacity) {
      const n = reused.from.byteLength / 4
      this.from = new Int32Array(reused.from)
      this.to = new Int32Array(reused.to, 0, n)
      this.amount = new Float64Array(reused.amount, 0, n)
      this.cause = new Int32Array(reused.cause, 0, n)
      return
    }
    this.from = new Int32Array(capacity)
    this.to = new Int32Array(capacity)
    this.amount = new Float64Array(capacity)
    this.cause = new Int32Array(capacity)
  }

  /** Appends a posting; nothing for a zero amount (a posting always moves money). */
  push(from: number, to: number, amount: number, cause: number): void {
    if (amount === 0) return
    if (this.length === this.from.length) this.grow()
    const i = this.length++
    this.from[i] = from
    this.to[i] = to
    this.amount[i] = amount
    this.cause[i] = cause
  }

  private grow(): void {
    const n = this.from.length * 2
    this.from = lengthened(this.from, n)
    this.to = lengthened(this.to, n)
    this.amount = lengthened(this.amount, n)
    this.cause = lengthened(this.cause, n)
  }
}

/** Savings effects by (locality, beneficiary line): [programme, effect] pairs, in programme order. */
const effectsByLine = (sc: Scenario): Map<number, Array<readonly [number, number]>> => {
  const A = sc.agencies.length
  const m = new Map<number, Array<readonly [number, number]>>()
  sc.programmes.forEach((p, j) =>
    p.effects.forEach((e, k) => {
      const key = p.locality * A + e.beneficiary
      const list = m.get(key)
      if (list === undefined) m.set(key, [[j, k] as const])
      else list.push([j, k] as const)
    })
  )
  // One order for the claims on a line, whatever the order of the file: programme id, then effect.
  for (const list of m.values()) list.sort((x, y) => compareCodePoints(sc.programmes[x[0]]!.id, sc.programmes[y[0]]!.id) || x[1] - y[1])
  return m
}

/** How one line's spending in a locality with tiers is split over its places: their world accounts and weights. */
interface PlaceSplit {
  readonly accounts: Int32Array
  readonly weights: ReadonlyArray<number>
}

/** A budget passed down from one line: the receiving tiers' accounts and the split's weights. */
interface PassDownOnLine {
  readonly passDown: number
  readonly budgets: Int32Array
  readonly worlds: Int32Array
  readonly weights: ReadonlyArray<number>
}

/** An effect that moves an agreed outcome of its locality: [outcome index in the deal, programme, effect]. */
type OutcomeEffect = readonly [number, number, number]

/**
 * What the tiers, budgets passed down, personal budgets and outcomes of a generation's scenario
 * derive for the shard's lines (undefined throughout when it has none of them).
 */
interface Devolved {
  /** By line: the split of its service spend over the locality's places. */
  readonly splitOn: Array<PlaceSplit | undefined>
  /** By line: budgets passed down from it, in file order. */
  readonly passDownsOn: Array<ReadonlyArray<PassDownOnLine> | undefined>
  /** By line: personal budgets on it (indices into `sc.personalBudgets`), in file order. */
  readonly personalBudgetsOn: Array<ReadonlyArray<number> | undefined>
  /** By the shard's locality: the effects that move its agreed outcomes. */
  readonly outcomeEffects: Array<ReadonlyArray<OutcomeEffect> | undefined>
}

/** What a generation's scenario derives for the money: plans and savings effects. */
interface Derived {
  readonly sc: Scenario
  readonly plans: Plans
  /** Savings effects on each of the shard's lines ((locality − first) · agencies + agency). */
  readonly effectsOn: Array<ReadonlyArray<readonly [number, number]> | undefined>
  /** The control event that started each programme of `sc` (by index), once looked up; -1 before. */
  readonly programmeCause: Int32Array
  readonly devolved: Devolved | undefined
}

const hasDevolution = (sc: Scenario): boolean =>
  (sc.tiers?.length ?? 0) > 0 || (sc.passDowns?.length ?? 0) > 0 || (sc.personalBudgets?.length ?? 0) > 0 || sc.localities.some((l) => (l.deal?.outcomes?.length ?? 0) > 0)

const devolvedOf = (sc: Scenario, layout: AccountLayout, first: number, end: number): Devolved => {
  const A = sc.agencies.length
  const lines = (end - first) * A
  const tiers = sc.tiers ?? []
  const places = localityPlaces(sc.localities.length, A, (i, a) => sc.localities[i]!.baseline[a] ?? 0, tiers)
  const splitOn: Array<PlaceSplit | undefined> = new Array(lines)
  for (let i = first; i < end; i++) {
    const p = places[i]
    if (p === undefined) continue
    const accounts = Int32Array.from(p.tiers, (t) => (t < 0 ? worldAccount(layout, i) : tierWorldAccount(layout, t)))
    for (let a = 0; a < A; a++) {
      const weights = p.tiers.map((_, k) => p.ownBaseline[k * A + a]!)
      // A line none of whose places has a baseline is spent where it is: in the locality.
      if (weights.some((w) => w > 0) && weights.slice(1).some((w) => w > 0)) splitOn[(i - first) * A + a] = { accounts, weights }
    }
  }
  const passDownsOn: Array<Array<PassDownOnLine> | undefined> = new Array(lines)
  ;(sc.passDowns ?? []).forEach((d, j) => {
    if (d.locality < first || d.locality >= end) return
    const k = (d.locality - first) * A + d.agency
    const weights = d.tiers.map((t) => (d.splitBy === "population" ? tiers[t]!.population : (tiers[t]!.baseline[d.agency] ?? 0)))
    // Weights that are all zero share it evenly.
    const w = weights.some((x) => x > 0) ? weights : weights.map(() => 1)
    const entry = { passDown: j, budgets: Int32Array.from(d.tiers, (t) => tierBudgetAccount(layout, t)), worlds: Int32Array.from(d.tiers, (t) => tierWorldAccount(layout, t)), weights: w }
    ;(passDownsOn[k] ??= []).push(entry)
  })
  const personalBudgetsOn: Array<Array<number> | undefined> = new Array(lines)
  ;(sc.personalBudgets ?? []).forEach((b, j) => {
    if (b.locality < first || b.locality >= end) return
    ;(personalBudgetsOn[(b.locality - first) * A + b.agency] ??= []).push(j)
  })
  const outcomeEffects: Array<Array<OutcomeEffect> | undefined> = new Array(end - first)
  sc.programmes.forEach((p, j) => {
    if (p.locality < first || p.locality >= end) return
    const outcomes = sc.localities[p.locality]!.deal?.outcomes
    if (outcomes === undefined) return
    p.effects.forEach((e, k) => {
      const o = e.outcome === undefined ? -1 : outcomes.findIndex((x) => x.id === e.outcome)
      if (o >= 0) (outcomeEffects[p.locality - first] ??= []).push([o, j, k] as const)
    })
  })
  return { splitOn, passDownsOn, personalBudgetsOn, outcomeEffects }
}

/**
 * The localities [firstLocality, endLocality) of a run, posting their money slot by slot after
 * the centre has decided. Each shard folds the centre's control events into its own state (deals
 * and powers decide which lines are pooled) and posts what its localities move at each slot,
 * exactly as one loop over all localities would. Shards are independent, so they can run on
 * worker threads at their own pace; `mergeWindow` puts their postings in the log's order.
 */
export class LocalityShard {
  private readonly controls: ReadonlyArray<ControlEvent | undefined>
  private readonly slots: ReadonlyArray<PostingSlot>
  private readonly scenarios: ReadonlyArray<Scenario>
  private readonly derived: Array<Derived | undefined> = []
  private readonly state: State
  // The control event that started each programme and transfer (by id): the cause of their postings.
  private readonly started = {
    programme: new Map<string, number>(),
    transfer: new Map<string, number>(),
    passDown: new Map<string, number>(),
    personalBudget: new Map<string, number>()
  }
  /**
   * By the shard's locality: its DealAgreed's first pooled period (NaN before a deal) and envelope;
   * its OutcomesAgreed (-1: none) and the period the outcomes are paid from (NaN: never).
   */
  private readonly dealFrom: Float64Array
  private readonly fixedCash: Uint8Array
  private readonly outcomesCause: Int32Array
  private readonly outcomesFrom: Float64Array
  /** By line: the fixed cash envelope in force (pence a month) and the period it was set at (-1: none yet). */
  private readonly envelope: Float64Array
  private readonly envelopeSetAt: Int32Array
  private nextControl = 1
  private nextSlot = 0
  private readonly layout: AccountLayout
  /** Postings of the last window (the next one's buffer starts a little larger); -1 before the first. */
  private lastWindow = -1
  /** A window's buffers handed back, for the next window. */
  private recycled: RecycledPostings | undefined
  /** Scratch for the claims of the effects on one line in one period. */
  private claims = new Float64Array(8)
  /** Scratch for a split of a line's spending over its places (no allocation per line and period). */
  private parts = new Float64Array(16)
  private order = new Int32Array(16)
  /** Scratch for the direct payments of the personal budgets on one line in one period, and for what each budget passed down from it takes. */
  private payments = new Float64Array(4)
  private passed = new Float64Array(4)
  readonly firstLocality: number
  readonly endLocality: number

  /**
   * `decisions.controls` may be the whole list or `controlsForShard`'s (the same indices, with
   * the events that do not concern the shard's money left out).
   */
  constructor(
    decisions: { readonly scenarios: CentreDecisions["scenarios"]; readonly slots: CentreDecisions["slots"]; readonly controls: ReadonlyArray<ControlEvent | undefined> },
    firstLocality: number,
    endLocality: number
  ) {
    this.firstLocality = firstLocality
    this.endLocality = endLocality
    this.controls = decisions.controls
    this.slots = decisions.slots
    this.scenarios = decisions.scenarios
    this.state = initialState(decisions.controls[0] as RunStarted)
    this.layout = layoutOf(this.state.run)
    const n = endLocality - firstLocality
    this.dealFrom = new Float64Array(n).fill(Number.NaN)
    this.fixedCash = new Uint8Array(n)
    this.outcomesCause = new Int32Array(n).fill(-1)
    this.outcomesFrom = new Float64Array(n).fill(Number.NaN)
    this.envelope = new Float64Array(decisions.scenarios.some((sc) => sc.deal.envelope === "fixed_cash" || sc.localities.some((l) => l.deal?.envelope === "fixed_cash")) ? n * this.layout.agencyCount : 0)
    this.envelopeSetAt = new Int32Array(this.envelope.length).fill(-1)
  }

  private derive(generation: number): Derived {
    let d = this.derived[generation]
    if (d === undefined) {
      const sc = this.scenarios[generation]!
      const A = sc.agencies.length
      const byLine = effectsByLine(sc)
      const effectsOn = Array.from({ length: (this.endLocality - this.firstLocality) * A }, (_, k) => byLine.get(this.firstLocality * A + k))
      d = {
        sc,
        plans: new Plans(sc, this.firstLocality, this.endLocality),
        effectsOn,
        programmeCause: new Int32Array(sc.programmes.length).fill(-1),
        devolved: hasDevolution(sc) ? devolvedOf(sc, this.layout, this.firstLocality, this.endLocality) : undefined
      }
      this.derived[generation] = d
    }
    return d
  }

  /**
   * A first window's buffer: about what it will post (a line funds, spends and often pools each
   * period; settles once per envelope), so a short run's buffer is not grown (and copied) from a
   * small guess, and a long one's stays within a window.
   */
  private firstWindowCapacity(slotFrom: number, slotTo: number): number {
    let spends = 0
    let settles = 0
    for (let s = slotFrom; s < slotTo; s++) {
      if (this.slots[s]!.kind === "spend") spends++
      else settles++
    }
    const lines = (this.endLocality - this.firstLocality) * this.layout.agencyCount
    return lines * (4 * spends + settles) + 1024
  }

  /** Folds control events up to and including `control` (those the shard was given: see `controlsForShard`). */
  private advanceTo(control: number): void {
    for (; this.nextControl <= control; this.nextControl++) {
      const e = this.controls[this.nextControl]
      if (e === undefined) continue
      evolve(this.state, e)
      if (e._tag === "ProgrammeStarted") this.started.programme.set(e.programme, this.nextControl)
      else if (e._tag === "TransferAgreed") this.started.transfer.set(e.transfer, this.nextControl)
      else if (e._tag === "BudgetPassedDown") this.started.passDown.set(e.passDown, this.nextControl)
      else if (e._tag === "PersonalBudgetsOffered") this.started.personalBudget.set(e.personalBudget, this.nextControl)
      else if (e._tag === "DealAgreed" || e._tag === "OutcomesAgreed") {
        const i = this.state.localityIndex.get(e.locality)! - this.firstLocality
        if (i < 0 || i >= this.dealFrom.length) continue
        if (e._tag === "DealAgreed") {
          this.dealFrom[i] = e.pooledFrom
          this.fixedCash[i] = e.envelope === "fixed_cash" ? 1 : 0
        } else {
          this.outcomesCause[i] = this.nextControl
          this.outcomesFrom[i] = e.fromPeriod
        }
      }
    }
  }

  /** Takes back a window's buffers (its postings are no longer read) for the next window. */
  recycle(buffers: RecycledPostings): void {
    const sizes = [buffers.from.byteLength, buffers.to.byteLength, buffers.amount.byteLength / 2, buffers.cause.byteLength]
    // Kept only if whole and alike (the four columns of one window); the larger of two is kept.
    if (sizes.some((b) => b !== sizes[0]) || sizes[0]! % 4 !== 0) return
    if (this.recycled === undefined || this.recycled.from.byteLength < buffers.from.byteLength) this.recycled = buffers
  }

  /** Posts slots [slotFrom, slotTo) (the next ones: windows come in order). */
  post(slotFrom: number, slotTo: number): ShardPostings {
    if (slotFrom !== this.nextSlot) throw new Error(`shard expected slot ${this.nextSlot}, asked for ${slotFrom}`)
    const out = new ShardBuffer(this.lastWindow >= 0 ? Math.ceil(this.lastWindow * 1.1) + 1024 : this.firstWindowCapacity(slotFrom, slotTo), this.recycled)
    this.recycled = undefined
    const counts = new Int32Array(slotTo - slotFrom)
    for (let s = slotFrom; s < slotTo; s++) {
      const slot = this.slots[s]!
      this.advanceTo(slot.control)
      const before = out.length
      switch (slot.kind) {
        case "settle":
          this.settle(out, slot)
          break
        case "resettle":
          this.resettle(out, slot)
          break
        case "spend":
          this.spend(out, slot)
          break
        default: {
          const never: never = slot
          throw new Error(`unknown slot ${JSON.stringify(never)}`)
        }
      }
      counts[s - slotFrom] = out.length - before
    }
    this.nextSlot = slotTo
    const n = out.length
    this.lastWindow = n
    // Views of fresh buffers: a worker transfers them whole, without a copy.
    return {
      firstLocality: this.firstLocality,
      counts,
      from: out.from.subarray(0, n),
      to: out.to.subarray(0, n),
      amount: out.amount.subarray(0, n),
      cause: out.cause.subarray(0, n)
    }
  }

  private settle(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "settle" }>): void {
    const { plans } = this.derive(slot.generation)
    const layout = this.layout
    const A = layout.agencyCount
    for (let i = this.firstLocality; i < this.endLocality; i++) {
      for (let a = 0; a < A; a++) {
        let envelope = 0
        for (let m = slot.from; m < slot.to; m++) envelope += plans.departmentOutflow(i, a, m)
        out.push(TREASURY, departmentAccount(layout, i, a), envelope, slot.control)
      }
    }
  }

  /** The difference between what was settled under the previous generation and the amended plan. */
  private resettle(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "resettle" }>): void {
    const before = this.derive(slot.generation - 1).plans
    const after = this.derive(slot.generation).plans
    const layout = this.layout
    const A = layout.agencyCount
    for (let i = this.firstLocality; i < this.endLocality; i++) {
      for (let a = 0; a < A; a++) {
        let diff = 0
        for (let m = slot.firstPeriod; m < slot.settledTo; m++) diff -= before.departmentOutflow(i, a, m)
        for (let m = slot.firstPeriod; m < slot.blockTo; m++) diff += after.departmentOutflow(i, a, m)
        const dept = departmentAccount(layout, i, a)
        if (diff > 0) out.push(TREASURY, dept, diff, slot.control)
        else out.push(dept, TREASURY, -diff, slot.control)
      }
    }
  }

  /**
   * The fixed cash envelope of a pooled line in period m (DealTerms.envelope): the baseline less the
   * reduction in the period it was last renegotiated (the line's first pooled period, each horizon
   * reset after the deal, each spending review that starts since), held in between.
   */
  private fixedEnvelope(plans: Plans, sc: Scenario, i: number, a: number, m: number, reductionBasisPoints: number, horizon: number): number {
    const ls = this.state.localities[i]!
    const k = (i - this.firstLocality) * this.layout.agencyCount + a
    const pooledFrom = ls.pooledFrom[a]!
    const dealFrom = this.dealFrom[i - this.firstLocality]!
    let at = pooledFrom
    if (horizon > 0 && m >= dealFrom) at = Math.max(at, dealFrom + Math.floor((m - dealFrom) / horizon) * horizon)
    for (const r of sc.spendingReviews) if (r.starts > at && r.starts <= m) at = r.starts
    if (this.envelopeSetAt[k] !== at) {
      const b = plans.baseline(i, a, at)
      this.envelope[k] = b - shareOf(b, reductionBasisPoints)
      this.envelopeSetAt[k] = at
    }
    return this.envelope[k]!
  }

  /** One period's spending: each line funded (silo or pool), reduced, saved against, spent. */
  private spend(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "spend" }>): void {
    const { sc, plans, effectsOn, programmeCause, devolved } = this.derive(slot.generation)
    // A programme starts once (a fork does not start it again): its cause, looked up by id once.
    const causeOf = (j: number): number => {
      let c = programmeCause[j]!
      if (c < 0) {
        const found = this.started.programme.get(sc.programmes[j]!.id)
        if (found === undefined) throw new Error(`programme ${sc.programmes[j]!.id} moves money before it started`)
        programmeCause[j] = c = found
      }
      return c
    }
    const layout = this.layout
    const A = layout.agencyCount
    const m = slot.period
    const spent = slot.control
    const started = this.started
    const first = this.firstLocality
    // The centre's running cost leads the period (the first shard posts it: the same place whatever the sharding).
    if (first === 0 && slot.centreCostPence !== undefined) out.push(TREASURY, centreAccount(layout), slot.centreCostPence, spent)
    const mayoralOffice = layout.runningCosts === true ? (sc.runningCosts?.mayoralOfficeMonthlyPence ?? 0) : 0
    for (let i = first; i < this.endLocality; i++) {
      const ls = this.state.localities[i]!
      const spb = spbAccount(layout, i)
      const world = worldAccount(layout, i)
      const fixedCash = this.fixedCash[i - first] === 1
      for (let a = 0; a < A; a++) {
        const dept = departmentAccount(layout, i, a)
        const agency = agencyAccount(layout, i, a)
        const line = (i - first) * A + a
        const pooled = isPooled(ls, a, m)
        // Whoever funds the line this period: its department (silo) or the locality's SPB.
        const funder = pooled ? spb : dept
        let baseline: number
        if (plans.hasTransfersInto(i, a)) {
          const plan = plans.plan(i, a, m)
          baseline = plan.baseline
          out.push(dept, pooled ? spb : agency, plan.ownFunding, spent)
          for (const x of plan.transfersIn) {
            out.push(departmentAccount(layout, i, x.from), pooled ? spb : agency, x.amount, started.transfer.get(sc.transfers[x.transfer]!.id)!)
          }
        } else {
          baseline = plans.baseline(i, a, m)
          out.push(dept, pooled ? spb : agency, baseline, spent)
        }
        let service = baseline
        // 'More for less': the SPB returns the reduction (a share of demand, or what a fixed cash
        // envelope leaves of it: the Treasury tops the envelope up when demand falls below it).
        const reduction = !pooled ? 0 : fixedCash ? baseline - this.fixedEnvelope(plans, sc, i, a, m, ls.reductionBasisPoints, ls.horizonMonths) : shareOf(baseline, ls.reductionBasisPoints)
        service -= reduction
        // Realised savings go back to the line's funder; an SPB returns the Treasury's share.
        const effects = effectsOn[line]
        let allotted: ArrayLike<number> | undefined
        if (effects !== undefined) {
          // Savings cannot exceed what the line still spends: when the claims do, they share it pro
          // rata (largest remainder, in the line's one order), so no programme's place in the file matters.
          // Claims go into a reused buffer: no object per line and period on this path.
          if (this.claims.length < effects.length) this.claims = new Float64Array(effects.length * 2)
          const claims = this.claims
          let claimed = 0
          for (let q = 0; q < effects.length; q++) {
            const [j, k] = effects[q]!
            const p = sc.programmes[j]!
            claims[q] = Math.max(0, monthlySaving(p, p.effects[k]!, m))
            claimed += claims[q]!
          }
          // The rare capped line shares what it spends (an allocation there is fine).
          allotted = claimed <= service || claimed === 0 ? claims : splitLargestRemainder(Math.max(0, service), Array.from(claims.subarray(0, effects.length)))
        }
        if (devolved === undefined) {
          if (pooled) {
            if (reduction >= 0) out.push(spb, TREASURY, reduction, spent)
            else out.push(TREASURY, spb, -reduction, spent)
            out.push(spb, agency, baseline - reduction, spent)
          }
          if (effects !== undefined) service = this.postSavings(out, effects, allotted!, agency, funder, pooled ? spb : -1, ls.gainshareBasisPoints, service, causeOf)
          out.push(agency, world, service, spent)
        } else {
          // Savings first (what the line still spends), then direct payments out of it, then what is passed down.
          let saved = 0
          if (effects !== undefined) for (let q = 0; q < effects.length; q++) if (allotted![q]! > 0) saved += allotted![q]!
          const budgets = devolved.personalBudgetsOn[line]
          const passDowns = pooled ? devolved.passDownsOn[line] : undefined
          // What the line still spends after savings pays the direct payments first (each budget out of
          // what the one before left), then what is passed down: computed once, before anything is posted.
          let left = service - saved
          if (budgets !== undefined) {
            if (this.payments.length < budgets.length) this.payments = new Float64Array(2 * budgets.length)
            budgets.forEach((j, q) => {
              const b = sc.personalBudgets![j]!
              const paid = started.personalBudget.has(b.id) ? directPaymentsPence(left, b, m) : 0
              this.payments[q] = paid
              left -= paid
            })
          }
          let passed = 0
          if (passDowns !== undefined) {
            if (this.passed.length < passDowns.length) this.passed = new Float64Array(2 * passDowns.length)
            passDowns.forEach((d, q) => {
              const rule = sc.passDowns![d.passDown]!
              const active = m >= rule.starts && m < rule.starts + rule.months && started.passDown.has(rule.id)
              const amount = !active ? 0 : rule.shareBasisPoints > 0 ? shareOf(Math.max(0, left), rule.shareBasisPoints) : Math.min(Math.max(0, left), monthlyPart(rule.annualPence, plans.monthInFinancialYear(m)))
              this.passed[q] = amount
              left -= amount
              passed += amount
            })
          }
          if (pooled) {
            if (reduction >= 0) out.push(spb, TREASURY, reduction, spent)
            else out.push(TREASURY, spb, -reduction, spent)
            out.push(spb, agency, baseline - reduction - passed, spent)
            if (passDowns !== undefined) {
              passDowns.forEach((d, q) => {
                const amount = this.passed[q]!
                if (amount === 0) return
                const cause = started.passDown.get(sc.passDowns![d.passDown]!.id)!
                const n = this.splitInto(amount, d.weights)
                for (let t = 0; t < n; t++) {
                  out.push(spb, d.budgets[t]!, this.parts[t]!, cause)
                  out.push(d.budgets[t]!, d.worlds[t]!, this.parts[t]!, cause)
                }
              })
            }
          }
          service -= passed
          if (effects !== undefined) service = this.postSavings(out, effects, allotted!, agency, funder, pooled ? spb : -1, ls.gainshareBasisPoints, service, causeOf)
          const split = devolved.splitOn[line]
          if (budgets !== undefined) {
            for (let q = 0; q < budgets.length; q++) {
              const b = sc.personalBudgets![budgets[q]!]!
              const payments = this.payments[q]!
              if (payments <= 0) continue
              const cause = started.personalBudget.get(b.id)!
              const saving = directPaymentsSavingPence(payments, b.costChange)
              if (saving > 0) {
                out.push(agency, funder, saving, cause)
                if (pooled) out.push(spb, TREASURY, saving - shareOf(saving, ls.gainshareBasisPoints), cause)
              }
              this.spendInPlaces(out, agency, world, split, payments - saving, cause)
              service -= payments
            }
          }
          this.spendInPlaces(out, agency, world, split, service, spent)
        }
        // Prevention investment by this line, funded like the line.
        const paid = plans.programmesPaidByLine(i, a)
        for (let q = 0; q < paid.length; q++) {
          const prog = sc.programmes[paid[q]!]!
          const invest = monthlyInvestment(prog, m)
          if (invest === 0) continue
          const programme = causeOf(paid[q]!)
          if (pooled) {
            out.push(dept, spb, invest, programme)
            out.push(spb, agency, invest, programme)
          } else out.push(dept, agency, invest, programme)
          out.push(agency, world, invest, programme)
        }
      }
      // Outcome-linked gainshare: the Treasury pays the locality by results, once its deal is in force.
      if (devolved !== undefined) {
        const cause = this.outcomesCause[i - first]!
        const moving = devolved.outcomeEffects[i - first]
        // The terms in force are the event's: paid from its fromPeriod on.
        if (cause >= 0 && moving !== undefined && m >= this.outcomesFrom[i - first]!) {
          const outcomes = sc.localities[i]!.deal!.outcomes!
          for (let o = 0; o < outcomes.length; o++) {
            let units = 0
            for (const [k, j, e] of moving) if (k === o) units += unitsAvoidedPerYear(sc.programmes[j]!, sc.programmes[j]!.effects[e]!, m)
            out.push(TREASURY, spb, outcomePaymentPence(units, outcomes[o]!.paymentPencePerUnit), cause)
          }
        }
      }
      if (mayoralOffice > 0 && ls.accountabilityLevel === ELECTED_MAYOR) out.push(TREASURY, mayoralOfficeAccount(layout, i), mayoralOffice, spent)
    }
  }

  /** Posts each realised saving back to the line's funder (and, from an SPB, the Treasury's share of it); returns what the line still spends. */
  private postSavings(
    out: ShardBuffer,
    effects: ReadonlyArray<readonly [number, number]>,
    allotted: ArrayLike<number>,
    agency: number,
    funder: number,
    spb: number,
    gainshareBasisPoints: number,
    service: number,
    causeOf: (j: number) => number
  ): number {
    for (let q = 0; q < effects.length; q++) {
      const saving = allotted[q]!
      if (saving <= 0) continue
      const programme = causeOf(effects[q]![0])
      out.push(agency, funder, saving, programme)
      if (spb >= 0) out.push(spb, TREASURY, saving - shareOf(saving, gainshareBasisPoints), programme)
      service -= saving
    }
    return service
  }

  /** Spends an amount of a line in its locality's places (split by their own baselines), or in the locality when it has no tiers. */
  private spendInPlaces(out: ShardBuffer, agency: number, world: number, split: PlaceSplit | undefined, amount: number, cause: number): void {
    if (split === undefined || amount === 0) {
      out.push(agency, world, amount, cause)
      return
    }
    const n = this.splitInto(amount, split.weights)
    for (let k = 0; k < n; k++) out.push(agency, split.accounts[k]!, this.parts[k]!, cause)
  }

  /** Splits an amount by weights into `this.parts` (largest remainder, exactly); returns how many parts. */
  private splitInto(amount: number, weights: ReadonlyArray<number>): number {
    const n = weights.length
    if (this.parts.length < n) {
      this.parts = new Float64Array(2 * n)
      this.order = new Int32Array(2 * n)
    }
    splitLargestRemainderInto(amount, weights, this.parts, this.order)
    return n
  }
}

const ELECTED_MAYOR = ACCOUNTABILITY_LEVELS.indexOf("elected_mayor")

/** Control events that move or route a shard's money: pooling, programme and transfer starts. */
const MONEY_EVENTS: ReadonlySet<ControlEvent["_tag"]> = new Set([
  "DealAgreed",
  "PowerDevolved",
  "ProgrammeStarted",
  "TransferAgreed",
  "BudgetPassedDown",
  "PersonalBudgetsOffered",
  "OutcomesAgreed",
  "AccountabilityAdopted"
])

/**
 * The control events a shard of localities [first, end) needs, at their indices (a sparse list):
 * RunStarted, the slots' events, and the events that pool, start programmes or start transfers in
 * its localities. A worker thread gets this instead of the whole list (a third of it or less).
 */
export const controlsForShard = (decisions: Pick<CentreDecisions, "controls" | "slots">, first: number, end: number): Array<ControlEvent | undefined> => {
  const run = decisions.controls[0] as RunStarted
  const mine = new Set(run.localities.slice(first, end).map((l) => l.id))
  const out = new Array<ControlEvent | undefined>(decisions.controls.length)
  out[0] = run
  for (const slot of decisions.slots) out[slot.control] = decisions.controls[slot.control]
  decisions.controls.forEach((e, i) => {
    if (MONEY_EVENTS.has(e._tag) && "locality" in e && mine.has(e.locality)) out[i] = e
  })
  return out
}
