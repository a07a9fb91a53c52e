import { shareOf } from "./money.ts"
import type { PersonalBudget, Programme, ProgrammeEffect } from "./scenario.ts"

/**
 * The prevention formulas, in one place: the engine posts with them, and the summary recomputes
 * each effect's claim from the terms its ProgrammeStarted event records (so savings capped at a
 * line's spending are a projection of the log too).
 */
/** What the formulas read of a programme. */
export type ProgrammeTerms = Pick<Programme, "starts" | "durationMonths" | "cohort">
/** What the formulas read of an effect. */
export type EffectTerms = Pick<ProgrammeEffect, "unitCostPence" | "demandPerMemberPerYear" | "reduction" | "lagMonths" | "rampMonths" | "decayPerYear" | "deadweight" | "optimismBias">

/**
 * The shape of a prevention effect over time, 0..1 (see ProgrammeEffect in core): nothing before
 * the lag; a linear ramp to full effect, which grows only while the programme runs (shifted by the
 * lag); when it stops, the level it reached decays yearly, applied month by month as
 * (1 − decay)^(months since the end / 12), never ramping further.
 */
export const effectProfile = (p: ProgrammeTerms, e: EffectTerms, m: number): number => {
  const begins = p.starts + e.lagMonths
  const k = m - begins
  if (k < 0) return 0
  const rampAt = (months: number) => (e.rampMonths === 0 ? 1 : Math.min(1, months / e.rampMonths))
  const ends = p.starts + p.durationMonths + e.lagMonths
  if (m < ends) return rampAt(k + 1)
  const reached = rampAt(ends - begins)
  const yearsAfter = (m - ends + 1) / 12
  return reached * Math.pow(1 - e.decayPerYear, yearsAfter)
}

/** A year's avoidable spend on the service for the whole cohort, in pence (before any haircut). */
export const avoidableAnnualPence = (p: ProgrammeTerms, e: EffectTerms): number => p.cohort * e.demandPerMemberPerYear * e.unitCostPence

/**
 * The saving an effect realises in period m, in whole pence (half up): a twelfth of the avoidable
 * annual spend × reduction × profile, net of deadweight and optimism bias.
 */
export const monthlySaving = (p: ProgrammeTerms, e: EffectTerms, m: number): number => {
  const profile = effectProfile(p, e, m)
  if (profile === 0) return 0
  const x = (avoidableAnnualPence(p, e) / 12) * e.reduction * profile * (1 - e.deadweight) * (1 - e.optimismBias)
  return Math.floor(x + 0.5)
}

/** The payer's investment in period m: the upfront cost in the first month, the running cost while it runs. */
export const monthlyInvestment = (p: Programme, m: number): number => {
  if (m < p.starts || m >= p.starts + p.durationMonths) return 0
  return (m === p.starts ? p.upfrontPence : 0) + p.monthlyPence
}

/**
 * Units a year of an effect's measure avoided in period m (what moves an agreed outcome): the
 * cohort's demand × reduction × profile, net of deadweight and optimism bias, as the saving is.
 */
export const unitsAvoidedPerYear = (p: ProgrammeTerms, e: EffectTerms, m: number): number => {
  const profile = effectProfile(p, e, m)
  if (profile === 0) return 0
  return p.cohort * e.demandPerMemberPerYear * e.reduction * profile * (1 - e.deadweight) * (1 - e.optimismBias)
}

/** Outcome-linked gainshare for a month: a twelfth of the price × units a year achieved below baseline, whole pence half up (never negative). */
export const outcomePaymentPence = (unitsPerYearBelowBaseline: number, pencePerUnit: number): number =>
  unitsPerYearBelowBaseline <= 0 || pencePerUnit === 0 ? 0 : Math.floor((unitsPerYearBelowBaseline * pencePerUnit) / 12 + 0.5)

/** What personal budgets' take-up is in period m: nothing before they start, then a linear ramp from the initial take-up to all. */
export const personalBudgetTakeUp = (b: Pick<PersonalBudget, "starts" | "rampMonths" | "initialTakeUp">, m: number): number => {
  if (m < b.starts) return 0
  if (b.rampMonths === 0) return 1
  return b.initialTakeUp + (1 - b.initialTakeUp) * Math.min(1, (m - b.starts + 1) / b.rampMonths)
}

/** Direct payments in period m out of a line's service spend: the share at full take-up × take-up, whole pence half up. */
export const directPaymentsPence = (service: number, b: Pick<PersonalBudget, "starts" | "rampMonths" | "initialTakeUp" | "shareBasisPoints">, m: number): number => {
  const takeUp = personalBudgetTakeUp(b, m)
  if (takeUp === 0 || service <= 0) return 0
  return Math.floor(shareOf(service, b.shareBasisPoints) * takeUp + 0.5)
}

/** The part of direct payments citizens do not need when they commission for less (costChange < 0), whole pence half up. */
export const directPaymentsSavingPence = (payments: number, costChange: number): number => (costChange >= 0 ? 0 : Math.floor(payments * -costChange + 0.5))
