import type { ControlEvent, EventLog, Holder, RunStarted } from "@devosim/core"
import { accountDirectory, formatPounds, formatYearMonth, HOLDERS, parseYearMonth, periodMonth, tierSubtree } from "@devosim/core"
import { classifyFlow } from "./flows.ts"
import type { Flow } from "./flows.ts"
import { runStartedOf } from "./ledger.ts"

/** `devosim explain`: which events and postings moved a locality's budget, newest first. */
export interface ExplainQuery {
  /** A locality's id (its accounts and all its tiers') or a tier's path, "Birmingham/Ladywood" (its accounts and its lower tiers'). */
  readonly locality: string
  readonly agency?: string
  readonly period?: number
  readonly limit?: number
}

export interface ExplainedPosting {
  readonly seq: number
  readonly t: number
  readonly period: number
  readonly flow: Flow
  readonly from: string
  readonly to: string
  readonly amount_pence: number
  readonly cause_seq: number
  readonly cause: string
}

export interface Explanation {
  readonly locality: string
  readonly agency: string | null
  readonly period: number | null
  /** Postings touching the budget, newest first, at most `limit`. */
  readonly postings: ReadonlyArray<ExplainedPosting>
  readonly matched: number
  /**
   * Net change of the selected accounts' combined balance over the matched postings: money in
   * from accounts outside the selection less money out to them (a move between two selected
   * accounts, a department funding its agency, changes neither side and is not counted).
   */
  readonly net_pence: number
  /** What `net_pence` is made of: money into the selection from outside it, and out of it (net = in − out). */
  readonly in_pence: number
  readonly out_pence: number
  /** The selected accounts the matched postings touched, as the postings name them (`department nhs`, `agency nhs`), in account order. */
  readonly accounts: ReadonlyArray<string>
  /** The locality's control events (deal, powers, programmes …) up to the selected period, newest first. */
  readonly events: ReadonlyArray<{ readonly seq: number; readonly t: number; readonly what: string }>
}

export class ExplainError extends Error {}

/** A time or duration for people: two decimals at most (the log keeps the exact double). */
const roughly = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2))

/** One line in words for a control event. */
export const describeEvent = (e: ControlEvent): string => {
  switch (e._tag) {
    case "RunStarted":
      return `run of "${e.scenario}" started (seed ${e.seed})`
    case "TrancheOpened":
      return `tranche ${e.tranche} opened`
    case "EnvelopesSettled":
      return `Treasury settled envelopes for ${e.financialYear}, periods ${e.fromPeriod}–${e.toPeriod - 1}`
    case "NegotiationQueued":
      return `${e.locality} joined the centre's queue (attempt ${e.attempt})`
    case "NegotiationStarted":
      return `${e.locality} started negotiating (attempt ${e.attempt}, ${roughly(e.duration)} months)`
    case "NegotiationFailed":
      return `${e.locality}'s negotiation failed${e.retryAt === null ? "; it gave up" : `; retry at month ${roughly(e.retryAt)}`}`
    case "DealAgreed":
      return `${e.locality} agreed a deal: ${e.pooledAgencies.join(", ") || "no lines"} pooled from period ${e.pooledFrom}, ${e.reductionBasisPoints / 100}% less, gainshare ${e.gainshareBasisPoints / 100}%`
    case "PowerDevolved":
      return `power ${e.power} devolved to ${e.locality}: ${e.agencies.join(", ")} pooled from period ${e.fromPeriod}`
    case "AccountabilityAdopted":
      return `${e.locality} adopted ${e.model.replaceAll("_", " ")}`
    case "SinglePlaceBudgetReset":
      return `${e.locality}'s single place budget reset for horizon ${e.horizon} (periods ${e.fromPeriod}–${e.toPeriod - 1})`
    case "ProgrammeStarted":
      return `programme ${e.programme} started in ${e.locality}: ${e.payer} pays, ${e.beneficiaries.join(", ")} benefit`
    case "TransferAgreed":
      return `transfer ${e.transfer} in ${e.locality}: ${e.from} funds ${e.to}, periods ${e.fromPeriod}–${e.toPeriod - 1}`
    case "SpendingReviewSettled":
      return `spending review ${e.review}: ${e.changes.map((c) => `${c.agency} ${c.basisPoints > 0 ? "+" : ""}${c.basisPoints / 100}%`).join(", ") || "no change"}`
    case "PeriodSpent":
      return `spending for period ${e.period}`
    case "ScenarioAmended":
      return `the scenario was amended (a fork): capacity ${e.capacity}${e.tranches.length > 0 ? `; ${e.tranches.map((x) => `${x.locality} to tranche ${x.tranche}`).join(", ")}` : ""}`
    case "BudgetPassedDown":
      return `${e.locality} passes ${e.shareBasisPoints > 0 ? `${e.shareBasisPoints / 100}% of` : `${formatPounds(e.annualPence)} a year from`} its pooled ${e.agency} line down to ${e.tiers.join(", ")} (by ${e.splitBy}), periods ${e.fromPeriod}–${e.toPeriod - 1}`
    case "PersonalBudgetsOffered":
      return `personal budgets ${e.personalBudget} in ${e.locality}: up to ${e.shareBasisPoints / 100}% of ${e.agency}'s service spend paid to citizens from period ${e.fromPeriod}`
    case "OutcomesAgreed":
      return `${e.locality}'s deal agrees ${e.outcomes.length} ${e.outcomes.length === 1 ? "outcome" : "outcomes"}: ${e.outcomes.map((o) => `${o.id} ${roughly(o.baselinePerYear)} → ${roughly(o.targetPerYear)} a year`).join(", ")}`
    case "CapacityChanged":
      return `the centre's capacity became ${e.capacity} negotiations at once`
    case "RunEnded":
      return `the run ended at month ${e.t}: ${e.open.filter((o) => o.status === "negotiating").length} negotiating, ${e.open.filter((o) => o.status === "queued").length} queued, ${e.open.filter((o) => o.status === "not_eligible").length} not yet eligible`
    default: {
      const never: never = e
      return String(never)
    }
  }
}

const localityOfEvent = (e: ControlEvent): string | undefined => ("locality" in e ? e.locality : undefined)

/** Where `devosim explain` looks: a locality, or a tier of one (index into RunStarted.tiers). */
export interface ExplainScope {
  readonly locality: number
  /** -1: the whole locality. */
  readonly tier: number
}

/** A locality id or a tier path of the run, or an ExplainError that lists both. */
export const explainScope = (run: RunStarted, name: string): ExplainScope => {
  const l = run.localities.findIndex((x) => x.id === name)
  if (l >= 0) return { locality: l, tier: -1 }
  const tiers = run.tiers ?? []
  const j = tiers.findIndex((t) => t.id === name)
  if (j >= 0) return { locality: run.localities.findIndex((x) => x.id === tiers[j]!.locality), tier: j }
  const list = (xs: ReadonlyArray<{ readonly id: string }>) => xs.map((x) => JSON.stringify(x.id)).join(", ")
  throw new ExplainError(`no locality ${tiers.length > 0 ? "or tier " : ""}${JSON.stringify(name)} in this run; localities are ${list(run.localities)}${tiers.length > 0 ? `; tiers are ${list(tiers)}` : ""}`)
}

export const explainBudget = (log: EventLog, q: ExplainQuery): Explanation => {
  const run = runStartedOf(log)
  const dir = accountDirectory(run)
  const scope = explainScope(run, q.locality)
  const l = scope.locality
  const a = q.agency === undefined ? -1 : run.agencies.findIndex((x) => x.id === q.agency)
  if (q.agency !== undefined && a < 0) throw new ExplainError(`no agency ${JSON.stringify(q.agency)} in this run; agencies are ${run.agencies.map((x) => JSON.stringify(x.id)).join(", ")}`)
  const limit = q.limit ?? 40
  const tiers = run.tiers ?? []
  // A tier: its accounts and its lower tiers'. A locality: all its accounts, its tiers' among them (the roll-up).
  const inTier = new Uint8Array(tiers.length)
  if (scope.tier >= 0) {
    const parentIndex = tiers.map((t) => (t.parent === null ? -1 : tiers.findIndex((x) => x.id === t.parent)))
    for (const j of tierSubtree(parentIndex.map((parent) => ({ parent })), scope.tier)) inTier[j] = 1
  }
  const inScope = (account: number) => (scope.tier >= 0 ? dir.tier[account]! >= 0 && inTier[dir.tier[account]!] === 1 : dir.locality[account] === l)
  // With an agency: a locality's line accounts of it; a tier's accounts (no line's) where the money comes from or goes to that line.
  const selected = (account: number) => inScope(account) && (a < 0 || scope.tier >= 0 || dir.agency[account] === a)
  const ofAgency = (from: number, to: number) => a < 0 || scope.tier < 0 || dir.agency[from] === a || dir.agency[to] === a
  const names: Record<Holder, string> = { treasury: "Treasury", department: "department", agency: "agency", spb: "SPB", world: "citizens & suppliers", centre: "centre", "mayoral office": "mayoral office" }
  const label = (account: number) => {
    const holder = HOLDERS[dir.holder[account]!]!
    const j = dir.tier[account]!
    if (j >= 0) return `${holder === "spb" ? "tier budget" : names[holder]} ${tiers[j]!.id}`
    const agency = dir.agency[account]! >= 0 ? ` ${run.agencies[dir.agency[account]!]!.id}` : ""
    const locality = dir.locality[account]!
    const where = locality >= 0 && (locality !== l || scope.tier >= 0) ? ` (${run.localities[locality]!.id})` : ""
    return `${names[holder]}${agency}${where}`
  }
  const bySeq = new Map(log.controls.map((c) => [c.seq, c] as const))
  const p = log.postings
  const postings: Array<ExplainedPosting> = []
  const touched = new Set<number>()
  let matched = 0
  let into = 0
  let outOf = 0
  for (let i = p.length - 1; i >= 0; i--) {
    const period = Math.floor(p.t[i]!)
    if (q.period !== undefined && period !== q.period) continue
    const inFrom = selected(p.from[i]!)
    const inTo = selected(p.to[i]!)
    if (!inFrom && !inTo) continue
    if (!ofAgency(p.from[i]!, p.to[i]!)) continue
    matched++
    if (inFrom) touched.add(p.from[i]!)
    if (inTo) touched.add(p.to[i]!)
    if (inTo && !inFrom) into += p.amount[i]!
    if (inFrom && !inTo) outOf += p.amount[i]!
    if (postings.length >= limit) continue
    const cause = bySeq.get(p.cause[i]!)
    postings.push({
      seq: p.seq[i]!,
      t: p.t[i]!,
      period,
      flow: classifyFlow(HOLDERS[dir.holder[p.from[i]!]!]!, HOLDERS[dir.holder[p.to[i]!]!]!, cause?._tag),
      from: label(p.from[i]!),
      to: label(p.to[i]!),
      amount_pence: p.amount[i]!,
      cause_seq: p.cause[i]!,
      cause: cause === undefined ? "?" : `${cause._tag}: ${describeEvent(cause)}`
    })
  }
  // A tier has no events of its own: its locality's are what moved it.
  const localityId = run.localities[l]!.id
  const events = log.controls
    .filter((e) => localityOfEvent(e) === localityId && (q.period === undefined || e.t < q.period + 1))
    .reverse()
    .map((e) => ({ seq: e.seq, t: e.t, what: `${e._tag}: ${describeEvent(e)}` }))
  const accounts = [...touched].sort((x, y) => x - y).map(label)
  return { locality: q.locality, agency: q.agency ?? null, period: q.period ?? null, postings, matched, net_pence: into - outOf, in_pence: into, out_pence: outOf, accounts, events }
}

/** The explanation as a terminal table. */
export const formatExplanation = (x: Explanation, start: string): string => {
  const ym = parseYearMonth(start)
  const month = (m: number) => (ym === undefined ? String(m) : formatYearMonth(periodMonth(ym, m)))
  const scope = [x.locality, x.agency, x.period === null ? null : `period ${x.period} (${month(x.period)})`].filter((s) => s !== null).join(" · ")
  const whose = `${x.locality}'s ${x.agency === null ? "" : `${x.agency} `}accounts`
  const lines = [
    `${scope}: ${x.matched} ${x.matched === 1 ? "posting" : "postings"} moved this budget; newest first${x.matched > x.postings.length ? `, first ${x.postings.length}` : ""}`,
    `  net ${formatPounds(x.net_pence)} into ${whose}${x.period === null ? " over the run" : " in the period"} = ${formatPounds(x.in_pence)} in from outside them − ${formatPounds(x.out_pence)} out (moves between them, such as a department funding its agency, cancel)${x.accounts.length > 0 ? `; accounts: ${x.accounts.join(", ")}` : ""}`
  ]
  const rows = x.postings.map((r) => [
    `#${r.seq}`,
    roughly(r.t),
    month(r.period),
    r.flow,
    `${r.from} → ${r.to}`,
    formatPounds(r.amount_pence),
    `#${r.cause_seq} ${r.cause}`
  ])
  const head = ["seq", "t", "month", "flow", "from → to", "amount", "cause"]
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)))
  const fmt = (r: ReadonlyArray<string>) =>
    "  " + r.map((c, k) => (k === 5 ? c.padStart(widths[k]!) : k === r.length - 1 ? c : c.padEnd(widths[k]!))).join("  ")
  lines.push(fmt(head), ...rows.map(fmt))
  if (x.matched > x.postings.length) lines.push(`  … ${x.matched - x.postings.length} older postings (raise --limit to see them)`)
  lines.push("", `Events for ${x.locality}${x.locality.includes("/") ? "'s locality" : ""}, newest first:`)
  for (const e of x.events.slice(0, 30)) lines.push(`  #${e.seq}  t=${roughly(e.t)}  ${e.what}`)
  if (x.events.length > 30) lines.push(`  … ${x.events.length - 30} older events`)
  return lines.join("\n")
}
