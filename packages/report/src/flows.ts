import type { EventKind, Holder } from "@devosim/core"

/**
 * What a posting is, read from its accounts' holders and the kind of event that caused it. The one
 * place that knows the engine's money flows (README "The model"); every money projection uses it.
 */
export type Flow =
  | "envelope" // Treasury → department: a settled envelope
  | "envelope returned" // department → Treasury: a fork's re-settlement handing back part of an envelope
  | "line funding" // department → agency or SPB, for the line's baseline
  | "transfer" // department → another agency's line (or the SPB paying it)
  | "pooled funding" // SPB → agency
  | "reduction" // SPB → Treasury: the 'more for less' reduction
  | "gainshare returned" // SPB → Treasury: the Treasury's share of a pooled saving
  | "investment funding" // department/SPB → agency, for a programme
  | "saving" // agency → its funder: a realised saving
  | "service spend" // agency → world
  | "investment spend" // agency → world, for a programme
  | "other"

export const classifyFlow = (from: Holder, to: Holder, cause: EventKind | undefined): Flow => {
  if (from === "treasury") return to === "department" ? "envelope" : "other"
  if (from === "department") {
    if (cause === "EnvelopesSettled") return to === "treasury" ? "envelope returned" : "other"
    if (cause === "PeriodSpent") return "line funding"
    if (cause === "TransferAgreed") return "transfer"
    if (cause === "ProgrammeStarted") return "investment funding"
    return "other"
  }
  if (from === "spb") {
    if (to === "treasury") return cause === "ProgrammeStarted" ? "gainshare returned" : "reduction"
    return cause === "ProgrammeStarted" ? "investment funding" : "pooled funding"
  }
  if (from === "agency") {
    if (to === "world") return cause === "ProgrammeStarted" ? "investment spend" : "service spend"
    if (cause === "ProgrammeStarted") return "saving"
  }
  return "other"
}
