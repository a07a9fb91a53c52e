import { applyPostings, evolve, initialState, totalMoney } from "@devosim/core"
import type { EventLog, RunStarted, State } from "@devosim/core"

/** Folds the log one event at a time (postings and control events in seq order), calling `check` after each with the total money and the state. */
export const foldEach = (log: EventLog, check: (total: number, seq: number, state: State) => void): State => {
  const s = initialState(log.controls[0] as RunStarted)
  const p = log.postings
  let j = 0
  for (let c = 1; c <= log.controls.length; c++) {
    const e = log.controls[c]
    const until = e === undefined ? Number.POSITIVE_INFINITY : e.seq
    while (j < p.length && p.seq[j]! < until) {
      applyPostings(s, p, j, j + 1)
      check(totalMoney(s), p.seq[j]!, s)
      j++
    }
    if (e !== undefined) {
      evolve(s, e)
      check(totalMoney(s), e.seq, s)
    }
  }
  return s
}
