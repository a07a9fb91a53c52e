/**
 * Time is in months since the scenario's start month (period m covers [m, m+1)).
 * UK financial years start on 1 April: FY 2010-11 runs April 2010 to March 2011.
 */
export interface YearMonth {
  readonly year: number
  readonly month: number // 1..12
}

const YM = /^(\d{4})-(\d{2})$/

export const parseYearMonth = (s: string): YearMonth | undefined => {
  const m = YM.exec(s)
  if (!m) return undefined
  const year = Number(m[1])
  const month = Number(m[2])
  if (month < 1 || month > 12 || year < 1900 || year > 2200) return undefined
  return { year, month }
}

export const formatYearMonth = (ym: YearMonth): string => `${ym.year}-${String(ym.month).padStart(2, "0")}`

/** Months from `start` to `ym` (negative when before). */
export const monthsBetween = (start: YearMonth, ym: YearMonth): number =>
  (ym.year - start.year) * 12 + (ym.month - start.month)

/** The calendar month of period `m`. */
export const periodMonth = (start: YearMonth, m: number): YearMonth => {
  const z = start.year * 12 + (start.month - 1) + Math.floor(m)
  return { year: Math.floor(z / 12), month: (z % 12) + 1 }
}

/** The financial year a period falls in, named by the calendar year it starts in (2010 for 2010-11). */
export const financialYearOf = (start: YearMonth, m: number): number => {
  const ym = periodMonth(start, m)
  return ym.month >= 4 ? ym.year : ym.year - 1
}

export const financialYearLabel = (fy: number): string => `${fy}-${String((fy + 1) % 100).padStart(2, "0")}`

/**
 * The financial-year blocks of periods [0, months): each is [from, to) with the FY it belongs to.
 * The first block starts at period 0 even when the run starts mid-year.
 */
export const financialYearBlocks = (
  start: YearMonth,
  months: number
): Array<{ readonly fy: number; readonly from: number; readonly to: number }> => {
  const out: Array<{ fy: number; from: number; to: number }> = []
  let from = 0
  while (from < months) {
    const fy = financialYearOf(start, from)
    let to = from + 1
    while (to < months && financialYearOf(start, to) === fy) to++
    out.push({ fy, from, to })
    from = to
  }
  return out
}
