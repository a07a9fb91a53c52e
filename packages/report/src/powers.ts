/**
 * Powers and accountability on the deal timeline: for each locality with a deal, each power its
 * deal seeks, the accountability model it needs, when it was devolved or, if it still waits at the
 * end of the run, why. When powers went live and what a locality adopted are in the log
 * (DealAgreed, PowerDevolved, AccountabilityAdopted); what a deal sought and what it would need to
 * get the rest (the menu's requirements, the locality's elections and the model it would adopt)
 * are the scenario's, given as `PowerFacts` (the log does not carry them).
 */
import type { ControlEvent, RunStarted, Scenario } from "@devosim/core"
import { ACCOUNTABILITY_LEVELS } from "@devosim/core"
import { calendarMonth } from "./html/page.ts"

/** What the log does not say about powers: the scenario's menu and each locality's terms and elections. */
export interface PowerFacts {
  readonly powers: ReadonlyArray<{ readonly id: string; readonly name: string; readonly requiredLevel: number }>
  /** By locality id: the powers its deal seeks (indices into `powers`), its election months and the model it would adopt (-1: none). */
  readonly localities: ReadonlyMap<string, { readonly sought: ReadonlyArray<number>; readonly elections: ReadonlyArray<number>; readonly adopts: number }>
}

export const powerFactsOf = (sc: Scenario): PowerFacts => ({
  powers: sc.powers.map((p) => ({ id: p.id, name: p.name, requiredLevel: p.requiredLevel })),
  localities: new Map(
    sc.powers.length === 0
      ? []
      : sc.localities.map((l) => [l.id, { sought: l.deal?.powers ?? sc.deal.powers, elections: l.accountability.elections, adopts: l.accountability.adopts }] as const)
  )
})

/** One power of one locality's deal. Times in months since the start. */
export interface DealPower {
  readonly locality: string
  readonly power: string
  readonly power_name: string
  /** The accountability model the power needs. */
  readonly requires: string
  /** When the locality's deal landed. */
  readonly deal: number
  /** When the power went live (at the deal, or at the election where the locality adopted the model it needs); null: still waiting at the end. */
  readonly devolved: number | null
  /** Why it still waits at the end (null when devolved). */
  readonly waiting: string | null
}

/** The powers of every deal within the run, in the order the deals landed. */
export interface DealPowers {
  /** Whether the scenario has a menu of powers (without one a deal pools its lines at once). */
  readonly menu: boolean
  readonly rows: ReadonlyArray<DealPower>
  /** Deals whose powers are listed. */
  readonly deals: number
  readonly devolved: number
  readonly waiting: number
  /** Accountability adopted at elections: locality, model, month. */
  readonly adopted: ReadonlyArray<{ readonly locality: string; readonly model: string; readonly t: number }>
}

const MODEL_WORDS: Record<string, string> = {
  leader_cabinet: "a leader and cabinet",
  combined_authority: "a combined authority",
  elected_mayor: "an elected mayor"
}
const modelWords = (level: number): string => MODEL_WORDS[ACCOUNTABILITY_LEVELS[level] ?? ""] ?? `model ${level}`

/** `add` the log's control events in seq order (postings are not needed), then `finish`. */
export class PowersBuilder {
  private readonly run: RunStarted
  private readonly facts: PowerFacts
  private readonly startLevel: Map<string, number>
  private readonly level = new Map<string, number>()
  private readonly deals: Array<{ readonly locality: string; readonly t: number }> = []
  private readonly devolved = new Map<string, number>()
  private readonly adopted: Array<{ locality: string; model: string; t: number }> = []

  constructor(run: RunStarted, facts: PowerFacts) {
    this.run = run
    this.facts = facts
    this.startLevel = new Map(facts.powers.length === 0 ? [] : run.localities.map((l) => [l.id, l.accountabilityLevel]))
  }

  add(e: ControlEvent): void {
    if (this.facts.powers.length === 0) return
    switch (e._tag) {
      case "DealAgreed":
        this.deals.push({ locality: e.locality, t: e.t })
        break
      case "PowerDevolved": {
        const key = `${e.locality}\u0000${e.power}`
        if (!this.devolved.has(key)) this.devolved.set(key, e.t)
        break
      }
      case "AccountabilityAdopted":
        this.level.set(e.locality, e.level)
        this.adopted.push({ locality: e.locality, model: e.model, t: e.t })
        break
      default:
        break
    }
  }

  finish(): DealPowers {
    const { facts, run } = this
    const rows: Array<DealPower> = []
    let devolvedCount = 0
    for (const d of this.deals) {
      const l = facts.localities.get(d.locality)
      if (l === undefined) continue
      const first = this.startLevel.get(d.locality) ?? 0
      const level = this.level.get(d.locality) ?? first
      for (const k of l.sought) {
        const p = facts.powers[k]
        if (p === undefined) continue
        const devolved = this.devolved.get(`${d.locality}\u0000${p.id}`) ?? null
        if (devolved !== null) devolvedCount++
        rows.push({
          locality: d.locality,
          power: p.id,
          power_name: p.name,
          requires: ACCOUNTABILITY_LEVELS[p.requiredLevel] ?? String(p.requiredLevel),
          deal: d.t,
          devolved,
          waiting: devolved !== null ? null : whyWaiting(p.requiredLevel, first, level, l, d.t, run)
        })
      }
    }
    return { menu: facts.powers.length > 0, rows, deals: this.deals.length, devolved: devolvedCount, waiting: rows.length - devolvedCount, adopted: this.adopted }
  }
}

/**
 * Why a power needing `required` still waits at the end, for a locality that started at `first`,
 * is at `level` at the end and whose deal landed at `deal` (as the engine decides: centre.ts).
 */
const whyWaiting = (required: number, first: number, level: number, l: { readonly elections: ReadonlyArray<number>; readonly adopts: number }, deal: number, run: RunStarted): string => {
  const needs = `needs ${modelWords(required)}`
  if (required <= level) return `${needs}; not devolved by the end of the run`
  if (l.adopts < required)
    return l.adopts > first ? `${needs}; the locality adopts no stronger model than ${modelWords(l.adopts)}` : `${needs}; the locality adopts no stronger model`
  const next = l.elections.find((e) => e >= deal)
  if (next === undefined) return `${needs}; no election after the deal`
  if (next >= run.months) return `${needs}; no election before the end (the next is month ${next}, ${calendarMonth(run.start, next)})`
  return `${needs}; waiting for the election of month ${next} (${calendarMonth(run.start, next)})`
}

/** The powers of a whole log in memory. */
export const dealPowers = (run: RunStarted, controls: Iterable<ControlEvent>, facts: PowerFacts): DealPowers => {
  const b = new PowersBuilder(run, facts)
  for (const e of controls) b.add(e)
  return b.finish()
}
