/**
 * A schema-valid file → core's `Scenario`: cross references resolved to indices, months to numbers
 * since start, pounds to pence. Checks that need the whole file (duplicate ids, unknown references,
 * months before start, amounts beyond 2^53 pence) live here and report every problem with its path.
 */
import {
  formatYearMonth,
  MAX_PENCE,
  monthsBetween,
  parseYearMonth,
  percentToBasisPoints,
  poundsToPence,
  type Agency,
  type DealTerms,
  type Distribution,
  type Locality,
  type NegotiationTerms,
  type Pence,
  type Scenario,
  type Tranche,
  type YearMonth
} from "@devosim/core"
import { renderFound, type PathSegment } from "./errors.ts"
import type { Problem } from "./issues.ts"
import { AMOUNT_EXPECTED, AMOUNT_PATTERN, type ScenarioFile } from "./schema.ts"

export const DEFAULT_DEAL = { reduction_pct: 0, pooled_agencies: [] as ReadonlyArray<string>, horizon_months: 36 } as const
export const DEFAULT_FAIL_PROBABILITY = 0
export const DEFAULT_COOL_OFF_MONTHS = 3
export const DEFAULT_MAX_ATTEMPTS = 3

type Duration = ScenarioFile["localities"][number]["negotiation"]["months"]

const listIds = (ids: ReadonlyArray<string>): string => {
  const shown = ids.slice(0, 8).map((id) => JSON.stringify(id))
  return `(${shown.join(", ")}${ids.length > 8 ? `, … ${ids.length - 8} more` : ""})`
}

const SUFFIX_EXPONENT: Record<string, number> = { "": 0, k: 3, m: 6, bn: 9 }

/**
 * Pounds (a number, or text like "£7.5bn") → integer pence, exactly: text is scaled in integer
 * arithmetic so "£1.1bn" is 110000000000 pence, not a float near it. Undefined beyond 2^53 pence.
 */
export const amountToPence = (amount: number | string): Pence | undefined => {
  if (typeof amount === "number") {
    const p = poundsToPence(amount)
    return Number.isSafeInteger(p) ? p : undefined
  }
  const m = AMOUNT_PATTERN.exec(amount)
  if (!m) return undefined
  const whole = m[1]!.replaceAll(",", "")
  const frac = m[2] ?? ""
  const scale = SUFFIX_EXPONENT[(m[3] ?? "").toLowerCase()]! + 2 - frac.length
  const digits = BigInt(whole + frac)
  let pence: bigint
  if (scale >= 0) pence = digits * 10n ** BigInt(scale)
  else {
    // Fractions of a penny round half up (amounts are never negative).
    const d = 10n ** BigInt(-scale)
    pence = digits / d + ((digits % d) * 2n >= d ? 1n : 0n)
  }
  return pence <= BigInt(MAX_PENCE) ? Number(pence) : undefined
}

const durationOf = (d: Duration): Distribution => {
  if (typeof d === "number") return { kind: "fixed", value: d }
  if ("uniform" in d) return { kind: "uniform", min: d.uniform[0], max: d.uniform[1] }
  if ("triangular" in d) return { kind: "triangular", min: d.triangular[0], mode: d.triangular[1], max: d.triangular[2] }
  return { kind: "lognormal", median: d.lognormal.median, sigma: d.lognormal.sigma }
}

export type CompileResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly problems: Array<Problem> }

/** Compiles a schema-valid file. `seed` overrides the file's seed when given. */
export const compileFile = (file: ScenarioFile, seed?: number): CompileResult => {
  const problems: Array<Problem> = []
  /** `found` is described in words (an unknown key, a repeat), not a rendered value. */
  const problemText = (path: ReadonlyArray<PathSegment>, expected: string, found: string, anchor: Problem["anchor"] = "value"): void => {
    problems.push({ path, anchor, expected, found })
  }
  const problem = (path: ReadonlyArray<PathSegment>, expected: string, found: unknown): void =>
    problemText(path, expected, renderFound(found))

  const start: YearMonth = parseYearMonth(file.start)! // the schema checked it
  const monthsSinceStart = (v: number | string, path: ReadonlyArray<PathSegment>): number => {
    if (typeof v === "number") return v
    const m = monthsBetween(start, parseYearMonth(v)!)
    if (m < 0) {
      problem(path, `a month like 2010-11 not before the start ${formatYearMonth(start)}, or a number of months >= 0`, v)
      return 0
    }
    return m
  }

  /** Index of the first occurrence of each id; a later duplicate is a problem at its own path. */
  const indexIds = (items: ReadonlyArray<{ readonly id: string }>, key: string, what: string): Map<string, number> => {
    const index = new Map<string, number>()
    items.forEach((item, i) => {
      const first = index.get(item.id)
      if (first === undefined) index.set(item.id, i)
      else problem([key, i, "id"], `a ${what} id not used before (${key}[${first}] already has it)`, item.id)
    })
    return index
  }

  const trancheIndex = indexIds(file.tranches, "tranches", "tranche")
  const tranches: Array<Tranche> = file.tranches.map((t, i) => ({ id: t.id, opens: monthsSinceStart(t.opens, ["tranches", i, "opens"]) }))

  const fileAgencies = file.agencies ?? []
  const agencyIndex = indexIds(fileAgencies, "agencies", "agency")
  const agencies: Array<Agency> = fileAgencies.map((a) => ({
    id: a.id,
    name: a.name,
    trendBasisPoints: percentToBasisPoints(a.trend_pct ?? 0)
  }))
  const trancheIds = [...trancheIndex.keys()]
  const agencyIds = [...agencyIndex.keys()]
  const agencyExpected = agencyIds.length === 0 ? "an agency id, but the scenario has no agencies" : `one of the agency ids ${listIds(agencyIds)}`

  indexIds(file.localities, "localities", "locality")
  const localities: Array<Locality> = file.localities.map((l, i) => {
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["localities", i, ...rest]
    const tranche = trancheIndex.get(l.tranche)
    if (tranche === undefined) problem(at("tranche"), `one of the tranche ids ${listIds(trancheIds)}`, l.tranche)
    const baseline = new Array<Pence>(agencies.length).fill(0)
    for (const [agencyId, amount] of Object.entries(l.baseline ?? {})) {
      const a = agencyIndex.get(agencyId)
      if (a === undefined) {
        problemText(at("baseline", agencyId), agencyExpected, `an unknown agency ${renderFound(agencyId)}`, "key")
        continue
      }
      const pence = amountToPence(amount)
      if (pence === undefined) problem(at("baseline", agencyId), `${AMOUNT_EXPECTED}, at most 2^53 pence (about £90 trillion)`, amount)
      else baseline[a] = pence
    }
    const n = l.negotiation
    const negotiation: NegotiationTerms = {
      duration: durationOf(n.months),
      failProbability: n.fail_probability ?? DEFAULT_FAIL_PROBABILITY,
      coolOffMonths: n.cool_off_months ?? DEFAULT_COOL_OFF_MONTHS,
      maxAttempts: n.max_attempts ?? DEFAULT_MAX_ATTEMPTS
    }
    return {
      id: l.id,
      name: l.name,
      population: l.population,
      tranche: tranche ?? -1,
      ready: l.ready === undefined ? 0 : monthsSinceStart(l.ready, at("ready")),
      negotiation,
      baseline
    }
  })

  const fileDeal = file.deal ?? DEFAULT_DEAL
  const pooled: Array<number> = []
  fileDeal.pooled_agencies.forEach((id, i) => {
    const a = agencyIndex.get(id)
    if (a === undefined) problem(["deal", "pooled_agencies", i], agencyExpected, id)
    else if (pooled.includes(a)) problemText(["deal", "pooled_agencies", i], "each agency listed once", `${renderFound(id)} again`)
    else pooled.push(a)
  })
  const deal: DealTerms = {
    reductionBasisPoints: percentToBasisPoints(fileDeal.reduction_pct),
    pooledAgencies: pooled,
    horizonMonths: fileDeal.horizon_months
  }

  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    scenario: {
      name: file.name,
      start,
      months: file.months,
      seed: seed ?? file.seed,
      centre: { capacity: file.centre.capacity },
      tranches,
      agencies,
      localities,
      deal
    }
  }
}
