/**
 * The run report's sections on devolution beyond the town hall (issue 17): tiers, personal budgets,
 * outcomes against targets, running costs and fixed cash envelopes, each only when the summary has
 * it (so a run without them has the report it had). Tables and the outcomes' small charts are static
 * HTML and SVG, readable with scripts off.
 */
import type { OutcomeFigures } from "../devolution.ts"
import type { Summary } from "../summary.ts"
import { escapeHtml as h, integer, monthsAndDate, pounds, table, td, th } from "./page.ts"

/** Tiers and outcome measures a report lists at most (summary.json has them all). */
export const REPORT_TIER_LIMIT = 500

const pct = (x: number) => `${(x * 100).toFixed(x === 0 || x === 1 ? 0 : 1)}%`
const units = (x: number) => (Number.isInteger(x) ? integer(x) : x.toLocaleString("en-GB", { maximumFractionDigits: 1 }))

const moreNote = (shown: number, total: number, what: string) =>
  shown < total ? `<p class="note not-shown">Showing the first ${integer(shown)} of ${integer(total)} ${what}; summary.json has them all.</p>` : ""

const tiersSection = (s: Summary): string => {
  const t = s.tiers
  if (t === undefined) return ""
  const depth = new Map<string, number>()
  for (const x of t.by_tier) depth.set(x.tier, x.parent === null ? 1 : (depth.get(x.parent) ?? 0) + 1)
  const rows: Array<string> = []
  let listed = 0
  for (const roll of t.by_locality) {
    if (listed >= REPORT_TIER_LIMIT) break
    rows.push(
      `<tr>${[td(`${h(roll.locality)}<span class="sub">its own part</span>`), td("locality"), td(""), td(pounds(roll.own_spend_pence), true), td("", true), td(pounds(roll.direct_payments_pence - t.by_tier.filter((x) => x.locality === roll.locality).reduce((n, x) => n + x.direct_payments_pence, 0)), true)].join("")}</tr>`
    )
    for (const x of t.by_tier) {
      if (x.locality !== roll.locality || listed >= REPORT_TIER_LIMIT) continue
      listed++
      const indent = `${"&nbsp;&nbsp;".repeat(depth.get(x.tier) ?? 1)}`
      rows.push(
        `<tr class="tier-row">${[
          td(`${indent}${h(x.name)}<span class="sub">${indent}${h(x.tier)}</span>`),
          td(h(x.level)),
          td(integer(x.population), true),
          td(pounds(x.spend_pence), true),
          td(pounds(x.passed_down_pence), true),
          td(pounds(x.direct_payments_pence), true)
        ].join("")}</tr>`
      )
    }
    rows.push(
      `<tr class="total">${[td(`${h(roll.locality)}<span class="sub">all its places</span>`), td(""), td(""), td(pounds(roll.spend_pence), true), td(pounds(roll.passed_down_pence), true), td(pounds(roll.direct_payments_pence), true)].join("")}</tr>`
    )
  }
  return `<section id="tiers">
<h2>Tiers: spending in districts, wards and neighbourhoods</h2>
<p class="how">each line's spending in a locality is split over its places (the locality's own part and each tier's own part) by their own baselines, so a locality's places add up to its figures exactly (the total row). A budget passed down is paid by the single place budget to a tier and commissioned there; direct payments are what citizens with personal budgets spent there.</p>
${table(
  "Over the whole run. Spend: what was paid to citizens and suppliers in the place itself (a tier's lower tiers are their own rows).",
  [th("place"), th("level"), th("population", true), th("spend", true), th("passed down", true), th("direct payments", true)],
  rows,
  "table-tiers"
)}
${moreNote(listed, t.by_tier.length, "tiers")}</section>`
}

const personalBudgetsSection = (s: Summary): string => {
  const pbs = s.personal_budgets
  if (pbs === undefined) return ""
  const rows = pbs.map(
    (b) =>
      `<tr>${[
        td(`${h(b.personal_budget)}<span class="sub">${h(b.locality)} · ${h(b.agency)}</span>`),
        td(monthsAndDate(s.start, b.from_period), true),
        td(`${b.share_pct}%`, true),
        td(pct(b.take_up_by_period.at(-1) ?? 0), true),
        td(pounds(b.direct_payments_pence), true),
        td(pounds(b.saving_returned_pence), true),
        td(pounds(b.treasury_share_pence), true)
      ].join("")}</tr>`
  )
  return `<section id="personal-budgets">
<h2>Personal budgets</h2>
<p class="how">a share of a line's service spend is paid to citizens, who commission their own services; take-up rises to all over the ramp. Where citizens meet their needs for less, what they did not need goes back to the line's funder (the saving returned), and from a single place budget the Treasury takes its share of it.</p>
${table(
  "Over the whole run. Share: of the line's service spend at full take-up. Direct payments: what citizens spent on services.",
  [th("personal budget"), th("from", true), th("share", true), th("take-up at the end", true), th("direct payments", true), th("saving returned", true), th("Treasury's share", true)],
  rows,
  "table-personal-budgets"
)}</section>`
}

/** A small line: the measure achieved each month against its target (dashed) and baseline (grey), a ring at `by`. */
export const outcomeSparkline = (o: OutcomeFigures, months: number): string => {
  const W = 220
  const H = 64
  const pad = 6
  const xs = o.achieved_by_period
  const lo = Math.min(o.target_per_year, ...xs)
  const hi = Math.max(o.baseline_per_year, ...xs)
  const span = hi - lo || 1
  const x = (m: number) => pad + ((W - 2 * pad) * m) / Math.max(1, months - 1)
  const y = (v: number) => pad + ((H - 2 * pad) * (hi - v)) / span
  const line = xs.map((v, m) => `${x(m).toFixed(1)},${y(v).toFixed(1)}`).join(" ")
  const at = Math.floor(o.by)
  const ring = o.achieved_at_by === null ? "" : `<circle class="outcome-by" cx="${x(at).toFixed(1)}" cy="${y(o.achieved_at_by).toFixed(1)}" r="3" fill="none" stroke="${o.met === true ? "#2e7d32" : "#c62828"}" stroke-width="1.5"/>`
  return `<svg class="outcome-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${h(`${o.name}: achieved against the target of ${units(o.target_per_year)} a year`)}">
<line class="outcome-baseline" x1="${pad}" x2="${W - pad}" y1="${y(o.baseline_per_year).toFixed(1)}" y2="${y(o.baseline_per_year).toFixed(1)}" stroke="#9e9e9e" stroke-width="1"/>
<line class="outcome-target" x1="${pad}" x2="${W - pad}" y1="${y(o.target_per_year).toFixed(1)}" y2="${y(o.target_per_year).toFixed(1)}" stroke="#2e7d32" stroke-width="1" stroke-dasharray="4 3"/>
<polyline class="outcome-achieved" points="${line}" fill="none" stroke="#1565c0" stroke-width="1.8"/>
${ring}</svg>`
}

const outcomesSection = (s: Summary): string => {
  const all = s.outcomes
  if (all === undefined) return ""
  const os = all.slice(0, REPORT_TIER_LIMIT)
  const met = (o: OutcomeFigures) => (o.met === null ? "after the run" : o.met ? "met" : "not met")
  const rows = os.map(
    (o) =>
      `<tr class="${o.met === true ? "outcome-met" : o.met === false ? "outcome-missed" : "outcome-later"}">${[
        td(`${h(o.name)}<span class="sub">${h(o.locality)} · ${h(o.measure)}</span>`),
        td(units(o.baseline_per_year), true),
        td(units(o.target_per_year), true),
        td(monthsAndDate(s.start, o.by), true),
        td(o.achieved_at_by === null ? "–" : units(o.achieved_at_by), true),
        td(met(o)),
        td(pounds(o.payments_pence), true)
      ].join("")}</tr>`
  )
  const charts = os
    .map((o) => `<div class="outcome-card"><p class="sub">${h(o.locality)}: ${h(o.name)} (${met(o)})</p>${outcomeSparkline(o, s.months)}</div>`)
    .join("")
  return `<section id="outcomes">
<h2>Outcomes against targets</h2>
<p class="how">each outcome a deal agreed, counted in units a year (lower is better): its baseline, the target and when it is due; the measure achieved (the baseline less what the prevention effects that name it avoided) in the month the target falls due, and the outcome-linked gainshare the Treasury paid for it. Below, one small chart per measure: achieved each month (blue) against the target (green, dashed) and the baseline (grey); the ring marks the due month, green when met.</p>
${table(
  "Units a year. Paid: over the run, from the deal's first whole period.",
  [th("outcome"), th("baseline", true), th("target", true), th("by", true), th("achieved then", true), th("met?"), th("paid", true)],
  rows,
  "table-outcomes"
)}
<figure class="outcome-charts" style="display:flex;flex-wrap:wrap;gap:12px">${charts}</figure>
${moreNote(os.length, all.length, "outcomes")}</section>`
}

const runningCostsSection = (s: Summary): string => {
  const r = s.running_costs
  if (r === undefined) return ""
  const rows = [
    ...r.by_financial_year.map((y) => `<tr>${[td(h(y.financial_year)), td(pounds(y.centre_pence), true), td(pounds(y.mayoral_offices_pence), true), td(pounds(y.centre_pence + y.mayoral_offices_pence), true)].join("")}</tr>`),
    `<tr class="total">${[td("Whole run"), td(pounds(r.centre_pence), true), td(pounds(r.mayoral_offices_pence), true), td(pounds(r.total_pence), true)].join("")}</tr>`
  ]
  const offices = r.mayoral_offices.slice(0, REPORT_TIER_LIMIT)
  return `<section id="running-costs">
<h2>Running costs</h2>
<p class="how">what devolving costs to run, paid by the Treasury outside any agency's line: the centre's deal-making (a fixed cost each month and a cost for each month of negotiation in progress) and each mayoral office while the locality has an elected mayor.</p>
${table("By financial year.", [th("financial year"), th("the centre", true), th("mayoral offices", true), th("total", true)], rows, "table-running-costs")}
${
  offices.length === 0
    ? ""
    : table(
        "Mayoral offices over the run.",
        [th("locality"), th("cost", true)],
        offices.map((o) => `<tr>${td(h(o.locality))}${td(pounds(o.total_pence), true)}</tr>`),
        "table-mayoral-offices"
      )
}
${moreNote(offices.length, r.mayoral_offices.length, "mayoral offices")}</section>`
}

const envelopesSection = (s: Summary): string => {
  const es = s.envelopes
  if (es === undefined) return ""
  const shown = es.slice(0, REPORT_TIER_LIMIT)
  return `<section id="envelopes">
<h2>Fixed cash envelopes</h2>
<p class="how">a deal on a fixed cash envelope funds its pooled lines at a fixed sum (the baseline less the reduction when it was set, renegotiated at each horizon and spending review), whatever demand does. When demand is above the envelope the difference goes back to the Treasury; when it falls below, the Treasury tops the envelope up. The net is the locality's 'more for less' reduction.</p>
${table(
  "Over the whole run.",
  [th("locality"), th("envelope paid to the lines", true), th("returned to the Treasury", true), th("top-ups from the Treasury", true), th("net reduction", true)],
  shown.map((e) => `<tr>${[td(h(e.locality)), td(pounds(e.envelope_pence), true), td(pounds(e.returned_pence), true), td(pounds(e.top_ups_pence), true), td(pounds(e.reduction_pence), true)].join("")}</tr>`),
  "table-envelopes"
)}
${moreNote(shown.length, es.length, "localities")}</section>`
}

/** The sections the summary has (none: ""), in the report's order. */
export const devolutionSections = (s: Summary): string =>
  [tiersSection(s), personalBudgetsSection(s), outcomesSection(s), runningCostsSection(s), envelopesSection(s)].filter((x) => x !== "").join("\n")
