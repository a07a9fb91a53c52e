import type { EventKind, Holder } from "@devosim/core"

/**
 * What a posting is, read from its accounts' holders and the kind of event that caused it. The one
 * place that knows the engine's money flows (README "The model"); every money projection uses it.
 * A tier's budget is held by "spb" and its world by "world" (core's ledger), so the holders and the
 * cause tell the tiers' flows apart without the accounts' tier-ness: only BudgetPassedDown moves
 * money SPB → SPB (a locality's to a tier's) and a tier's budget → world.
 */
export type Flow =
  | "envelope" // Treasury → department: a settled envelope
  | "envelope returned" // department → Treasury: a fork's re-settlement handing back part of an envelope
  | "line funding" // department → agency or SPB, for the line's baseline
  | "transfer" // department → another agency's line (or the SPB paying it)
  | "pooled funding" // SPB → agency
  | "reduction" // SPB → Treasury: the 'more for less' reduction
  | "gainshare returned" // SPB → Treasury: the Treasury's share of a pooled saving (a programme's or personal budgets')
  | "investment funding" // department/SPB → agency, for a programme
  | "saving" // agency → its funder: a realised saving
  | "service spend" // agency → world
  | "investment spend" // agency → world, for a programme
  | "passed down" // SPB → a tier's budget (BudgetPassedDown)
  | "tier commissioning" // a tier's budget → the tier's world (BudgetPassedDown)
  | "direct payment" // agency → world: what citizens commission with personal budgets (PersonalBudgetsOffered)
  | "personal budget saving" // agency → its funder: what citizens commissioning for less did not need (PersonalBudgetsOffered)
  | "outcome payment" // Treasury → SPB: outcome-linked gainshare (OutcomesAgreed)
  | "envelope top-up" // Treasury → SPB: a fixed cash envelope above the month's demand-led baseline (PeriodSpent)
  | "running cost" // Treasury → the centre or a mayoral office
  | "other"

/**
 * The flows of devolution beyond the town hall (issue 17), which a run without tiers, personal
 * budgets, outcomes, fixed cash envelopes or running costs never has: a table of flows names them
 * after the others, so such a run's tables keep the dictionary they had.
 */
export const DEVOLUTION_FLOWS: ReadonlyArray<Flow> = ["passed down", "tier commissioning", "direct payment", "personal budget saving", "outcome payment", "envelope top-up", "running cost"]

export const classifyFlow = (from: Holder, to: Holder, cause: EventKind | undefined): Flow => {
  if (from === "treasury") {
    if (to === "department") return "envelope"
    if (to === "centre" || to === "mayoral office") return "running cost"
    if (to === "spb") return cause === "OutcomesAgreed" ? "outcome payment" : cause === "PeriodSpent" ? "envelope top-up" : "other"
    return "other"
  }
  if (from === "department") {
    if (cause === "EnvelopesSettled") return to === "treasury" ? "envelope returned" : "other"
    if (cause === "PeriodSpent") return "line funding"
    if (cause === "TransferAgreed") return "transfer"
    if (cause === "ProgrammeStarted") return "investment funding"
    return "other"
  }
  if (from === "spb") {
    if (cause === "BudgetPassedDown") return to === "spb" ? "passed down" : to === "world" ? "tier commissioning" : "other"
    if (to === "treasury") return cause === "ProgrammeStarted" || cause === "PersonalBudgetsOffered" ? "gainshare returned" : "reduction"
    return cause === "ProgrammeStarted" ? "investment funding" : "pooled funding"
  }
  if (from === "agency") {
    if (cause === "PersonalBudgetsOffered") return to === "world" ? "direct payment" : to === "department" || to === "spb" ? "personal budget saving" : "other"
    if (to === "world") return cause === "ProgrammeStarted" ? "investment spend" : "service spend"
    if (cause === "ProgrammeStarted") return "saving"
  }
  return "other"
}
