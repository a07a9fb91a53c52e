import { localityHint, type EventLog, type LogChunk, type RunStarted } from "@devosim/core"
import { DevolutionBuilder } from "./devolution.ts"
import type { DevolutionFigures } from "./devolution.ts"
import { MoneyBuilder } from "./money.ts"
import type { MoneyFigures, MoneyOptions } from "./money.ts"
import { NegotiationsBuilder } from "./negotiations.ts"
import type { CentreFigures, NegotiationRecord } from "./negotiations.ts"

/** summary.json: every figure a projection of the log (DESIGN §4). Times in months since start. */
export interface Summary extends DevolutionFigures {
  readonly scenario: string
  readonly seed: number
  readonly start: string
  readonly months: number
  readonly engine_version: string
  readonly events: { readonly total: number; readonly control: number; readonly postings: number }
  readonly negotiations: ReadonlyArray<NegotiationRecord>
  readonly centre: CentreFigures
  /**
   * Months until 25/50/75% of `population` is under a deal within the run; null: not reached by the
   * end of the run. `population`: the scenario's localities (`basis`).
   */
  readonly coverage: {
    readonly population: number
    readonly basis: string
    readonly months_to_25pct: number | null
    readonly months_to_50pct: number | null
    readonly months_to_75pct: number | null
  }
  readonly money: MoneyFigures
}

/**
 * When the covered share of `population` first reaches `share`: the time of the deal (within the run)
 * that takes it there, or null when the deals within the run never do. One definition for the summary
 * and for `compare`.
 */
export const monthsToCoverage = (negotiations: ReadonlyArray<NegotiationRecord>, population: number, share: number): number | null =>
  monthsToCoverageOf(negotiations, population, [share])[0] ?? null

/** `monthsToCoverage` for several shares, the deals sorted once. */
export const monthsToCoverageOf = (negotiations: ReadonlyArray<NegotiationRecord>, population: number, shares: ReadonlyArray<number>): Array<number | null> => {
  const { order, time, people } = dealsInTimeOrder(negotiations)
  return shares.map((share) => {
    let covered = 0
    for (const k of order) {
      covered += people[k]!
      if (population > 0 && covered / population >= share) return time[k]!
    }
    return null
  })
}

/**
 * The deals among `negotiations` in time order (ties in the records' order): indices into `time`
 * and `people` (each deal's time and population). Sorted on typed arrays, not the records (at
 * 100,000 localities a comparator reading records cost several times as much), and once per list
 * of records: the summary's coverage and the report's chart both need it.
 */
export const dealsInTimeOrder = (negotiations: ReadonlyArray<NegotiationRecord>): DealsInTimeOrder => {
  const known = inTimeOrder.get(negotiations)
  if (known !== undefined) return known
  const records: Array<NegotiationRecord> = []
  for (const n of negotiations) if (n.outcome === "deal") records.push(n)
  const k = records.length
  const time = new Float64Array(k)
  const people = new Float64Array(k)
  const order: Array<number> = new Array(k)
  for (let i = 0; i < k; i++) {
    time[i] = records[i]!.deal!
    people[i] = records[i]!.population
    order[i] = i
  }
  order.sort((a, b) => time[a]! - time[b]! || a - b)
  const sorted = { order, time, people, records }
  inTimeOrder.set(negotiations, sorted)
  return sorted
}

interface DealsInTimeOrder {
  readonly order: ReadonlyArray<number>
  readonly time: Float64Array
  readonly people: Float64Array
  readonly records: ReadonlyArray<NegotiationRecord>
}

const inTimeOrder = new WeakMap<ReadonlyArray<NegotiationRecord>, DealsInTimeOrder>()

/** What coverage is a share of: the summary's own denominator (a summary written before it had one: its negotiations'). */
export const coveragePopulation = (s: Pick<Summary, "negotiations"> & { readonly coverage?: Summary["coverage"] }): number =>
  s.coverage?.population ?? s.negotiations.reduce((x, n) => x + n.population, 0)

/**
 * `summarize` over a log that arrives in chunks: `add` each `LogChunk` in seq order (contiguous, the
 * first starting with RunStarted at seq 0), then `finish` once. The result equals `summarize` of
 * the whole log, whatever the chunking. Per posting it does typed-array work only; it keeps
 * O(accounts + localities + cost-shift cells) state and, of the control events, only a code for
 * each that causes postings (a posting's cause may be in an earlier chunk).
 */
export class SummaryBuilder {
  private run: RunStarted | undefined
  private negotiations: NegotiationsBuilder | undefined
  private money: MoneyBuilder | undefined
  /** Tiers, personal budgets, outcomes, running costs, fixed cash envelopes (undefined for a comparison's summary). */
  private devolution: DevolutionBuilder | undefined
  private nextSeq = 0
  private controls = 0
  private postings = 0
  private finished = false
  private readonly money_: MoneyOptions

  /**
   * Optional: the run's RunStarted, if known before the first chunk (it must be that chunk's first
   * event). `{ detail: false }`: a summary for `figuresOf` only (`MoneyOptions`).
   */
  constructor(run?: RunStarted, options: MoneyOptions = {}) {
    this.money_ = options
    if (run !== undefined) this.start(run)
  }

  start(run: RunStarted): this {
    if (this.run !== undefined) throw new Error("SummaryBuilder: already started")
    this.run = run
    this.negotiations = new NegotiationsBuilder(run)
    this.money = new MoneyBuilder(run, this.money_)
    if (this.money_.detail !== false) this.devolution = new DevolutionBuilder(run)
    return this
  }

  add(chunk: LogChunk): this {
    if (this.finished) throw new Error("SummaryBuilder: add after finish")
    if (chunk.firstSeq !== this.nextSeq) throw new Error(`SummaryBuilder: expected a chunk from seq ${this.nextSeq}, got one from seq ${chunk.firstSeq}`)
    if (this.nextSeq === 0) {
      const first = chunk.controls[0]
      if (first === undefined || first._tag !== "RunStarted" || first.seq !== 0) throw new Error("a log starts with RunStarted")
      if (this.run === undefined) this.start(first)
    }
    const negotiations = this.negotiations
    const money = this.money
    if (negotiations === undefined || money === undefined) throw new Error("a log starts with RunStarted")
    const { controls } = chunk
    for (let c = 0; c < controls.length; c++) {
      const e = controls[c]!
      negotiations.add(e, "locality" in e ? localityHint(chunk, c, negotiations.run.localities, e.locality) : -1)
      money.addControl(e)
      this.devolution?.addControl(e)
    }
    money.addPostings(chunk.postings)
    this.devolution?.addPostings(chunk.postings)
    this.controls += chunk.controls.length
    this.postings += chunk.postings.length
    this.nextSeq += chunk.controls.length + chunk.postings.length
    return this
  }

  finish(): Summary {
    const run = this.run
    if (run === undefined || this.negotiations === undefined || this.money === undefined) throw new Error("a log starts with RunStarted")
    if (this.finished) throw new Error("SummaryBuilder: finish twice")
    this.finished = true
    const { negotiations, centre } = this.negotiations.finish()
    // What coverage is a share of: the scenario's own denominator (England's people, say), or its localities.
    const population = run.coverage?.population ?? run.localities.reduce((x, l) => x + l.population, 0)
    const [to25, to50, to75] = monthsToCoverageOf(negotiations, population, [0.25, 0.5, 0.75])
    return {
      scenario: run.scenario,
      seed: run.seed,
      start: run.start,
      months: run.months,
      engine_version: run.engineVersion,
      events: { total: this.controls + this.postings, control: this.controls, postings: this.postings },
      negotiations,
      centre,
      coverage: {
        population,
        basis: run.coverage?.label ?? "the scenario's localities",
        months_to_25pct: to25 ?? null,
        months_to_50pct: to50 ?? null,
        months_to_75pct: to75 ?? null
      },
      money: this.money.finish(),
      // After money, each only when the run has it: a run without them has the summary it had.
      ...this.devolution?.finish()
    }
  }
}

/** summary.json of a whole log in memory: one chunk through a `SummaryBuilder`. */
export const summarize = (log: EventLog): Summary => new SummaryBuilder().add({ firstSeq: 0, controls: log.controls, postings: log.postings }).finish()
