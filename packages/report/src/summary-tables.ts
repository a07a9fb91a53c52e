/**
 * summary.json holds aggregates; what there is one of per locality (negotiations, money by
 * locality and by agency line, by financial year, the cost-shift matrix, every programme effect)
 * goes to Arrow tables beside it (issue 13: a 100,000-locality summary was 2.6 GB of JSON, mostly
 * zeros). A run of up to SUMMARY_INLINE_LOCALITIES localities also keeps those lists in
 * summary.json, where a reader (or a script looking up `money.localities[Kent]`) finds them at a
 * glance. `splitSummary` makes the file and its tables from a Summary; `joinSummary` puts a Summary
 * back together from them (or takes a summary.json with its lists in it as it is).
 */
import type { RecordCell, RecordField, RecordTable } from "@devosim/core"
import { financialYearBlocks, financialYearLabel, parseYearMonth } from "@devosim/core"
import type { AgencyMoney, CostShift, EffectSavings, LineYear, LocalityMoney, LocalityPool, MoneyFigures, TransferMoney } from "./money.ts"
import { POOL_FLOWS, poolColumns } from "./money.ts"
import type { NegotiationOutcome, NegotiationRecord } from "./negotiations.ts"
import type { Summary } from "./summary.ts"

const f = (name: string, type: RecordField["type"], nullable = false): RecordField => ({ name, type, nullable })
const pence = (...names: ReadonlyArray<string>) => names.map((n) => f(n, "int64"))

const YEAR_PENCE = pence("baseline_pence", "actual_pence", "prevention_invested_pence", "savings_realised_pence")

/** The tables beside summary.json: file, `devosim.format`, columns (documented in the README). */
export const SUMMARY_TABLES = {
  negotiations: {
    file: "negotiations.arrow",
    format: "negotiations/1",
    fields: [
      f("locality", "utf8"),
      f("tranche", "utf8"),
      f("population", "float64"),
      f("eligible", "float64"),
      f("start", "float64"),
      f("deal", "float64", true),
      f("wait", "float64"),
      f("attempts", "int32"),
      f("outcome", "utf8")
    ]
  },
  localities: {
    file: "localities.arrow",
    format: "localities/1",
    fields: [
      f("locality", "utf8"),
      ...pence(
        "baseline_pence",
        "actual_pence",
        "spb_reduction_pence",
        "prevention_invested_pence",
        "savings_realised_pence",
        "savings_claimed_pence",
        "savings_capped_pence",
        "savings_on_pooled_lines_pence",
        "gainshare_kept_pence",
        "gainshare_returned_pence",
        "pv_prevention_invested_pence",
        "pv_savings_realised_pence",
        "pv_npv_pence",
        "pv_spb_reduction_pence"
      ),
      f("payback_period", "int32", true)
    ]
  },
  lines: {
    file: "lines.arrow",
    format: "lines/1",
    fields: [
      f("locality", "utf8"),
      f("agency", "utf8"),
      ...pence(
        "baseline_pence",
        "actual_pence",
        "prevention_invested_pence",
        "savings_realised_pence",
        "savings_claimed_pence",
        "savings_capped_pence",
        "transfers_in_pence",
        "transfers_out_pence",
        "net_position_pence"
      )
    ]
  },
  locality_years: {
    file: "locality_years.arrow",
    format: "locality-years/1",
    fields: [f("locality", "utf8"), f("financial_year", "utf8"), ...YEAR_PENCE, f("spb_reduction_pence", "int64")]
  },
  line_years: {
    file: "line_years.arrow",
    format: "line-years/1",
    fields: [f("locality", "utf8"), f("agency", "utf8"), f("financial_year", "utf8"), ...YEAR_PENCE]
  },
  cost_shift: {
    file: "cost_shift.arrow",
    format: "cost-shift/1",
    // One row per cell and period with savings; a cell that saved in no period has one row, period null.
    fields: [f("locality", "utf8"), f("payer", "utf8"), f("beneficiary", "utf8"), f("period", "int32", true), f("savings_pence", "int64")]
  },
  effects: {
    file: "effects.arrow",
    format: "effects/1",
    fields: [f("programme", "utf8"), f("locality", "utf8"), f("agency", "utf8"), f("service", "utf8"), ...pence("claimed_pence", "realised_pence", "capped_pence")]
  },
  pools: {
    file: "pools.arrow",
    format: "pools/1",
    // One row per period of each locality whose single place budget moved money (runs of up to POOL_BY_PERIOD_CELLS locality-periods).
    fields: [f("locality", "utf8"), f("period", "int32"), f("financial_year", "utf8"), ...pence(...POOL_FLOWS)]
  },
  transfers: {
    file: "transfers.arrow",
    format: "transfers/1",
    fields: [f("locality", "utf8"), f("from", "utf8"), f("to", "utf8"), f("amount_pence", "int64")]
  }
} as const satisfies Record<string, { readonly file: string; readonly format: string; readonly fields: ReadonlyArray<RecordField> }>

export type SummaryTableName = keyof typeof SUMMARY_TABLES

/** Localities up to which summary.json keeps its per-locality lists as well as the tables. */
export const SUMMARY_INLINE_LOCALITIES = 1000

/**
 * summary.json as written: the aggregates, which tables hold the rest (with their row counts) and,
 * in a run of up to SUMMARY_INLINE_LOCALITIES localities, the per-locality lists too.
 */
export interface SummaryFile extends Omit<Summary, "negotiations" | "money"> {
  readonly negotiations?: Summary["negotiations"]
  readonly money: Omit<MoneyFigures, PerLocalityLists> & Partial<Pick<MoneyFigures, PerLocalityLists>>
  readonly tables: Readonly<Partial<Record<SummaryTableName, { readonly file: string; readonly rows: number }>>>
}

/** The lists of `money` with one entry (or more) per locality: in tables, and in summary.json only when small. */
type PerLocalityLists = "localities" | "cost_shift" | "effects" | "pools" | "transfers"

type Row = Record<string, RecordCell>

/** The financial year of each period of a run. */
const financialYearsOf = (s: Pick<Summary, "start" | "months">): Array<string> => {
  const labels: Array<string> = new Array(Math.max(1, s.months))
  for (const b of financialYearBlocks(parseYearMonth(s.start) ?? { year: 2000, month: 4 }, Math.max(1, s.months))) labels.fill(financialYearLabel(b.fy), b.from, b.to)
  return labels
}

/** A locality's row of localities.arrow (and of `devosim export`'s localities table): its scalar figures, present values as pv_… */
export const localityRow = (l: LocalityMoney): Row => {
  const pv = l.present_values
  // Field by field (not a rest spread, which for 100,000 localities took as long as encoding them).
  return {
    locality: l.locality,
    baseline_pence: l.baseline_pence,
    actual_pence: l.actual_pence,
    spb_reduction_pence: l.spb_reduction_pence,
    prevention_invested_pence: l.prevention_invested_pence,
    savings_realised_pence: l.savings_realised_pence,
    savings_claimed_pence: l.savings_claimed_pence,
    savings_capped_pence: l.savings_capped_pence,
    savings_on_pooled_lines_pence: l.savings_on_pooled_lines_pence,
    gainshare_kept_pence: l.gainshare_kept_pence,
    gainshare_returned_pence: l.gainshare_returned_pence,
    pv_prevention_invested_pence: pv.prevention_invested_pence,
    pv_savings_realised_pence: pv.savings_realised_pence,
    pv_npv_pence: pv.npv_pence,
    pv_spb_reduction_pence: pv.spb_reduction_pence,
    payback_period: l.payback_period
  }
}

/** Each table's rows, built from the summary (one table at a time: see `summaryTables`). */
const ROWS: Record<SummaryTableName, (s: Summary) => Array<Row>> = {
  // A negotiation record is already a row of plain cells: kept, not copied.
  negotiations: (s) => s.negotiations as unknown as Array<Row>,
  localities: (s) => s.money.localities.map(localityRow),
  lines: (s) => s.money.localities.flatMap((l) => l.agencies.map(({ by_financial_year: _y, ...line }) => ({ locality: l.locality, ...line }))),
  locality_years: (s) => s.money.localities.flatMap((l) => (l.by_financial_year ?? []).map((y) => ({ locality: l.locality, ...y }))),
  line_years: (s) =>
    s.money.localities.flatMap((l) => l.agencies.flatMap((g) => (g.by_financial_year ?? []).map((y) => ({ locality: l.locality, agency: g.agency, ...y })))),
  cost_shift: (s) =>
    s.money.cost_shift.flatMap((c): Array<Row> => {
      const periods = Object.entries(c.savings_by_period)
      if (periods.length === 0) return [{ locality: c.locality, payer: c.payer, beneficiary: c.beneficiary, period: null, savings_pence: c.savings_pence }]
      return periods.map(([period, savings]) => ({ locality: c.locality, payer: c.payer, beneficiary: c.beneficiary, period: Number(period), savings_pence: savings }))
    }),
  effects: (s) => s.money.effects.map((e) => ({ ...e })),
  pools: (s) => {
    const fy = financialYearsOf(s)
    return s.money.pools.flatMap((p) =>
      p.line_funding_pence.map((_, period): Row => ({ locality: p.locality, period, financial_year: fy[period] ?? "", ...poolColumns((k) => p[k][period]!) }))
    )
  },
  transfers: (s) => s.money.transfers.map((t) => ({ ...t }))
}

/** Each table's row count, without building its rows. */
const ROW_COUNTS: Record<SummaryTableName, (s: Summary) => number> = {
  negotiations: (s) => s.negotiations.length,
  localities: (s) => s.money.localities.length,
  lines: (s) => s.money.localities.reduce((n, l) => n + l.agencies.length, 0),
  locality_years: (s) => s.money.localities.reduce((n, l) => n + (l.by_financial_year?.length ?? 0), 0),
  line_years: (s) => s.money.localities.reduce((n, l) => l.agencies.reduce((m, g) => m + (g.by_financial_year?.length ?? 0), n), 0),
  cost_shift: (s) => s.money.cost_shift.reduce((n, c) => n + Math.max(1, Object.keys(c.savings_by_period).length), 0),
  effects: (s) => s.money.effects.length,
  pools: (s) => s.money.pools.reduce((n, p) => n + p.line_funding_pence.length, 0),
  transfers: (s) => s.money.transfers.length
}

/** The tables a summary has, in SUMMARY_TABLES order: the by-year tables only where it has them. */
const tablesOf = (s: Summary): Array<SummaryTableName> => {
  const localityYears = s.money.localities.some((l) => l.by_financial_year !== undefined)
  const lineYears = s.money.localities.some((l) => l.agencies.some((g) => g.by_financial_year !== undefined))
  // pools.arrow where the summary has every locality's pool by period (a summary from before it: none).
  const pools = s.money.single_place_budget?.by_locality === true
  return (Object.keys(SUMMARY_TABLES) as Array<SummaryTableName>).filter(
    (name) => (name !== "locality_years" || localityYears) && (name !== "line_years" || lineYears) && (name !== "pools" || pools)
  )
}

/** summary.json's content: the aggregates, the tables it points to, and the lists too when small. */
export const summaryFile = (s: Summary): SummaryFile => {
  const { negotiations, money, ...rest } = s
  const { localities, cost_shift: _c, effects: _e, pools, transfers: _t, ...aggregates } = money
  const listed = Object.fromEntries(tablesOf(s).map((name) => [name, { file: SUMMARY_TABLES[name].file, rows: ROW_COUNTS[name](s) }]))
  // The pools by period are in pools.arrow only, however small the run (summary.json has their totals by period).
  const { pools: _p, ...lists } = money
  return localities.length <= SUMMARY_INLINE_LOCALITIES && negotiations.length <= SUMMARY_INLINE_LOCALITIES
    ? { ...s, money: lists, tables: listed }
    : { ...rest, money: aggregates, tables: listed }
}

/**
 * The per-locality tables, one at a time (in SUMMARY_TABLES order): a writer that encodes each
 * before asking for the next holds one table's rows, not all of them (at 100,000 localities the
 * lines table alone is 800,000 rows).
 */
export function* summaryTables(s: Summary): Generator<{ readonly name: SummaryTableName; readonly table: RecordTable }> {
  for (const name of tablesOf(s)) yield { name, table: { fields: SUMMARY_TABLES[name].fields, rows: ROWS[name](s) } }
}

/** The file and its tables (in SUMMARY_TABLES order; the by-year tables only where the summary has them). */
export const splitSummary = (s: Summary): { readonly file: SummaryFile; readonly tables: ReadonlyArray<{ readonly name: SummaryTableName; readonly table: RecordTable }> } => ({
  file: summaryFile(s),
  tables: [...summaryTables(s)]
})

const str = (r: Row, k: string) => r[k] as string
const num = (r: Row, k: string) => r[k] as number
const groupBy = (rows: ReadonlyArray<Row>, key: (r: Row) => string): Map<string, Array<Row>> => {
  const out = new Map<string, Array<Row>>()
  for (const r of rows) {
    const k = key(r)
    const g = out.get(k)
    if (g === undefined) out.set(k, [r])
    else g.push(r)
  }
  return out
}

/**
 * A Summary from summary.json and its tables (`table(name)` reads one, checked against its
 * SUMMARY_TABLES fields). A summary.json written before the split (it has `negotiations`) is the
 * whole summary already.
 */
export const joinSummary = (file: SummaryFile | Summary, table: (name: SummaryTableName) => RecordTable): Summary => {
  if (!("tables" in file)) return file
  const { tables, money, ...rest } = file
  const read = (name: SummaryTableName): ReadonlyArray<Row> => (tables[name] === undefined ? [] : table(name).rows)
  const pools = (): Array<LocalityPool> => {
    const out: Array<LocalityPool> = []
    let pool: ({ locality: string } & { [K in (typeof POOL_FLOWS)[number]]: Array<number> }) | undefined
    for (const r of read("pools")) {
      if (pool === undefined || pool.locality !== str(r, "locality")) {
        pool = { locality: str(r, "locality"), ...poolColumns((): Array<number> => new Array<number>(Math.max(1, rest.months)).fill(0)) }
        out.push(pool)
      }
      const period = num(r, "period")
      for (const k of POOL_FLOWS) pool[k][period] = num(r, k)
    }
    return out
  }
  // A small run's lists are in summary.json (all but the pools by period, only ever in pools.arrow).
  if (file.negotiations !== undefined && money.localities !== undefined && money.cost_shift !== undefined && money.effects !== undefined && money.transfers !== undefined) {
    return { ...rest, negotiations: file.negotiations, money: { ...money, localities: money.localities, cost_shift: money.cost_shift, effects: money.effects, transfers: money.transfers, pools: pools() } }
  }
  const negotiations: Array<NegotiationRecord> = read("negotiations").map((r) => ({
    locality: str(r, "locality"),
    tranche: str(r, "tranche"),
    population: num(r, "population"),
    eligible: num(r, "eligible"),
    start: num(r, "start"),
    deal: r["deal"] as number | null,
    wait: num(r, "wait"),
    attempts: num(r, "attempts"),
    outcome: str(r, "outcome") as NegotiationOutcome
  }))
  const localityKey = (r: Row) => str(r, "locality")
  const lines = groupBy(read("lines"), localityKey)
  const lineYears = tables.line_years === undefined ? null : groupBy(read("line_years"), (r) => `${str(r, "locality")}\u0000${str(r, "agency")}`)
  const localityYears = tables.locality_years === undefined ? null : groupBy(read("locality_years"), localityKey)
  const yearOf = (r: Row): LineYear => ({
    financial_year: str(r, "financial_year"),
    baseline_pence: num(r, "baseline_pence"),
    actual_pence: num(r, "actual_pence"),
    prevention_invested_pence: num(r, "prevention_invested_pence"),
    savings_realised_pence: num(r, "savings_realised_pence")
  })
  const localities: Array<LocalityMoney> = read("localities").map((r) => {
    const locality = str(r, "locality")
    const agencies: Array<AgencyMoney> = (lines.get(locality) ?? []).map((g) => ({
      agency: str(g, "agency"),
      baseline_pence: num(g, "baseline_pence"),
      actual_pence: num(g, "actual_pence"),
      prevention_invested_pence: num(g, "prevention_invested_pence"),
      savings_realised_pence: num(g, "savings_realised_pence"),
      savings_claimed_pence: num(g, "savings_claimed_pence"),
      savings_capped_pence: num(g, "savings_capped_pence"),
      transfers_in_pence: num(g, "transfers_in_pence"),
      transfers_out_pence: num(g, "transfers_out_pence"),
      net_position_pence: num(g, "net_position_pence"),
      ...(lineYears === null ? {} : { by_financial_year: (lineYears.get(`${locality}\u0000${str(g, "agency")}`) ?? []).map(yearOf) })
    }))
    return {
      locality,
      baseline_pence: num(r, "baseline_pence"),
      actual_pence: num(r, "actual_pence"),
      spb_reduction_pence: num(r, "spb_reduction_pence"),
      prevention_invested_pence: num(r, "prevention_invested_pence"),
      savings_realised_pence: num(r, "savings_realised_pence"),
      savings_claimed_pence: num(r, "savings_claimed_pence"),
      savings_capped_pence: num(r, "savings_capped_pence"),
      savings_on_pooled_lines_pence: num(r, "savings_on_pooled_lines_pence"),
      gainshare_kept_pence: num(r, "gainshare_kept_pence"),
      gainshare_returned_pence: num(r, "gainshare_returned_pence"),
      agencies,
      present_values: {
        prevention_invested_pence: num(r, "pv_prevention_invested_pence"),
        savings_realised_pence: num(r, "pv_savings_realised_pence"),
        npv_pence: num(r, "pv_npv_pence"),
        spb_reduction_pence: num(r, "pv_spb_reduction_pence")
      },
      payback_period: r["payback_period"] as number | null,
      ...(localityYears === null ? {} : { by_financial_year: (localityYears.get(locality) ?? []).map((y) => ({ ...yearOf(y), spb_reduction_pence: num(y, "spb_reduction_pence") })) })
    }
  })
  const cost_shift: Array<CostShift> = []
  let cell: { locality: string; payer: string; beneficiary: string; savings_pence: number; savings_by_period: Record<string, number> } | undefined
  for (const r of read("cost_shift")) {
    if (cell === undefined || cell.locality !== str(r, "locality") || cell.payer !== str(r, "payer") || cell.beneficiary !== str(r, "beneficiary")) {
      cell = { locality: str(r, "locality"), payer: str(r, "payer"), beneficiary: str(r, "beneficiary"), savings_pence: 0, savings_by_period: {} }
      cost_shift.push(cell)
    }
    cell.savings_pence += num(r, "savings_pence")
    if (r["period"] !== null) cell.savings_by_period[String(r["period"])] = num(r, "savings_pence")
  }
  const effects: Array<EffectSavings> = read("effects").map((r) => ({
    programme: str(r, "programme"),
    locality: str(r, "locality"),
    agency: str(r, "agency"),
    service: str(r, "service"),
    claimed_pence: num(r, "claimed_pence"),
    realised_pence: num(r, "realised_pence"),
    capped_pence: num(r, "capped_pence")
  }))
  const transfers: Array<TransferMoney> = read("transfers").map((r) => ({ locality: str(r, "locality"), from: str(r, "from"), to: str(r, "to"), amount_pence: num(r, "amount_pence") }))
  return { ...rest, negotiations, money: { ...money, localities, cost_shift, effects, pools: pools(), transfers } }
}
