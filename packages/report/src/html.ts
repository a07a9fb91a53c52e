/**
 * report.html: one self-contained HTML file for a run (`renderRunReport`) and for a comparison of
 * runs (`renderComparisonReport`), to read offline and send as one attachment.
 *
 * Charts: Observable Plot 0.6.17 on d3 7 (SVG). Why Plot:
 * - it draws static SVG: sharp at any zoom, prints and saves to PDF as vectors, text stays text;
 * - its marks fit what we show in a few lines each: bars from start to deal (barX x1/x2), stacked
 *   step areas (coverage), bands (areaY y1/y2 for 5–95%), cells (the cost-shift heat map), rules as
 *   error bars, with calendar (UTC time) axes, legends and hover tips built in;
 * - it is maintained by Observable (the d3 authors), ISC licensed, with UMD browser bundles (d3
 *   280 KB + Plot 210 KB minified) that we inline, so the page needs no network.
 * ECharts (about 1 MB, canvas by default) and Vega-Lite (a runtime compiler, heavier still) cost
 * more bytes for no gain here; Chart.js and uPlot draw to canvas, which prints as bitmaps and gives
 * no heat map or error bars without plugins.
 *
 * The tables are rendered here (static HTML, readable with scripts off); the charts are drawn in the
 * browser by src/html/*-client.js from the data inlined as JSON in <script type="application/json">.
 */
import { describeFork, directionText, type CompareReport } from "./compare.ts"
import { POOL_BY_PERIOD_CELLS, type LocalityPool } from "./money.ts"
import type { DealPower, DealPowers } from "./powers.ts"
import { dealsInTimeOrder, type Summary } from "./summary.ts"
import { devolutionSections } from "./html/devolution.ts"
import { calendarMonth, escapeHtml, formatFigure, integer, monthsAndDate, page, pounds, table, td, th } from "./html/page.ts"

const h = escapeHtml

/** "A vs B vs C"; with more than three, the baseline and a count (the table lists them all). */
const comparisonTitle = (names: ReadonlyArray<string>): string =>
  names.length <= 3 ? names.join(" vs ") : `${names[0]} vs ${names.length - 1} alternatives`

const chartSection = (o: {
  readonly id: string
  readonly title: string
  readonly how: string
  readonly charts: ReadonlyArray<string>
  readonly select?: string
  readonly note?: string
  readonly after?: string
}): string => `<section class="chart" id="${o.id}">
<h2>${h(o.title)}</h2>
<p class="how">${o.how}</p>
${o.select === undefined ? "" : `<div class="controls"><label for="${o.select}">Show</label><select id="${o.select}"></select></div>`}
<figure>${o.charts.map((c) => `<div class="plot" id="${c}" data-chart="${c}"></div>`).join("")}${
  o.note === undefined ? "" : `<figcaption><p class="note">${o.note}</p></figcaption>`
}</figure>${o.after ?? ""}
</section>`

const dl = (pairs: ReadonlyArray<readonly [string, string]>) =>
  `<dl class="figures">${pairs.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`

const months = (x: number) => `${x.toFixed(1)} months`

/** Per-locality rows and chart entries a run report shows at most (the first ones, in the scenario's order). */
export const REPORT_LOCALITY_LIMIT = 500

/**
 * Locality-periods of single place budgets a run report carries at most (each is eight amounts):
 * the first localities' pools that fit; the "All localities" view is summary.json's totals.
 */
export const REPORT_POOL_CELLS = 12_000

export interface RunReportOptions {
  /** At most this many localities in each per-locality chart and table (default REPORT_LOCALITY_LIMIT). */
  readonly maxLocalities?: number
  /** The deals' powers (`PowersBuilder` over the log, with the scenario's facts); absent: the report says they are not known. */
  readonly powers?: DealPowers
}

/**
 * What the client draws instead of summing per-locality records when a report shows only some of
 * them: every aggregate over all localities, precomputed here.
 */
export interface RunReportTotals {
  readonly localities: number
  readonly localities_shown: number
  readonly negotiations: number
  readonly negotiations_shown: number
  readonly cost_shift: number
  readonly cost_shift_shown: number
  /** The last time anything happens (the run's end or a later deal), over all negotiations. */
  readonly end_t: number
  /** Tranches in the order their first locality became eligible, over all negotiations. */
  readonly tranches: ReadonlyArray<string>
  /** Share of the negotiating population under a deal, by tranche (stacked), at times `t`. */
  readonly coverage: {
    readonly t: ReadonlyArray<number>
    readonly population: number
    readonly by_tranche: ReadonlyArray<{ readonly tranche: string; readonly people: ReadonlyArray<number> }>
  }
  readonly agencies: ReadonlyArray<{ readonly agency: string; readonly baseline_pence: number; readonly actual_pence: number; readonly prevention_invested_pence: number; readonly savings_realised_pence: number }>
  readonly cost_shift_totals: ReadonlyArray<{ readonly payer: string; readonly beneficiary: string; readonly savings_pence: number }>
  /** Transfers over all localities, by payer and receiving line. */
  readonly transfer_totals: ReadonlyArray<{ readonly from: string; readonly to: string; readonly amount_pence: number }>
}

/** Most coverage points drawn: beyond it, coverage is sampled on an even grid of times. */
const COVERAGE_POINTS = 1000

/**
 * The data a run report carries: the whole summary when it has at most `limit` localities; else the
 * first `limit` localities' records (negotiations, money, cost shift) and the totals over all.
 */
export const boundRunReportData = (s: Summary, limit: number): { readonly summary: Summary; readonly totals: RunReportTotals | null } => {
  const m = s.money
  if (m.localities.length <= limit && s.negotiations.length <= limit) return { summary: s, totals: null }
  const localities = m.localities.slice(0, limit)
  const shown = new Set(localities.map((l) => l.locality))
  const costShift = m.cost_shift.filter((c) => shown.has(c.locality))
  const negotiations = s.negotiations.slice(0, limit)

  // The run covers [0, months): projected times beyond it are not drawn.
  const endT = s.months
  const firstEligible = new Map<string, number>()
  for (const n of s.negotiations) {
    const f = firstEligible.get(n.tranche)
    if (f === undefined || n.eligible < f) firstEligible.set(n.tranche, n.eligible)
  }
  const tranches = [...firstEligible.keys()].sort((a, b) => firstEligible.get(a)! - firstEligible.get(b)! || (a < b ? -1 : a > b ? 1 : 0))
  // Coverage: people under a deal by tranche at each deal time (or on a grid, when there are many).
  const population = s.coverage.population
  const inOrder = dealsInTimeOrder(s.negotiations)
  const deals = inOrder.order.map((k) => inOrder.records[k]!)
  // The distinct deal times with 0 and the end, ascending: a typed array sorts natively.
  const sorted = new Float64Array(deals.length + 2)
  sorted[0] = 0
  sorted[1] = endT
  deals.forEach((n, k) => (sorted[k + 2] = n.deal!))
  sorted.sort()
  let distinct = 0
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[distinct++] = sorted[k]!
  const times =
    distinct > COVERAGE_POINTS ? Array.from({ length: COVERAGE_POINTS + 1 }, (_, k) => (k * endT) / COVERAGE_POINTS) : Array.from(sorted.subarray(0, distinct))
  const trancheIndex = new Map(tranches.map((t, i) => [t, i]))
  const people = tranches.map(() => new Array<number>(times.length).fill(0))
  const running = tranches.map(() => 0)
  let d = 0
  times.forEach((t, k) => {
    while (d < deals.length && deals[d]!.deal! <= t) {
      running[trancheIndex.get(deals[d]!.tranche)!]! += deals[d]!.population
      d++
    }
    running.forEach((p, i) => (people[i]![k] = p))
  })

  const agencyTotals = new Map<string, { agency: string; baseline_pence: number; actual_pence: number; prevention_invested_pence: number; savings_realised_pence: number }>()
  for (const l of m.localities)
    for (const a of l.agencies) {
      let r = agencyTotals.get(a.agency)
      if (r === undefined) agencyTotals.set(a.agency, (r = { agency: a.agency, baseline_pence: 0, actual_pence: 0, prevention_invested_pence: 0, savings_realised_pence: 0 }))
      r.baseline_pence += a.baseline_pence
      r.actual_pence += a.actual_pence
      r.prevention_invested_pence += a.prevention_invested_pence
      r.savings_realised_pence += a.savings_realised_pence
    }
  const transferTotals = new Map<string, { from: string; to: string; amount_pence: number }>()
  for (const x of m.transfers) {
    const k = `${x.from}\u0000${x.to}`
    let r = transferTotals.get(k)
    if (r === undefined) transferTotals.set(k, (r = { from: x.from, to: x.to, amount_pence: 0 }))
    r.amount_pence += x.amount_pence
  }
  const shiftTotals = new Map<string, { payer: string; beneficiary: string; savings_pence: number }>()
  for (const c of m.cost_shift) {
    const k = `${c.payer}\u0000${c.beneficiary}`
    let r = shiftTotals.get(k)
    if (r === undefined) shiftTotals.set(k, (r = { payer: c.payer, beneficiary: c.beneficiary, savings_pence: 0 }))
    r.savings_pence += c.savings_pence
  }
  return {
    summary: { ...s, negotiations, money: { ...m, localities, cost_shift: costShift, transfers: m.transfers.filter((x) => shown.has(x.locality)), pools: m.pools.filter((p) => shown.has(p.locality)) } },
    totals: {
      localities: m.localities.length,
      localities_shown: localities.length,
      negotiations: s.negotiations.length,
      negotiations_shown: negotiations.length,
      cost_shift: m.cost_shift.length,
      cost_shift_shown: costShift.length,
      end_t: endT,
      tranches,
      coverage: { t: times, population, by_tranche: tranches.map((tranche, i) => ({ tranche, people: people[i]! })) },
      agencies: [...agencyTotals.values()],
      cost_shift_totals: [...shiftTotals.values()],
      transfer_totals: [...transferTotals.values()]
    }
  }
}

/** The line under a chart or table that shows only some localities. */
const notShown = (shown: number, total: number, what: string): string =>
  `<p class="note not-shown">Showing the first ${integer(shown)} of ${integer(total)} ${what} (in the scenario's order); the other ${integer(
    total - shown
  )} are not shown here. summary.json has them all; totals and “All localities” views cover every locality.</p>`

/** The first pools that fit in `cells` locality-periods (in the scenario's order). */
const poolsWithin = (pools: ReadonlyArray<LocalityPool>, cells: number): ReadonlyArray<LocalityPool> => {
  let used = 0
  let k = 0
  while (k < pools.length && used + pools[k]!.line_funding_pence.length <= cells) used += pools[k++]!.line_funding_pence.length
  return k === pools.length ? pools : pools.slice(0, k)
}

/** The powers of the first `limit` localities (in the order their deals landed). */
const powersWithin = (powers: DealPowers, limit: number): DealPowers & { readonly localities: number; readonly localities_shown: number } => {
  const localities = new Set<string>()
  const rows: Array<DealPower> = []
  let all = 0
  const seen = new Set<string>()
  for (const r of powers.rows) {
    if (!seen.has(r.locality)) {
      seen.add(r.locality)
      all++
    }
    if (localities.has(r.locality) || localities.size < limit) {
      localities.add(r.locality)
      rows.push(r)
    }
  }
  return { ...powers, rows, adopted: powers.adopted.filter((a) => localities.has(a.locality)), localities: all, localities_shown: localities.size }
}

/** The report of one run: summary.json drawn and tabulated. */
export const renderRunReport = (summary: Summary, options: RunReportOptions = {}): string => {
  const s = summary
  const limit = Math.max(1, options.maxLocalities ?? REPORT_LOCALITY_LIMIT)
  const bounded = boundRunReportData(s, limit)
  const totals = bounded.totals
  // Pools are many amounts per locality: the first that fit REPORT_POOL_CELLS.
  const poolsShown = poolsWithin(bounded.summary.money.pools, REPORT_POOL_CELLS)
  const shown: Summary = poolsShown === bounded.summary.money.pools ? bounded.summary : { ...bounded.summary, money: { ...bounded.summary.money, pools: poolsShown } }
  const powers = options.powers === undefined ? undefined : powersWithin(options.powers, limit)
  const negotiationsNote = totals === null || totals.negotiations_shown === totals.negotiations ? "" : notShown(totals.negotiations_shown, totals.negotiations, "negotiating localities")
  const localitiesNote = totals === null || totals.localities_shown === totals.localities ? "" : notShown(totals.localities_shown, totals.localities, "localities")
  const m = s.money
  const start = s.start
  const rate = m.discount_rate_pct
  const endMonth = calendarMonth(start, Math.max(0, s.months - 1))
  const firstMonth = calendarMonth(start, 0)

  const header = `<header class="report">
<p class="kicker">devosim run report</p>
<h1>${h(s.scenario)}</h1>
<p class="meta"><span>seed <b>${h(String(s.seed))}</b></span><span>start <b>${h(start)}</b>${firstMonth === "" ? "" : ` (${firstMonth})`}</span><span><b>${integer(s.months)}</b> monthly periods${endMonth === "" ? "" : `, to ${endMonth}`}</span><span>engine <b>${h(s.engine_version)}</b></span><span><b>${integer(s.events.total)}</b> events (${integer(s.events.control)} control, ${integer(s.events.postings)} postings)</span></p>
</header>`

  const c = s.centre
  const conserved = m.total_balance_pence === 0
  const keyFigures = `<section id="key-figures">
<h2>Key figures</h2>
<div class="cards">
<div><h3>The centre's negotiations</h3>${dl([
    // A schedule: each capacity with the month it holds from.
    c.capacity_schedule === undefined
      ? ["capacity (negotiations at once)", integer(c.capacity)]
      : [
          "capacity (negotiations at once), over time",
          c.capacity_schedule.map((x, k) => (k === 0 ? integer(x.capacity) : `${integer(x.capacity)} from month ${monthsAndDate(start, x.from)}${x.from >= s.months ? " (projected, after the run)" : ""}`)).join("; ")
        ],
    ["negotiations started", integer(c.negotiations_started)],
    ["deals within the run", `${integer(c.deals)} of ${integer(s.negotiations.length)} localities`],
    ["open at the end of the run", `${integer(c.open_at_end.negotiating)} negotiating, ${integer(c.open_at_end.queued)} queued, ${integer(c.open_at_end.not_eligible)} not yet eligible`],
    ["failed attempts", integer(c.failures)],
    ["most at once", integer(c.max_concurrent)],
    ["mean wait for a slot", months(c.mean_wait)],
    [c.makespan_after_end ? `last deal at ${c.capacity_schedule === undefined ? "this capacity" : "the scheduled capacity"} (projected, after the run)` : "last negotiation ended", monthsAndDate(start, c.makespan)]
  ])}</div>
<div><h3>Money over the run</h3>${dl([
    ["baseline (what silos would spend)", pounds(m.baseline_pence)],
    ["actual spend", pounds(m.actual_pence)],
    ["'more for less' reduction returned", `${pounds(m.spb_reduction_pence)} <span class="cal">(PV ${pounds(m.present_values.spb_reduction_pence)})</span>`],
    ["prevention invested", pounds(m.prevention_invested_pence)],
    ["prevention savings realised", pounds(m.savings_realised_pence)],
    ...(m.savings_capped_pence > 0
      ? ([["savings capped (claimed beyond what the line spent)", `<b>${pounds(m.savings_capped_pence)}</b> of ${pounds(m.savings_claimed_pence)} claimed`]] as Array<[string, string]>)
      : []),
    ["of which on pooled lines", pounds(m.savings_on_pooled_lines_pence)],
    ["gainshare kept / returned", `${pounds(m.gainshare_kept_pence)} / ${pounds(m.gainshare_returned_pence)}`],
    [`NPV of prevention (Green Book, ${h(m.appraisal.first_financial_year)} to ${h(m.appraisal.last_financial_year)})`, pounds(m.appraisal.npv_pence)],
    ["benefit–cost ratio", m.appraisal.benefit_cost_ratio === null ? "– (nothing invested)" : m.appraisal.benefit_cost_ratio.toFixed(2)],
    ["payback (financial year)", m.appraisal.payback_financial_year === null ? "not within the run" : h(m.appraisal.payback_financial_year)],
    [`NPV at ${rate}% a year, monthly`, pounds(m.present_values.npv_pence)],
    ["money conserved", conserved ? "yes (all balances sum to £0)" : `<b>no</b>: balances sum to ${pounds(m.total_balance_pence)}`]
  ])}</div>
</div>
${
  m.savings_capped_pence > 0
    ? `<p class="note" id="capped-note">Savings capped: ${m.effects
        .filter((e) => e.capped_pence > 0)
        .slice(0, 20)
        .map((e) => `${h(e.programme)}'s effect on ${h(e.agency)} (${h(e.service)}) in ${h(e.locality)} claimed ${pounds(e.claimed_pence)}, ${pounds(e.capped_pence)} of it beyond what the line spent`)
        .join("; ")}. A line cannot save more than it spends in a period; programmes claiming one line share what it spends pro rata to their claims.</p>`
    : ""
}
</section>`

  const powersTitle = "Powers and accountability"
  /** ", adopting an elected mayor": what the locality adopted at the election of month t. */
  const adoptedAt = (locality: string, t: number): string => {
    const a = powers?.adopted.find((x) => x.locality === locality && x.t === t)
    return a === undefined ? "" : `, adopting ${h(a.model.replace(/_/g, " "))}`
  }
  const powersSection =
    powers === undefined
      ? `<section id="powers">
<h2>${powersTitle}</h2>
<p class="plot-empty">This report was rendered without the scenario, so the powers each deal sought are not known here (devosim run and devosim verify render it with them).</p>
</section>`
      : !powers.menu
        ? `<section id="powers">
<h2>${powersTitle}</h2>
<p class="plot-empty">The scenario has no menu of powers: each deal pools its lines at once.</p>
</section>`
        : `${chartSection({
            id: "powers",
            title: powersTitle,
            how: "one row per locality with a deal. The black bar marks the deal; a green dot is a power going live (at the deal, or at the election where the locality adopted the accountability the power needs, a purple ring); a red arrow at the end of the run is a power still waiting for stronger accountability. The table below says which power needs which model, and why one still waits.",
            charts: ["chart-powers"],
            note: "Accountability rises with powers: leader and cabinet < combined authority < elected mayor. A power needing more than the locality has goes live only once it adopts that model, at an election."
          })}
<section id="powers-table">
${
  powers.rows.length === 0
    ? `<p class="plot-empty">No deal landed within the run, so no power was devolved.</p>`
    : table(
        `${integer(powers.devolved)} of ${integer(powers.rows.length)} powers sought by ${integer(powers.deals)} deals went live within the run; ${integer(powers.waiting)} still wait at the end. Times in months since the start, with the calendar month.`,
        [th("locality"), th("power"), th("needs"), th("deal", true), th("devolved at", true), th("still waiting because")],
        powers.rows.map(
          (r) =>
            `<tr class="${r.devolved === null ? "power-waiting" : "power-devolved"}">${[
              td(h(r.locality)),
              td(`${h(r.power)}<span class="sub">${h(r.power_name)}</span>`),
              td(h(r.requires.replace(/_/g, " "))),
              td(monthsAndDate(start, r.deal), true),
              td(r.devolved === null ? "–" : `${monthsAndDate(start, r.devolved)}${r.devolved > r.deal ? `<span class="sub">at the election${adoptedAt(r.locality, r.devolved)}</span>` : ""}`, true),
              td(r.waiting === null ? "" : h(r.waiting))
            ].join("")}</tr>`
        ),
        "table-powers"
      )
}
${powers.localities_shown < powers.localities ? notShown(powers.localities_shown, powers.localities, "localities with a deal") : ""}</section>`

  const spb = m.single_place_budget
  const poolNotes = [
    spb.by_locality
      ? ""
      : `<p class="note not-shown">This run has more than ${integer(POOL_BY_PERIOD_CELLS)} locality-periods, so its single place budgets are kept by period only in total over all localities (summary.json <code>single_place_budget</code>); <code>devosim export DIR --tables ledger</code> has every locality's SPB account by period.</p>`,
    spb.by_locality && shown.money.pools.length < spb.localities ? notShown(shown.money.pools.length, spb.localities, "localities with a single place budget") : ""
  ].join("")
  const poolCells = (y: { line_funding_pence: number; transfers_pence: number; pooled_funding_pence: number; reduction_pence: number; savings_pence: number; gainshare_kept_pence: number; gainshare_returned_pence: number; investment_pence: number }) =>
    [
      td(pounds(y.line_funding_pence + y.transfers_pence), true),
      td(pounds(y.pooled_funding_pence), true),
      td(pounds(y.reduction_pence), true),
      td(pounds(y.investment_pence), true),
      td(pounds(y.savings_pence), true),
      td(pounds(y.gainshare_kept_pence), true),
      td(pounds(y.gainshare_returned_pence), true)
    ].join("")
  const poolYearsTable =
    spb.localities === 0
      ? ""
      : table(
          `Single place budgets by financial year, ${spb.localities === 1 ? "the 1 locality" : `all ${integer(spb.localities)} localities`} whose pool moved money. Into the pool: the pooled lines' funding (and transfers into them); paid to agencies: pooled funding of the lines; reduction: the 'more for less' cut returned to the Treasury; investment: prevention paid by a pooled line, passed straight on; gainshare: the savings on pooled lines kept by the pool or returned to the Treasury.`,
          [th("financial year"), th("into the pool", true), th("paid to agencies", true), th("reduction returned", true), th("prevention investment", true), th("savings on pooled lines", true), th("gainshare kept", true), th("gainshare returned", true)],
          [
            ...spb.by_financial_year.map((y) => `<tr>${td(h(y.financial_year))}${poolCells(y)}</tr>`),
            `<tr class="total">${td("Whole run")}${poolCells(spb.totals)}</tr>`
          ],
          "table-pool-years"
        )
  const poolSection = chartSection({
    id: "pool",
    title: "Single place budgets over time",
    how: "a locality's deal pools some agencies' lines into one budget. The top chart is the money through it each month: in from the lines' departments (blue) and out to the agencies (grey); the gap between them is the 'more for less' reduction, drawn below on its own scale. The lowest chart, on a smaller scale again, splits the prevention savings that landed in the pool: the gainshare the locality kept and the share returned to the Treasury.",
    charts: ["chart-pool", "chart-pool-returns", "chart-pool-gainshare"],
    select: "select-pool",
    note: "Monthly amounts, undiscounted. “All localities” is the sum over every locality's pool.",
    after: `${poolNotes}${poolYearsTable === "" ? "" : `<h3 class="table-title">By financial year</h3>${poolYearsTable}`}`
  })

  const charts = [
    chartSection({
      id: "timeline",
      title: "Negotiations and deals",
      how: "one row per locality, grouped and coloured by tranche. The diamond marks when the locality became eligible; a dashed line is time spent waiting for one of the centre's slots; the bar runs from the start of its negotiation to the deal. A faint dashed bar is still negotiating at the end; × marks a negotiation abandoned after its last attempt.",
      charts: ["chart-timeline"],
      note: "For a locality whose earlier attempts failed, the bar is its final attempt. Hover a bar for its dates.",
      after: negotiationsNote
    }),
    powersSection,
    chartSection({
      id: "coverage",
      title: "Coverage: population under a deal",
      how: "the share of people living in a locality with a deal, month by month, stacked by tranche. A steep step is a large place landing its deal.",
      charts: ["chart-coverage"],
      note: `The denominator is ${h(s.coverage.basis)}: ${integer(s.coverage.population)} people (summary.json coverage). Only deals within the run count.`
    }),
    chartSection({
      id: "spend",
      title: "Spending against the baseline",
      how: `the top chart adds up actual spend (blue) against what the agencies would have spent in their silos (grey, dashed); the shaded gap is the difference. The lower chart breaks that gap down: baseline − actual = reduction returned + savings realised − prevention invested${
        s.personal_budgets === undefined ? "" : " (+ what personal budgets' holders did not need, returned: not drawn here; see Personal budgets)"
      }.`,
      charts: ["chart-money", "chart-money-parts"],
      note: "Totals over all localities, cumulated month by month from the start of the run. Prevention is drawn on its own scale below."
    }),
    chartSection({
      id: "prevention",
      title: "Prevention: invested and saved",
      how: "on its own scale (it is small beside the budgets above): the red line is what agencies invested in prevention programmes, the green line the savings those programmes realised on the services whose demand fell, both cumulated from the start; the dark line is savings − investment, above zero once prevention has paid for itself.",
      charts: ["chart-prevention"],
      note: "Totals over all localities, undiscounted (present values are in the key figures and the money tables)."
    }),
    poolSection,
    chartSection({
      id: "cost-shift",
      title: "Who pays, who saves: the cost-shift matrix",
      how: "each row is an agency that paid for prevention or transferred money: the first column is what it invested, the blue columns what its programmes saved each agency whose demand fell (darker is more), the green columns what its department transferred to another agency's line (an agreed transfer, its own kind of flow). A 'wrong pocket' cell is a saving banked by an agency other than the payer, which bore the cost.",
      charts: ["chart-cost-shift"],
      select: "select-cost-shift",
      note: "Savings are realised savings, after deadweight and optimism bias, summed over the run; investment and transfers are undiscounted (present values are in the money table).",
      after: localitiesNote
    }),
    chartSection({
      id: "budgets",
      title: "Budgets by agency",
      how: "for each agency, the grey bar is its baseline over the run (after spending reviews and transfers) and the blue bar what it actually spent (services plus prevention investment); the label is the change.",
      charts: ["chart-budgets"],
      select: "select-budgets",
      after: localitiesNote
    })
  ].join("\n")

  const payback = (p: number | null) => (p === null ? "–" : `${p} <span class="cal">(${calendarMonth(start, p)})</span>`)
  const moneyRows = shown.money.localities.map(
    (l) =>
      `<tr>${[
        td(h(l.locality)),
        td(pounds(l.baseline_pence), true),
        td(pounds(l.actual_pence), true),
        td(pounds(l.spb_reduction_pence), true),
        td(pounds(l.prevention_invested_pence), true),
        td(pounds(l.savings_realised_pence), true),
        td(pounds(l.gainshare_kept_pence), true),
        td(pounds(l.gainshare_returned_pence), true),
        td(pounds(l.present_values.npv_pence), true),
        td(payback(l.payback_period), true)
      ].join("")}</tr>`
  )
  moneyRows.push(
    `<tr class="total">${[
      td("All localities"),
      td(pounds(m.baseline_pence), true),
      td(pounds(m.actual_pence), true),
      td(pounds(m.spb_reduction_pence), true),
      td(pounds(m.prevention_invested_pence), true),
      td(pounds(m.savings_realised_pence), true),
      td(pounds(m.gainshare_kept_pence), true),
      td(pounds(m.gainshare_returned_pence), true),
      td(pounds(m.present_values.npv_pence), true),
      td("")
    ].join("")}</tr>`
  )
  const moneyTable = `<section id="money-table">
<h2>Money by locality</h2>
${table(
  `Over the whole run. SPB reduction: the 'more for less' cut returned to the Treasury. Gainshare: savings on pooled lines kept by the locality or returned. NPV: present value of savings − investment at ${rate}% a year. Payback: the first period (months since start) at which cumulative savings cover cumulative investment.`,
  [
    th("locality"),
    th("baseline", true),
    th("actual", true),
    th("SPB reduction", true),
    th("invested", true),
    th("saved", true),
    th("gainshare kept", true),
    th("gainshare returned", true),
    th(`NPV at ${rate}%`, true),
    th("payback period", true)
  ],
  moneyRows,
  "table-money"
)}
${localitiesNote}</section>`

  const appraisal = m.appraisal
  const yearRows = m.by_financial_year.map((y, k) => {
    const factor = appraisal.by_financial_year[k]?.factor ?? 1
    return `<tr>${[
      td(h(y.financial_year)),
      td(pounds(y.baseline_pence), true),
      td(pounds(y.actual_pence), true),
      td(pounds(y.spb_reduction_pence), true),
      td(pounds(y.prevention_invested_pence), true),
      td(pounds(y.savings_realised_pence), true),
      td(factor.toFixed(4), true)
    ].join("")}</tr>`
  })
  // By locality and financial year, for the first few localities (the rest are in summary.json and ledger.arrow).
  const LOCALITY_YEARS_SHOWN = 20
  const withYears = shown.money.localities.filter((l) => l.by_financial_year !== undefined).slice(0, LOCALITY_YEARS_SHOWN)
  const localityYearsTable =
    withYears.length === 0
      ? ""
      : table(
          `By locality and financial year${m.localities.length > withYears.length ? ` (the first ${withYears.length} of ${integer(m.localities.length)} localities; every locality and agency line is in summary.json)` : " (every agency line is in summary.json)"}.`,
          [th("locality"), th("financial year"), th("baseline", true), th("actual", true), th("SPB reduction", true), th("invested", true), th("saved", true)],
          withYears.flatMap((l) =>
            l.by_financial_year!.map(
              (y) =>
                `<tr>${[
                  td(h(l.locality)),
                  td(h(y.financial_year)),
                  td(pounds(y.baseline_pence), true),
                  td(pounds(y.actual_pence), true),
                  td(pounds(y.spb_reduction_pence), true),
                  td(pounds(y.prevention_invested_pence), true),
                  td(pounds(y.savings_realised_pence), true)
                ].join("")}</tr>`
            )
          ),
          "table-locality-years"
        )
  const reviewsTable =
    m.by_spending_review.length === 0
      ? ""
      : table(
          "By spending review: totals over each review's window (its periods within the run), all localities.",
          [th("review"), th("periods"), th("baseline", true), th("actual", true), th("SPB reduction", true), th("invested", true), th("saved", true)],
          m.by_spending_review.map(
            (r) =>
              `<tr>${[
                td(h(r.review)),
                td(`${integer(r.periods[0])}–${integer(Math.max(r.periods[0], r.periods[1] - 1))}`),
                td(pounds(r.baseline_pence), true),
                td(pounds(r.actual_pence), true),
                td(pounds(r.spb_reduction_pence), true),
                td(pounds(r.prevention_invested_pence), true),
                td(pounds(r.savings_realised_pence), true)
              ].join("")}</tr>`
          ),
          "table-reviews"
        )
  const yearsTable = `<section id="years-table">
<h2>Money by financial year</h2>
<p class="how">each financial year's 'more for less' reduction returned (top) and, on its own scale, prevention invested against the savings realised (below), all localities; baseline and actual, on a scale that would flatten these, are in the table.</p>
<figure><div class="plot" id="chart-years" data-chart="chart-years"></div><div class="plot" id="chart-years-prevention" data-chart="chart-years-prevention"></div></figure>
${table(
  `UK financial years from 1 April, all localities (the first and last may be part years of the run). Discount factor: the ${appraisal.discounting === "green_book" ? "Green Book's (year 0 undiscounted, 3.5% a year to year 30, 3.0% to 75, 2.5% after)" : "monthly convention's, the year's average"}. NPV ${pounds(appraisal.npv_pence)}, benefit–cost ratio ${appraisal.benefit_cost_ratio === null ? "–" : appraisal.benefit_cost_ratio.toFixed(2)}, payback ${appraisal.payback_financial_year === null ? "not within the run" : h(appraisal.payback_financial_year)}.`,
  [th("financial year"), th("baseline", true), th("actual", true), th("SPB reduction", true), th("invested", true), th("saved", true), th("discount factor", true)],
  yearRows,
  "table-years"
)}${reviewsTable}${localityYearsTable}</section>`

  const negotiationRows = shown.negotiations.map(
    (n) =>
      `<tr>${[
        td(h(n.locality)),
        td(h(n.tranche)),
        td(integer(n.population), true),
        td(monthsAndDate(start, n.eligible), true),
        td(monthsAndDate(start, n.start), true),
        td(monthsAndDate(start, n.deal), true),
        td(n.wait.toFixed(1), true),
        td(integer(n.attempts), true),
        td(h(n.outcome))
      ].join("")}</tr>`
  )
  const negotiationTable = `<section id="negotiations-table">
<h2>Negotiations</h2>
${
  s.negotiations.length === 0
    ? `<p class="plot-empty">No locality negotiated in this run.</p>`
    : table(
        "Times in months since the start, with the calendar month. Eligible and start are those of the final attempt; wait = start − eligible.",
        [th("locality"), th("tranche"), th("population", true), th("eligible", true), th("start", true), th("deal", true), th("wait (months)", true), th("attempts", true), th("outcome")],
        negotiationRows,
        "table-negotiations"
      )
}
${negotiationsNote}</section>`

  return page({
    title: `${s.scenario}: devosim run report`,
    // Tiers, personal budgets, outcomes, running costs, envelopes: only those the run has (none: the report it had).
    body: [header, keyFigures, charts, moneyTable, devolutionSections(s), yearsTable, negotiationTable].filter((x) => x !== "").join("\n"),
    data: {
      kind: "run",
      summary: totals === null && shown === bounded.summary ? s : shown,
      ...(totals === null ? {} : { totals }),
      ...(powers === undefined || !powers.menu ? {} : { powers: { rows: powers.rows, adopted: powers.adopted } })
    },
    scripts: ["common-client.js", "run-client.js"]
  })
}

const formatDiff = (figure: string, x: number): string => {
  const s = formatFigure(figure, x)
  return x > 0 && !s.startsWith("+") ? `+${s}` : s
}

/** Scenario columns per table of figures: a wider table would not print whole on A4. */
export const FIGURE_TABLE_COLUMNS = 5

/** The comparison's own layout: long scenario names wrap; tables print whole (see FIGURE_TABLE_COLUMNS). */
const COMPARE_STYLE = `
.figure-grid { grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); }
.figure-card h3 .badge { white-space: normal; }
.warnings { margin: 0 0 20px; padding: 10px 14px; background: #fff4e5; border-left: 4px solid #d9822b; border-radius: 3px; }
.warnings p { margin: 0; font-size: 14px; }
.warnings p + p { margin-top: 6px; }
#scenarios code, .figure-table th, .compare-table td:not(.num) { overflow-wrap: anywhere; }
.figure-table td.num { white-space: normal; }
.figure-table td.num .value { white-space: nowrap; }
.compare-table td .sub { white-space: normal; }
td.constant .sub { font-style: italic; }
tr.group th { background: none; border-bottom: 1px solid #b9c1c8; padding-top: 12px; }
tr.group th .sub { font-weight: normal; }
@media print {
  .figure-grid { grid-template-columns: 1fr; }
  .compare-table { table-layout: fixed; }
  .compare-table th:first-child { width: 30%; }
}
`

/** The report of `devosim compare`: scenarios side by side over replications with common random numbers. */
export const renderComparisonReport = (compare: CompareReport): string => {
  const c = compare
  const names = c.scenarios.map((s) => s.name)
  // One scenario is a replication set (`run --replications K`): its figures across replications, nothing to pair.
  const replicationSet = c.scenarios.length === 1
  const header = `<header class="report">
<p class="kicker">${replicationSet ? "devosim replication set report" : "devosim comparison report"}</p>
<h1>${h(comparisonTitle(names))}</h1>
<p class="meta">${
    replicationSet
      ? `<span><b>${integer(c.replications)}</b> ${c.replications === 1 ? "replication" : "replications"}, each with its own seed</span>`
      : `<span><b>${integer(c.scenarios.length)}</b> scenarios</span><span><b>${integer(c.replications)}</b> ${c.replications === 1 ? "replication" : "replications"} each, common random numbers</span><span>baseline <b>${h(c.baseline)}</b></span>`
  }</p>
</header>`

  const warnings =
    c.warnings.length === 0
      ? ""
      : `<section class="warnings" id="warnings" role="alert">${c.warnings.map((w) => `<p class="warning"><b>Warning:</b> ${h(w)}</p>`).join("")}</section>`

  const scenarioTable = `<section id="scenarios">
<h2>Scenarios</h2>
${table(
  replicationSet
    ? "The scenario of this replication set and where it came from. Each replication runs it with a seed of its own (summary.json lists them), so the spread across replications is the scenario's own uncertainty."
    : "Each scenario is run with the same seeds for every replication, so paired differences measure the timetable, not the noise. “From” is the input as given (a scenario file and its variant, or a run directory); “what it is” is the variant's description in the file, or what a fork changed and where.",
  [th("scenario"), th("from"), th("what it is"), th("seed", true), th("localities", true)],
  c.scenarios.map(
    (s) =>
      `<tr>${td(`${h(s.name)}${s.name === c.baseline && !replicationSet ? ' <span class="badge">baseline</span>' : ""}`)}${td(
        `<code>${h(s.source)}</code>${s.variant === null ? "" : `<span class="sub">variant ${h(s.variant)}</span>`}`
      )}${td([s.description, s.fork === null ? null : describeFork(s.fork)].flatMap((x) => (x === null || x === "" ? [] : [h(x)])).join("<br>") || "–")}${td(h(String(s.seed)), true)}${td(s.localities === null ? "–" : integer(s.localities), true)}</tr>`
  ),
  "table-scenarios",
  "compare-table"
)}
</section>`

  const charts = [
    chartSection({
      id: "coverage",
      title: "Coverage over time",
      how: "for each scenario, the line is the mean share of the population under a deal across replications, and the band holds the middle 90% of replications (5th to 95th percentile). A band to the left is faster coverage.",
      charts: ["chart-coverage"],
      note: "x: months since each scenario's start."
    }),
    `<section class="chart" id="figures">
<h2>Key figures across replications</h2>
<p class="how">one chart per figure: the dot is the mean over replications, the tick the median and the line the 5th–95th percentile range; a figure the same in every replication is a dot alone, labelled with its value. Each chart says which way is better and for whom (lower SPB reductions are better for the places pooling, higher for the Treasury). ★ marks the scenario with the best mean, where there is one.</p>
<div class="figure-grid">
${c.figures
  .map(
    (f, i) =>
      `<div class="figure-card"><h3>${h(f.label)} <span class="badge direction">${h(directionText(f))}</span>${
        f.winner === null ? "" : ` <span class="badge win">★ ${h(f.winner)}</span>`
      }</h3><div class="plot" id="chart-figure-${i}" data-chart="chart-figure-${i}"></div></div>`
  )
  .join("\n")}
</div>
</section>`
  ].join("\n")

  const figureCell = (f: CompareReport["figures"][number], name: string): string => {
    const b = f.by_scenario.find((x) => x.scenario === name)
    if (b === undefined || b.n === 0) return td(b === undefined ? "–" : "not reached", true)
    const spread = b.constant
      ? c.replications > 1
        ? b.n === c.replications
          ? "in every replication"
          : `in each of the ${integer(b.n)} that reach it`
        : ""
      : `sd ${formatFigure(f.figure, b.sd)}; 5–95%: ${formatFigure(f.figure, b.q05)} to ${formatFigure(f.figure, b.q95)}`
    const notReached = b.not_reached > 0 ? `; not reached in ${integer(b.not_reached)}` : ""
    return td(
      `<span class="value">${formatFigure(f.figure, b.mean)}</span>${spread + notReached === "" ? "" : `<span class="sub">${spread}${notReached}</span>`}`,
      true,
      [f.winner === name ? "winner" : "", b.constant ? "constant" : ""].filter((x) => x !== "").join(" ")
    )
  }
  const chunks: Array<ReadonlyArray<string>> = []
  for (let k = 0; k < names.length; k += FIGURE_TABLE_COLUMNS) chunks.push(names.slice(k, k + FIGURE_TABLE_COLUMNS))
  const figureTables = chunks.map((chunk, k) =>
    table(
      `${chunks.length > 1 ? `Scenarios ${k * FIGURE_TABLE_COLUMNS + 1}–${k * FIGURE_TABLE_COLUMNS + chunk.length} of ${names.length}. ` : ""}Mean over ${integer(c.replications)} replications, with the standard deviation and the 5th–95th percentile range. The best mean's cell is highlighted.`,
      [th("figure"), ...chunk.map((n) => th(`${h(n)}${n === c.baseline && !replicationSet ? ' <span class="badge">baseline</span>' : ""}`, true))],
      c.figures.map(
        (f) =>
          `<tr>${td(`${h(f.label)}<span class="sub">${h(f.figure)}; ${h(directionText(f))}${f.winner === null ? "" : `; best: ${h(f.winner)}`}</span>`)}${chunk.map((n) => figureCell(f, n)).join("")}</tr>`
      ),
      k === 0 ? "table-figures" : `table-figures-${k + 1}`,
      "compare-table figure-table"
    )
  )
  // Grouped by figure (a heading row each); a figure no scenario changes, in any replication, is one row.
  const pairedRows = c.figures.flatMap((f) => {
    const heading = `<tr class="group"><th colspan="5" scope="colgroup">${h(f.label)} <span class="sub">${h(f.figure)}; ${h(directionText(f))}</span></th></tr>`
    if (f.paired.length > 0 && f.paired.every((p) => p.n > 0 && p.constant && p.mean_diff === 0))
      return [heading, `<tr>${td("every scenario")}${td(formatDiff(f.figure, 0), true)}${td(formatFigure(f.figure, 0), true)}${td(c.replications > 1 ? "in every replication" : "–", true, "constant")}${td("no difference")}</tr>`]
    return [
      heading,
      ...f.paired.map((p) => {
        const [lo, hi] = p.ci95
        const clear = lo > 0 || hi < 0
        const favours = !clear || f.better === "none" ? null : (f.better === "lower") === hi < 0 ? p.scenario : p.vs
        const verdict =
          p.n === 0
            ? "not reached in either"
            : p.constant && p.mean_diff === 0
              ? "no difference (the same in every replication)"
              : !clear
                ? "no clear difference"
                : favours === null
                  ? lo > 0
                    ? "higher"
                    : "lower"
                  : `favours ${favours === c.baseline ? "the baseline" : h(favours)}`
        return `<tr>${[
          td(p.vs === c.baseline ? h(p.scenario) : `${h(p.scenario)} − ${h(p.vs)}`),
          td(formatDiff(f.figure, p.mean_diff), true),
          td(formatFigure(f.figure, p.sd_diff), true),
          td(p.constant ? (c.replications > 1 ? "in every replication" : "–") : `${formatDiff(f.figure, lo)} to ${formatDiff(f.figure, hi)}`, true, p.constant ? "constant" : ""),
          td(verdict, false, favours !== null && favours === f.winner ? "winner" : "")
        ].join("")}</tr>`
      })
    ]
  })
  const figuresSection = `<section id="figures-table">
<h2>${replicationSet ? "Figures across replications" : "Figures by scenario"}</h2>
${figureTables.join("\n")}
</section>`
  const pairedSection = `<section id="paired-table">
<h2>Paired differences</h2>
${table(
  `Each scenario minus the baseline, ${h(c.baseline)}, by figure; the verdict is for the reader the figure's heading names. Each replication runs every scenario on the same random numbers; a difference is taken within each replication, then summarised. The 95% interval is for the mean difference: if it excludes zero, the difference is more than noise. A difference the same in every replication has no interval.`,
  [th("scenario (minus the baseline)"), th("mean", true), th("sd", true), th("95% interval", true), th("verdict")],
  pairedRows,
  "table-paired",
  "compare-table"
)}
</section>`
  const tables = replicationSet ? figuresSection : `${figuresSection}\n${pairedSection}`

  return page({
    title: `${comparisonTitle(names)}: devosim ${replicationSet ? "replication set" : "comparison"} report`,
    body: [header, warnings, scenarioTable, charts, tables].join("\n"),
    data: { kind: "compare", compare: c },
    scripts: ["common-client.js", "compare-client.js"],
    style: COMPARE_STYLE
  })
}
