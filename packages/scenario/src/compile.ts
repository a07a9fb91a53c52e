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
 */
import {
  ACCOUNTABILITY_LEVELS,
  formatYearMonth,
  MAX_PENCE,
  monthsBetween,
  parseYearMonth,
  percentToBasisPoints,
  shareOf,
  poundsToPence,
  type Agency,
  type CapacityChange,
  type DealTerms,
  type Distribution,
  type Locality,
  type NegotiationTerms,
  type Pence,
  type Power,
  type Programme,
  type ProgrammeEffect,
  type Scenario,
  type SpendingReview,
  type Transfer,
  type Tranche,
  type YearMonth
} from "@devosim/core"
import { renderFound, type PathSegment } from "./errors.ts"
import type { Problem } from "./issues.ts"
import { formatCount, MAX_LOCALITY_AGENCY_LINES, MAX_PROGRAMME_INSTANCES } from "./limits.ts"
import { AMOUNT_EXPECTED, AMOUNT_PATTERN, type ScenarioFile } from "./schema.ts"

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
  const lines = file.localities.length * (file.agencies ?? []).length
  if (lines > MAX_LOCALITY_AGENCY_LINES) {
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
  const indexIds = (items: ReadonlyArray<{ readonly id: string }>, key: string, what: string): Map<string, number> => {
    const index = new Map<string, number>()
    // Ids not in NFC, by their NFC form: all it takes to find the other pairs, as an id in NFC is
    // its own NFC form (and most ids are, so most are never normalised).
    const denormal = new Map<string, number>()
    items.forEach((item, i) => {
      const exact = index.get(item.id)
      if (exact !== undefined) {
        problemAt([key, i, "id"], `a ${what} id not used before (${key}[${exact}] already has it)`, renderFound(item.id), [key, exact, "id"])
        return
      }
      const normal = nfc(item.id)
      const first = normal === item.id ? denormal.get(normal) : minDefined(index.get(normal), denormal.get(normal))
      if (first !== undefined) {
        const other = items[first]!.id
        problemAt(
          [key, i, "id"],
          `a ${what} id not used before, compared after Unicode NFC normalisation (${key}[${first}] already has ${renderFound(other)}, ${codePointsOf(other)})`,
          `${renderFound(item.id)}, ${codePointsOf(item.id)}`,
          [key, first, "id"]
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
    powers: dealPowers
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
    localities[i] = {
      ...localities[i]!,
      deal: {
        ...(own.reduction_pct === undefined ? {} : { reductionBasisPoints: percentToBasisPoints(own.reduction_pct) }),
        ...(own.gainshare_pct === undefined ? {} : { gainshareBasisPoints: percentToBasisPoints(own.gainshare_pct) }),
        ...(ownPowers === undefined ? {} : { powers: ownPowers })
      }
    }
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
        optimismBias: (e.optimism_bias_pct ?? 0) / 100
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
      ...(file.appraisal === undefined ? {} : { appraisalDiscounting: file.appraisal.discounting })
    }
  }
}
