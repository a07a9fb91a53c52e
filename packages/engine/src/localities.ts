import type { ControlEvent, RunStarted, Scenario, State } from "@devosim/core"
import { agencyAccount, departmentAccount, evolve, initialState, isPooled, shareOf, spbAccount, TREASURY, worldAccount } from "@devosim/core"
import type { CentreDecisions, PostingSlot } from "./centre.ts"
import { monthlyInvestment, monthlySaving } from "./prevention.ts"
import { Plans } from "./spending.ts"

/**
 * What one shard posted for a window of slots: its localities' postings, slot by slot, in
 * locality order. `cause` is the index of the control event the posting cites (the merge turns
 * it into that event's seq). Transferable: plain typed arrays.
 */
export interface ShardPostings {
  /** The shard's first locality: shards are merged in this order. */
  readonly firstLocality: number
  /** Postings per slot of the window. */
  readonly counts: Int32Array
  readonly from: Int32Array
  readonly to: Int32Array
  readonly amount: Float64Array
  readonly cause: Int32Array
}

/** Growable posting columns for one shard and window. */
class ShardBuffer {
  length = 0
  from = new Int32Array(1024)
  to = new Int32Array(1024)
  amount = new Float64Array(1024)
  cause = new Int32Array(1024)

  push(from: number, to: number, amount: number, cause: number): void {
    if (this.length === this.from.length) this.grow()
    const i = this.length++
    this.from[i] = from
    this.to[i] = to
    this.amount[i] = amount
    this.cause[i] = cause
  }

  private grow(): void {
    const n = this.from.length * 2
    const f = new Int32Array(n)
    f.set(this.from)
    this.from = f
    const t = new Int32Array(n)
    t.set(this.to)
    this.to = t
    const a = new Float64Array(n)
    a.set(this.amount)
    this.amount = a
    const c = new Int32Array(n)
    c.set(this.cause)
    this.cause = c
  }
}

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

/** What a generation's scenario derives for the money: plans and savings effects. */
interface Derived {
  readonly sc: Scenario
  readonly plans: Plans
  readonly effectsOn: Map<number, Array<readonly [number, number]>>
}

/**
 * The localities [firstLocality, endLocality) of a run, posting their money slot by slot after
 * the centre has decided. Each shard folds the centre's control events into its own state (deals
 * and powers decide which lines are pooled) and posts what its localities move at each slot,
 * exactly as one loop over all localities would. Shards are independent, so they can run on
 * worker threads at their own pace; `mergeWindow` puts their postings in the log's order.
 */
export class LocalityShard {
  private readonly controls: ReadonlyArray<ControlEvent>
  private readonly slots: ReadonlyArray<PostingSlot>
  private readonly scenarios: ReadonlyArray<Scenario>
  private readonly derived: Array<Derived | undefined> = []
  private readonly state: State
  // The control event that started each programme and transfer (by id): the cause of their postings.
  private readonly started = { programme: new Map<string, number>(), transfer: new Map<string, number>() }
  private nextControl = 1
  private nextSlot = 0
  readonly firstLocality: number
  readonly endLocality: number

  constructor(decisions: Pick<CentreDecisions, "scenarios" | "controls" | "slots">, firstLocality: number, endLocality: number) {
    this.firstLocality = firstLocality
    this.endLocality = endLocality
    this.controls = decisions.controls
    this.slots = decisions.slots
    this.scenarios = decisions.scenarios
    this.state = initialState(decisions.controls[0] as RunStarted)
  }

  private derive(generation: number): Derived {
    let d = this.derived[generation]
    if (d === undefined) {
      const sc = this.scenarios[generation]!
      d = { sc, plans: new Plans(sc, this.firstLocality, this.endLocality), effectsOn: effectsByLine(sc) }
      this.derived[generation] = d
    }
    return d
  }

  /** Folds control events up to and including `control`. */
  private advanceTo(control: number): void {
    for (; this.nextControl <= control; this.nextControl++) {
      const e = this.controls[this.nextControl]!
      evolve(this.state, e)
      if (e._tag === "ProgrammeStarted") this.started.programme.set(e.programme, this.nextControl)
      else if (e._tag === "TransferAgreed") this.started.transfer.set(e.transfer, this.nextControl)
    }
  }

  /** Posts slots [slotFrom, slotTo) (the next ones: windows come in order). */
  post(slotFrom: number, slotTo: number): ShardPostings {
    if (slotFrom !== this.nextSlot) throw new Error(`shard expected slot ${this.nextSlot}, asked for ${slotFrom}`)
    const out = new ShardBuffer()
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
    return {
      firstLocality: this.firstLocality,
      counts,
      from: out.from.slice(0, n),
      to: out.to.slice(0, n),
      amount: out.amount.slice(0, n),
      cause: out.cause.slice(0, n)
    }
  }

  private settle(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "settle" }>): void {
    const { plans } = this.derive(slot.generation)
    const layout = this.layout()
    const A = layout.agencyCount
    for (let i = this.firstLocality; i < this.endLocality; i++) {
      for (let a = 0; a < A; a++) {
        let envelope = 0
        for (let m = slot.from; m < slot.to; m++) envelope += plans.departmentOutflow(i, a, m)
        if (envelope !== 0) out.push(TREASURY, departmentAccount(layout, i, a), envelope, slot.control)
      }
    }
  }

  /** The difference between what was settled under the previous generation and the amended plan. */
  private resettle(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "resettle" }>): void {
    const before = this.derive(slot.generation - 1).plans
    const after = this.derive(slot.generation).plans
    const layout = this.layout()
    const A = layout.agencyCount
    for (let i = this.firstLocality; i < this.endLocality; i++) {
      for (let a = 0; a < A; a++) {
        let diff = 0
        for (let m = slot.firstPeriod; m < slot.settledTo; m++) diff -= before.departmentOutflow(i, a, m)
        for (let m = slot.firstPeriod; m < slot.blockTo; m++) diff += after.departmentOutflow(i, a, m)
        const dept = departmentAccount(layout, i, a)
        if (diff > 0) out.push(TREASURY, dept, diff, slot.control)
        else if (diff < 0) out.push(dept, TREASURY, -diff, slot.control)
      }
    }
  }

  private layout() {
    return { localityCount: this.state.localities.length, agencyCount: this.state.run.agencies.length }
  }

  /** One period's spending: each line funded (silo or pool), reduced, saved against, spent. */
  private spend(out: ShardBuffer, slot: Extract<PostingSlot, { kind: "spend" }>): void {
    const { sc, plans, effectsOn } = this.derive(slot.generation)
    const layout = this.layout()
    const A = layout.agencyCount
    const m = slot.period
    const spent = slot.control
    const started = this.started
    const transfer = (from: number, to: number, amount: number, cause: number) => {
      if (amount !== 0) out.push(from, to, amount, cause)
    }
    for (let i = this.firstLocality; i < this.endLocality; i++) {
      const ls = this.state.localities[i]!
      const spb = spbAccount(layout, i)
      const world = worldAccount(layout, i)
      for (let a = 0; a < A; a++) {
        const dept = departmentAccount(layout, i, a)
        const agency = agencyAccount(layout, i, a)
        const pooled = isPooled(ls, a, m)
        // Whoever funds the line this period: its department (silo) or the locality's SPB.
        const funder = pooled ? spb : dept
        const plan = plans.plan(i, a, m)
        transfer(dept, pooled ? spb : agency, plan.ownFunding, spent)
        for (const x of plan.transfersIn) {
          transfer(departmentAccount(layout, i, x.from), pooled ? spb : agency, x.amount, started.transfer.get(sc.transfers[x.transfer]!.id)!)
        }
        let service = plan.baseline
        if (pooled) {
          // 'More for less': the SPB returns the reduction and funds the line with the rest.
          const reduction = shareOf(plan.baseline, ls.reductionBasisPoints)
          transfer(spb, TREASURY, reduction, spent)
          transfer(spb, agency, plan.baseline - reduction, spent)
          service -= reduction
        }
        // Realised savings go back to the line's funder; an SPB returns the Treasury's share.
        const effects = effectsOn.get(i * A + a)
        if (effects !== undefined) {
          for (const [j, k] of effects) {
            const p = sc.programmes[j]!
            const saving = Math.min(service, monthlySaving(p, p.effects[k]!, m))
            if (saving <= 0) continue
            const programme = started.programme.get(p.id)!
            transfer(agency, funder, saving, programme)
            if (pooled) transfer(spb, TREASURY, saving - shareOf(saving, ls.gainshareBasisPoints), programme)
            service -= saving
          }
        }
        transfer(agency, world, service, spent)
        // Prevention investment by this line, funded like the line.
        for (const j of plans.programmesPaidByLine(i, a)) {
          const invest = monthlyInvestment(sc.programmes[j]!, m)
          if (invest === 0) continue
          const programme = started.programme.get(sc.programmes[j]!.id)!
          if (pooled) {
            transfer(dept, spb, invest, programme)
            transfer(spb, agency, invest, programme)
          } else transfer(dept, agency, invest, programme)
          transfer(agency, world, invest, programme)
        }
      }
    }
  }
}
