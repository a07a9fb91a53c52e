import type { EventLog } from "@devosim/core"
import { eventCount } from "@devosim/core"
import { runStartedOf } from "./ledger.ts"
import { moneyFigures } from "./money.ts"
import type { MoneyFigures } from "./money.ts"
import { negotiationFigures } from "./negotiations.ts"
import type { CentreFigures, NegotiationRecord } from "./negotiations.ts"

/** summary.json: every figure a projection of the log (DESIGN §4). Times in months since start. */
export interface Summary {
  readonly scenario: string
  readonly seed: number
  readonly start: string
  readonly months: number
  readonly engine_version: string
  readonly events: { readonly total: number; readonly control: number; readonly postings: number }
  readonly negotiations: ReadonlyArray<NegotiationRecord>
  readonly centre: CentreFigures
  readonly money: MoneyFigures
}

export const summarize = (log: EventLog): Summary => {
  const run = runStartedOf(log)
  const { negotiations, centre } = negotiationFigures(log)
  return {
    scenario: run.scenario,
    seed: run.seed,
    start: run.start,
    months: run.months,
    engine_version: run.engineVersion,
    events: { total: eventCount(log), control: log.controls.length, postings: log.postings.length },
    negotiations,
    centre,
    money: moneyFigures(log)
  }
}
