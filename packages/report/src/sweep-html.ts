/**
 * The report.html of `devosim sweep`: one self-contained page drawn from sweep.json (a SweepReport),
 * built like the run and comparison reports (html/page.ts `page`, the inlined Observable Plot bundle,
 * common-client.js, and html/sweep-client.js for the charts). Tables and the sentences a reader acts
 * on (switching values, the PRIM box) are rendered here, so they read with scripts off and print.
 */
import { figureLabel } from "./compare.ts"
import { escapeHtml, formatFigure, integer, page, pounds, table, td, th } from "./html/page.ts"
import type { IntervalEstimate, PrimBoxRestriction, SobolOutcome, SweepDiscovery, SweepFactor, SweepReport, SweepSwitchingValue, SweepTornadoBar } from "./sweep.ts"

const h = escapeHtml

/** NPV first, then savings, coverage months (by threshold), each agency's net position, then anything else. */
const outcomeRank = (o: string): readonly [number, number] => {
  if (o === "npv_pence") return [0, 0]
  if (o === "savings_realised_pence") return [1, 0]
  const coverage = /^coverage_(\d+)pct_months$/.exec(o)
  if (coverage !== null) return [2, Number(coverage[1])]
  if (/^net_position_.+_pence$/.test(o)) return [3, 0]
  return [4, 0]
}

/** The key outcomes in the order a reader asks about them (stable within a rank: the columns' order). */
export const sweepOutcomeOrder = (outcomes: ReadonlyArray<string>): Array<string> =>
  outcomes
    .map((o, i) => ({ o, i, r: outcomeRank(o) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.o)

const isMonths = (o: string) => o.endsWith("_months")

/** An outcome's value with its unit: pounds for money (`_pence`), months for `_months`. */
const outcomeValue = (o: string, x: number | null): string =>
  x === null || !Number.isFinite(x) ? "–" : `${formatFigure(o, x)}${isMonths(o) ? (x === 1 ? " month" : " months") : ""}`

/** A factor's value as its column holds it: a number with the decimals it has (at most 4), or a level (escaped). */
const factorValue = (v: string | number): string => {
  if (typeof v === "string") return h(v)
  if (!Number.isFinite(v)) return "–"
  const x = Number(v.toPrecision(8))
  return x.toLocaleString("en-GB", { maximumFractionDigits: 4, useGrouping: Math.abs(x) >= 10_000 })
}

const percent = (share: number): string => `${Math.round(100 * share)}%`

/** An index (a share of variance) as a percentage: one decimal under 10%. */
const indexPercent = (x: number | null): string => {
  if (x === null || !Number.isFinite(x)) return "–"
  // A difference of indices (0.7 − 0.6 = 0.0999…) is 10%, not 10.0%.
  const y = Number(x.toFixed(6))
  if (y === 0) return "0%"
  return Math.abs(y) < 0.1 ? `${(100 * y).toFixed(1)}%` : `${Math.round(100 * y)}%`
}

const DESIGN_NAMES: Record<SweepReport["design"], string> = {
  full_factorial: "full factorial",
  lhs: "Latin hypercube",
  sobol: "Sobol (Saltelli sampling)",
  morris: "Morris (elementary effects)"
}

const samplesMeaning = (r: SweepReport): string => {
  const n = integer(r.samples)
  switch (r.design) {
    case "full_factorial":
      return `${n} levels per range`
    case "lhs":
      return `${n} samples`
    case "sobol":
      return `${n} base points`
    case "morris":
      return `${n} trajectories`
  }
}

const ROUNDING: Record<NonNullable<SweepFactor["rounding"]>, string> = { none: "", hundredths: " (to hundredths)", integer: " (whole numbers)" }

/** How a factor varies, in words: "4 to 46 (whole numbers)", "levels: a, b, c", "variants: base, x". */
const factorRange = (f: SweepFactor): string => {
  if (f.kind === "range") return `${f.low === undefined ? "?" : factorValue(f.low)} to ${f.high === undefined ? "?" : factorValue(f.high)}${ROUNDING[f.rounding ?? "none"]}`
  const levels = (f.levels ?? []).map(factorValue).join(", ")
  return f.kind === "variants" ? `variants: ${levels}` : `levels: ${levels}`
}

/** A group heading row inside a table of several outcomes. */
const groupRow = (columns: number, label: string, sub: string): string =>
  `<tr class="group"><th colspan="${columns}" scope="colgroup">${h(label)} <span class="sub">${h(sub)}</span></th></tr>`

/** "NPV" for npv_pence in sentences; the comparison's label elsewhere. */
const NPV = "NPV"

/** A value of a bracket `width` wide, to one decimal finer than the width (17.5 in [17, 18]; 11,145.55 in [11,145.17, 11,145.94]). */
const bracketValue = (x: number, width: number): string => {
  const digits = Math.min(6, Math.max(0, Math.ceil(-Math.log10(width > 0 ? width : 1)) + 1))
  return x.toLocaleString("en-GB", { maximumFractionDigits: digits, useGrouping: Math.abs(x) >= 10_000 })
}

/** The switching value of one range factor as a sentence a reader can act on. */
export const switchingValueText = (s: SweepSwitchingValue, factor: SweepFactor | undefined): string => {
  const name = h(s.factor)
  if (s.kind === "crossing") {
    const [a, b] = s.bracket
    const [npvA, npvB] = s.at_bracket
    const at = (x: number) => bracketValue(x, Math.abs(b - a))
    const direction =
      s.direction === "falling" ? `${NPV} falls below £0 as ${name} rises past it` : `${NPV} falls below £0 as ${name} falls below it (it rises with the factor)`
    return `${NPV} crosses £0 at ${name} = ${at(s.value)} (between ${at(a)} and ${at(b)}): ${direction}; ${pounds(npvA)} at ${at(a)}, ${pounds(npvB)} at ${at(b)}.`
  }
  const low = factor?.low
  const high = factor?.high
  const range = low === undefined || high === undefined ? "its range" : `${factorValue(low)}–${factorValue(high)}`
  const ends = [s.at_low, s.at_high].filter((x): x is number => x !== null && Number.isFinite(x))
  const side =
    ends.length === 0 ? "is not known at either end" : ends.every((x) => x > 0) ? "stays above £0" : ends.every((x) => x < 0) ? "stays below £0" : ends.every((x) => x >= 0) ? "stays at or above £0" : "stays at or below £0"
  const money = (x: number | null) => (x === null || !Number.isFinite(x) ? "–" : pounds(x))
  return `no switching value in ${range}: ${NPV} ${side} (from ${money(s.at_low)} at ${low === undefined ? "the low end" : factorValue(low)} to ${money(s.at_high)} at ${high === undefined ? "the high end" : factorValue(high)}).`
}

/** One restriction of a PRIM box, showing only the bound(s) that moved: "centre.capacity ≤ 12", "rollout in {a, b}". */
export const restrictionText = (x: PrimBoxRestriction, factor: SweepFactor | undefined): string => {
  const name = h(x.factor)
  const levels = x.levels ?? (factor?.levels === undefined ? undefined : factor.levels.filter((_, i) => i >= x.lower && i <= x.upper))
  if (levels !== undefined && factor?.kind !== "range") return levels.length === 1 ? `${name} = ${factorValue(levels[0]!)}` : `${name} in {${levels.map(factorValue).join(", ")}}`
  if (x.restricts_lower && x.restricts_upper) return `${factorValue(x.lower)} ≤ ${name} ≤ ${factorValue(x.upper)}`
  if (x.restricts_upper) return `${name} ≤ ${factorValue(x.upper)}`
  if (x.restricts_lower) return `${name} ≥ ${factorValue(x.lower)}`
  return `${name} anywhere in its range`
}

/** Joins clauses as a reader says them: "a", "a and b", "a, b and c". */
const andList = (xs: ReadonlyArray<string>): string => (xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`)

/** The chosen PRIM box in words: who meets the condition, where they are, and how pure the box is. */
export const discoveryText = (d: SweepDiscovery, factors: ReadonlyArray<SweepFactor>): string => {
  const condition = h(d.condition)
  if (d.rows_meeting === 0 || d.box === null)
    return d.rows_meeting === 0
      ? `No run meets ${condition}: none of the ${integer(d.rows)} runs does, so there is no box to describe.`
      : `${integer(d.rows_meeting)} of the ${integer(d.rows)} runs meet ${condition}, but PRIM found no box.`
  const byName = new Map(factors.map((f) => [f.name, f]))
  const box = d.box
  const where = box.restricted.map((x) => restrictionText(x, byName.get(x.factor)))
  if (where.length === 0)
    return `Of the ${integer(d.rows_meeting)} runs where ${condition}, no range of any factor holds them more densely than the whole sweep: they are spread across it (${percent(box.density)} of all runs meet the condition).`
  return `Of the ${integer(d.rows_meeting)} runs where ${condition}, ${percent(box.coverage)} have ${andList(where)}; within that box ${percent(box.density)} of runs meet the condition.`
}

/** The part of the sweep the client draws from: everything but the per-experiment means (the charts do not need them). */
const clientData = (r: SweepReport, outcomes: ReadonlyArray<string>) => {
  const { means_per_experiment: _unused, ...rest } = r
  return { kind: "sweep", sweep: rest, outcomes: outcomes.map((name) => ({ name, label: figureLabel(name) })) }
}

const barEnd = (o: string, b: SweepTornadoBar, end: "low" | "high", levels: boolean): string => {
  const value = end === "low" ? b.low_value : b.high_value
  const outcome = end === "low" ? b.low : b.high
  const which = levels ? `level ${factorValue(value)} (${end === "low" ? "lowest" : "highest"})` : `at ${factorValue(value)}`
  return td(`<span class="value">${outcomeValue(o, outcome)}</span><span class="sub">${which}</span>`, true)
}

const intervalCell = (e: IntervalEstimate | undefined): string =>
  e === undefined
    ? td("–", true)
    : td(
        `<span class="value">${indexPercent(e.estimate)}</span>${e.low === null || e.high === null ? "" : `<span class="sub">${indexPercent(e.low)} to ${indexPercent(e.high)}</span>`}`,
        true
      )

/** The sweep's own layout: tables of several outcomes, grouped; they print whole at a fixed layout. */
const SWEEP_STYLE = `
.figure-grid.wide { grid-template-columns: 1fr; }
.figure-card h3 .badge { white-space: normal; }
.sweep-table td:not(.num), .sweep-table th { overflow-wrap: anywhere; }
.sweep-table td.num { white-space: normal; }
.sweep-table td.num .value { white-space: nowrap; }
tr.group th { background: none; border-bottom: 1px solid #b9c1c8; padding-top: 12px; }
tr.group th .sub { font-weight: normal; }
p.finding { font-size: 16px; margin: 8px 0 10px; padding: 10px 14px; background: var(--band); border-left: 4px solid var(--accent); border-radius: 3px; max-width: 90ch; }
#discovery-trajectory { margin-top: 18px; }
p.note.unreliable { color: #8a4b00; }
ul.settings { margin: 4px 0 0; padding-left: 20px; font-size: 14px; }
#table-switching th:first-child { width: 28%; }
#table-switching th:last-child { width: 4.5em; white-space: nowrap; }
@media print {
  .sweep-table { table-layout: fixed; }
  .sweep-table th:first-child { width: 30%; }
  .sweep-table .sub { font-size: 7pt; }
  p.finding { break-inside: avoid; page-break-inside: avoid; }
}
`

/**
 * The report of `devosim sweep`: the design and factors, each key outcome's tornado, NPV's switching
 * values, Sobol indices or Morris effects (by design), and the PRIM box of a --where condition.
 */
export const renderSweepReport = (report: SweepReport): string => {
  const r = report
  const outcomes = sweepOutcomeOrder(r.key_outcomes)
  const factorByName = new Map(r.factors.map((f) => [f.name, f]))
  const runs = r.experiments * r.replications

  const header = `<header class="report">
<p class="kicker">devosim sweep report</p>
<h1>${h(r.scenario)}: ${integer(r.factors.length)} ${r.factors.length === 1 ? "factor" : "factors"} swept</h1>
<p class="meta"><span>file <b>${h(r.file)}</b></span><span>design <b>${h(DESIGN_NAMES[r.design])}</b>, ${samplesMeaning(r)}</span><span><b>${integer(r.experiments)}</b> experiments × <b>${integer(r.replications)}</b> ${r.replications === 1 ? "replication" : "replications"} = <b>${integer(runs)}</b> runs</span><span>seeds: design <b>${h(String(r.seed))}</b>, scenario <b>${h(String(r.scenario_seed))}</b></span><span>engine <b>${h(r.engine_version)}</b></span></p>
</header>`

  const factorsSection = `<section id="factors">
<h2>What was varied</h2>
<p class="how">each factor is a lever (a choice the programme makes) or an uncertainty (something it cannot control). Every experiment sets each factor to a value in its range or one of its levels, and each experiment runs ${integer(r.replications)} ${r.replications === 1 ? "replication" : "replications"} on the same random numbers as every other experiment, so differences between experiments come from the factors. The panels below say which factors move the outcomes.</p>
${table(
  "The factors of this sweep, as the columns of experiments.arrow name them.",
  [th("factor"), th("role"), th("how it varies")],
  r.factors.map((f) => `<tr>${td(`<code>${h(f.name)}</code>`)}${td(f.role === "lever" ? "lever" : "uncertainty")}${td(factorRange(f))}</tr>`),
  "table-factors",
  "sweep-table"
)}
${
  r.settings.length === 0
    ? ""
    : `<p class="note">Applied to the base scenario before any factor (--set):</p><ul class="settings">${r.settings.map((s) => `<li><code>${h(s)}</code></li>`).join("")}</ul>`
}
</section>`

  // Tornado: one chart per key outcome (NPV first), and one table with every outcome's bars.
  const tornadoOutcomes = outcomes.filter((o) => r.sensitivity.tornado[o] !== undefined)
  const tornadoCards = tornadoOutcomes.map((o) => {
    const t = r.sensitivity.tornado[o]!
    return `<div class="figure-card"><h3>${h(figureLabel(o))} <span class="badge">${t.baseline === null ? "not reached in the base case" : `base case: ${outcomeValue(o, t.baseline)}`}</span></h3><div class="plot" id="chart-tornado-${outcomes.indexOf(o)}" data-chart="chart-tornado-${outcomes.indexOf(o)}"></div></div>`
  })
  const tornadoRows = tornadoOutcomes.flatMap((o) => {
    const t = r.sensitivity.tornado[o]!
    return [
      groupRow(4, figureLabel(o), `${o}; ${t.baseline === null ? "not reached in the base case" : `base case ${outcomeValue(o, t.baseline)}`}`),
      ...t.bars.map((b) => {
        const levels = b.levels !== undefined || factorByName.get(b.factor)?.kind !== "range"
        const everyLevel =
          b.levels === undefined ? "" : `<span class="sub">${b.levels.map((l) => `${factorValue(l.level)}: ${outcomeValue(o, l.mean)}`).join("; ")}</span>`
        return `<tr>${td(`<code>${h(b.factor)}</code>${everyLevel}`)}${barEnd(o, b, "low", levels)}${barEnd(o, b, "high", levels)}${td(outcomeValue(o, b.swing), true)}</tr>`
      })
    ]
  })
  const tornadoSection =
    tornadoOutcomes.length === 0
      ? ""
      : `<section id="tornado">
<h2>Which factors move each outcome most</h2>
<p class="how">each chart is one outcome. Every bar starts at the base case (the line: the scenario with no factor moved) and ends at the outcome's mean with one factor moved to its low end (upper bar, blue) or its high end (lower bar, orange), every other factor left at the base case; the label at its end is the factor's value there. For a factor with levels, the two bars are the levels that give the lowest and the highest outcome. The longest bars come first: those are the factors to pin down or to choose with care; a short bar means the outcome hardly depends on that factor. A missing bar: the outcome is not reached (coverage that never gets there, say) with the factor at that end.</p>
<div class="figure-grid wide">
${tornadoCards.join("\n")}
</div>
<h3 class="table-title">The tornado's figures</h3>
${table(
  "Per outcome: its mean over the replications with the factor at its low and high end (levels: the levels giving the lowest and highest outcome, with every level's mean under the factor), and the swing between them, largest first.",
  [th("factor"), th("low end", true), th("high end", true), th("swing", true)],
  tornadoRows,
  "table-tornado",
  "sweep-table"
)}
</section>`

  const switching = r.sensitivity.switching_values
  const switchingSection =
    switching === undefined
      ? ""
      : `<section id="switching">
<h2>Where NPV changes sign (switching values)</h2>
<p class="how">each range factor is moved alone between its ends, the others at the base case, and bisection on exact runs finds the value at which NPV crosses £0. If your best estimate of a factor is close to its switching value, the case rests on it: find out more about that factor before deciding. No switching value means NPV keeps its sign over the whole range of the factor.</p>
${
  switching.length === 0
    ? `<p class="plot-empty">No factor of this sweep is a range, so none has a switching value.</p>`
    : table(
        "NPV's switching value per range factor (levels and variants factors have none). Runs: the runs the search took.",
        [th("factor"), th("switching value"), th("runs", true)],
        switching.map(
          (s) =>
            `<tr>${td(`<code>${h(s.factor)}</code>`)}${td(switchingValueText(s, factorByName.get(s.factor)), false, s.kind === "crossing" ? "crossing" : "no-crossing")}${td(integer(s.runs), true)}</tr>`
        ),
        "table-switching",
        "sweep-table"
      )
}
</section>`

  const spread = r.sensitivity.replication_spread
  const spreadOutcomes = spread === undefined ? [] : outcomes.filter((o) => spread[o] !== undefined)
  const spreadSection =
    spreadOutcomes.length === 0
      ? ""
      : `<section id="spread">
<h2>How much comes from chance rather than the factors</h2>
<p class="how">every experiment runs ${integer(r.replications)} replications, each drawing afresh what the scenario leaves to chance (how long each negotiation takes, whether it fails, any uncertain input). The spread of an outcome over all ${integer(runs)} runs splits into the part within experiments (those draws) and the part between them (the factors). A large share within experiments means no choice of the factors removes it: plan for the range, not the mean.</p>
${table(
  "Per outcome: the standard deviation over all runs, and its variance split into within experiments (the replications' draws) and between them (the factors).",
  [th("outcome"), th("sd over all runs", true), th("within experiments", true), th("between experiments", true)],
  spreadOutcomes.map((o) => {
    const x = spread![o]!
    const sd = x.variance === null ? null : Math.sqrt(x.variance)
    return `<tr>${td(h(figureLabel(o)))}${td(outcomeValue(o, sd), true)}${td(x.within_share === null ? "does not vary" : percent(x.within_share), true)}${td(x.within_share === null ? "–" : percent(1 - x.within_share), true)}</tr>`
  }),
  "table-spread",
  "sweep-table"
)}
</section>`

  const sobol = r.sensitivity.sobol
  const varies = (o: string) => {
    const v = sobol?.[o]?.variance
    return v !== undefined && v !== null && Number.isFinite(v) && v > 0
  }
  // Indices outside [0, 1] beyond rounding, or intervals half the scale wide: too few samples for the estimator.
  const unreliable = (s: SobolOutcome): boolean =>
    [...Object.values(s.S1), ...Object.values(s.ST)].some(
      (e) => (e.estimate !== null && (e.estimate < -0.05 || e.estimate > 1.05)) || (e.low !== null && e.high !== null && e.high - e.low > 0.5)
    )
  const sobolOutcomes = sobol === undefined ? [] : outcomes.filter((o) => sobol[o] !== undefined)
  const sobolSection =
    sobol === undefined
      ? ""
      : `<section id="sobol">
<h2>How much of each outcome's spread each factor explains (Sobol indices)</h2>
<p class="how">S1 (first order) is the share of the outcome's variance due to the factor alone; ST (total order) adds what it does through interactions with the other factors, so ST − S1 is the part that comes through interactions. A factor with a large ST is worth the effort of narrowing down; one with ST near 0 can be left anywhere in its range without changing the outcome. The black lines are bootstrap intervals${
          r.sensitivity.sobol_resamples === undefined ? "" : ` (${integer(r.sensitivity.sobol_resamples)} resamples)`
        }: a long line means more samples are needed before trusting the bar.</p>
<div class="figure-grid wide">
${sobolOutcomes
  .map(
    (o) =>
      `<div class="figure-card"><h3>${h(figureLabel(o))}</h3>${
        varies(o)
          ? `<div class="plot" id="chart-sobol-${outcomes.indexOf(o)}" data-chart="chart-sobol-${outcomes.indexOf(o)}"></div>${
              unreliable(sobol[o]!) ? `<p class="note unreliable">These estimates are not to be trusted yet: an index outside 0–100% or an interval wider than 50 points means the sample is too small. Run the sweep with more --samples.</p>` : ""
            }`
          : `<p class="plot-empty">${h(figureLabel(o))} does not vary in this sweep: ${
              sobol[o]!.variance === null ? "it is the same in every experiment or not reached in some (its variance is undefined)" : "every experiment gives the same value"
            }, so there is nothing for the factors to explain.</p>`
      }</div>`
  )
  .join("\n")}
</div>
<h3 class="table-title">The Sobol indices</h3>
${table(
  "Per outcome and factor: S1 and ST as shares of the outcome's variance, each with its bootstrap interval, and ST − S1 (the share through interactions). Factors in the sweep's order.",
  [th("factor"), th("S1 (alone)", true), th("ST (in total)", true), th("ST − S1 (interactions)", true)],
  sobolOutcomes.flatMap((o) => {
    const s = sobol[o]!
    if (!varies(o)) return [groupRow(4, figureLabel(o), o), `<tr>${td("every factor")}<td colspan="3">does not vary in this sweep</td></tr>`]
    return [
      groupRow(4, figureLabel(o), o),
      ...r.factors.map((f) => {
        const s1 = s.S1[f.name]
        const st = s.ST[f.name]
        const gap = s1?.estimate != null && st?.estimate != null ? st.estimate - s1.estimate : null
        return `<tr>${td(`<code>${h(f.name)}</code>`)}${intervalCell(s1)}${intervalCell(st)}${td(indexPercent(gap), true)}</tr>`
      })
    ]
  }),
  "table-sobol",
  "sweep-table"
)}
</section>`

  const morris = r.sensitivity.morris
  const morrisOutcomes = morris === undefined ? [] : outcomes.filter((o) => morris[o] !== undefined)
  const morrisSection =
    morris === undefined
      ? ""
      : `<section id="morris">
<h2>Which factors matter, and whether their effect depends on the others (Morris screening)</h2>
<p class="how">μ* is the mean size of a factor's effect on the outcome when it alone takes one step: factors further right matter more. σ is how much that effect changes from one point of the sweep to another: a factor high up (σ large next to μ*, above the dashed line) acts through interactions or non-linearly, so its effect depends on the other factors. Factors near the origin can be left at their base values; those to the right deserve a closer study (a Sobol sweep of them).</p>
<div class="figure-grid wide">
${morrisOutcomes
  .map((o) => `<div class="figure-card"><h3>${h(figureLabel(o))}</h3><div class="plot" id="chart-morris-${outcomes.indexOf(o)}" data-chart="chart-morris-${outcomes.indexOf(o)}"></div></div>`)
  .join("\n")}
</div>
<h3 class="table-title">The Morris effects</h3>
${table(
  "Per outcome and factor: μ* (the mean absolute elementary effect), μ (its mean with sign: positive when raising the factor raises the outcome) and σ (its standard deviation), in the outcome's units.",
  [th("factor"), th("μ*", true), th("μ", true), th("σ", true)],
  morrisOutcomes.flatMap((o) => {
    const m = morris[o]!
    return [
      groupRow(4, figureLabel(o), o),
      ...r.factors.map((f) => {
        const e = m[f.name]
        return `<tr>${td(`<code>${h(f.name)}</code>`)}${td(outcomeValue(o, e?.mu_star ?? null), true)}${td(outcomeValue(o, e?.mu ?? null), true)}${td(outcomeValue(o, e?.sigma ?? null), true)}</tr>`
      })
    ]
  }),
  "table-morris",
  "sweep-table"
)}
</section>`

  const d = r.discovery
  const discoverySection =
    d === undefined
      ? ""
      : `<section id="discovery">
<h2>Where ${h(d.condition)} holds (scenario discovery)</h2>
<p class="how">PRIM looks for a box of factor values in which the runs meeting the condition concentrate. Read the box as the circumstances under which to expect the outcome: for levers, the choices that lead to it; for uncertainties, what to watch for.</p>
<p class="finding" id="discovery-box">${discoveryText(d, r.factors)}</p>
${
  d.box === null || d.trajectory === undefined
    ? ""
    : `<p class="note">${integer(d.rows_meeting)} of the ${integer(d.rows)} runs (${percent(d.rows_meeting / d.rows)}) meet the condition over the whole sweep; the box holds ${integer(d.box.count)} runs (${percent(d.box.mass)} of all).</p>
<div class="figure-card" id="discovery-trajectory"><h3>How the box was chosen</h3>
<p class="how">each dot is one step of PRIM's peeling, from the whole sweep (right) to ever smaller boxes (left). Coverage is the share of the runs meeting the condition that are inside the box; density is the share of the runs inside the box that meet it. Peeling trades coverage for density; the ringed dot is the box described above.</p>
<figure><div class="plot" id="chart-trajectory" data-chart="chart-trajectory"></div></figure></div>
${
  d.box.restricted.length === 0
    ? ""
    : table(
        "The factors the chosen box restricts, with the factor's full range or levels for comparison.",
        [th("factor"), th("in the box"), th("over the sweep")],
        d.box.restricted.map((x) => {
          const f = factorByName.get(x.factor)
          return `<tr>${td(`<code>${h(x.factor)}</code>`)}${td(restrictionText(x, f))}${td(f === undefined ? "–" : factorRange(f))}</tr>`
        }),
        "table-box",
        "sweep-table"
      )
}`
}
</section>`

  return page({
    title: `${r.scenario}: devosim sweep report`,
    body: [header, factorsSection, tornadoSection, switchingSection, spreadSection, sobolSection, morrisSection, discoverySection].filter((s) => s !== "").join("\n"),
    data: clientData(r, outcomes),
    scripts: ["common-client.js", "sweep-client.js"],
    style: SWEEP_STYLE
  })
}
