/**
 * A fast path for schema validation: a hand-written check of a parsed document against
 * `ScenarioFile` (`schema.ts`), about ten times faster than Effect Schema's decoder on a large file
 * (100,000 localities: ~40 ms against ~400 ms). The schema stays the definition: this accepts
 * exactly the documents the schema accepts, and since the schema does not transform, the decoded
 * value is the document itself. When the check fails (or meets a value it does not handle, like a
 * non-plain object), `fastDecode` returns undefined and the caller decodes with the schema, which
 * finds and words the problem as before. `test/fast.test.ts` checks, on generated documents and
 * mutations of them, that the two agree.
 *
 * The key sets of the mappings (which keys exist, which are optional) are read from the schema's
 * structs, and each struct's checks here must name exactly those keys (checked when this module
 * loads), so a field added to the schema cannot be let through unchecked.
 */
import { SchemaAST, type Schema } from "effect"
import { hasVisibleCharacter, isDotSegment, isPrintableId, isPrintableText, parseYearMonth } from "@devosim/core"
import {
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
  MAX_TIERS,
  MAX_TIME_MONTHS,
  MAX_TRANCHES,
  MAX_TRANSFERS,
  MAX_VARIANTS
} from "./limits.ts"
import {
  Accountability,
  ACCOUNTABILITY_MODELS,
  Agency,
  AMOUNT_PATTERN,
  CapacityChange,
  Centre,
  codePoints,
  Deal,
  Investment,
  Locality,
  LocalityDeal,
  Lognormal,
  MONTH_PATTERN,
  Negotiation,
  Outcome,
  PassDown,
  PersonalBudget,
  Power,
  Programme,
  ProgrammeEffect,
  RunningCosts,
  ScenarioFile,
  SpendingReview,
  Tier,
  Tranche,
  Transfer,
  UnitCost,
  Variant,
  ENVELOPES,
  isHundredths,
  isVariantName
} from "./schema.ts"

type Check = (v: unknown) => boolean

/**
 * Objects as JSON.parse and the yaml library build them (the schema decodes to such objects);
 * anything else, a null-prototype object included, is left to the schema.
 */
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype

// Numbers: `num` in schema.ts is finite, |x| <= 2^53 - 1, then the field's own range.
interface Range {
  readonly min?: number
  readonly max?: number
  /** Exclusive bounds (`above`, `below`). */
  readonly minExclusive?: boolean
  readonly maxExclusive?: boolean
  readonly int?: boolean
  /** At most two decimals (a percentage of money, held in basis points). */
  readonly hundredths?: boolean
}
const num = (r: Range): Check => {
  const lo = r.min ?? -MAX_NUMBER
  const hi = r.max ?? MAX_NUMBER
  const loX = r.minExclusive === true
  const hiX = r.maxExclusive === true
  const int = r.int === true
  return (v) => {
    if (typeof v !== "number" || !(v >= -MAX_NUMBER && v <= MAX_NUMBER)) return false // NaN and ±Infinity fail here
    if (loX ? !(v > lo) : !(v >= lo)) return false
    if (hiX ? !(v < hi) : !(v <= hi)) return false
    if (r.hundredths === true && !isHundredths(v)) return false
    return !int || Number.isSafeInteger(v)
  }
}

const maxCodePoints = (s: string, max: number): boolean => s.length <= max || codePoints(s) <= max

const isString: Check = (v) => typeof v === "string"
const isId: Check = (v) =>
  typeof v === "string" && isPrintableId(v) && hasVisibleCharacter(v) && !v.includes("/") && !v.includes("\\") && !isDotSegment(v) && maxCodePoints(v, MAX_ID_LENGTH)
const name = (nonEmpty: boolean, max: number): Check => (v) =>
  typeof v === "string" && (!nonEmpty || v.length >= 1) && isPrintableText(v) && maxCodePoints(v, max)
const isName = name(false, MAX_NAME_LENGTH)
const isMonthString: Check = (v) => typeof v === "string" && MONTH_PATTERN.test(v) && parseYearMonth(v) !== undefined
const literal = (values: ReadonlyArray<unknown>): Check => (v) => values.includes(v)

const either = (a: Check, b: Check): Check => (v) => a(v) || b(v)

const TIME = MAX_TIME_MONTHS
const monthsSinceStart = num({ min: 0, max: TIME })
const isMonthOrMonths = either(isMonthString, monthsSinceStart)
const isWholeMonth = either(isMonthString, num({ min: 0, int: true }))
const amountNumber = num({ min: 0 })
const isAmount: Check = (v) => (typeof v === "string" ? AMOUNT_PATTERN.test(v) : amountNumber(v))
const wholeMonths = (min: number) => num({ min, max: TIME, int: true })
const isModel = literal(ACCOUNTABILITY_MODELS)

const list = (item: Check, min: number, max: number): Check => (v) => {
  if (!Array.isArray(v) || v.length < min || v.length > max) return false
  for (let i = 0; i < v.length; i++) if (!item(v[i])) return false // a hole is undefined: not an item
  return true
}

/** `Schema.Record(Schema.String, value)`: every own key's value. */
const record = (value: Check): Check => (v) => {
  if (!isPlain(v)) return false
  for (const k in v) if (!value(v[k])) return false
  return true
}

const tuple = (item: Check, n: number, ordered: (t: ReadonlyArray<number>) => boolean): Check => (v) => {
  if (!Array.isArray(v) || v.length !== n) return false
  for (let i = 0; i < n; i++) if (!item(v[i])) return false
  return ordered(v as ReadonlyArray<number>)
}

/** A struct's members as the schema has them. */
const membersOf = (schema: Schema.Top): ReadonlyArray<{ readonly name: string; readonly optional: boolean }> => {
  const ast = schema.ast
  if (!SchemaAST.isObjects(ast)) throw new Error(`fast.ts: expected a struct, found ${ast._tag}`)
  return ast.propertySignatures.map((p) => ({ name: String(p.name), optional: SchemaAST.isOptional(p.type) }))
}

/**
 * A struct: a plain object with every required key, no key the schema does not name (with `rest`,
 * any other key, its value checked by `rest`), each member's value checked. `checks` must name
 * exactly the schema's members.
 */
const struct = (schema: Schema.Top, checks: Readonly<Record<string, Check>>, rest?: Check): Check => {
  const members = membersOf(schema)
  const names = members.map((m) => m.name)
  const mine = Object.keys(checks)
  if (names.length !== mine.length || names.some((n) => !Object.hasOwn(checks, n))) {
    throw new Error(`fast.ts: checks for (${mine.join(", ")}) but the schema has (${names.join(", ")})`)
  }
  const keys = names
  const required = members.map((m) => !m.optional)
  const fns = names.map((n) => checks[n]!)
  const n = keys.length
  const known = new Set(keys)
  return (v) => {
    if (!isPlain(v)) return false
    let present = 0
    for (let i = 0; i < n; i++) {
      const k = keys[i]!
      if (k in v) {
        if (!fns[i]!(v[k])) return false
        present++
      } else if (required[i]) return false
    }
    if (rest === undefined) {
      // Own enumerable keys beyond the members are excess (the schema runs onExcessProperty: "error").
      let own = 0
      for (const _ in v) own++
      return own === present
    }
    for (const k in v) if (!known.has(k) && !rest(v[k])) return false
    return true
  }
}

const isDuration: Check = (v) => {
  if (typeof v === "number") return monthsSinceStart(v)
  if (!isPlain(v)) return false
  let kind: string | undefined
  for (const k in v) {
    if (kind !== undefined) return false // one key only: any other is excess in every member
    kind = k
  }
  if (kind === "uniform") return isUniform(v[kind])
  if (kind === "triangular") return isTriangular(v[kind])
  if (kind === "lognormal") return isLognormal(v[kind])
  return false
}
const isUniform = tuple(monthsSinceStart, 2, (t) => t[0]! <= t[1]!)
const isTriangular = tuple(monthsSinceStart, 3, (t) => t[0]! <= t[1]! && t[1]! <= t[2]!)
const isLognormal = struct(Lognormal, {
  median: num({ min: 0, minExclusive: true, max: TIME }),
  sigma: num({ min: 0, max: MAX_LOGNORMAL_SIGMA })
})

const isNegotiation = struct(Negotiation, {
  months: isDuration,
  fail_probability: num({ min: 0, max: 1, maxExclusive: true }),
  cool_off_months: num({ min: 0, max: TIME }),
  max_attempts: num({ min: 1, max: MAX_NEGOTIATION_ATTEMPTS, int: true })
})

const isTranche = struct(Tranche, { id: isId, opens: isMonthOrMonths })

const isAgency = struct(Agency, { id: isId, name: isName, trend_pct: num({ min: -100, minExclusive: true, max: 100, hundredths: true }) })

const isAccountability = struct(Accountability, {
  model: isModel,
  elections: list(isMonthOrMonths, 0, MAX_ELECTIONS),
  adopts: literal([...ACCOUNTABILITY_MODELS, "none"])
})

const isEnvelope = literal(ENVELOPES)

const isOutcome = struct(Outcome, {
  id: isId,
  name: isName,
  baseline: num({ min: 0 }),
  target: num({ min: 0 }),
  by: isMonthOrMonths,
  payment: isAmount
})

const isLocalityDeal = struct(LocalityDeal, {
  reduction_pct: num({ min: 0, max: 100, maxExclusive: true, hundredths: true }),
  gainshare_pct: num({ min: 0, max: 100, hundredths: true }),
  powers: list(isString, 0, MAX_POWERS),
  envelope: isEnvelope,
  outcomes: list(isOutcome, 0, MAX_OUTCOMES)
})

const isLevel = name(true, MAX_NAME_LENGTH)

/** Tiers nest: the list check refers to the tier check, which refers back (depth is bounded by the walk's nesting limit). */
const isTiers: Check = (v) => isTierList(v)
const isTier = struct(Tier, {
  id: isId,
  name: isName,
  level: isLevel,
  population: num({ min: 0, int: true }),
  share_pct: num({ min: 0, max: 100, hundredths: true }),
  baseline: record(isAmount),
  tiers: isTiers
})
const isTierList = list(isTier, 0, MAX_TIERS)

const isPassDown = struct(PassDown, {
  id: isId,
  agency: isString,
  share_pct: num({ min: 0, minExclusive: true, max: 100, hundredths: true }),
  amount: isAmount,
  to: (v) => (Array.isArray(v) ? list(isString, 1, MAX_TIERS)(v) : isPlain(v) && Object.keys(v).length === 1 && isLevel(v["level"])),
  split_by: literal(["population", "baseline"]),
  starts: isWholeMonth,
  months: wholeMonths(1)
})

const isPersonalBudget = struct(PersonalBudget, {
  id: isId,
  agency: isString,
  share_pct: num({ min: 0, minExclusive: true, max: 100, hundredths: true }),
  starts: isWholeMonth,
  take_up: (v) =>
    isPlain(v) &&
    Object.keys(v).every((k) => k === "initial_pct" || k === "ramp_months") &&
    (!("initial_pct" in v) || num({ min: 0, max: 100 })(v["initial_pct"])) &&
    (!("ramp_months" in v) || wholeMonths(0)(v["ramp_months"])),
  cost_change_pct: num({ min: -100, max: 0 })
})

const isLocality = struct(Locality, {
  id: isId,
  name: isName,
  population: num({ min: 0 }),
  tranche: isString,
  ready: isMonthOrMonths,
  negotiation: isNegotiation,
  baseline: record(isAmount),
  accountability: isAccountability,
  deal: isLocalityDeal,
  readiness_pct: num({ min: 0, minExclusive: true, max: 100 }),
  tiers: isTiers,
  pass_down: list(isPassDown, 0, MAX_PASS_DOWNS),
  personal_budgets: list(isPersonalBudget, 0, MAX_PERSONAL_BUDGETS)
})

const isDeal = struct(Deal, {
  reduction_pct: num({ min: 0, max: 100, maxExclusive: true, hundredths: true }),
  pooled_agencies: list(isString, 0, MAX_AGENCIES),
  horizon_months: wholeMonths(1),
  gainshare_pct: num({ min: 0, max: 100, hundredths: true }),
  powers: list(isString, 0, MAX_POWERS),
  envelope: isEnvelope
})

const isPower = struct(Power, { id: isId, name: isName, agencies: list(isString, 1, MAX_AGENCIES), accountability: isModel, weight_months: num({ min: 0, max: TIME }), to_level: isLevel })

const isCentre = struct(Centre, {
  capacity: num({ min: 1, int: true }),
  schedule: list(struct(CapacityChange, { from: isMonthOrMonths, capacity: num({ min: 1, int: true }) }), 0, MAX_CAPACITY_CHANGES)
})

const isEffect = struct(ProgrammeEffect, {
  beneficiary: isString,
  service: name(true, MAX_NAME_LENGTH),
  unit_cost: struct(UnitCost, { amount: isAmount, per: literal(["event", "year"]) }),
  baseline_demand: num({ min: 0 }),
  reduction_pct: num({ min: 0, minExclusive: true, max: 100 }),
  lag_months: wholeMonths(0),
  ramp_months: wholeMonths(0),
  decay_pct_per_year: num({ min: 0, max: 100 }),
  deadweight_pct: num({ min: 0, max: 100, maxExclusive: true }),
  optimism_bias_pct: num({ min: 0, max: 100, maxExclusive: true }),
  outcome: isString
})

const isProgramme = struct(Programme, {
  id: isId,
  locality: isString,
  payer: isString,
  starts: isWholeMonth,
  duration_months: wholeMonths(1),
  investment: struct(Investment, { upfront: isAmount, monthly: isAmount, optimism_bias_pct: num({ min: 0, max: 200, hundredths: true }) }),
  cohort: num({ min: 0, minExclusive: true }),
  effects: list(isEffect, 1, MAX_EFFECTS)
})

const isTransfer = struct(Transfer, {
  id: isId,
  locality: isString,
  from: isString,
  to: isString,
  amount: isAmount,
  starts: isWholeMonth,
  months: wholeMonths(1)
})

const isSpendingReview = struct(SpendingReview, {
  id: isId,
  starts: isWholeMonth,
  months: wholeMonths(1),
  changes: record(num({ min: -100, minExclusive: true, max: 100, hundredths: true })),
  persists: (v) => typeof v === "boolean",
  phasing: literal(["flat", "even"])
})

const isVariant = struct(
  Variant,
  {
    name: (v) => typeof v === "string" && isVariantName(v) && maxCodePoints(v, MAX_ID_LENGTH),
    description: (v) => typeof v === "string" && isPrintableText(v.replace(/[\t\r\n]/g, " "))
  },
  () => true // the overrides: any value, checked after merging
)

const isScenarioFile = struct(ScenarioFile, {
  version: (v) => v === 1,
  name: name(true, MAX_SCENARIO_NAME_LENGTH),
  start: isMonthString,
  months: num({ min: 1, max: MAX_MONTHS, int: true }),
  seed: num({ int: true }),
  centre: isCentre,
  tranches: list(isTranche, 1, MAX_TRANCHES),
  agencies: list(isAgency, 0, MAX_AGENCIES),
  localities: list(isLocality, 1, MAX_LOCALITIES),
  deal: isDeal,
  discount_rate_pct: num({ min: 0, max: 100, maxExclusive: true, hundredths: true }),
  appraisal: (v) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && literal(["green_book", "monthly"])((v as Record<string, unknown>)["discounting"]),
  coverage: (v) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).every((k) => k === "population" || k === "label") && num({ min: 0, minExclusive: true })((v as Record<string, unknown>)["population"]) && isName((v as Record<string, unknown>)["label"]),
  powers: list(isPower, 0, MAX_POWERS),
  programmes: list(isProgramme, 0, MAX_PROGRAMMES),
  transfers: list(isTransfer, 0, MAX_TRANSFERS),
  spending_reviews: list(isSpendingReview, 0, MAX_SPENDING_REVIEWS),
  running_costs: struct(RunningCosts, {
    centre: (v) => isPlain(v) && Object.keys(v).every((k) => k === "monthly" || k === "per_negotiation_month") && Object.values(v).every(isAmount),
    mayoral_office: (v) => isPlain(v) && Object.keys(v).every((k) => k === "monthly") && Object.values(v).every(isAmount)
  }),
  // devosim sweep's section: rare and small, so left to the schema's decoder (and its messages).
  experiments: () => false,
  variants: list(isVariant, 0, MAX_VARIANTS)
})

/**
 * The document as a `ScenarioFile` when it is one (the schema's decoding is the identity on valid
 * input); undefined when it is not, or may not be: decode it with the schema then.
 */
export const fastDecode = (value: unknown): ScenarioFile | undefined => {
  try {
    return isScenarioFile(value) ? (value as ScenarioFile) : undefined
  } catch {
    return undefined // e.g. a stack overflow on a value nested deeper than the limits allow
  }
}
