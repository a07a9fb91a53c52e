/**
 * A schema-valid file → core's `Scenario`: cross references resolved to indices, months to numbers
 * since start, pounds to pence. Checks that need the whole file (duplicate ids, unknown references,
 * months before start, amounts beyond 2^53 pence) live here and report every problem with its path.
 *
 * Extensions (all optional, still version 1): every amount, unit costs included, is rounded half
 * up to the penny (`0.005` → 1 penny; a unit cost must still be at least a penny). Percentages
 * become basis points where core keeps basis points (discount rate, gainshare, spending reviews)
 * and fractions 0..1 where core keeps fractions (programme effects). With a powers menu the deal's
 * `pooledAgencies` is empty: pooling comes from `deal.powers` (default: the whole menu). A
 * programme for locality "all" becomes one programme per locality, "<id>@<locality id>".
 *
 * Tiers, budgets passed down, personal budgets, agreed outcomes, the envelope and running costs
 * (all optional): a file without them compiles to exactly the scenario it did before (no new keys).
 * A tier's line is its explicit `baseline` for that agency, else `share_pct` of its parent's line,
 * else its population's share of it (siblings' shares split by largest remainder: see
 * `populationShares`); `Scenario.tiers` holds each locality's tiers depth-first, a
 * parent before its children, ids being paths from the locality ("Birmingham/Ladywood/Aston"). A
 * power with `to_level` becomes, for each locality that seeks it and has tiers at that level, one
 * pass-down per agency of the power (all of the line, split by baseline, for the whole run), id
 * "<power>@<locality>:<agency>", after the locality's own; a seeking locality without tiers at that
 * level keeps the power itself (no pass-down).
 */
import {
  ACCOUNTABILITY_LEVELS,
  dealTermsOf,
  formatYearMonth,
  MAX_PENCE,
  monthsBetween,
  parseYearMonth,
  percentToBasisPoints,
  shareOf,
  shareOfFraction,
  splitLargestRemainder,
  poundsToPence,
  type Agency,
  type CapacityChange,
  type DealTerms,
  type Distribution,
  type Locality,
  type NegotiationTerms,
  type OutcomeMeasure,
  type PassDown,
  type PersonalBudget,
  type Pence,
  type Power,
  type Programme,
  type ProgrammeEffect,
  type RunningCosts,
  type Scenario,
  type SpendingReview,
  type Tier,
  type Transfer,
  type Tranche,
  type YearMonth
} from "@devosim/core"
import { formatPath, renderFound, type PathSegment } from "./errors.ts"
import type { Problem } from "./issues.ts"
import {
  atMostText,
  formatCount,
  MAX_LOCALITY_AGENCY_LINES,
  MAX_OUTCOMES,
  MAX_PASS_DOWNS,
  MAX_PERSONAL_BUDGETS,
  MAX_PROGRAMME_INSTANCES,
  MAX_TIER_DEPTH,
  MAX_TIERS
} from "./limits.ts"
import { AMOUNT_EXPECTED, AMOUNT_PATTERN, type ScenarioFile, type TierFile } from "./schema.ts"

export const DEFAULT_DEAL = { reduction_pct: 0, pooled_agencies: [] as ReadonlyArray<string>, horizon_months: 36 } as const
export const DEFAULT_GAINSHARE_PCT = 100
/** Green Book social time preference rate. */
export const DEFAULT_DISCOUNT_RATE_PCT = 3.5
/** The locality value "all" in a programme: one programme per locality, ids "<id>@<locality id>". */
export const ALL_LOCALITIES = "all"

type ModelName = NonNullable<ScenarioFile["powers"]>[number]["accountability"]
/** Index into ACCOUNTABILITY_LEVELS; a governor, sheriff or commissioner counts as an elected mayor. */
export const accountabilityLevel = (model: ModelName): number =>
  model === "governor" || model === "sheriff" || model === "commissioner" ? ACCOUNTABILITY_LEVELS.indexOf("elected_mayor") : ACCOUNTABILITY_LEVELS.indexOf(model)
export const DEFAULT_FAIL_PROBABILITY = 0
export const DEFAULT_COOL_OFF_MONTHS = 3
export const DEFAULT_MAX_ATTEMPTS = 3

type Duration = ScenarioFile["localities"][number]["negotiation"]["months"]

const listIds = (ids: ReadonlyArray<string>): string => {
  const shown = ids.slice(0, 8).map((id) => renderFound(id))
  return `(${shown.join(", ")}${ids.length > 8 ? `, … ${ids.length - 8} more` : ""})`
}

/** `s` in Unicode NFC; below U+0300 nothing composes or decomposes, so most ids skip the work. */
const nfc = (s: string): string => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x300) return s.normalize("NFC")
  return s
}

const minDefined = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b)

/** `U+0065 U+0301`: what tells apart two ids that print alike. */
const codePointsOf = (s: string): string => {
  const cps = Array.from(s, (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)
  return cps.length > 12 ? `${cps.slice(0, 12).join(" ")} …` : cps.join(" ")
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

/** Pence as pounds for a message: 310000000000 → "£3,100,000,000.00". */
const poundsText = (pence: number): string => {
  const p = Math.abs(pence)
  return `${pence < 0 ? "-" : ""}£${formatCount(Math.floor(p / 100))}.${String(p % 100).padStart(2, "0")}`
}

/**
 * The lines of the sibling tiers that take their population's share of their parent's line (0
 * when the parent has no population). One tier: shareOfFraction(line, population, parent's). Several:
 * their total share, split over them by largest remainder, so tiers that cover their parent's
 * population sum to its line exactly (rounding each share on its own could pass it by a penny a
 * tier). A fractional parent population (a locality's drawn one) is shared in floats, each tier on its own.
 */
const populationShares = (line: Pence, populations: ReadonlyArray<number>, parentPopulation: number): Array<Pence> => {
  if (!(parentPopulation > 0) || line === 0) return populations.map(() => 0)
  let sum = 0
  for (const p of populations) sum += p
  if (!Number.isSafeInteger(parentPopulation) || !Number.isSafeInteger(sum) || !populations.every((p) => Number.isSafeInteger(p))) {
    return populations.map((p) => Math.round(line * (p / parentPopulation)))
  }
  if (populations.length === 1) return [shareOfFraction(line, populations[0]!, parentPopulation)]
  if (sum === 0) return populations.map(() => 0)
  return splitLargestRemainder(shareOfFraction(line, sum, parentPopulation), populations)
}

/** Tiers in a list and all the lists below it (iteratively: depth is bounded by the nesting limit, not here). */
const countTiers = (top: ReadonlyArray<TierFile>): number => {
  let n = 0
  const stack: Array<ReadonlyArray<TierFile>> = [top]
  while (stack.length > 0) {
    const list = stack.pop()!
    n += list.length
    for (const t of list) if (t.tiers !== undefined && t.tiers.length > 0) stack.push(t.tiers)
  }
  return n
}

const durationOf = (d: Duration): Distribution => {
  if (typeof d === "number") return { kind: "fixed", value: d }
  if ("uniform" in d) return { kind: "uniform", min: d.uniform[0], max: d.uniform[1] }
  if ("triangular" in d) return { kind: "triangular", min: d.triangular[0], mode: d.triangular[1], max: d.triangular[2] }
  return { kind: "lognormal", median: d.lognormal.median, sigma: d.lognormal.sigma }
}

export type CompileResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly problems: Array<Problem> }

/**
 * Limits on products of counts, checked before anything is built: the compiled scenario holds a
 * baseline line per locality × agency and a programme per locality for each `locality: all`.
 */
const sizeProblems = (file: ScenarioFile): Array<Problem> => {
  // Tiers, pass-downs, personal budgets and outcomes summed over the localities.
  let tierCount = 0
  const totals = [
    { key: "pass_down", max: MAX_PASS_DOWNS, what: "pass-downs" },
    { key: "personal_budgets", max: MAX_PERSONAL_BUDGETS, what: "personal budgets" },
    { key: "outcomes", max: MAX_OUTCOMES, what: "outcomes" }
  ] as const
  const counts = [0, 0, 0]
  for (let i = 0; i < file.localities.length; i++) {
    const l = file.localities[i]!
    if (l.tiers !== undefined && l.tiers.length > 0) {
      tierCount += countTiers(l.tiers)
      if (tierCount > MAX_TIERS) {
        return [{ path: ["localities", i, "tiers"], anchor: "value", expected: `${atMostText(MAX_TIERS, "tiers")} over all the localities`, found: `${formatCount(tierCount)} by this locality's` }]
      }
    }
    const lengths = [l.pass_down?.length ?? 0, l.personal_budgets?.length ?? 0, l.deal?.outcomes?.length ?? 0]
    for (let k = 0; k < 3; k++) {
      counts[k]! += lengths[k]!
      const t = totals[k]!
      if (counts[k]! > t.max) {
        return [
          {
            path: k === 2 ? ["localities", i, "deal", "outcomes"] : ["localities", i, t.key],
            anchor: "value",
            expected: `${atMostText(t.max, t.what)} over all the localities`,
            found: `${formatCount(counts[k]!)} by this locality's`
          }
        ]
      }
    }
  }
  const places = file.localities.length + tierCount
  const lines = places * (file.agencies ?? []).length
  if (lines > MAX_LOCALITY_AGENCY_LINES) {
    if (tierCount > 0) {
      return [
        {
          path: ["agencies"],
          anchor: "value",
          expected: `at most ${formatCount(MAX_LOCALITY_AGENCY_LINES)} (locality and tier) × agency lines`,
          found: `${formatCount(file.localities.length)} localities and ${formatCount(tierCount)} tiers × ${formatCount((file.agencies ?? []).length)} agencies`
        }
      ]
    }
    return [
      {
        path: ["agencies"],
        anchor: "value",
        expected: `at most ${formatCount(MAX_LOCALITY_AGENCY_LINES)} locality × agency lines`,
        found: `${formatCount(file.localities.length)} localities × ${formatCount((file.agencies ?? []).length)} agencies`
      }
    ]
  }
  let instances = 0
  const programmes = file.programmes ?? []
  for (let i = 0; i < programmes.length; i++) {
    instances += programmes[i]!.locality === ALL_LOCALITIES ? file.localities.length : 1
    if (instances > MAX_PROGRAMME_INSTANCES) {
      return [
        {
          path: ["programmes", i, "locality"],
          anchor: "value",
          expected: `at most ${formatCount(MAX_PROGRAMME_INSTANCES)} programmes once "all" is one per locality`,
          found: `${formatCount(instances)} by this one`
        }
      ]
    }
  }
  return []
}

/** Compiles a schema-valid file. `seed` overrides the file's seed when given. */
export const compileFile = (file: ScenarioFile, seed?: number): CompileResult => {
  const tooBig = sizeProblems(file)
  if (tooBig.length > 0) return { ok: false, problems: tooBig }
  const problems: Array<Problem> = []
  /** `found` is described in words (an unknown key, a repeat), not a rendered value. */
  const problemText = (path: ReadonlyArray<PathSegment>, expected: string, found: string, anchor: Problem["anchor"] = "value"): void => {
    problems.push({ path, anchor, expected, found })
  }
  const problem = (path: ReadonlyArray<PathSegment>, expected: string, found: unknown): void =>
    problemText(path, expected, renderFound(found))
  /** A problem that involves a second place (`related`), located in the message too. */
  const problemAt = (path: ReadonlyArray<PathSegment>, expected: string, found: string, related: ReadonlyArray<PathSegment>): void => {
    problems.push({ path, anchor: "value", expected, found, related })
  }

  const start: YearMonth = parseYearMonth(file.start)! // the schema checked it
  /** Paths are built only for a problem: a million localities would otherwise build millions. */
  type At = () => ReadonlyArray<PathSegment>
  const monthsSinceStart = (v: number | string, path: At): number => {
    if (typeof v === "number") return v
    const m = monthsBetween(start, parseYearMonth(v)!)
    if (m < 0) {
      problem(path(), `a month like 2010-11 not before the start ${formatYearMonth(start)}, or a number of months >= 0`, v)
      return 0
    }
    return m
  }

  /**
   * Index of the first occurrence of each id; a later duplicate is a problem at its own path, naming
   * the first. Ids equal after NFC normalisation ("é" as one code point or as e + U+0301) are
   * duplicates too: they look the same wherever they are shown.
   */
  const indexIds = (items: ReadonlyArray<{ readonly id: string }>, list: string | ReadonlyArray<PathSegment>, what: string): Map<string, number> => {
    // A top-level list by its key, or a list deeper in (a locality's tiers) by its path.
    const prefix: ReadonlyArray<PathSegment> = typeof list === "string" ? [list] : list
    const key = typeof list === "string" ? list : formatPath(list)
    const a = /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`
    const index = new Map<string, number>()
    // Ids not in NFC, by their NFC form: all it takes to find the other pairs, as an id in NFC is
    // its own NFC form (and most ids are, so most are never normalised).
    const denormal = new Map<string, number>()
    items.forEach((item, i) => {
      const exact = index.get(item.id)
      if (exact !== undefined) {
        problemAt([...prefix, i, "id"], `${a} id not used before (${key}[${exact}] already has it)`, renderFound(item.id), [...prefix, exact, "id"])
        return
      }
      const normal = nfc(item.id)
      const first = normal === item.id ? denormal.get(normal) : minDefined(index.get(normal), denormal.get(normal))
      if (first !== undefined) {
        const other = items[first]!.id
        problemAt(
          [...prefix, i, "id"],
          `${a} id not used before, compared after Unicode NFC normalisation (${key}[${first}] already has ${renderFound(other)}, ${codePointsOf(other)})`,
          `${renderFound(item.id)}, ${codePointsOf(item.id)}`,
          [...prefix, first, "id"]
        )
        return
      }
      index.set(item.id, i)
      if (normal !== item.id && !denormal.has(normal)) denormal.set(normal, i)
    })
    return index
  }

  // The centre's capacity schedule: times strictly ascending (each change has its own time).
  const schedule: Array<CapacityChange> = []
  ;(file.centre.schedule ?? []).forEach((c, k) => {
    const at = monthsSinceStart(c.from, () => ["centre", "schedule", k, "from"])
    const prev = schedule[schedule.length - 1]
    if (prev !== undefined && at <= prev.at) {
      problem(["centre", "schedule", k, "from"], `a time after the change before it (changes ascend strictly; the one before is from month ${prev.at})`, c.from)
    }
    schedule.push({ at, capacity: c.capacity })
  })

  const trancheIndex = indexIds(file.tranches, "tranches", "tranche")
  const tranches: Array<Tranche> = file.tranches.map((t, i) => ({ id: t.id, opens: monthsSinceStart(t.opens, () => ["tranches", i, "opens"]) }))

  const fileAgencies = file.agencies ?? []
  const agencyIndex = indexIds(fileAgencies, "agencies", "agency")
  const agencies: Array<Agency> = fileAgencies.map((a) => ({
    id: a.id,
    name: a.name,
    trendBasisPoints: percentToBasisPoints(a.trend_pct ?? 0)
  }))
  const agencyIds = [...agencyIndex.keys()]
  const agencyExpected = agencyIds.length === 0 ? "an agency id, but the scenario has no agencies" : `one of the agency ids ${listIds(agencyIds)}`

  const localityIndex = indexIds(file.localities, "localities", "locality")
  let trancheExpected: string | undefined // worded once, when first needed
  const localities: Array<Locality> = file.localities.map((l, i) => {
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["localities", i, ...rest]
    const tranche = trancheIndex.get(l.tranche)
    if (tranche === undefined) problem(at("tranche"), (trancheExpected ??= `one of the tranche ids ${listIds([...trancheIndex.keys()])}`), l.tranche)
    const baseline = new Array<Pence>(agencies.length).fill(0)
    const lineAmounts = l.baseline ?? {}
    for (const agencyId in lineAmounts) {
      const amount = lineAmounts[agencyId]!
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
    const ready = l.ready === undefined ? 0 : monthsSinceStart(l.ready, () => at("ready"))
    const acc = l.accountability
    const level = acc === undefined ? 0 : accountabilityLevel(acc.model)
    const elections: Array<number> = []
    ;(acc?.elections ?? []).forEach((e, k) => {
      const m = monthsSinceStart(e, () => at("accountability", "elections", k))
      const prev = elections[elections.length - 1]
      if (prev !== undefined && m <= prev) {
        problem(at("accountability", "elections", k), `an election after the one before it (elections ascend strictly; the one before is month ${prev})`, e)
      }
      elections.push(m)
    })
    let adopts = -1
    if (acc?.adopts !== undefined && acc.adopts !== "none") {
      adopts = accountabilityLevel(acc.adopts)
      if (adopts <= level) {
        problem(
          at("accountability", "adopts"),
          `"none" or a model above the locality's model ${acc.model} (${ACCOUNTABILITY_LEVELS.slice(level + 1).join(", ") || "there is none"})`,
          acc.adopts
        )
      }
    }
    return {
      id: l.id,
      name: l.name,
      population: l.population,
      tranche: tranche ?? -1,
      ready,
      negotiation,
      baseline,
      accountability: { level, elections, adopts },
      ...(l.readiness_pct === undefined ? {} : { readinessPct: l.readiness_pct })
    }
  })

  // Lower tiers: each locality's depth-first, a parent before its children.
  const tiers: Array<Tier> = []
  /** By locality (with tiers): each tier's path from the locality ("Ladywood/Aston") → its index, and each level → its tiers. */
  const tierPathsOf = new Map<number, Map<string, number>>()
  const tierLevelsOf = new Map<number, Map<string, Array<number>>>()
  file.localities.forEach((l, li) => {
    if (l.tiers === undefined || l.tiers.length === 0) return
    const paths = new Map<string, number>()
    const levels = new Map<string, Array<number>>()
    tierPathsOf.set(li, paths)
    tierLevelsOf.set(li, levels)
    const place = (
      list: ReadonlyArray<TierFile>,
      at: ReadonlyArray<PathSegment>,
      parent: number,
      parentId: string,
      parentLine: ReadonlyArray<Pence>,
      parentPopulation: number,
      depth: number
    ): void => {
      if (depth > MAX_TIER_DEPTH) {
        problemText(at, `at most ${MAX_TIER_DEPTH} levels of tiers below a locality`, `tiers ${depth} levels below ${renderFound(l.id)}`)
        return
      }
      indexIds(list, at, "tier")
      // Running sums over the siblings: each agency's line, and people; each excess reported once, where it happens.
      const sums = new Array<number>(agencies.length).fill(0)
      const over = new Array<boolean>(agencies.length).fill(false)
      let people = 0
      // Each tier's lines: explicit ones, share_pct ones, then the population shares, per agency over the siblings that take one.
      const lines: Array<Array<Pence>> = list.map(() => new Array<Pence>(agencies.length).fill(0))
      const explicit: Array<Array<boolean>> = list.map(() => new Array<boolean>(agencies.length).fill(false))
      list.forEach((t, k) => {
        const given = t.baseline ?? {}
        for (const agencyId in given) {
          const amount = given[agencyId]!
          const a = agencyIndex.get(agencyId)
          if (a === undefined) {
            problemText([...at, k, "baseline", agencyId], agencyExpected, `an unknown agency ${renderFound(agencyId)}`, "key")
            continue
          }
          explicit[k]![a] = true
          const pence = amountToPence(amount)
          if (pence === undefined) problem([...at, k, "baseline", agencyId], `${AMOUNT_EXPECTED}, at most 2^53 pence (about £90 trillion)`, amount)
          lines[k]![a] = pence ?? 0
        }
        if (t.share_pct !== undefined) {
          const bp = percentToBasisPoints(t.share_pct)
          for (let a = 0; a < agencies.length; a++) if (!explicit[k]![a]) lines[k]![a] = shareOf(parentLine[a]!, bp)
        }
      })
      for (let a = 0; a < agencies.length; a++) {
        const byPopulation: Array<number> = []
        for (let k = 0; k < list.length; k++) if (!explicit[k]![a] && list[k]!.share_pct === undefined) byPopulation.push(k)
        if (byPopulation.length === 0) continue
        const shares = populationShares(parentLine[a]!, byPopulation.map((k) => list[k]!.population), parentPopulation)
        byPopulation.forEach((k, j) => (lines[k]![a] = shares[j]!))
      }
      list.forEach((t, k) => {
        const tat = (...rest: Array<PathSegment>): Array<PathSegment> => [...at, k, ...rest]
        const baseline = lines[k]!
        for (let a = 0; a < agencies.length; a++) {
          sums[a]! += baseline[a]!
          if (sums[a]! > parentLine[a]! && !over[a]) {
            over[a] = true
            const agencyId = agencies[a]!.id
            problemText(
              explicit[k]![a] ? tat("baseline", agencyId) : t.share_pct === undefined ? tat("population") : tat("share_pct"),
              `tiers' baselines of ${renderFound(agencyId)} that sum to at most their parent's (${renderFound(parentId)}: ${poundsText(parentLine[a]!)} a year)`,
              `${poundsText(sums[a]!)} a year by ${k === 0 ? "this tier" : `the first ${k + 1} tiers`}`
            )
          }
        }
        const wasOver = people > parentPopulation
        people += t.population
        if (people > parentPopulation && !wasOver) {
          problemText(
            tat("population"),
            `tiers' populations that sum to at most their parent's (${renderFound(parentId)}: ${parentPopulation})`,
            `${people} by ${k === 0 ? "this tier" : `the first ${k + 1} tiers`}`
          )
        }
        const index = tiers.length
        const id = `${parentId}/${t.id}`
        tiers.push({ id, name: t.name, level: t.level, locality: li, parent, population: t.population, baseline })
        const path = id.slice(l.id.length + 1)
        if (!paths.has(path)) paths.set(path, index) // a repeat is reported by indexIds
        const ofLevel = levels.get(t.level)
        if (ofLevel === undefined) levels.set(t.level, [index])
        else ofLevel.push(index)
        if (t.tiers !== undefined && t.tiers.length > 0) place(t.tiers, tat("tiers"), index, id, baseline, t.population, depth + 1)
      })
    }
    place(l.tiers, ["localities", li, "tiers"], -1, l.id, localities[li]!.baseline, l.population, 1)
  })
  /** What a tier reference of locality `li` may be, worded for a problem. */
  const tierPathExpected = (li: number): string => {
    const paths = tierPathsOf.get(li)
    const id = renderFound(file.localities[li]!.id)
    return paths === undefined ? `a tier path, but ${id} has no tiers` : `one of ${id}'s tier paths ${listIds([...paths.keys()])}`
  }
  const tierLevelExpected = (li: number): string => {
    const levels = tierLevelsOf.get(li)
    const id = renderFound(file.localities[li]!.id)
    return levels === undefined ? `a tier level, but ${id} has no tiers` : `one of ${id}'s tier levels ${listIds([...levels.keys()])}`
  }

  /**
   * Ids unique across the whole scenario for a kind kept in the localities (pass-downs, personal
   * budgets), compared after NFC normalisation like `indexIds`. Returns the check, which reports a
   * repeat at its own path naming the first.
   */
  const uniqueAcross = (what: string) => {
    const seen = new Map<string, { readonly id: string; readonly path: ReadonlyArray<PathSegment> }>()
    const check = (id: string, path: ReadonlyArray<PathSegment>): void => {
      const key = nfc(id)
      const first = seen.get(key)
      if (first === undefined) {
        seen.set(key, { id, path })
        return
      }
      const where = formatPath(first.path.slice(0, -1))
      if (first.id === id) problemAt(path, `a ${what} id not used before (${where} already has it)`, renderFound(id), first.path)
      else {
        problemAt(
          path,
          `a ${what} id not used before, compared after Unicode NFC normalisation (${where} already has ${renderFound(first.id)}, ${codePointsOf(first.id)})`,
          `${renderFound(id)}, ${codePointsOf(id)}`,
          first.path
        )
      }
    }
    return { check, seen }
  }

  // Listed only for a problem: the spread of a million ids would cost more than the rest.
  let localityList: string | undefined
  const localityExpected = (): string => (localityList ??= `one of the locality ids ${listIds([...localityIndex.keys()])}`)
  const agencyAt = (id: string, path: At): number => {
    const a = agencyIndex.get(id)
    if (a === undefined) problem(path(), agencyExpected, id)
    return a ?? -1
  }
  /** Pounds → pence for amounts that must be > 0 (or >= 0 with `positive` false). */
  const penceAt = (amount: number | string, path: At, positive: boolean): number => {
    const pence = amountToPence(amount)
    if (pence === undefined) {
      problem(path(), `${AMOUNT_EXPECTED}, at most 2^53 pence (about £90 trillion)`, amount)
      return 0
    }
    if (positive && pence <= 0) problem(path(), "an amount of pounds > 0 (at least a penny, after rounding to the penny)", amount)
    return pence
  }
  /** A whole month in [0, months): the schema checked integers and month strings. */
  const periodAt = (v: number | string, path: At): number => {
    const m = monthsSinceStart(v, path)
    if (m >= file.months) {
      problem(path(), `a month before the end of the run (months 0..${file.months - 1}, ${formatYearMonth(start)} onwards)`, v)
    }
    return m
  }

  // The powers menu.
  const filePowers = file.powers ?? []
  const powerIndex = indexIds(filePowers, "powers", "power")
  const poweredBy = new Map<number, number>() // agency → the first power pooling it
  const powers: Array<Power> = filePowers.map((p, i) => {
    const agenciesOfPower: Array<number> = []
    p.agencies.forEach((id, k) => {
      const path = ["powers", i, "agencies", k]
      const a = agencyAt(id, () => path)
      if (a < 0) return
      const other = poweredBy.get(a)
      if (agenciesOfPower.includes(a)) problemText(path, "each agency listed once", `${renderFound(id)} again`)
      else if (other !== undefined) problemText(path, `an agency no other power pools (powers[${other}] pools it)`, renderFound(id))
      else {
        poweredBy.set(a, i)
        agenciesOfPower.push(a)
      }
    })
    return {
      id: p.id,
      name: p.name,
      agencies: agenciesOfPower,
      requiredLevel: accountabilityLevel(p.accountability),
      ...(p.weight_months === undefined ? {} : { weightMonths: p.weight_months })
    }
  })
  const hasMenu = powers.length > 0
  const powerIds = [...powerIndex.keys()]

  const fileDeal = file.deal ?? DEFAULT_DEAL
  const pooled: Array<number> = []
  const filePooled = fileDeal.pooled_agencies ?? []
  if (hasMenu && filePooled.length > 0) {
    problemText(
      ["deal", "pooled_agencies"],
      "no pooled_agencies (or an empty list): with a powers menu, pooled agencies come from deal.powers",
      `pooled agencies ${renderFound(filePooled)}`
    )
  } else {
    filePooled.forEach((id, i) => {
      const a = agencyIndex.get(id)
      if (a === undefined) problem(["deal", "pooled_agencies", i], agencyExpected, id)
      else if (pooled.includes(a)) problemText(["deal", "pooled_agencies", i], "each agency listed once", `${renderFound(id)} again`)
      else pooled.push(a)
    })
  }
  const dealPowers: Array<number> = []
  const fileDealPowers = "powers" in fileDeal ? fileDeal.powers : undefined
  if (fileDealPowers === undefined) {
    if (hasMenu) dealPowers.push(...powers.map((_, i) => i))
  } else if (!hasMenu && fileDealPowers.length > 0) {
    problemText(["deal", "powers"], "no deal powers (or an empty list): the scenario has no powers menu", `powers ${renderFound(fileDealPowers)}`)
  } else {
    fileDealPowers.forEach((id, i) => {
      const k = powerIndex.get(id)
      if (k === undefined) problem(["deal", "powers", i], `one of the power ids ${listIds(powerIds)}`, id)
      else if (dealPowers.includes(k)) problemText(["deal", "powers", i], "each power listed once", `${renderFound(id)} again`)
      else dealPowers.push(k)
    })
  }
  const gainsharePct = "gainshare_pct" in fileDeal ? (fileDeal.gainshare_pct ?? DEFAULT_GAINSHARE_PCT) : DEFAULT_GAINSHARE_PCT
  const deal: DealTerms = {
    reductionBasisPoints: percentToBasisPoints(fileDeal.reduction_pct),
    pooledAgencies: pooled,
    horizonMonths: fileDeal.horizon_months,
    gainshareBasisPoints: percentToBasisPoints(gainsharePct),
    powers: dealPowers,
    ...("envelope" in fileDeal && fileDeal.envelope !== undefined ? { envelope: fileDeal.envelope } : {})
  }

  // Each locality's own deal terms (after the menu, whose ids they name).
  file.localities.forEach((l, i) => {
    const own = l.deal
    if (own === undefined) return
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["localities", i, "deal", ...rest]
    let ownPowers: Array<number> | undefined
    if (own.powers !== undefined) {
      if (!hasMenu && own.powers.length > 0) problemText(at("powers"), "no powers (or an empty list): the scenario has no powers menu", `powers ${renderFound(own.powers)}`)
      ownPowers = []
      own.powers.forEach((id, k) => {
        const p = powerIndex.get(id)
        if (p === undefined) problem(at("powers", k), `one of the power ids ${listIds(powerIds)}`, id)
        else if (ownPowers!.includes(p)) problemText(at("powers", k), "each power listed once", `${renderFound(id)} again`)
        else ownPowers!.push(p)
      })
    }
    let outcomes: Array<OutcomeMeasure> | undefined
    if (own.outcomes !== undefined) {
      indexIds(own.outcomes, at("outcomes"), "outcome")
      outcomes = own.outcomes.map((o, k) => ({
        id: o.id,
        name: o.name,
        baselinePerYear: o.baseline,
        targetPerYear: o.target,
        by: o.by === undefined ? file.months : monthsSinceStart(o.by, () => at("outcomes", k, "by")),
        paymentPencePerUnit: o.payment === undefined ? 0 : penceAt(o.payment, () => at("outcomes", k, "payment"), false)
      }))
    }
    localities[i] = {
      ...localities[i]!,
      deal: {
        ...(own.reduction_pct === undefined ? {} : { reductionBasisPoints: percentToBasisPoints(own.reduction_pct) }),
        ...(own.gainshare_pct === undefined ? {} : { gainshareBasisPoints: percentToBasisPoints(own.gainshare_pct) }),
        ...(ownPowers === undefined ? {} : { powers: ownPowers }),
        ...(outcomes === undefined ? {} : { outcomes }),
        ...(own.envelope === undefined ? {} : { envelope: own.envelope })
      }
    }
  })

  // Budgets passed down to tiers: each locality's own, then those its powers' to_level make.
  const passDownIds = uniqueAcross("pass-down")
  const ownPassDowns: Array<Array<PassDown>> = file.localities.map((l, li) =>
    (l.pass_down ?? []).map((pd, j): PassDown => {
      const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["localities", li, "pass_down", j, ...rest]
      passDownIds.check(pd.id, at("id"))
      const agency = agencyAt(pd.agency, () => at("agency"))
      if (pd.share_pct !== undefined && pd.amount !== undefined) {
        problemText(at("amount"), "either share_pct or amount, not both", `amount ${renderFound(pd.amount)} and share_pct ${pd.share_pct}`)
      } else if (pd.share_pct === undefined && pd.amount === undefined) {
        problems.push({
          path: at("share_pct"),
          anchor: "missing",
          expected: 'a key "share_pct" (a percentage of the line\'s pooled funding) or "amount" (pounds a year)',
          found: "nothing"
        })
      }
      const receiving: Array<number> = []
      if ("level" in pd.to) {
        const ofLevel = tierLevelsOf.get(li)?.get(pd.to.level)
        if (ofLevel === undefined) problem(at("to", "level"), tierLevelExpected(li), pd.to.level)
        else receiving.push(...ofLevel)
      } else {
        const paths = tierPathsOf.get(li)
        const listed = new Set<number>()
        pd.to.forEach((path, k) => {
          const t = paths?.get(path)
          if (t === undefined) problem(at("to", k), tierPathExpected(li), path)
          else if (listed.has(t)) problemText(at("to", k), "each tier listed once", `${renderFound(path)} again`)
          else {
            listed.add(t)
            receiving.push(t)
          }
        })
      }
      const starts = pd.starts === undefined ? 0 : periodAt(pd.starts, () => at("starts"))
      return {
        id: pd.id,
        locality: li,
        agency,
        shareBasisPoints: pd.share_pct === undefined ? 0 : percentToBasisPoints(pd.share_pct),
        annualPence: pd.amount === undefined || pd.share_pct !== undefined ? 0 : penceAt(pd.amount, () => at("amount"), true),
        tiers: receiving,
        splitBy: pd.split_by ?? "population",
        starts,
        months: pd.months ?? file.months - starts
      }
    })
  )
  const passDowns: Array<PassDown> = []
  const devolvesToTiers = filePowers.some((p) => p.to_level !== undefined)
  ownPassDowns.forEach((own, li) => {
    passDowns.push(...own)
    const levels = tierLevelsOf.get(li)
    if (!devolvesToTiers || levels === undefined) return
    // A power the locality seeks with a to_level it has tiers at: the power's lines go down to them.
    const sought = dealTermsOf(deal, localities[li]!).powers
    filePowers.forEach((fp, k) => {
      const ofLevel = fp.to_level === undefined ? undefined : levels.get(fp.to_level)
      if (ofLevel === undefined || !sought.includes(k)) return
      for (const agency of powers[k]!.agencies) {
        const id = `${fp.id}@${localities[li]!.id}:${agencies[agency]!.id}`
        const taken = passDownIds.seen.get(nfc(id))
        if (taken !== undefined) {
          problemAt(
            taken.path,
            `a pass-down id other than ${renderFound(id)}, the id of the pass-down powers[${k}].to_level makes for ${renderFound(localities[li]!.id)}'s ${renderFound(agencies[agency]!.id)} line`,
            renderFound(taken.id),
            ["powers", k, "to_level"]
          )
          continue
        }
        passDownIds.check(id, ["powers", k, "to_level"])
        passDowns.push({ id, locality: li, agency, shareBasisPoints: 10000, annualPence: 0, tiers: ofLevel.slice(), splitBy: "baseline", starts: 0, months: file.months })
      }
    })
  })

  // Personal budgets (direct payments).
  const budgetIds = uniqueAcross("personal budget")
  const personalBudgets: Array<PersonalBudget> = []
  file.localities.forEach((l, li) => {
    ;(l.personal_budgets ?? []).forEach((b, j) => {
      const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["localities", li, "personal_budgets", j, ...rest]
      budgetIds.check(b.id, at("id"))
      personalBudgets.push({
        id: b.id,
        locality: li,
        agency: agencyAt(b.agency, () => at("agency")),
        shareBasisPoints: percentToBasisPoints(b.share_pct),
        starts: b.starts === undefined ? 0 : periodAt(b.starts, () => at("starts")),
        rampMonths: b.take_up?.ramp_months ?? 0,
        initialTakeUp: (b.take_up?.initial_pct ?? 100) / 100,
        costChange: (b.cost_change_pct ?? 0) / 100
      })
    })
  })

  // Prevention programmes; locality "all" expands to one per locality, in file order.
  const programmes: Array<Programme> = []
  const fileProgrammes = file.programmes ?? []
  const programmeIndex = indexIds(fileProgrammes, "programmes", "programme")
  const programmeIdAt = new Map<string, number>() // compiled id → programmes[i] in the file
  // Without "all", compiled ids are the file's ids, whose repeats indexIds reports.
  const expands = fileProgrammes.some((p) => p.locality === ALL_LOCALITIES)
  fileProgrammes.forEach((p, i) => {
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["programmes", i, ...rest]
    let places: Array<[number, string]>
    if (p.locality === ALL_LOCALITIES) places = file.localities.map((l, k) => [k, `${p.id}@${l.id}`])
    else {
      const k = localityIndex.get(p.locality)
      if (k === undefined) {
        problem(at("locality"), `${localityExpected()} or "all"`, p.locality)
        places = []
      } else places = [[k, p.id]]
    }
    if (expands) {
      // A repeated file id is reported by indexIds; here, compiled ids that collide ("x@Kent").
      for (const [, id] of programmeIndex.get(p.id) === i ? places : []) {
        const first = programmeIdAt.get(id)
        if (first !== undefined) {
          problem(at("id"), `a programme id not used before (programmes[${first}] already has ${renderFound(id)})`, p.id)
          break
        }
      }
      for (const [, id] of places) if (!programmeIdAt.has(id)) programmeIdAt.set(id, i)
    }
    const payer = agencyAt(p.payer, () => at("payer"))
    const starts = periodAt(p.starts, () => at("starts"))
    // Optimism bias on costs (the Green Book's supplementary guidance): the costs are uplifted, and the uplifted costs are what is spent.
    const uplift = percentToBasisPoints(p.investment?.optimism_bias_pct ?? 0)
    const uplifted = (x: number) => x + shareOf(x, uplift)
    const upfrontPence = uplifted(p.investment?.upfront === undefined ? 0 : penceAt(p.investment.upfront, () => at("investment", "upfront"), false))
    const monthlyPence = uplifted(p.investment?.monthly === undefined ? 0 : penceAt(p.investment.monthly, () => at("investment", "monthly"), false))
    const effects: Array<ProgrammeEffect> = p.effects.map((e, j) => {
      const ef = (...rest: Array<PathSegment>): Array<PathSegment> => at("effects", j, ...rest)
      const beneficiary = agencyAt(e.beneficiary, () => ef("beneficiary"))
      const unitCostPence = penceAt(e.unit_cost.amount, () => ef("unit_cost", "amount"), true)
      if (starts < file.months && starts + e.lag_months >= file.months) {
        problem(
          ef("lag_months"),
          `a lag that ends inside the run (starts ${starts} + lag < ${file.months} months; lag at most ${file.months - 1 - starts})`,
          e.lag_months
        )
      }
      return {
        beneficiary,
        service: e.service,
        unitCostPence,
        per: e.unit_cost.per,
        demandPerMemberPerYear: e.baseline_demand,
        reduction: e.reduction_pct / 100,
        lagMonths: e.lag_months,
        rampMonths: e.ramp_months,
        decayPerYear: (e.decay_pct_per_year ?? 0) / 100,
        deadweight: (e.deadweight_pct ?? 0) / 100,
        optimismBias: (e.optimism_bias_pct ?? 0) / 100,
        ...(e.outcome === undefined ? {} : { outcome: e.outcome })
      }
    })
    // An effect's outcome is one its locality's deal agrees: for "all", every locality's (the first without it is reported).
    p.effects.forEach((e, j) => {
      const outcome = e.outcome
      if (outcome === undefined) return
      for (const [locality] of places) {
        const agreed = localities[locality]!.deal?.outcomes ?? []
        if (agreed.some((o) => o.id === outcome)) continue
        const id = renderFound(localities[locality]!.id)
        const each = p.locality === ALL_LOCALITIES ? ' (locality "all": each locality\'s deal must agree it)' : ""
        problem(
          at("effects", j, "outcome"),
          agreed.length === 0
            ? `an outcome id of ${id}'s deal, but it agrees no outcomes (localities[${locality}].deal.outcomes)${each}`
            : `one of the outcome ids of ${id}'s deal ${listIds(agreed.map((o) => o.id))}${each}`,
          outcome
        )
        break
      }
    })
    for (const [locality, id] of places) {
      programmes.push({ id, locality, payer, starts, durationMonths: p.duration_months, upfrontPence, monthlyPence, cohort: p.cohort, effects })
    }
  })

  const fileTransfers = file.transfers ?? []
  indexIds(fileTransfers, "transfers", "transfer")
  const transfers: Array<Transfer> = fileTransfers.map((t, i) => {
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["transfers", i, ...rest]
    const locality = localityIndex.get(t.locality)
    if (locality === undefined) problem(at("locality"), localityExpected(), t.locality)
    const from = agencyAt(t.from, () => at("from"))
    const to = agencyAt(t.to, () => at("to"))
    if (from >= 0 && from === to) problem(at("to"), `an agency other than the payer ${renderFound(t.from)}`, t.to)
    return {
      id: t.id,
      locality: locality ?? -1,
      from,
      to,
      annualPence: penceAt(t.amount, () => at("amount"), true),
      starts: periodAt(t.starts, () => at("starts")),
      months: t.months
    }
  })

  const fileReviews = file.spending_reviews ?? []
  indexIds(fileReviews, "spending_reviews", "spending review")
  const spendingReviews: Array<SpendingReview> = fileReviews.map((r, i) => {
    const at = (...rest: Array<PathSegment>): Array<PathSegment> => ["spending_reviews", i, ...rest]
    const changeBasisPoints = new Array<number>(agencies.length).fill(0)
    for (const [agencyId, pct] of Object.entries(r.changes)) {
      const a = agencyIndex.get(agencyId)
      if (a === undefined) problemText(at("changes", agencyId), agencyExpected, `an unknown agency ${renderFound(agencyId)}`, "key")
      else changeBasisPoints[a] = percentToBasisPoints(pct)
    }
    return { id: r.id, starts: periodAt(r.starts, () => at("starts")), months: r.months, changeBasisPoints, persists: r.persists ?? true, phasing: r.phasing ?? "flat" }
  })

  // Variant names are unique (after NFC normalisation, like ids): they name the scenarios of a comparison.
  const variantIndex = new Map<string, number>()
  ;(file.variants ?? []).forEach((v, i) => {
    const first = variantIndex.get(nfc(v.name))
    if (first === undefined) variantIndex.set(nfc(v.name), i)
    else if (file.variants![first]!.name === v.name) {
      problemAt(["variants", i, "name"], `a variant name not used before (variants[${first}] already has it)`, renderFound(v.name), ["variants", first, "name"])
    } else {
      const other = file.variants![first]!.name
      problemAt(
        ["variants", i, "name"],
        `a variant name not used before, compared after Unicode NFC normalisation (variants[${first}] already has ${renderFound(other)}, ${codePointsOf(other)})`,
        `${renderFound(v.name)}, ${codePointsOf(v.name)}`,
        ["variants", first, "name"]
      )
    }
  })

  const fileCosts = file.running_costs
  const costAt = (amount: number | string | undefined, path: ReadonlyArray<PathSegment>): number => (amount === undefined ? 0 : penceAt(amount, () => path, false))
  const runningCosts: RunningCosts | undefined =
    fileCosts === undefined
      ? undefined
      : {
          centreMonthlyPence: costAt(fileCosts.centre?.monthly, ["running_costs", "centre", "monthly"]),
          centrePerNegotiationMonthPence: costAt(fileCosts.centre?.per_negotiation_month, ["running_costs", "centre", "per_negotiation_month"]),
          mayoralOfficeMonthlyPence: costAt(fileCosts.mayoral_office?.monthly, ["running_costs", "mayoral_office", "monthly"])
        }

  if (problems.length === 0) {
    // Every pound leaves the Treasury's account, which must stay within exact integers (2^53 − 1
    // pence): bound the run's total spend from above, with trends, reviews and programmes, and keep
    // a factor of two in hand.
    const years = Math.max(1, Math.ceil(file.months / 12))
    let total = 0
    agencies.forEach((agency, a) => {
      let perYear = 0
      for (const l of localities) perYear += l.baseline[a] ?? 0
      const growth = 1 + Math.max(0, agency.trendBasisPoints) / 10000
      // Reviews compound: the product of every rise.
      const reviews = spendingReviews.reduce((up, r) => up * (1 + Math.max(0, r.changeBasisPoints[a] ?? 0) / 10000), 1)
      for (let k = 0; k < years; k++, perYear *= growth) total += perYear * reviews
    })
    for (const p of programmes) total += p.upfrontPence + p.monthlyPence * p.durationMonths
    // Money the new fields add (only when present, so other scenarios' bound is as it was): running
    // costs (each locality negotiating, or with a mayoral office, every month at most) and outcome payments.
    if (runningCosts !== undefined) {
      const perMonth = runningCosts.centreMonthlyPence + (runningCosts.centrePerNegotiationMonthPence + runningCosts.mayoralOfficeMonthlyPence) * localities.length
      total += perMonth * file.months
    }
    for (const l of localities) for (const o of l.deal?.outcomes ?? []) if (o.paymentPencePerUnit > 0) total += o.paymentPencePerUnit * o.baselinePerYear * years
    if (!(total <= Number.MAX_SAFE_INTEGER / 2)) {
      problemText(
        ["localities"],
        "baselines and programmes whose spending over the run stays below £45 trillion (money is counted in exact pence)",
        `about £${(total / 100 / 1e12).toFixed(0)} trillion over ${file.months} months`
      )
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    scenario: {
      name: file.name,
      start,
      months: file.months,
      seed: seed ?? file.seed,
      centre: file.centre.schedule === undefined ? { capacity: file.centre.capacity } : { capacity: file.centre.capacity, schedule },
      tranches,
      agencies,
      localities,
      deal,
      powers,
      programmes,
      transfers,
      spendingReviews,
      discountRateBasisPoints: percentToBasisPoints(file.discount_rate_pct ?? DEFAULT_DISCOUNT_RATE_PCT),
      ...(file.coverage === undefined ? {} : { coverage: { population: file.coverage.population, label: file.coverage.label } }),
      ...(file.appraisal === undefined ? {} : { appraisalDiscounting: file.appraisal.discounting }),
      ...(tiers.length === 0 ? {} : { tiers }),
      ...(passDowns.length === 0 ? {} : { passDowns }),
      ...(personalBudgets.length === 0 ? {} : { personalBudgets }),
      ...(runningCosts === undefined ? {} : { runningCosts })
    }
  }
}
