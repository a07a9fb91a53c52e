import type { ControlEvent, EventKind, OutcomesAgreed, PostingColumns, RunStarted } from "@devosim/core"
import { HOLDERS, accountDirectory, financialYearBlocks, financialYearLabel, outcomePaymentPence, parseYearMonth, personalBudgetTakeUp, unitsAvoidedPerYear } from "@devosim/core"
import type { Flow } from "./flows.ts"
import { classifyFlow } from "./flows.ts"
import { clampPeriod } from "./money.ts"

/**
 * Devolution beyond the town hall (issue 17) in summary.json: tiers, budgets passed down, personal
 * budgets, agreed outcomes, running costs and fixed cash envelopes. Each section is there only when
 * the run has what it describes, so a run without them has the summary it always had.
 *
 * How the new flows count in `money` (money.ts): direct payments and what tiers commission with
 * budgets passed down are their line's service spend (`actual_pence`); what is passed down leaves
 * the pool as its pooled funding does; a personal budget's saving on a pooled line is a pool saving
 * the gainshare splits (in `savings_on_pooled_lines` and `gainshare_*`), never a prevention saving
 * (`savings_realised`, the appraisal's benefits); an envelope top-up is a negative reduction (the
 * reduction is baseline − envelope, signed). Outcome payments (Treasury → SPB) and running costs
 * (Treasury → centre, mayoral offices) are public money spent outside any line: in their sections
 * here only, not in `actual_pence` nor the appraisal. So an SPB's balance at the end is its gainshare
 * kept plus its outcome payments.
 */

/** One financial year of a tier: its world's receipts, what was passed down to it, the direct payments spent in it. */
export interface TierYear {
  readonly financial_year: string
  readonly spend_pence: number
  readonly passed_down_pence: number
  readonly direct_payments_pence: number
}

export interface TierFigures {
  /** Its path, "Birmingham/Ladywood". */
  readonly tier: string
  readonly name: string
  readonly level: string
  readonly locality: string
  /** The tier it sits in; null: the locality itself. */
  readonly parent: string | null
  readonly population: number
  /** What was spent in the tier itself (its world's receipts), over the run. */
  readonly spend_pence: number
  /** With its lower tiers' spend. */
  readonly spend_with_lower_tiers_pence: number
  /** Into its budget from the locality's SPB (all of it commissioned in the tier). */
  readonly passed_down_pence: number
  /** Direct payments spent in it (part of `spend_pence`). */
  readonly direct_payments_pence: number
  /** By agency: its annual baseline (its lower tiers' included) and what the agency's line spent in the tier over the run. */
  readonly by_agency: ReadonlyArray<{ readonly agency: string; readonly baseline_pence: number; readonly spend_pence: number }>
  readonly by_financial_year: ReadonlyArray<TierYear>
}

/** A locality with tiers: its own part and its tiers', which together are the locality's `money` figures exactly. */
export interface TierRollUp {
  readonly locality: string
  /** Spent in the locality outside its tiers. */
  readonly own_spend_pence: number
  readonly tiers_spend_pence: number
  /** own + tiers: the locality's `actual_pence`. */
  readonly spend_pence: number
  readonly passed_down_pence: number
  readonly direct_payments_pence: number
  /** Each line's spend over all its places: the line's `actual_pence`. */
  readonly by_agency: ReadonlyArray<{ readonly agency: string; readonly spend_pence: number }>
}

export interface TiersSection {
  readonly by_tier: ReadonlyArray<TierFigures>
  readonly by_locality: ReadonlyArray<TierRollUp>
}

export interface PersonalBudgetYear {
  readonly financial_year: string
  readonly direct_payments_pence: number
  readonly saving_returned_pence: number
  readonly treasury_share_pence: number
  /** Mean take-up over the year's months. */
  readonly mean_take_up: number
}

export interface PersonalBudgetFigures {
  readonly personal_budget: string
  readonly locality: string
  readonly agency: string
  readonly from_period: number
  readonly share_pct: number
  /** What citizens spent on the services they commissioned (direct payments less the saving). */
  readonly direct_payments_pence: number
  /** What they did not need (commissioning for less), back to the line's funder. */
  readonly saving_returned_pence: number
  /** The Treasury's share of that saving, when the line is pooled (the gainshare's complement). */
  readonly treasury_share_pence: number
  readonly by_financial_year: ReadonlyArray<PersonalBudgetYear>
  /** Take-up by period [0, months), 0..1 (core's personalBudgetTakeUp). */
  readonly take_up_by_period: ReadonlyArray<number>
}

export interface OutcomeYear {
  readonly financial_year: string
  /** The measure achieved: baseline − units avoided, units a year, the mean over the year's months. */
  readonly achieved_per_year: number
  readonly units_avoided_per_year: number
  readonly payments_pence: number
}

export interface OutcomeFigures {
  readonly locality: string
  /** The outcome's id in the locality's deal. */
  readonly measure: string
  readonly name: string
  readonly baseline_per_year: number
  readonly target_per_year: number
  readonly by: number
  readonly payment_pence_per_unit: number
  /** First period paid for (the deal's first whole period). */
  readonly from_period: number
  /** The measure in the period `by` falls in; null when that is at or after the run's end. */
  readonly achieved_at_by: number | null
  /** achieved at `by` ≤ target (lower is better); null when `by` is beyond the run. */
  readonly met: boolean | null
  /** Outcome-linked gainshare paid for this measure over the run (core's outcomePaymentPence each month). */
  readonly payments_pence: number
  readonly by_financial_year: ReadonlyArray<OutcomeYear>
  /** The measure achieved by period [0, months) (for charts against the target). */
  readonly achieved_by_period: ReadonlyArray<number>
}

export interface RunningCostsSection {
  readonly total_pence: number
  readonly centre_pence: number
  readonly mayoral_offices_pence: number
  readonly by_financial_year: ReadonlyArray<{ readonly financial_year: string; readonly centre_pence: number; readonly mayoral_offices_pence: number }>
  /** Localities whose mayoral office cost anything. */
  readonly mayoral_offices: ReadonlyArray<{ readonly locality: string; readonly total_pence: number; readonly by_financial_year: ReadonlyArray<{ readonly financial_year: string; readonly pence: number }> }>
}

/**
 * A locality whose deal funds pooled lines by a fixed cash envelope. The envelope is what the SPB
 * paid its lines (pooled funding and budgets passed down); `reduction_pence` is the net 'more for
 * less' (baseline − envelope, as in `money`): what went back to the Treasury less its top-ups.
 */
export interface EnvelopeFigures {
  readonly locality: string
  readonly envelope_pence: number
  readonly by_agency: ReadonlyArray<{ readonly agency: string; readonly envelope_pence: number }>
  /** Back to the Treasury in months demand was above the envelope. */
  readonly returned_pence: number
  /** From the Treasury in months demand fell below it. */
  readonly top_ups_pence: number
  /** returned − top-ups. */
  readonly reduction_pence: number
  readonly by_financial_year: ReadonlyArray<{ readonly financial_year: string; readonly returned_pence: number; readonly top_ups_pence: number }>
}

/** The sections, each only when present. */
export interface DevolutionFigures {
  readonly tiers?: TiersSection
  readonly personal_budgets?: ReadonlyArray<PersonalBudgetFigures>
  readonly outcomes?: ReadonlyArray<OutcomeFigures>
  readonly running_costs?: RunningCostsSection
  readonly envelopes?: ReadonlyArray<EnvelopeFigures>
}

// Cause classes for this fold: what classifyFlow distinguishes among the kinds that cause these flows.
const CAUSES: ReadonlyArray<EventKind | undefined> = [undefined, "PeriodSpent", "BudgetPassedDown", "PersonalBudgetsOffered", "OutcomesAgreed", "ProgrammeStarted", "TransferAgreed", "EnvelopesSettled"]
const C = CAUSES.length
const H = HOLDERS.length
const FLOW_OF: ReadonlyArray<Flow> = (() => {
  const out: Array<Flow> = new Array(H * H * C)
  for (let f = 0; f < H; f++) for (let t = 0; t < H; t++) for (let c = 0; c < C; c++) out[(f * H + t) * C + c] = classifyFlow(HOLDERS[f]!, HOLDERS[t]!, CAUSES[c])
  return out
})()
const CLASS = new Map(CAUSES.flatMap((k, c) => (k === undefined ? [] : [[k, c] as const])))
const WORLD = HOLDERS.indexOf("world")
const CENTRE = HOLDERS.indexOf("centre")

/** Cause codes: class + C × (an index + 1): a personal budget's, or a passed-down line's agency. */
interface Cause {
  readonly cls: number
  readonly aux: number
}

/**
 * The sections as a fold over a log's chunks (control events, then postings, in seq order), like
 * MoneyBuilder. Idle (nothing per posting) while the run has nothing of what it describes.
 */
export class DevolutionBuilder {
  private readonly run: RunStarted
  private readonly L: number
  private readonly A: number
  private readonly T: number
  private readonly months: number
  private readonly holder: Int8Array
  private readonly localityOf: Int32Array
  private readonly agencyOf: Int32Array
  private readonly tierOf: Int32Array
  private readonly agencyIndex: Map<string, number>
  private readonly fyOfPeriod: Int32Array
  private readonly fyBlocks: ReadonlyArray<{ readonly label: string; readonly from: number; readonly to: number }>
  private readonly causes = new Map<number, Cause>()
  private active: boolean
  // Places: tiers 0..T−1, then each locality's own part (T + locality).
  private readonly placeSpend: Float64Array // (place · A + agency)
  private readonly placeYear: Float64Array // (place · Y + year) × 3: spend, passed down, direct payments
  private readonly personal: Array<Extract<ControlEvent, { _tag: "PersonalBudgetsOffered" }>> = []
  private readonly personalYear: Array<Float64Array> = [] // per personal budget: (year · 3): payments, saving, treasury share
  private readonly outcomesAgreed: Array<OutcomesAgreed> = []
  private readonly programmes: Array<Extract<ControlEvent, { _tag: "ProgrammeStarted" }>> = []
  private readonly outcomePosted: Float64Array // by locality
  private readonly runningYear: Float64Array // (year · (L + 1)): the centre at 0, locality i's office at i + 1
  private readonly fixedCash: Uint8Array
  private readonly envelopeLine: Float64Array // (locality · A + agency)
  private readonly envelopeYear: Float64Array // (locality · Y + year) × 2: returned, top-ups

  constructor(run: RunStarted) {
    this.run = run
    const dir = accountDirectory(run)
    this.L = run.localities.length
    this.A = run.agencies.length
    this.T = run.tiers?.length ?? 0
    this.months = Math.max(1, run.months)
    this.holder = dir.holder
    this.localityOf = dir.locality
    this.agencyOf = dir.agency
    this.tierOf = dir.tier
    this.agencyIndex = new Map(run.agencies.map((a, i) => [a.id, i]))
    const blocks = financialYearBlocks(parseYearMonth(run.start) ?? { year: 2000, month: 4 }, this.months)
    this.fyBlocks = blocks.map((b) => ({ label: financialYearLabel(b.fy), from: b.from, to: b.to }))
    this.fyOfPeriod = new Int32Array(this.months)
    blocks.forEach((b, k) => this.fyOfPeriod.fill(k, b.from, b.to))
    this.active = this.T > 0 || run.runningCosts !== undefined
    const Y = blocks.length
    const places = this.T + this.L
    this.placeSpend = new Float64Array(this.T > 0 ? places * this.A : 0)
    this.placeYear = new Float64Array(this.T > 0 ? places * Y * 3 : 0)
    this.outcomePosted = new Float64Array(this.L)
    this.runningYear = new Float64Array(run.runningCosts !== undefined ? Y * (this.L + 1) : 0)
    this.fixedCash = new Uint8Array(this.L)
    this.envelopeLine = new Float64Array(this.L * this.A)
    this.envelopeYear = new Float64Array(this.L * Y * 2)
  }

  addControl(e: ControlEvent): void {
    switch (e._tag) {
      case "PersonalBudgetsOffered":
        this.active = true
        this.causes.set(e.seq, { cls: CLASS.get(e._tag)!, aux: this.personal.length })
        this.personal.push(e)
        this.personalYear.push(new Float64Array(this.fyBlocks.length * 3))
        return
      case "BudgetPassedDown":
        this.causes.set(e.seq, { cls: CLASS.get(e._tag)!, aux: this.agencyIndex.get(e.agency) ?? -1 })
        return
      case "OutcomesAgreed":
        this.active = true
        this.outcomesAgreed.push(e)
        this.causes.set(e.seq, { cls: CLASS.get(e._tag)!, aux: -1 })
        return
      case "DealAgreed":
        if (e.envelope === "fixed_cash") {
          const l = this.run.localities.findIndex((x) => x.id === e.locality)
          if (l >= 0) this.fixedCash[l] = 1
          this.active = true
        }
        return
      case "ProgrammeStarted":
        if (e.effects !== null && e.effects.some((x) => x.outcome !== undefined)) this.programmes.push(e)
        this.causes.set(e.seq, { cls: CLASS.get(e._tag)!, aux: -1 })
        return
      case "PeriodSpent":
      case "TransferAgreed":
      case "EnvelopesSettled":
        this.causes.set(e.seq, { cls: CLASS.get(e._tag)!, aux: -1 })
        return
      default:
        return
    }
  }

  addPostings(p: PostingColumns): void {
    if (!this.active) return
    const { holder, localityOf, agencyOf, tierOf, A, T, months, fyOfPeriod } = this
    const Y = this.fyBlocks.length
    const tiered = T > 0
    let lastCause = Number.NaN
    let cause: Cause | undefined
    for (let i = 0; i < p.length; i++) {
      const c = p.cause[i]!
      if (c !== lastCause) {
        lastCause = c
        cause = this.causes.get(c)
      }
      const f = p.from[i]!
      const to = p.to[i]!
      const flow = FLOW_OF[(holder[f]! * H + holder[to]!) * C + (cause?.cls ?? 0)]!
      const x = p.amount[i]!
      const y = fyOfPeriod[clampPeriod(p.t[i]!, months)]!
      switch (flow) {
        case "service spend":
        case "investment spend":
        case "direct payment":
        case "tier commissioning": {
          if (tiered && holder[to] === WORLD) {
            const j = tierOf[to]!
            const place = j >= 0 ? j : T + localityOf[to]!
            const agency = flow === "tier commissioning" ? cause!.aux : agencyOf[f]!
            if (agency >= 0) this.placeSpend[place * A + agency]! += x
            this.placeYear[(place * Y + y) * 3]! += x
            if (flow === "direct payment") this.placeYear[(place * Y + y) * 3 + 2]! += x
          }
          if (flow === "direct payment") this.personalYear[cause!.aux]![y * 3]! += x
          break
        }
        case "passed down": {
          const j = tierOf[to]!
          if (j >= 0) this.placeYear[(j * Y + y) * 3 + 1]! += x
          const l = localityOf[f]!
          if (cause!.aux >= 0) this.envelopeLine[l * A + cause!.aux]! += x
          break
        }
        case "personal budget saving":
          this.personalYear[cause!.aux]![y * 3 + 1]! += x
          break
        case "gainshare returned":
          if (cause !== undefined && CAUSES[cause.cls] === "PersonalBudgetsOffered") this.personalYear[cause.aux]![y * 3 + 2]! += x
          break
        case "outcome payment":
          this.outcomePosted[localityOf[to]!]! += x
          break
        case "running cost":
          this.runningYear[y * (this.L + 1) + (holder[to] === CENTRE ? 0 : localityOf[to]! + 1)]! += x
          break
        case "pooled funding":
          this.envelopeLine[localityOf[f]! * A + agencyOf[to]!]! += x
          break
        case "reduction":
          this.envelopeYear[(localityOf[f]! * Y + y) * 2]! += x
          break
        case "envelope top-up":
          this.envelopeYear[(localityOf[to]! * Y + y) * 2 + 1]! += x
          break
        default:
          break
      }
    }
  }

  finish(): DevolutionFigures {
    const out: { -readonly [K in keyof DevolutionFigures]: DevolutionFigures[K] } = {}
    if (this.T > 0) out.tiers = this.tiers()
    if (this.personal.length > 0) out.personal_budgets = this.personalBudgets()
    if (this.outcomesAgreed.length > 0) out.outcomes = this.outcomes()
    if (this.run.runningCosts !== undefined) out.running_costs = this.runningCosts()
    if (this.fixedCash.some((x) => x === 1)) out.envelopes = this.envelopes()
    return out
  }

  private tiers(): TiersSection {
    const { run, A, T, placeSpend, placeYear } = this
    const tiers = run.tiers!
    const Y = this.fyBlocks.length
    const spendOf = (place: number) => {
      let s = 0
      for (let a = 0; a < A; a++) s += placeSpend[place * A + a]!
      return s
    }
    const sumYears = (place: number, k: number) => {
      let s = 0
      for (let y = 0; y < Y; y++) s += placeYear[(place * Y + y) * 3 + k]!
      return s
    }
    // Lower tiers' spend: children come after their parents, so one pass from the end adds them up.
    const tierIndex = new Map(tiers.map((t, j) => [t.id, j]))
    const withLower = Float64Array.from({ length: T }, (_, j) => spendOf(j))
    for (let j = T - 1; j >= 0; j--) {
      const parent = tiers[j]!.parent === null ? -1 : (tierIndex.get(tiers[j]!.parent!) ?? -1)
      if (parent >= 0) withLower[parent]! += withLower[j]!
    }
    const by_tier = tiers.map((t, j): TierFigures => ({
      tier: t.id,
      name: t.name,
      level: t.level,
      locality: t.locality,
      parent: t.parent,
      population: t.population,
      spend_pence: spendOf(j),
      spend_with_lower_tiers_pence: withLower[j]!,
      passed_down_pence: sumYears(j, 1),
      direct_payments_pence: sumYears(j, 2),
      by_agency: run.agencies.map((g, a) => ({ agency: g.id, baseline_pence: t.baseline[a] ?? 0, spend_pence: placeSpend[j * A + a]! })),
      by_financial_year: this.fyBlocks.map((b, y) => ({
        financial_year: b.label,
        spend_pence: placeYear[(j * Y + y) * 3]!,
        passed_down_pence: placeYear[(j * Y + y) * 3 + 1]!,
        direct_payments_pence: placeYear[(j * Y + y) * 3 + 2]!
      }))
    }))
    const withTiers = new Set(tiers.map((t) => t.locality))
    const by_locality = run.localities.flatMap((l, i): Array<TierRollUp> => {
      if (!withTiers.has(l.id)) return []
      const mine = tiers.flatMap((t, j) => (t.locality === l.id ? [j] : []))
      const own = spendOf(T + i)
      let inTiers = 0
      let passed = 0
      let payments = sumYears(T + i, 2)
      for (const j of mine) {
        inTiers += spendOf(j)
        passed += sumYears(j, 1)
        payments += sumYears(j, 2)
      }
      return [
        {
          locality: l.id,
          own_spend_pence: own,
          tiers_spend_pence: inTiers,
          spend_pence: own + inTiers,
          passed_down_pence: passed,
          direct_payments_pence: payments,
          by_agency: run.agencies.map((g, a) => ({ agency: g.id, spend_pence: mine.reduce((s, j) => s + placeSpend[j * A + a]!, placeSpend[(T + i) * A + a]!) }))
        }
      ]
    })
    return { by_tier, by_locality }
  }

  private personalBudgets(): Array<PersonalBudgetFigures> {
    return this.personal.map((e, k) => {
      const years = this.personalYear[k]!
      const terms = { starts: e.fromPeriod, rampMonths: e.rampMonths, initialTakeUp: e.initialTakeUp }
      const takeUp = Array.from({ length: this.run.months }, (_, m) => personalBudgetTakeUp(terms, m))
      const total = (j: number) => this.fyBlocks.reduce((s, _b, y) => s + years[y * 3 + j]!, 0)
      return {
        personal_budget: e.personalBudget,
        locality: e.locality,
        agency: e.agency,
        from_period: e.fromPeriod,
        share_pct: e.shareBasisPoints / 100,
        direct_payments_pence: total(0),
        saving_returned_pence: total(1),
        treasury_share_pence: total(2),
        by_financial_year: this.fyBlocks.map((b, y) => ({
          financial_year: b.label,
          direct_payments_pence: years[y * 3]!,
          saving_returned_pence: years[y * 3 + 1]!,
          treasury_share_pence: years[y * 3 + 2]!,
          mean_take_up: meanOver(takeUp, b.from, Math.min(b.to, takeUp.length))
        })),
        take_up_by_period: takeUp
      }
    })
  }

  private outcomes(): Array<OutcomeFigures> {
    const months = this.run.months
    return this.outcomesAgreed.flatMap((e) => {
      // The effects in the locality that name each measure (as the engine finds them).
      const mine = this.programmes.filter((p) => p.locality === e.locality)
      return e.outcomes.map((o): OutcomeFigures => {
        const avoided = new Array<number>(months).fill(0)
        for (const p of mine) {
          const terms = { starts: p.fromPeriod, durationMonths: p.toPeriod - p.fromPeriod, cohort: p.cohort ?? 0 }
          for (const x of p.effects!) {
            if (x.outcome !== o.id) continue
            for (let m = 0; m < months; m++) avoided[m]! += unitsAvoidedPerYear(terms, x, m)
          }
        }
        const payments = avoided.map((u, m) => (m >= e.fromPeriod ? outcomePaymentPence(u, o.paymentPencePerUnit) : 0))
        const achieved = avoided.map((u) => o.baselinePerYear - u)
        const at = Math.floor(o.by)
        const achievedAtBy = at >= 0 && at < months ? achieved[at]! : null
        return {
          locality: e.locality,
          measure: o.id,
          name: o.name,
          baseline_per_year: o.baselinePerYear,
          target_per_year: o.targetPerYear,
          by: o.by,
          payment_pence_per_unit: o.paymentPencePerUnit,
          from_period: e.fromPeriod,
          achieved_at_by: achievedAtBy,
          met: achievedAtBy === null ? null : achievedAtBy <= o.targetPerYear,
          payments_pence: payments.reduce((s, x) => s + x, 0),
          by_financial_year: this.fyBlocks.map((b) => {
            const to = Math.min(b.to, months)
            return {
              financial_year: b.label,
              achieved_per_year: meanOver(achieved, b.from, to),
              units_avoided_per_year: meanOver(avoided, b.from, to),
              payments_pence: payments.slice(b.from, to).reduce((s, x) => s + x, 0)
            }
          }),
          achieved_by_period: achieved
        }
      })
    })
  }

  private runningCosts(): RunningCostsSection {
    const { L, runningYear } = this
    const W = L + 1
    const by_financial_year = this.fyBlocks.map((b, y) => {
      let offices = 0
      for (let i = 0; i < L; i++) offices += runningYear[y * W + i + 1]!
      return { financial_year: b.label, centre_pence: runningYear[y * W]!, mayoral_offices_pence: offices }
    })
    const centre = by_financial_year.reduce((s, y) => s + y.centre_pence, 0)
    const offices = by_financial_year.reduce((s, y) => s + y.mayoral_offices_pence, 0)
    const mayoral_offices = this.run.localities.flatMap((l, i) => {
      const years = this.fyBlocks.map((b, y) => ({ financial_year: b.label, pence: runningYear[y * W + i + 1]! }))
      const total = years.reduce((s, y) => s + y.pence, 0)
      return total === 0 ? [] : [{ locality: l.id, total_pence: total, by_financial_year: years }]
    })
    return { total_pence: centre + offices, centre_pence: centre, mayoral_offices_pence: offices, by_financial_year, mayoral_offices }
  }

  private envelopes(): Array<EnvelopeFigures> {
    const { A, envelopeLine, envelopeYear } = this
    const Y = this.fyBlocks.length
    return this.run.localities.flatMap((l, i): Array<EnvelopeFigures> => {
      if (this.fixedCash[i] !== 1) return []
      const by_agency = this.run.agencies.map((g, a) => ({ agency: g.id, envelope_pence: envelopeLine[i * A + a]! }))
      const by_financial_year = this.fyBlocks.map((b, y) => ({ financial_year: b.label, returned_pence: envelopeYear[(i * Y + y) * 2]!, top_ups_pence: envelopeYear[(i * Y + y) * 2 + 1]! }))
      const returned = by_financial_year.reduce((s, y) => s + y.returned_pence, 0)
      const topUps = by_financial_year.reduce((s, y) => s + y.top_ups_pence, 0)
      return [
        {
          locality: l.id,
          envelope_pence: by_agency.reduce((s, x) => s + x.envelope_pence, 0),
          by_agency,
          returned_pence: returned,
          top_ups_pence: topUps,
          reduction_pence: returned - topUps,
          by_financial_year
        }
      ]
    })
  }
}

const meanOver = (xs: ReadonlyArray<number>, from: number, to: number): number => {
  if (to <= from) return 0
  let s = 0
  for (let m = from; m < to; m++) s += xs[m]!
  return s / (to - from)
}
