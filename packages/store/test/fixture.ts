/** A small hand-made log: 2 localities, 1 agency, a few control events and postings. */
import type { ControlEvent, RunStarted } from "@devosim/core"
import { agencyAccount, departmentAccount, spbAccount, TREASURY, worldAccount } from "@devosim/core"
import { PostingBuffer, type EventLog } from "@devosim/core"

export const run: RunStarted = {
  _tag: "RunStarted",
  seq: 0,
  t: 0,
  engineVersion: "0.1.0-test",
  scenario: "two-places",
  seed: 42,
  start: "2026-04",
  months: 24,
  capacity: 1,
  tranches: [{ id: "T1", opens: 0 }],
  agencies: [{ id: "police", name: "Police" }],
  localities: [
    { id: "north", name: "North", population: 500000, tranche: "T1", accountabilityLevel: 0 },
    { id: "south", name: "Söuth 🏴", population: 250000, tranche: "T1", accountabilityLevel: 2 }
  ],
  discountRateBasisPoints: 350,
  coverage: null,
  appraisalDiscounting: "green_book"
}

export const layout = { localityCount: 2, agencyCount: 1 }

/** Builds the log; `amounts` lets a test put extreme values into the postings. */
export const makeLog = (amounts: ReadonlyArray<number> = [1_000_000, 250_000, 99, 7]): EventLog => {
  const controls: Array<ControlEvent> = [run]
  const p = new PostingBuffer(4)
  let seq = 1
  const control = (e: ControlEvent) => {
    controls.push(e)
    seq++
  }
  control({ _tag: "TrancheOpened", seq, t: 0, tranche: "T1" })
  const settled = seq
  control({ _tag: "EnvelopesSettled", seq, t: 0, financialYear: "2026-27", fromPeriod: 0, toPeriod: 11 })
  p.push(seq++, 0, TREASURY, departmentAccount(layout, 0, 0), amounts[0]!, settled)
  p.push(seq++, 0, TREASURY, departmentAccount(layout, 1, 0), amounts[1]!, settled)
  control({ _tag: "NegotiationQueued", seq, t: 0, locality: "north", attempt: 1 })
  control({ _tag: "NegotiationStarted", seq, t: 0, locality: "north", attempt: 1, duration: 2.5, queueLength: 0 })
  const spent = seq
  control({ _tag: "PeriodSpent", seq, t: 1, period: 0 })
  p.push(seq++, 1, departmentAccount(layout, 0, 0), agencyAccount(layout, 0, 0), amounts[2]!, spent)
  p.push(seq++, 1, agencyAccount(layout, 1, 0), worldAccount(layout, 1), amounts[3]!, spent)
  control({ _tag: "NegotiationFailed", seq, t: 2.5, locality: "north", attempt: 1, retryAt: null })
  control({ _tag: "NegotiationQueued", seq, t: 4.25, locality: "north", attempt: 2 })
  const deal = seq
  control({
    _tag: "DealAgreed",
    seq,
    t: 6.75,
    locality: "north",
    attempt: 2,
    pooledAgencies: ["police"],
    reductionBasisPoints: 250,
    gainshareBasisPoints: 5000,
    pooledFrom: 7,
    horizonMonths: 36
  })
  p.push(seq++, 6.75, agencyAccount(layout, 0, 0), spbAccount(layout, 0), 500, deal)
  p.push(seq++, 6.75, spbAccount(layout, 0), TREASURY, 13, deal)
  return { controls, postings: p.seal() }
}
