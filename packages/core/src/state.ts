import type { ControlEvent, RunStarted } from "./events.ts"
import { accountCount, layoutOf, post } from "./ledger.ts"
import { localityHint, type EventLog, type LogChunk, type PostingColumns } from "./log.ts"

/**
 * State is a fold of the log: `replay(log) = events.reduce(evolve, initial)`.
 * `evolve` updates the state it is given (the fold owns it) and returns it, so replaying
 * millions of postings allocates nothing per event.
 */
export type LocalityStatus = "waiting" | "queued" | "negotiating" | "deal" | "abandoned"

export interface LocalityState {
  status: LocalityStatus
  /** When it last joined the centre's queue (NaN before). */
  eligible: number
  /** Start of the current or last negotiation (NaN before). */
  start: number
  /** When the deal landed (NaN before). */
  deal: number
  attempts: number
  /** First period each agency line is pooled in the SPB (Infinity = never), by agency index. */
  readonly pooledFrom: Float64Array
  reductionBasisPoints: number
  gainshareBasisPoints: number
  horizonMonths: number
  /** Index into ACCOUNTABILITY_LEVELS of the locality's current model. */
  accountabilityLevel: number
  /** Powers that have gone live. */
  readonly powers: Array<string>
}

/** True when the locality's line for `agency` is paid through its SPB in period m. */
export const isPooled = (l: LocalityState, agency: number, m: number): boolean => m >= l.pooledFrom[agency]!

/** The locality has a single place budget: some agency line pools into it (from some period). */
export const poolsAnything = (l: LocalityState): boolean => l.pooledFrom.some((from) => from !== Number.POSITIVE_INFINITY)

export interface State {
  readonly run: RunStarted
  readonly localityIndex: ReadonlyMap<string, number>
  readonly agencyIndex: ReadonlyMap<string, number>
  readonly balances: Float64Array
  readonly localities: Array<LocalityState>
  readonly tranchesOpen: Array<boolean>
  /** Negotiations in progress at the centre (at most its capacity). */
  activeNegotiations: number
  /** Last period whose spending has been posted (-1 before). */
  lastPeriodSpent: number
  /** Events applied so far (= next seq). */
  applied: number
}

export const initialState = (run: RunStarted): State => {
  const localityIndex = new Map(run.localities.map((l, i) => [l.id, i] as const))
  const agencyIndex = new Map(run.agencies.map((a, i) => [a.id, i] as const))
  // Every locality's pooledFrom is a view of one buffer: an ArrayBuffer each (100,000 of them)
  // cost more to make and to collect than the numbers they hold.
  const A = run.agencies.length
  const pooled = new Float64Array(run.localities.length * A).fill(Number.POSITIVE_INFINITY)
  return {
    run,
    localityIndex,
    agencyIndex,
    balances: new Float64Array(accountCount(layoutOf(run))),
    localities: run.localities.map((info, i) => ({
      status: "waiting",
      eligible: Number.NaN,
      start: Number.NaN,
      deal: Number.NaN,
      attempts: 0,
      pooledFrom: pooled.subarray(i * A, (i + 1) * A),
      reductionBasisPoints: 0,
      gainshareBasisPoints: 0,
      horizonMonths: 0,
      accountabilityLevel: info.accountabilityLevel,
      powers: []
    })),
    tranchesOpen: run.tranches.map(() => false),
    activeNegotiations: 0,
    lastPeriodSpent: -1,
    applied: 1
  }
}

const localityOf = (s: State, id: string, known: number): LocalityState => {
  const i = known >= 0 ? known : s.localityIndex.get(id)
  const l = i === undefined ? undefined : s.localities[i]
  if (l === undefined) throw new Error(`event names unknown locality ${JSON.stringify(id)}`)
  return l
}

const agencyOf = (s: State, id: string): number => {
  const k = s.agencyIndex.get(id)
  if (k === undefined) throw new Error(`event names unknown agency ${JSON.stringify(id)}`)
  return k
}

const pool = (l: LocalityState, agency: number, from: number) => {
  if (from < l.pooledFrom[agency]!) l.pooledFrom[agency] = from
}

/**
 * Applies one control event. `locality`: the index of the event's locality when the caller has it
 * at hand (the centre, which names localities by index), saving a lookup by id; -1 otherwise.
 */
export const evolve = (s: State, e: ControlEvent, locality = -1): State => {
  switch (e._tag) {
    case "RunStarted":
      break
    case "TrancheOpened": {
      const i = s.run.tranches.findIndex((t) => t.id === e.tranche)
      if (i < 0) throw new Error(`event names unknown tranche ${JSON.stringify(e.tranche)}`)
      s.tranchesOpen[i] = true
      break
    }
    case "EnvelopesSettled":
      break
    case "NegotiationQueued": {
      const l = localityOf(s, e.locality, locality)
      l.status = "queued"
      l.eligible = e.t
      break
    }
    case "NegotiationStarted": {
      const l = localityOf(s, e.locality, locality)
      l.status = "negotiating"
      l.start = e.t
      l.attempts = e.attempt
      s.activeNegotiations++
      break
    }
    case "NegotiationFailed": {
      const l = localityOf(s, e.locality, locality)
      l.status = e.retryAt === null ? "abandoned" : "waiting"
      s.activeNegotiations--
      break
    }
    case "DealAgreed": {
      const l = localityOf(s, e.locality, locality)
      l.status = "deal"
      l.deal = e.t
      for (const a of e.pooledAgencies) pool(l, agencyOf(s, a), e.pooledFrom)
      l.reductionBasisPoints = e.reductionBasisPoints
      l.gainshareBasisPoints = e.gainshareBasisPoints
      l.horizonMonths = e.horizonMonths
      s.activeNegotiations--
      break
    }
    case "PowerDevolved": {
      const l = localityOf(s, e.locality, locality)
      for (const a of e.agencies) pool(l, agencyOf(s, a), e.fromPeriod)
      l.powers.push(e.power)
      break
    }
    case "AccountabilityAdopted":
      localityOf(s, e.locality, locality).accountabilityLevel = e.level
      break
    case "SinglePlaceBudgetReset":
    case "ProgrammeStarted":
    case "TransferAgreed":
    case "SpendingReviewSettled":
    case "RunEnded":
    case "ScenarioAmended":
    case "BudgetPassedDown":
    case "PersonalBudgetsOffered":
    case "OutcomesAgreed":
    case "CapacityChanged":
      // Recorded for traceability; their money moves in postings that cite them as cause.
      break
    case "PeriodSpent":
      s.lastPeriodSpent = e.period
      break
    default: {
      const never: never = e
      throw new Error(`unknown event ${JSON.stringify(never)}`)
    }
  }
  s.applied++
  return s
}

/** Applies postings [from, to) of a column set: the replay hot path, a plain typed-array loop. */
export const applyPostings = (s: State, p: PostingColumns, from: number, to: number): void => {
  const b = s.balances
  const f = p.from
  const k = p.to
  const a = p.amount
  for (let i = from; i < to; i++) post(b, f[i]!, k[i]!, a[i]!)
  s.applied += to - from
}

/** The first index i in [0, length) with xs[i] >= x, for xs sorted ascending (binary search). */
const lowerBound = (length: number, at: (i: number) => number, x: number): number => {
  let lo = 0
  let hi = length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (at(mid) < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Applies the log's events with seq in [s.applied, end) to `s`, in seq order, and returns it: the
 * rest of a replay that stopped after s.applied events (the initial state, or a snapshot's state).
 * Control events and postings interleave by seq; postings go through the typed-array hot path.
 * `log` may be a chunk of a log (then `s` has applied everything before it).
 */
export const applyLog = (s: State, log: EventLog | LogChunk, end?: number): State => {
  const controls = log.controls
  const p = log.postings
  const n = ("firstSeq" in log ? log.firstSeq : 0) + controls.length + p.length
  end ??= n
  if (!(Number.isInteger(end) && end >= s.applied && end <= n)) {
    throw new RangeError(`cannot apply events ${s.applied}..${end - 1} of a log of ${n} events`)
  }
  let c = lowerBound(controls.length, (i) => controls[i]!.seq, s.applied)
  let j = lowerBound(p.length, (i) => p.seq[i]!, s.applied)
  // Seqs are contiguous, so the postings before a control event are the next (its seq − the next
  // posting's seq) of them: no need to look at each posting's seq.
  const upTo = (j: number, seq: number) => (j < p.length && p.seq[j]! < seq ? Math.min(p.length, j + (seq - p.seq[j]!)) : j)
  const chunk: LogChunk | undefined = "firstSeq" in log ? log : undefined
  for (; c < controls.length; c++) {
    const e = controls[c]!
    if (e.seq >= end) break
    const k = upTo(j, e.seq)
    applyPostings(s, p, j, k)
    j = k
    evolve(s, e, chunk !== undefined && "locality" in e ? localityHint(chunk, c, s.run.localities, e.locality) : -1)
  }
  applyPostings(s, p, j, upTo(j, end))
  return s
}

const runOf = (log: EventLog): RunStarted => {
  const first = log.controls[0]
  if (first === undefined || first._tag !== "RunStarted" || first.seq !== 0) throw new Error("a log starts with RunStarted")
  return first
}

/** Rebuilds state from a log alone, walking control events and postings in seq order. */
export const replay = (log: EventLog): State => applyLog(initialState(runOf(log)), log)

/**
 * The state after the log's first `end` events (1 ≤ end ≤ event count): the state exists from
 * RunStarted (event 0) on, so `end` = 1 is the initial state.
 */
export const replayUntil = (log: EventLog, end: number): State => applyLog(initialState(runOf(log)), log, end)

/** The sum over all accounts: zero after every event, exactly (money enters only from the Treasury). */
export const totalMoney = (s: State): number => {
  let t = 0
  for (const x of s.balances) t += x
  return t
}

/** A locality's pooledFrom as JSON holds it (never: null), by a plain loop (Array.from with a map runs the iterator protocol). */
const pooledList = (pooledFrom: Float64Array): Array<number | null> => {
  const out: Array<number | null> = []
  for (let a = 0; a < pooledFrom.length; a++) {
    const x = pooledFrom[a]!
    out.push(x === Number.POSITIVE_INFINITY ? null : x)
  }
  return out
}

/** A canonical text of the state, for hashing: equal states give equal text. */
export const canonicalState = (s: State): string =>
  JSON.stringify({
    applied: s.applied,
    activeNegotiations: s.activeNegotiations,
    lastPeriodSpent: s.lastPeriodSpent,
    tranchesOpen: s.tranchesOpen,
    localities: s.localities.map((l) => [
      l.status,
      l.eligible,
      l.start,
      l.deal,
      l.attempts,
      pooledList(l.pooledFrom),
      l.reductionBasisPoints,
      l.gainshareBasisPoints,
      l.horizonMonths,
      l.accountabilityLevel,
      l.powers
    ]),
    balances: Array.from(s.balances)
  })
