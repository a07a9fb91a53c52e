import { Schema } from "effect"

/**
 * The one event module. Two kinds of event share one sequence (DESIGN §4):
 * control events (few, rich, defined here with Effect Schema) and postings (many, uniform,
 * held as struct-of-arrays columns in `log.ts`). Every control event carries `seq` and `t`
 * (months since the scenario's start).
 */

/**
 * The version of the shapes below: one number for the whole log (a log is written by one engine
 * in one go, so all its events share it), recorded in events.arrow's metadata and the manifest.
 * Bump it on any change to an event's fields and add a step to `upcast.ts` that rewrites logs of
 * the previous version; readers upcast old logs there, in one place, before decoding.
 *
 *   1  the first version
 *   2  NegotiationStarted gains `queueLength`
 *   3  the log ends at the run's horizon with RunEnded (the queue's projection beyond it);
 *      ProgrammeStarted gains `cohort` and `effects` (each effect's terms); ScenarioAmended (a fork's switch)
 *   4  tiers, personal budgets, agreed outcomes, running costs (issue 17): RunStarted gains optional
 *      `tiers` and `runningCosts`, DealAgreed an optional `envelope`, an effect an optional `outcome`;
 *      new kinds BudgetPassedDown, PersonalBudgetsOffered, OutcomesAgreed. All optional or new, so a
 *      version-3 log is a version-4 log as it stands (the upcast step is the identity).
 *      The centre's capacity schedule: new kind CapacityChanged; RunEnded an optional `capacities`.
 */
export const EVENT_SCHEMA_VERSION = 4

const Seq = Schema.Int
const Time = Schema.Finite
const Id = Schema.String

const TrancheInfo = Schema.Struct({ id: Id, opens: Time })
const AgencyInfo = Schema.Struct({ id: Id, name: Schema.String })
const LocalityInfo = Schema.Struct({
  id: Id,
  name: Schema.String,
  population: Schema.Finite,
  tranche: Id,
  /** Index into ACCOUNTABILITY_LEVELS of the model the locality starts with. */
  accountabilityLevel: Schema.Int
})

/** A lower tier of a locality (core's `Tier`), by ids: what its accounts and the summary's roll-up need. */
const TierInfo = Schema.Struct({
  /** The tier's path, "Birmingham/Ladywood". */
  id: Id,
  name: Schema.String,
  level: Schema.String,
  locality: Id,
  /** The tier it sits in; null: the locality itself. */
  parent: Schema.NullOr(Id),
  population: Schema.Finite,
  /** Annual baseline by agency (RunStarted's agency order), pence, its lower tiers' included. */
  baseline: Schema.Array(Schema.Finite)
})

const RunningCostTerms = Schema.Struct({
  centreMonthlyPence: Schema.Finite,
  centrePerNegotiationMonthPence: Schema.Finite,
  mayoralOfficeMonthlyPence: Schema.Finite
})

/** The first event of every log: what the run is about, so a log replays on its own. */
export const RunStarted = Schema.TaggedStruct("RunStarted", {
  seq: Seq,
  t: Time,
  engineVersion: Schema.String,
  scenario: Schema.String,
  seed: Schema.Finite,
  start: Schema.String,
  months: Schema.Int,
  capacity: Schema.Int,
  tranches: Schema.Array(TrancheInfo),
  agencies: Schema.Array(AgencyInfo),
  localities: Schema.Array(LocalityInfo),
  /** Green Book discount rate used by present values, basis points a year. */
  discountRateBasisPoints: Schema.Int,
  /** What coverage is a share of; null: the scenario's localities (and in logs before version 3). */
  coverage: Schema.NullOr(Schema.Struct({ population: Schema.Finite, label: Schema.String })),
  /** How the appraisal discounts (logs before version 3: the Green Book's). */
  appraisalDiscounting: Schema.Literals(["green_book", "monthly"]),
  /** The uncertain inputs' draws (path, value): present only when the scenario has uncertain fields, so replay needs no sampler. */
  inputs: Schema.optionalKey(Schema.Array(Schema.Struct({ path: Schema.String, value: Schema.Finite }))),
  /** The localities' lower tiers, parents before children (present only when some locality has tiers): they own accounts (ledger.ts). */
  tiers: Schema.optionalKey(Schema.Array(TierInfo)),
  /** The running costs modelled (present only when the scenario has them): the centre's and mayoral offices' accounts exist then. */
  runningCosts: Schema.optionalKey(RunningCostTerms)
})

export const TrancheOpened = Schema.TaggedStruct("TrancheOpened", { seq: Seq, t: Time, tranche: Id })

/** The Treasury settles each department's envelope for a financial year (its postings carry the money). */
export const EnvelopesSettled = Schema.TaggedStruct("EnvelopesSettled", {
  seq: Seq,
  t: Time,
  financialYear: Schema.String,
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int
})

/** A locality is eligible (its tranche is open and it is ready) and joins the centre's queue. */
export const NegotiationQueued = Schema.TaggedStruct("NegotiationQueued", {
  seq: Seq,
  t: Time,
  locality: Id,
  attempt: Schema.Int
})

/** The centre gives the locality one of its `capacity` negotiation slots. */
export const NegotiationStarted = Schema.TaggedStruct("NegotiationStarted", {
  seq: Seq,
  t: Time,
  locality: Id,
  attempt: Schema.Int,
  duration: Time,
  /**
   * Localities still waiting for a slot once this one has it: the centre's backlog at the grant
   * (since version 2; upcast for version-1 logs as queued − started so far, which is exact).
   */
  queueLength: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
})

/** The negotiation broke down; the slot is free and the locality may retry after a cool-off. */
export const NegotiationFailed = Schema.TaggedStruct("NegotiationFailed", {
  seq: Seq,
  t: Time,
  locality: Id,
  attempt: Schema.Int,
  retryAt: Schema.NullOr(Time)
})

/**
 * A deal lands: the slot is free; the agency lines of the powers that can go live now pool into
 * the locality's single place budget from the first whole period after the deal, renewed every
 * `horizonMonths` (see SinglePlaceBudgetReset).
 */
export const DealAgreed = Schema.TaggedStruct("DealAgreed", {
  seq: Seq,
  t: Time,
  locality: Id,
  attempt: Schema.Int,
  pooledAgencies: Schema.Array(Id),
  reductionBasisPoints: Schema.Int,
  gainshareBasisPoints: Schema.Int,
  pooledFrom: Schema.Int,
  horizonMonths: Schema.Int,
  /** How the SPB funds pooled lines (core's DealTerms.envelope); absent: share_of_demand. */
  envelope: Schema.optionalKey(Schema.Literals(["share_of_demand", "fixed_cash"]))
})

/** A power on the menu goes live in a locality: its agency lines pool from `fromPeriod`. */
export const PowerDevolved = Schema.TaggedStruct("PowerDevolved", {
  seq: Seq,
  t: Time,
  locality: Id,
  power: Id,
  agencies: Schema.Array(Id),
  fromPeriod: Schema.Int
})

/** At an election the locality adopts a stronger accountability model (DESIGN §2). */
export const AccountabilityAdopted = Schema.TaggedStruct("AccountabilityAdopted", {
  seq: Seq,
  t: Time,
  locality: Id,
  model: Schema.String,
  level: Schema.Int
})

/** A deal's SPB starts a new spending-review horizon on the envelopes then in force. */
export const SinglePlaceBudgetReset = Schema.TaggedStruct("SinglePlaceBudgetReset", {
  seq: Seq,
  t: Time,
  locality: Id,
  horizon: Schema.Int,
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int
})

/**
 * A prevention programme starts. Its investment and the savings it realises are postings whose
 * cause is this event, so every pound of a programme traces back to it.
 */
/** The terms of one effect of a programme, as the prevention formulas read them (core's prevention.ts). */
export const ProgrammeEffectTerms = Schema.Struct({
  beneficiary: Id,
  service: Schema.String,
  unitCostPence: Schema.Finite,
  demandPerMemberPerYear: Schema.Finite,
  reduction: Schema.Finite,
  lagMonths: Schema.Finite,
  rampMonths: Schema.Finite,
  decayPerYear: Schema.Finite,
  deadweight: Schema.Finite,
  optimismBias: Schema.Finite,
  /** The agreed outcome this effect moves (OutcomesAgreed's id in the programme's locality). */
  outcome: Schema.optionalKey(Schema.String)
})

export const ProgrammeStarted = Schema.TaggedStruct("ProgrammeStarted", {
  seq: Seq,
  t: Time,
  programme: Id,
  locality: Id,
  payer: Id,
  beneficiaries: Schema.Array(Id),
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int,
  /**
   * The cohort and each effect's terms, so what every effect claims each period is a projection of
   * the log (and so what was capped at a line's spending); null in logs before version 3.
   */
  cohort: Schema.NullOr(Schema.Finite),
  effects: Schema.NullOr(Schema.Array(ProgrammeEffectTerms))
})

/** An explicit transfer: one agency's department funds part of another agency's line. */
export const TransferAgreed = Schema.TaggedStruct("TransferAgreed", {
  seq: Seq,
  t: Time,
  transfer: Id,
  locality: Id,
  from: Id,
  to: Id,
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int
})

/** A spending review changes departments' envelopes over its periods. */
export const SpendingReviewSettled = Schema.TaggedStruct("SpendingReviewSettled", {
  seq: Seq,
  t: Time,
  review: Id,
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int,
  changes: Schema.Array(Schema.Struct({ agency: Id, basisPoints: Schema.Int }))
})

/** Spending for one period across all localities: its postings fund and spend every agency line. */
export const PeriodSpent = Schema.TaggedStruct("PeriodSpent", { seq: Seq, t: Time, period: Schema.Int })

/** Where a locality stands in the centre's queue when the run ends, and where the queue would take it. */
export const ProjectedNegotiation = Schema.Struct({
  locality: Id,
  /** At the end of the run: in a negotiation, waiting for a slot (or a retry), or not yet eligible. */
  status: Schema.Literals(["negotiating", "queued", "not_eligible"]),
  /** The queue's own times at this capacity (the last attempt), as if the run went on: exact. */
  eligible: Schema.NullOr(Time),
  start: Schema.NullOr(Time),
  deal: Schema.NullOr(Time),
  attempts: Schema.Int,
  /** Its attempts would all fail. */
  failed: Schema.Boolean
})

/**
 * The last event of a log (DESIGN §6, the horizon): the run covers months [0, months), so nothing
 * at or after `t = months` happens in it. What the queue would still do at this capacity is recorded
 * here, not as events: each open locality's projection, and the negotiation intervals [start, end)
 * that end at or after the horizon (the centre's makespan and concurrency are the queue's own).
 */
export const RunEnded = Schema.TaggedStruct("RunEnded", {
  seq: Seq,
  t: Time,
  open: Schema.Array(ProjectedNegotiation),
  intervals: Schema.Array(Schema.Tuple([Time, Time])),
  /** The capacity changes the projection applied at or after the horizon, [t, capacity]; present only when there are some. */
  capacities: Schema.optionalKey(Schema.Array(Schema.Tuple([Time, Schema.Int])))
})

/**
 * A fork switches to an amended scenario here (`devosim fork`): what the log's outputs need of the
 * amendment, since RunStarted (shared with the parent) still describes the scenario as first run:
 * the centre's capacity from now on, and each locality whose tranche moved.
 */
export const ScenarioAmended = Schema.TaggedStruct("ScenarioAmended", {
  seq: Seq,
  t: Time,
  capacity: Schema.Int,
  tranches: Schema.Array(Schema.Struct({ locality: Id, tranche: Id }))
})

/**
 * A locality passes part of a pooled line down to tiers' budgets (core's PassDown): its postings in
 * [fromPeriod, toPeriod), while the line is pooled, cite this event.
 */
export const BudgetPassedDown = Schema.TaggedStruct("BudgetPassedDown", {
  seq: Seq,
  t: Time,
  passDown: Id,
  locality: Id,
  agency: Id,
  tiers: Schema.Array(Id),
  shareBasisPoints: Schema.Int,
  annualPence: Schema.Finite,
  splitBy: Schema.Literals(["population", "baseline"]),
  fromPeriod: Schema.Int,
  toPeriod: Schema.Int
})

/** Personal budgets (direct payments) start on a line (core's PersonalBudget): their postings cite this event. */
export const PersonalBudgetsOffered = Schema.TaggedStruct("PersonalBudgetsOffered", {
  seq: Seq,
  t: Time,
  personalBudget: Id,
  locality: Id,
  agency: Id,
  fromPeriod: Schema.Int,
  shareBasisPoints: Schema.Int,
  rampMonths: Schema.Finite,
  initialTakeUp: Schema.Finite,
  costChange: Schema.Finite
})

/** The outcomes a locality's deal agrees (core's OutcomeMeasure), in force from `fromPeriod`: outcome payments cite this event. */
export const OutcomesAgreed = Schema.TaggedStruct("OutcomesAgreed", {
  seq: Seq,
  t: Time,
  locality: Id,
  fromPeriod: Schema.Int,
  outcomes: Schema.Array(
    Schema.Struct({
      id: Id,
      name: Schema.String,
      baselinePerYear: Schema.Finite,
      targetPerYear: Schema.Finite,
      by: Schema.Finite,
      paymentPencePerUnit: Schema.Finite
    })
  )
})

/**
 * The centre's capacity changes (the scenario's `centre.schedule`): from `t` it runs up to `capacity`
 * negotiations at once. A rise lets waiting localities start at `t`; a fall interrupts none.
 * Recorded only when the capacity in force changes.
 */
export const CapacityChanged = Schema.TaggedStruct("CapacityChanged", {
  seq: Seq,
  t: Time,
  capacity: Schema.Int
})

export const ControlEvent = Schema.Union([
  RunStarted,
  TrancheOpened,
  EnvelopesSettled,
  NegotiationQueued,
  NegotiationStarted,
  NegotiationFailed,
  DealAgreed,
  PowerDevolved,
  AccountabilityAdopted,
  SinglePlaceBudgetReset,
  ProgrammeStarted,
  TransferAgreed,
  SpendingReviewSettled,
  PeriodSpent,
  RunEnded,
  ScenarioAmended,
  BudgetPassedDown,
  PersonalBudgetsOffered,
  OutcomesAgreed,
  CapacityChanged
])

export type ControlEvent = typeof ControlEvent.Type
export type RunStarted = typeof RunStarted.Type
export type RunEnded = typeof RunEnded.Type
export type ProjectedNegotiation = typeof ProjectedNegotiation.Type
export type TierInfo = typeof TierInfo.Type
export type OutcomesAgreed = typeof OutcomesAgreed.Type
export type EventKind = ControlEvent["_tag"]

/** Kinds as stored in the log's `kind` column; postings are rows of kind "Posting". */
export const POSTING_KIND = "Posting"

export const decodeControlEvent = Schema.decodeUnknownSync(ControlEvent)

/**
 * Every kind a log row can have, in a fixed order: events.arrow's `kind` dictionary, so a log
 * written in batches knows its dictionary before the first event.
 */
export const EVENT_KINDS: ReadonlyArray<EventKind | typeof POSTING_KIND> = [
  POSTING_KIND,
  ...ControlEvent.members.map((m) => m.fields._tag.schema.literal as EventKind)
]
