/**
 * The scenario file format, version 1, as users write it (snake_case keys, months as "YYYY-MM" or
 * numbers, money as pounds or "£7.5bn"). The schema only validates shapes and local ranges; it does
 * not transform, so the same schema publishes a clean JSON Schema. Cross references (tranche ids,
 * agency ids, months before start) are checked in `compile.ts`, where the whole file is in view.
 * Every schema node carries an `expected` annotation: that is the text users see in an error.
 */
import { Schema } from "effect"
import { hasVisibleCharacter, isDotSegment, isPrintableId, isPrintableText, parseYearMonth } from "@devosim/core"
import {
  atMostText,
  formatCount,
  MAX_AGENCIES,
  MAX_CAPACITY_CHANGES,
  MAX_EFFECTS,
  MAX_ELECTIONS,
  MAX_ID_LENGTH,
  MAX_LOCALITIES,
  MAX_LOGNORMAL_SIGMA,
  MAX_MONTHS,
  MAX_NAME_LENGTH,
  MAX_NEGOTIATION_ATTEMPTS,
  MAX_NUMBER,
  MAX_OUTCOMES,
  MAX_PASS_DOWNS,
  MAX_PERSONAL_BUDGETS,
  MAX_POWERS,
  MAX_PROGRAMMES,
  MAX_SCENARIO_NAME_LENGTH,
  MAX_SPENDING_REVIEWS,
  MAX_STRING_LENGTH,
  MAX_TIER_DEPTH,
  MAX_TIERS,
  MAX_TIME_MONTHS,
  MAX_TRANCHES,
  MAX_TRANSFERS,
  MAX_VARIANTS
} from "./limits.ts"

type Filter = ReturnType<typeof Schema.isFinite>

/** Said of any number beyond ±(2^53 − 1), before the field's own range is checked. */
export const MAGNITUDE_EXPECTED = `a number no larger than 2^53 - 1 (${MAX_NUMBER}) in magnitude`
const TIME = formatCount(MAX_TIME_MONTHS)

/**
 * A finite number with range checks, all reporting the same `expected` text; a number beyond
 * ±(2^53 − 1) is reported as such first (it is finite but no field means it).
 */
const num = (expected: string, description: string, ...checks: ReadonlyArray<(a: { expected: string }) => Filter>) => {
  const a = { expected }
  const [first, ...rest] = [
    Schema.isFinite(a),
    Schema.isBetween({ minimum: -MAX_NUMBER, maximum: MAX_NUMBER }, { expected: MAGNITUDE_EXPECTED }),
    ...checks.map((c) => c(a))
  ]
  return Schema.Number.annotate({ expected, description }).check(first!, ...rest)
}
const atLeast = (min: number) => (a: { expected: string }) => Schema.isGreaterThanOrEqualTo(min, a)
const above = (min: number) => (a: { expected: string }) => Schema.isGreaterThan(min, a)
const below = (max: number) => (a: { expected: string }) => Schema.isLessThan(max, a)
const atMost = (max: number) => (a: { expected: string }) => Schema.isLessThanOrEqualTo(max, a)
const integer = (a: { expected: string }) => Schema.isInt(a)
/** Percentages of money are held exactly, in basis points (0.01%): more decimals are refused, never rounded. */
export const isHundredths = (v: number): boolean => Math.abs(v * 100 - Math.round(v * 100)) <= 1e-9 * Math.max(1, Math.abs(v * 100))
const hundredths = (a: { expected: string }) => Schema.makeFilter((v: number) => isHundredths(v), a)
const BP = "to at most two decimals (held exactly as basis points, 0.01%)"

export const ID_EXPECTED = "a non-empty printable id"
export const ID_LENGTH_EXPECTED = `an id of at most ${MAX_ID_LENGTH} characters`

/** Code points, not UTF-16 units: an emoji is one character. */
export const codePoints = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdbff) n++
  }
  return n
}

/** At most `max` code points (JSON Schema `maxLength`, which counts code points too). */
const maxCodePoints = (max: number, expected: string) =>
  Schema.makeFilter((s: string) => s.length <= max || codePoints(s) <= max, { expected, toJsonSchema: () => ({ maxLength: max }) })

export const ID_VISIBLE_EXPECTED = "an id with a character that shows (not only spaces, zero-width, format or combining characters)"
export const ID_DOTS_EXPECTED = 'an id other than "." or ".." (ids may become file path segments)'

/**
 * Ids are printable Unicode (Welsh, Gaelic, emoji, fullwidth all fine), at most MAX_ID_LENGTH
 * characters, with a character that shows, never "." or "..", and never contain path separators.
 * Two ids of a kind that are equal after NFC normalisation are refused in `compile.ts`.
 */
export const Id = Schema.String.annotate({
  expected: ID_EXPECTED,
  description: `Printable Unicode with a visible character, no control characters, no '/' or '\\', not "." or "..", at most ${MAX_ID_LENGTH} characters; unique after NFC normalisation.`
}).check(
  Schema.makeFilter((s: string) => isPrintableId(s), { expected: ID_EXPECTED }),
  Schema.makeFilter((s: string) => hasVisibleCharacter(s), { expected: ID_VISIBLE_EXPECTED }),
  Schema.makeFilter((s: string) => !s.includes("/") && !s.includes("\\"), {
    expected: 'an id without "/" or "\\" (ids may become file path segments)'
  }),
  Schema.makeFilter((s: string) => !isDotSegment(s), { expected: ID_DOTS_EXPECTED }),
  maxCodePoints(MAX_ID_LENGTH, ID_LENGTH_EXPECTED)
)

/** A name: printable text (it is shown in terminals and reports), at most MAX_NAME_LENGTH characters. */
const nameOf = (expected: string, options: { readonly nonEmpty?: boolean; readonly max?: number } = {}) => {
  const max = options.max ?? MAX_NAME_LENGTH
  const text = `${expected} (printable text of ${options.nonEmpty ? "1" : "0"}..${max} characters)`
  const checks = [
    ...(options.nonEmpty ? [Schema.isMinLength(1, { expected: text })] : []),
    Schema.makeFilter((s: string) => isPrintableText(s), { expected: `${expected} without control characters (tabs, line breaks, escapes)` }),
    maxCodePoints(max, text)
  ]
  return Schema.String.annotate({ expected }).check(checks[0]!, ...checks.slice(1))
}

/** A list of at most `max` elements (`maxItems` in JSON Schema). */
const maxItems = (max: number, what: string) =>
  Schema.makeFilter((a: ReadonlyArray<unknown>) => a.length <= max, {
    expected: atMostText(max, what),
    toJsonSchema: () => ({ maxItems: max })
  })

const nonEmptyArray = <S extends Schema.Top>(item: S, expected: string, max: number, what: string) =>
  Schema.Array(item)
    .annotate({ expected })
    .check(
      Schema.makeFilter((a: ReadonlyArray<unknown>) => a.length > 0, { expected, toJsonSchema: () => ({ minItems: 1 }) }),
      maxItems(max, what)
    )

/** A possibly empty list of at most `max` elements. */
const boundedArray = <S extends Schema.Top>(
  item: S,
  annotations: { readonly expected: string; readonly description?: string; readonly default?: ReadonlyArray<never> },
  max: number,
  what: string
) => Schema.Array(item).annotate(annotations).check(maxItems(max, what))

export const MONTH_PATTERN = /^\d{4}-\d{2}$/u
const MONTH_EXPECTED = "a month like 2010-04 (YYYY-MM, month 01..12, year 1900..2200)"

/** A calendar month "YYYY-MM" with a real month and a plausible year. */
export const MonthString = Schema.String.annotate({ expected: MONTH_EXPECTED, description: "YYYY-MM" }).check(
  Schema.isPattern(MONTH_PATTERN, { expected: MONTH_EXPECTED }),
  Schema.makeFilter((s: string) => parseYearMonth(s) !== undefined, { expected: MONTH_EXPECTED })
)

const MonthsSinceStart = num(`a number of months >= 0 (at most ${TIME})`, "Months since the start month (may be fractional).", atLeast(0), atMost(MAX_TIME_MONTHS))

/** A point in time: a month not before the start, or months since start. */
export const MONTH_OR_MONTHS_EXPECTED = `a month like 2010-11 (YYYY-MM) or a number of months since start >= 0 (at most ${TIME})`
export const MonthOrMonths = Schema.Union([MonthString, MonthsSinceStart]).annotate({
  expected: MONTH_OR_MONTHS_EXPECTED,
  description: "A month YYYY-MM (not before start) or a number of months since start."
})

/** Pounds: a number, or text like "£7.5bn", "120m", "350k", "£1,200,000". */
// Case-insensitive by character classes, not the `i` flag, so it exports to JSON Schema.
export const AMOUNT_PATTERN = /^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([kK]|[mM]|[bB][nN])?$/u
export const AMOUNT_EXPECTED = 'an amount of pounds >= 0, as a number or text like "£7.5bn", "120m", "350k", "£1,200,000"'
export const Amount = Schema.Union([
  num(AMOUNT_EXPECTED, "Pounds.", atLeast(0)),
  Schema.String.annotate({ expected: AMOUNT_EXPECTED }).check(Schema.isPattern(AMOUNT_PATTERN, { expected: AMOUNT_EXPECTED }))
]).annotate({ expected: AMOUNT_EXPECTED, description: "Pounds per year." })

const nonNegative = (what: string) => num(`a ${what} >= 0 (months, at most ${TIME})`, `The ${what}, in months.`, atLeast(0), atMost(MAX_TIME_MONTHS))

const Uniform = Schema.Tuple([nonNegative("min"), nonNegative("max")])
  .annotate({ expected: `[min, max], numbers of months in 0..${TIME}` })
  .check(Schema.makeFilter((t: readonly [number, number]) => t[0] <= t[1], { expected: "[min, max] with min <= max" }))

const Triangular = Schema.Tuple([nonNegative("min"), nonNegative("mode"), nonNegative("max")])
  .annotate({ expected: `[min, mode, max], numbers of months in 0..${TIME}` })
  .check(
    Schema.makeFilter((t: readonly [number, number, number]) => t[0] <= t[1] && t[1] <= t[2], {
      expected: "[min, mode, max] with min <= mode <= max"
    })
  )

export const Lognormal = Schema.Struct({
  median: num(`a median > 0 and <= ${TIME} (months)`, `Median duration in months (a draw beyond ${TIME} months is ${TIME}).`, above(0), atMost(MAX_TIME_MONTHS)),
  sigma: num(`a sigma in 0..${MAX_LOGNORMAL_SIGMA}`, "Standard deviation of the log duration.", atLeast(0), atMost(MAX_LOGNORMAL_SIGMA))
}).annotate({ expected: `{ median: > 0, sigma: 0..${MAX_LOGNORMAL_SIGMA} }` })

export const DURATION_EXPECTED = `a number of months >= 0 (at most ${TIME}), { uniform: [min, max] }, { triangular: [min, mode, max] } or { lognormal: { median, sigma } }`
export const Duration = Schema.Union([
  MonthsSinceStart,
  Schema.Struct({ uniform: Uniform }),
  Schema.Struct({ triangular: Triangular }),
  Schema.Struct({ lognormal: Lognormal })
]).annotate({
  expected: DURATION_EXPECTED,
  description: `How long one negotiation attempt takes, in months; a draw is capped at ${TIME} months (only a lognormal's tail reaches it).`
})

export const Negotiation = Schema.Struct({
  months: Duration,
  fail_probability: Schema.optionalKey(
    num("a probability in [0, 1)", "Chance that an attempt fails.", atLeast(0), below(1)).annotate({ default: 0 })
  ),
  cool_off_months: Schema.optionalKey(
    num(`a number of months >= 0 (at most ${TIME})`, "Wait after a failed attempt.", atLeast(0), atMost(MAX_TIME_MONTHS)).annotate({ default: 3 })
  ),
  max_attempts: Schema.optionalKey(
    num(`an integer in 1..${MAX_NEGOTIATION_ATTEMPTS}`, "Attempts before the locality gives up.", integer, atLeast(1), atMost(MAX_NEGOTIATION_ATTEMPTS)).annotate({
      default: 3
    })
  )
}).annotate({ expected: "a negotiation mapping { months, fail_probability?, cool_off_months?, max_attempts? }" })

export const Tranche = Schema.Struct({
  id: Id,
  opens: MonthOrMonths
}).annotate({ expected: "a tranche { id, opens }" })

export const Agency = Schema.Struct({
  id: Id,
  name: nameOf("a name"),
  trend_pct: Schema.optionalKey(
    num(`a percentage a year > -100 and <= 100, ${BP}`, "Demand-led growth, percent a year.", above(-100), atMost(100), hundredths).annotate({
      default: 0
    })
  )
}).annotate({ expected: "an agency { id, name, trend_pct? }" })

/**
 * Accountability models in rising order (core's ACCOUNTABILITY_LEVELS); a governor, sheriff or
 * commissioner is as visible as an elected mayor and compiles to the same level.
 */
export const ACCOUNTABILITY_MODEL_EXPECTED =
  "one of the accountability models leader_cabinet, combined_authority, elected_mayor (or its synonyms governor, sheriff, commissioner)"
export const ACCOUNTABILITY_MODELS = ["leader_cabinet", "combined_authority", "elected_mayor", "governor", "sheriff", "commissioner"] as const
export const AccountabilityModel = Schema.Literals(ACCOUNTABILITY_MODELS).annotate({
  expected: ACCOUNTABILITY_MODEL_EXPECTED,
  description: "An accountability model, in rising order of visibility: leader_cabinet < combined_authority < elected_mayor (= governor, sheriff, commissioner)."
})

export const Accountability = Schema.Struct({
  model: AccountabilityModel,
  elections: Schema.optionalKey(
    Schema.Array(MonthOrMonths)
      .annotate({
        expected: "a list of election dates (months YYYY-MM or numbers of months since start), ascending",
        description: "Election dates, strictly ascending.",
        default: []
      })
      .check(maxItems(MAX_ELECTIONS, "elections"))
  ),
  adopts: Schema.optionalKey(
    Schema.Literals([...ACCOUNTABILITY_MODELS, "none"]).annotate({
      expected: `"none" or ${ACCOUNTABILITY_MODEL_EXPECTED}`,
      description: "The model the locality adopts at its next election once a deal needs more; above `model`.",
      default: "none"
    })
  )
}).annotate({ expected: "an accountability mapping { model, elections?, adopts? }" })

/** A whole month: "YYYY-MM" (not before start) or an integer number of months since start. */
export const WHOLE_MONTH_EXPECTED = "a month like 2011-04 (YYYY-MM) or a whole number of months since start >= 0"
export const WholeMonth = Schema.Union([
  MonthString,
  num("a whole number of months since start >= 0", "Whole months since the start month.", integer, atLeast(0))
]).annotate({ expected: WHOLE_MONTH_EXPECTED, description: "A month YYYY-MM (not before start) or a whole number of months since start." })

/** A whole number of months in min..MAX_TIME_MONTHS; `expected` says ">= min", the bound is added. */
const wholeMonths = (expected: string, description: string, min: number) =>
  num(`${expected} (at most ${TIME})`, description, integer, atLeast(min), atMost(MAX_TIME_MONTHS))

/** How the single place budget funds a pooled line (core's `DealTerms.envelope`). */
export const ENVELOPES = ["share_of_demand", "fixed_cash"] as const
export const Envelope = Schema.Literals(ENVELOPES).annotate({
  expected: 'one of "share_of_demand", "fixed_cash"',
  description:
    "share_of_demand (the default): a pooled line is funded at its demand-led baseline less the reduction, every month; fixed_cash: the month's baseline less the reduction when the deal starts, held until it is renegotiated (each horizon reset and each spending review that starts)."
})

/** A deal's agreed outcome: a measure in units a year, lower is better. */
export const Outcome = Schema.Struct({
  id: Id,
  name: nameOf("a name"),
  baseline: num("a number of units a year >= 0", "The measure before the deal, units a year.", atLeast(0)),
  target: num("a number of units a year >= 0", "The agreed target, units a year (typically below the baseline).", atLeast(0)),
  by: Schema.optionalKey(MonthOrMonths.annotate({ description: "When the target is to be met (default: the end of the run)." })),
  payment: Schema.optionalKey(
    Amount.annotate({ description: "Pounds paid to the locality for each unit a year below the baseline, once its deal is in force (default 0: measured, not paid for).", default: 0 })
  )
}).annotate({ expected: "an outcome { id, name, baseline, target, by?, payment? }" })

/** A tier's level name, matched exactly by `pass_down.to.level` and a power's `to_level`. */
export const Level = nameOf("a non-empty level name (e.g. district, ward)", { nonEmpty: true })

const TierBaseline = Schema.Record(Schema.String, Amount).annotate({
  expected: "a mapping from agency id to pounds a year",
  description: `This tier's annual baseline by agency id, its lower tiers' included (at most ${formatCount(MAX_AGENCIES)} entries); overrides share_pct for those agencies.`
})

/** A tier as written (the schema is recursive: a tier holds its own lower tiers). */
export interface TierFile {
  readonly id: string
  readonly name: string
  readonly level: string
  readonly population: number
  readonly share_pct?: number
  readonly baseline?: { readonly [agency: string]: string | number }
  readonly tiers?: ReadonlyArray<TierFile>
}

export const TIER_EXPECTED = "a tier { id, name, level, population, share_pct?, baseline?, tiers? }"
export const Tier: Schema.Codec<TierFile> = Schema.Struct({
  id: Id,
  name: nameOf("a name"),
  level: Level,
  // Whole people: budgets passed down split by population in exact integer weights.
  population: num("a whole number of people >= 0", "Population of the tier, its lower tiers' included (whole people).", integer, atLeast(0)),
  share_pct: Schema.optionalKey(
    num(`a percentage in [0, 100], ${BP}`, "Each line's baseline as this share of the parent's (default: the tier's share of the parent's population).", atLeast(0), atMost(100), hundredths)
  ),
  baseline: Schema.optionalKey(TierBaseline),
  tiers: Schema.optionalKey(Schema.suspend((): Schema.Codec<ReadonlyArray<TierFile>> => Tiers))
}).annotate({ identifier: "Tier", expected: TIER_EXPECTED })

/** A list of tiers (a locality's, or a tier's lower ones), at most MAX_TIER_DEPTH levels deep. */
const Tiers: Schema.Codec<ReadonlyArray<TierFile>> = Schema.Array(Tier)
  .check(maxItems(MAX_TIERS, "tiers"))
  .annotate({
    identifier: "Tiers",
    expected: "a list of tiers",
    description: `Lower tiers, nesting to at most ${MAX_TIER_DEPTH} levels below the locality; ids unique among siblings. Their baselines and populations sum to at most their parent's.`
  })

const TierPath = Schema.String.annotate({ expected: "a tier path from the locality (e.g. Ladywood/Aston)" })

/** A budget a locality passes down to some of its tiers. */
export const PassDown = Schema.Struct({
  id: Id,
  agency: Schema.String.annotate({ expected: "an agency id", description: "The pooled line whose funding is passed down." }),
  share_pct: Schema.optionalKey(num(`a percentage > 0 and <= 100, ${BP}`, "Share of the line's pooled funding passed down (or amount).", above(0), atMost(100), hundredths)),
  amount: Schema.optionalKey(Amount.annotate({ description: "A fixed amount a year instead (pounds, > 0; or share_pct)." })),
  to: Schema.Union([
    Schema.Struct({ level: Level }).annotate({ expected: "a level { level }" }),
    nonEmptyArray(TierPath, "a non-empty list of tier paths", MAX_TIERS, "tiers")
  ]).annotate({
    expected: "{ level: a level name } or a non-empty list of tier paths from the locality",
    description: "Every tier of the locality at a level, or the tiers named by their paths from the locality (Ladywood, Ladywood/Aston)."
  }),
  split_by: Schema.optionalKey(
    Schema.Literals(["population", "baseline"]).annotate({ expected: 'one of "population", "baseline"', description: "How the budget is split over the tiers (default population).", default: "population" })
  ),
  starts: Schema.optionalKey(WholeMonth.annotate({ default: 0 })),
  months: Schema.optionalKey(wholeMonths("an integer >= 1", "Months the budget is passed down (default: to the end of the run).", 1))
}).annotate({ expected: "a pass-down { id, agency, share_pct or amount, to, split_by?, starts?, months? }" })

/** Personal budgets (direct payments) on one line of a locality. */
export const PersonalBudget = Schema.Struct({
  id: Id,
  agency: Schema.String.annotate({ expected: "an agency id" }),
  share_pct: num(`a percentage > 0 and <= 100, ${BP}`, "Share of the line's service spend paid as direct payments at full take-up.", above(0), atMost(100), hundredths),
  starts: Schema.optionalKey(WholeMonth.annotate({ default: 0 })),
  take_up: Schema.optionalKey(
    Schema.Struct({
      initial_pct: Schema.optionalKey(num("a percentage in [0, 100]", "Take-up in the first month.", atLeast(0), atMost(100)).annotate({ default: 100 })),
      ramp_months: Schema.optionalKey(wholeMonths("a whole number of months >= 0", "Months for take-up to rise linearly to 100%.", 0).annotate({ default: 0 }))
    }).annotate({ expected: "a take-up { initial_pct?, ramp_months? }" })
  ),
  cost_change_pct: Schema.optionalKey(
    num("a percentage in [-100, 0]", "Change in the cost of needs met by direct payment (-10: citizens meet them for 10% less).", atLeast(-100), atMost(0)).annotate({ default: 0 })
  )
}).annotate({ expected: "a personal budget { id, agency, share_pct, starts?, take_up?, cost_change_pct? }" })

/** A locality's own deal terms, overriding the scenario's `deal` (scope and discretion are "determined by the negotiations"). */
export const LocalityDeal = Schema.Struct({
  reduction_pct: Schema.optionalKey(num(`a percentage in [0, 100), ${BP}`, "This locality's 'more for less' reduction.", atLeast(0), below(100), hundredths)),
  gainshare_pct: Schema.optionalKey(num(`a percentage in [0, 100], ${BP}`, "Share of realised savings on pooled lines this locality keeps.", atLeast(0), atMost(100), hundredths)),
  powers: Schema.optionalKey(
    Schema.Array(Schema.String.annotate({ expected: "a power id" }))
      .annotate({ expected: "a list of power ids", description: "The powers this locality seeks (default: the scenario's deal.powers)." })
      .check(maxItems(MAX_POWERS, "powers"))
  ),
  envelope: Schema.optionalKey(Envelope),
  outcomes: Schema.optionalKey(
    Schema.Array(Outcome)
      .annotate({ expected: "a list of outcomes", description: "The outcomes this locality's deal agrees, each moved by the prevention effects that name it (default: none)." })
      .check(maxItems(MAX_OUTCOMES, "outcomes"))
  )
}).annotate({ expected: "a locality's deal terms { reduction_pct?, gainshare_pct?, powers?, envelope?, outcomes? }" })

export const Locality = Schema.Struct({
  id: Id,
  name: nameOf("a name"),
  population: num("a population >= 0", "Population.", atLeast(0)),
  // References are plain strings here: compile.ts checks them against the ids and lists them.
  tranche: Schema.String.annotate({ expected: "a tranche id" }),
  ready: Schema.optionalKey(MonthOrMonths.annotate({ default: 0 })),
  negotiation: Negotiation,
  baseline: Schema.optionalKey(
    Schema.Record(Schema.String, Amount).annotate({
      expected: "a mapping from agency id to pounds a year",
      description: `Annual baseline spend by agency id (at most ${formatCount(MAX_AGENCIES)} entries).`
    })
  ),
  accountability: Schema.optionalKey(
    Accountability.annotate({ default: { model: "leader_cabinet", elections: [], adopts: "none" } })
  ),
  deal: Schema.optionalKey(LocalityDeal),
  // ASSUMPTION-level modelling: a less ready place takes proportionally longer to negotiate.
  readiness_pct: Schema.optionalKey(
    num("a percentage > 0 and <= 100", "How prepared the locality is (governance, business case, track record): its negotiation takes 100 / readiness_pct times as long.", above(0), atMost(100)).annotate({
      default: 100
    })
  ),
  tiers: Schema.optionalKey(Tiers),
  pass_down: Schema.optionalKey(
    Schema.Array(PassDown)
      .annotate({ expected: "a list of pass-downs", description: "Budgets this locality passes down to its tiers." })
      .check(maxItems(MAX_PASS_DOWNS, "pass-downs"))
  ),
  personal_budgets: Schema.optionalKey(
    Schema.Array(PersonalBudget)
      .annotate({ expected: "a list of personal budgets", description: "Personal budgets (direct payments) on this locality's lines." })
      .check(maxItems(MAX_PERSONAL_BUDGETS, "personal budgets"))
  )
}).annotate({
  expected: "a locality { id, name, population, tranche, ready?, negotiation, baseline?, accountability?, deal?, readiness_pct?, tiers?, pass_down?, personal_budgets? }"
})

export const Deal = Schema.Struct({
  reduction_pct: num(`a percentage in [0, 100), ${BP}`, "'More for less' reduction of pooled budgets.", atLeast(0), below(100), hundredths),
  pooled_agencies: Schema.optionalKey(
    Schema.Array(Schema.String.annotate({ expected: "an agency id" }))
      .annotate({
        expected: "a list of agency ids",
        description: "Agencies pooled at once when there is no powers menu (absent or empty with a menu).",
        default: []
      })
      .check(maxItems(MAX_AGENCIES, "agencies"))
  ),
  horizon_months: wholeMonths("an integer >= 1", "Spending review horizon in months.", 1),
  gainshare_pct: Schema.optionalKey(
    num(`a percentage in [0, 100], ${BP}`, "Share of realised savings on pooled lines the locality keeps.", atLeast(0), atMost(100), hundredths).annotate({
      default: 100
    })
  ),
  powers: Schema.optionalKey(
    Schema.Array(Schema.String.annotate({ expected: "a power id" }))
      .annotate({
        expected: "a list of power ids from the powers menu",
        description: "Powers the deal devolves (default: every power on the menu)."
      })
      .check(maxItems(MAX_POWERS, "powers"))
  ),
  envelope: Schema.optionalKey(Envelope)
}).annotate({
  expected: "a deal { reduction_pct, pooled_agencies?, horizon_months, gainshare_pct?, powers?, envelope? }",
  default: { reduction_pct: 0, pooled_agencies: [], horizon_months: 36, gainshare_pct: 100 }
})

export const Power = Schema.Struct({
  id: Id,
  name: nameOf("a name"),
  agencies: nonEmptyArray(Schema.String.annotate({ expected: "an agency id" }), "a non-empty list of agency ids", MAX_AGENCIES, "agencies"),
  accountability: AccountabilityModel,
  weight_months: Schema.optionalKey(
    num(`a number of months >= 0 (at most ${TIME})`, "Extra months of negotiation this power adds when a locality seeks it.", atLeast(0), atMost(MAX_TIME_MONTHS)).annotate({ default: 0 })
  ),
  to_level: Schema.optionalKey(
    Level.annotate({
      description:
        "A tier level: where a locality that seeks this power has tiers at that level, its deal devolves the power's lines to them (all of each line's pooled funding, split by baseline); without such tiers the power stays with the locality."
    })
  )
}).annotate({ expected: "a power { id, name, agencies, accountability, weight_months?, to_level? }" })

const pct = (expected: string, description: string, ...checks: ReadonlyArray<(a: { expected: string }) => Filter>) =>
  num(expected, description, ...checks)

export const UnitCost = Schema.Struct({
  amount: Amount.annotate({ description: "Pounds per unit (> 0; pence allowed, fractions of a penny round half up)." }),
  per: Schema.Literals(["event", "year"]).annotate({ expected: 'one of "event", "year"', description: "Per event, or per place-year." })
}).annotate({ expected: "a unit cost { amount, per: event | year }" })

export const ProgrammeEffect = Schema.Struct({
  beneficiary: Schema.String.annotate({ expected: "an agency id", description: "The agency whose demand falls." }),
  service: nameOf("a non-empty service name", { nonEmpty: true }),
  unit_cost: UnitCost,
  baseline_demand: num("a demand >= 0 (units per cohort member per year)", "Units per cohort member per year.", atLeast(0)),
  reduction_pct: pct("a percentage > 0 and <= 100", "Share of demand removed at full effect.", above(0), atMost(100)),
  lag_months: wholeMonths("a whole number of months >= 0", "Months from the programme's start to the first effect.", 0),
  ramp_months: wholeMonths("a whole number of months >= 0", "Months to reach full effect (0: at once).", 0),
  decay_pct_per_year: Schema.optionalKey(
    pct("a percentage in [0, 100]", "Share of the effect lost each year after the programme ends.", atLeast(0), atMost(100)).annotate({ default: 0 })
  ),
  deadweight_pct: Schema.optionalKey(
    pct("a percentage in [0, 100)", "Share of the outcome that would have happened anyway.", atLeast(0), below(100)).annotate({ default: 0 })
  ),
  optimism_bias_pct: Schema.optionalKey(
    pct("a percentage in [0, 100)", "Green Book optimism-bias haircut on the effect.", atLeast(0), below(100)).annotate({ default: 0 })
  ),
  outcome: Schema.optionalKey(
    Schema.String.annotate({ expected: "an outcome id", description: "The agreed outcome (of the programme's locality's deal) this effect moves." })
  )
}).annotate({
  expected:
    "an effect { beneficiary, service, unit_cost, baseline_demand, reduction_pct, lag_months, ramp_months, decay_pct_per_year?, deadweight_pct?, optimism_bias_pct?, outcome? }"
})

export const Investment = Schema.Struct({
  upfront: Schema.optionalKey(Amount.annotate({ description: "Pounds spent once, at the start.", default: 0 })),
  monthly: Schema.optionalKey(Amount.annotate({ description: "Pounds spent each month while the programme runs.", default: 0 })),
  optimism_bias_pct: Schema.optionalKey(
    num(`a percentage in [0, 200], ${BP}`, "Green Book optimism bias on costs: the upfront and monthly costs are uplifted by it (what is spent).", atLeast(0), atMost(200), hundredths).annotate({ default: 0 })
  )
}).annotate({ expected: "an investment { upfront?, monthly?, optimism_bias_pct? }" })

export const Programme = Schema.Struct({
  id: Id,
  locality: Schema.String.annotate({ expected: 'a locality id or "all"', description: 'A locality id, or "all": one programme per locality, ids "<id>@<locality id>".' }),
  payer: Schema.String.annotate({ expected: "an agency id", description: "The agency that pays for the programme." }),
  starts: WholeMonth,
  duration_months: wholeMonths("an integer >= 1", "Months the programme runs.", 1),
  investment: Schema.optionalKey(Investment.annotate({ default: { upfront: 0, monthly: 0 } })),
  cohort: num("a cohort > 0", "People in the programme.", above(0)),
  effects: nonEmptyArray(ProgrammeEffect, "a non-empty list of effects", MAX_EFFECTS, "effects")
}).annotate({ expected: "a programme { id, locality, payer, starts, duration_months, investment?, cohort, effects }" })

export const Transfer = Schema.Struct({
  id: Id,
  locality: Schema.String.annotate({ expected: "a locality id" }),
  from: Schema.String.annotate({ expected: "an agency id", description: "The paying agency." }),
  to: Schema.String.annotate({ expected: "an agency id", description: "The agency line it funds (not `from`)." }),
  amount: Amount.annotate({ description: "Pounds a year (> 0)." }),
  starts: WholeMonth,
  months: wholeMonths("an integer >= 1", "Months the transfer runs.", 1)
}).annotate({ expected: "a transfer { id, locality, from, to, amount, starts, months }" })

export const SpendingReview = Schema.Struct({
  id: Id,
  starts: WholeMonth,
  months: wholeMonths("an integer >= 1", "Months the review's settlement runs.", 1),
  changes: Schema.Record(
    Schema.String,
    pct(`a percentage change > -100 and <= 100, ${BP}`, "Change of the agency's envelope, percent.", above(-100), atMost(100), hundredths)
  ).annotate({
    expected: "a mapping from agency id to a percentage change",
    description: `Envelope change by agency id; others unchanged (at most ${formatCount(MAX_AGENCIES)} entries). Two reviews in force on one line compound: ×(1 + a)(1 + b).`
  }),
  persists: Schema.optionalKey(
    Schema.Boolean.annotate({
      expected: "true or false",
      description: "Whether the change stays after the review's window, as the new baseline, until a later review changes it (default true); false: a temporary change.",
      default: true
    })
  ),
  phasing: Schema.optionalKey(
    Schema.Literals(["flat", "even"]).annotate({
      expected: 'one of "flat", "even"',
      description: "flat: the whole change from the review's first month (default); even: j/n of it in the j-th of the window's n financial years.",
      default: "flat"
    })
  )
}).annotate({ expected: "a spending review { id, starts, months, changes, persists?, phasing? }" })

export const VARIANT_NAME_EXPECTED = 'a non-empty printable variant name without "/" or "\\"'

/** A variant name may name a run directory: the same rules as an id. */
export const isVariantName = (s: string): boolean =>
  isPrintableId(s) && hasVisibleCharacter(s) && !s.includes("/") && !s.includes("\\") && !isDotSegment(s)

/** A variant's name: printable, no path separators (it may name a run directory), at most MAX_ID_LENGTH characters. */
const VariantName = Schema.String.annotate({
  expected: VARIANT_NAME_EXPECTED,
  description: `Unique within the file (after NFC normalisation); printable Unicode with a visible character, no control characters, no '/' or '\\', not "." or "..", at most ${MAX_ID_LENGTH} characters.`
}).check(
  Schema.makeFilter((s: string) => isPrintableId(s) && !s.includes("/") && !s.includes("\\"), { expected: VARIANT_NAME_EXPECTED }),
  Schema.makeFilter((s: string) => hasVisibleCharacter(s), { expected: "a variant name with a character that shows (not only spaces, zero-width, format or combining characters)" }),
  Schema.makeFilter((s: string) => !isDotSegment(s), { expected: 'a variant name other than "." or ".." (it may name a run directory)' }),
  maxCodePoints(MAX_ID_LENGTH, `a variant name of at most ${MAX_ID_LENGTH} characters`)
)

/**
 * A named variant: its name, an optional description, and any keys of the scenario (but version,
 * name and variants) as a partial document deep-merged into the base. The overrides are checked
 * after merging, as the merged document, so the schema takes any value here.
 */
export const Variant = Schema.StructWithRest(
  Schema.Struct({
    name: VariantName,
    description: Schema.optionalKey(
      Schema.String.annotate({
        expected: "a description (text)",
        description: `What the variant changes, in words (at most ${formatCount(MAX_STRING_LENGTH)} characters).`
      }).check(
        Schema.makeFilter((s: string) => isPrintableText(s.replace(/[\t\r\n]/g, " ")), {
          expected: "a description without control characters (but tabs and line breaks)"
        })
      )
    )
  }),
  [Schema.Record(Schema.String, Schema.Unknown)]
).annotate({
  expected: "a variant { name, description?, …keys of the scenario to override }",
  description:
    "A partial scenario deep-merged into the base: mappings merge key by key, scalars and lists replace; tranches, agencies, localities, programmes, transfers, spending_reviews and powers may also be a mapping from id to a partial element. version, name and variants cannot be overridden."
})

/** A change of the centre's capacity: from a time on, it runs this many negotiations at once. */
export const CapacityChange = Schema.Struct({
  from: MonthOrMonths,
  capacity: num("an integer >= 1", "Negotiations the centre runs at once from `from` on.", integer, atLeast(1))
}).annotate({ expected: "a capacity change { from, capacity }" })

export const Centre = Schema.Struct({
  capacity: num("an integer >= 1", "Negotiations the centre runs at once (from the start, until the schedule changes it).", integer, atLeast(1)),
  schedule: Schema.optionalKey(
    boundedArray(
      CapacityChange,
      {
        expected: "a list of capacity changes { from, capacity }",
        description: "Changes of capacity over time, `from` strictly ascending: a rise lets waiting localities start then; a fall interrupts no negotiation.",
        default: []
      },
      MAX_CAPACITY_CHANGES,
      "capacity changes"
    )
  )
}).annotate({ expected: "a centre { capacity, schedule? }" })

/** A factor of a sweep: a `--set` PATH and a range [low, high] or a list of levels (values the --set mechanism accepts). */
const factorPath = Schema.String.annotate({ expected: "a --set PATH (e.g. centre.capacity or localities.Kent.tranche)" }).check(
  Schema.makeFilter((s: string) => s.trim().length > 0 && s.length <= 1000, { expected: "a non-empty --set PATH of at most 1000 characters" })
)
export const ExperimentFactor = Schema.Union([
  Schema.Struct({ path: factorPath, low: Schema.Number.annotate({ expected: "a number (the range's low end)" }), high: Schema.Number.annotate({ expected: "a number (the range's high end)" }) }),
  Schema.Struct({ path: factorPath, levels: nonEmptyArray(Schema.Unknown, "a non-empty list of levels", 1000, "levels") }),
  // A bundle of changes per level: the file's variants by name ("base": the file as it stands), e.g. a rollout timetable.
  Schema.Struct({
    name: factorPath,
    variants: nonEmptyArray(nameOf("a variant's name, or base"), "a non-empty list of variant names (base: the file as it stands)", MAX_VARIANTS + 1, "variants")
  })
]).annotate({ expected: "a factor { path, low, high }, { path, levels: [...] } or { name, variants: [...] }" })

/** `devosim sweep`'s experiments (ignored by run and compare): levers and uncertainties, and the design's defaults. */
export const Experiments = Schema.Struct({
  design: Schema.optionalKey(Schema.Literals(["full_factorial", "lhs", "sobol", "morris"]).annotate({ expected: 'one of "full_factorial", "lhs", "sobol", "morris"' })),
  samples: Schema.optionalKey(num("an integer >= 1", "Experiments (lhs), base points (sobol), trajectories (morris) or levels per range (full_factorial).", integer, atLeast(1), atMost(1_000_000))),
  seed: Schema.optionalKey(num("a safe integer", "Seed of the design's random stream (default: the scenario's seed).", integer, atLeast(-Number.MAX_SAFE_INTEGER), atMost(Number.MAX_SAFE_INTEGER))),
  levers: Schema.optionalKey(boundedArray(ExperimentFactor, { expected: "a list of levers { path, low, high }, { path, levels } or { name, variants }", default: [] }, 45, "levers")),
  uncertainties: Schema.optionalKey(boundedArray(ExperimentFactor, { expected: "a list of uncertainties { path, low, high }, { path, levels } or { name, variants }", default: [] }, 45, "uncertainties"))
}).annotate({ expected: "experiments { design?, samples?, seed?, levers?, uncertainties? }", description: "What `devosim sweep` varies: levers (policy choices) and uncertainties, each a --set PATH with a range or levels, or a choice among the file's variants." })

const Monthly = Amount.annotate({ description: "Pounds a month.", default: 0 })
/** The running costs of deal-making and of mayoral offices (core's `RunningCosts`); absent parts are 0. */
export const RunningCosts = Schema.Struct({
  centre: Schema.optionalKey(
    Schema.Struct({
      monthly: Schema.optionalKey(Monthly),
      per_negotiation_month: Schema.optionalKey(Amount.annotate({ description: "Pounds for each month of each negotiation in progress.", default: 0 }))
    }).annotate({ expected: "the centre's running costs { monthly?, per_negotiation_month? }" })
  ),
  mayoral_office: Schema.optionalKey(
    Schema.Struct({ monthly: Schema.optionalKey(Monthly) }).annotate({
      expected: "a mayoral office's running costs { monthly? }",
      description: "The cost of a mayoral office each month while a locality's model is elected_mayor."
    })
  )
}).annotate({ expected: "running costs { centre?, mayoral_office? }" })

/** The whole file. */
export const ScenarioFile = Schema.Struct({
  version: Schema.Literal(1).annotate({ expected: "1 (the only scenario format version)" }),
  name: nameOf("a non-empty name", { nonEmpty: true, max: MAX_SCENARIO_NAME_LENGTH }),
  start: MonthString,
  months: num(`an integer number of months in 1..${MAX_MONTHS}`, "Monthly spending periods.", integer, atLeast(1), atMost(MAX_MONTHS)),
  seed: num("a safe integer", "Seed of every random stream.", integer, atLeast(-Number.MAX_SAFE_INTEGER), atMost(Number.MAX_SAFE_INTEGER)),
  centre: Centre,
  tranches: nonEmptyArray(Tranche, "a non-empty list of tranches", MAX_TRANCHES, "tranches"),
  agencies: Schema.optionalKey(boundedArray(Agency, { expected: "a list of agencies", default: [] }, MAX_AGENCIES, "agencies")),
  localities: nonEmptyArray(Locality, "a non-empty list of localities", MAX_LOCALITIES, "localities"),
  deal: Schema.optionalKey(Deal),
  discount_rate_pct: Schema.optionalKey(
    num(`a percentage in [0, 100), ${BP}`, "Discount rate a year (Green Book social time preference rate).", atLeast(0), below(100), hundredths).annotate({
      default: 3.5
    })
  ),
  appraisal: Schema.optionalKey(
    Schema.Struct({
      discounting: Schema.Literals(["green_book", "monthly"]).annotate({
        expected: 'one of "green_book", "monthly"',
        description: "green_book (default): flows by financial year, year 0 undiscounted, 3.5%/3.0%/2.5%; monthly: period m discounted by (1 + discount_rate)^(-m/12).",
        default: "green_book"
      })
    }).annotate({ expected: "an appraisal { discounting }" })
  ),
  coverage: Schema.optionalKey(
    Schema.Struct({
      population: num("a population > 0", "The population coverage is a share of (e.g. England's).", above(0)),
      label: nameOf("a label")
    }).annotate({
      expected: "a coverage denominator { population, label }",
      description: "What coverage (months until 25/50/75% of the population is under a deal) is a share of; default: the scenario's localities."
    })
  ),
  powers: Schema.optionalKey(boundedArray(Power, { expected: "a list of powers", default: [] }, MAX_POWERS, "powers")),
  programmes: Schema.optionalKey(boundedArray(Programme, { expected: "a list of programmes", default: [] }, MAX_PROGRAMMES, "programmes")),
  transfers: Schema.optionalKey(boundedArray(Transfer, { expected: "a list of transfers", default: [] }, MAX_TRANSFERS, "transfers")),
  spending_reviews: Schema.optionalKey(
    boundedArray(SpendingReview, { expected: "a list of spending reviews", default: [] }, MAX_SPENDING_REVIEWS, "spending reviews")
  ),
  running_costs: Schema.optionalKey(RunningCosts),
  experiments: Schema.optionalKey(Experiments),
  variants: Schema.optionalKey(
    boundedArray(
      Variant,
      {
        expected: "a list of variants { name, description?, …overrides }",
        description: "Named variants of the scenario, compared against it (the base) by `devosim compare`.",
        default: []
      },
      MAX_VARIANTS,
      "variants"
    )
  )
}).annotate({
  expected: "a scenario mapping",
  title: "devosim scenario (version 1)",
  description:
    "A devolution scenario: tranches, agencies, localities, negotiation terms, the deal and its powers menu, prevention programmes, transfers, spending reviews and the discount rate; optionally named variants of it."
})

export type ScenarioFile = typeof ScenarioFile.Type

/** JSON Schema (draft 2020-12) of the scenario file format with point values only; `uncertain.ts` adds the distribution forms (`scenarioJsonSchema`). */
export const scenarioFileJsonSchema = (): Record<string, unknown> => {
  const doc = Schema.toJsonSchemaDocument(ScenarioFile, { onExcessProperty: "error" })
  // A plain JSON round trip guarantees the result is serialisable and detached from the schema.
  const json = JSON.parse(JSON.stringify({ $schema: "https://json-schema.org/draft/2020-12/schema", ...doc.schema })) as Record<
    string,
    unknown
  >
  const defs = doc.definitions as Record<string, unknown> | undefined
  if (defs && Object.keys(defs).length > 0) json["$defs"] = JSON.parse(JSON.stringify(defs))
  return json
}
