/**
 * The shell shared by the run and comparison reports: one self-contained HTML file with the chart
 * library's browser bundles, the report's data and its client script inlined (nothing is fetched at
 * view time), plus the server-side formatting used by the tables.
 */
import { formatPoundsCompact } from "@devosim/core"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

/**
 * The report package's own directory, found by resolving its package.json by name: from source
 * (packages/report/src/html) and from the bundled CLI (packages/cli/dist, where `import.meta` is
 * a chunk's) alike, so the report reads the same files either way (test/bundle.test.ts).
 */
const packageDir = path.dirname(createRequire(import.meta.url).resolve("@devosim/report/package.json"))
const requireHere = createRequire(path.join(packageDir, "package.json"))

/** The browser bundles, read once per process from node_modules. */
let bundles: string | undefined

/**
 * d3 and Plot publish UMD bundles (their `umd` export condition): d3 defines `window.d3`, Plot
 * defines `window.Plot` on top of it. We locate them next to their packages' default entries.
 */
export const libraryBundles = (): string => {
  if (bundles === undefined) {
    const d3 = path.join(path.dirname(requireHere.resolve("d3")), "d3.min.js")
    const plot = path.join(path.dirname(requireHere.resolve("@observablehq/plot")), "..", "dist", "plot.umd.min.js")
    bundles = [readFileSync(d3, "utf8"), readFileSync(plot, "utf8")].map(inlineScript).join("\n")
  }
  return bundles
}

const clientScripts = new Map<string, string>()

/** A client script from src/html/ (plain browser JavaScript), read once per process. */
export const clientScript = (name: string): string => {
  let s = clientScripts.get(name)
  if (s === undefined) {
    s = inlineScript(readFileSync(path.join(packageDir, "src", "html", name), "utf8"))
    clientScripts.set(name, s)
  }
  return s
}

/**
 * Makes JavaScript safe inside an inline <script>: the HTML parser ends the element at `</script`
 * and changes state at `<!--` and `<script`. `<\/` and `<\!` mean the same inside JS strings,
 * templates and regular expressions, the only places these sequences can occur in real code.
 */
export const inlineScript = (js: string): string =>
  js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--").replace(/<(script)/gi, "\\x3C$1")

/** JSON for <script type="application/json">: `<`, `>` and `&` escaped so no markup can end the element. */
export const jsonScript = (id: string, value: unknown): string =>
  `<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029")}</script>`

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;")

/** £ with k/m/bn from integer pence: £7.5bn, £350.0k, -£19.2m, £12.34. */
export const pounds = (pence: number): string => formatPoundsCompact(pence)

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** The calendar month that contains time t (months since `start`, "YYYY-MM"): "Nov 2010". */
export const calendarMonth = (start: string, t: number): string => {
  const m = /^(\d{4})-(\d{2})$/.exec(start)
  if (m === null || !Number.isFinite(t)) return ""
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + Math.floor(t)
  return `${MONTHS[((index % 12) + 12) % 12]} ${Math.floor(index / 12)}`
}

/** A time as months since start with its calendar month: "7.0 (Nov 2010)". */
export const monthsAndDate = (start: string, t: number | null): string => {
  if (t === null || !Number.isFinite(t)) return "–"
  const cal = calendarMonth(start, t)
  return cal === "" ? t.toFixed(1) : `${t.toFixed(1)} <span class="cal">(${cal})</span>`
}

export const integer = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-GB") : "–")

export const table = (caption: string, head: ReadonlyArray<string>, rows: ReadonlyArray<string>, id: string, cls = ""): string => `<div class="table-wrap">
<table id="${id}"${cls === "" ? "" : ` class="${cls}"`}>
<caption>${caption}</caption>
<thead><tr>${head.join("")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>`

export const th = (label: string, num = false) => `<th${num ? ' class="num"' : ""} scope="col">${label}</th>`
export const td = (html: string, num = false, cls = "") => {
  const classes = [num ? "num" : "", cls].filter((c) => c !== "").join(" ")
  return `<td${classes === "" ? "" : ` class="${classes}"`}>${html}</td>`
}

/** Money figures end in `_pence`; shares in `share`; anything else is a plain number. */
const isMoney = (figure: string) => figure.endsWith("_pence")
const isShare = (figure: string) => /share/.test(figure)
export const formatFigure = (figure: string, x: number): string => {
  if (!Number.isFinite(x)) return "–"
  if (isMoney(figure)) return pounds(x)
  if (isShare(figure) && Math.abs(x) <= 1) return `${(100 * x).toFixed(1)}%`
  if (Number.isInteger(x)) return integer(x)
  const abs = Math.abs(x)
  return abs >= 1000 ? Math.round(x).toLocaleString("en-GB") : abs >= 10 ? x.toFixed(1) : x.toFixed(2)
}

const STYLE = `
:root { --ink: #1d2328; --muted: #5b6670; --rule: #d5dade; --band: #f4f6f8; --accent: #1f5f8b; --win: #e3f3e0; --win-ink: #1b5e20; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1060px; margin: 0 auto; padding: 28px 24px 48px; }
header.report { border-bottom: 2px solid var(--ink); padding-bottom: 12px; margin-bottom: 20px; }
header.report .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); margin: 0; }
h1 { font-size: 26px; line-height: 1.2; margin: 4px 0 8px; }
h2 { font-size: 19px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 0 0 4px; }
h3.table-title { margin: 16px 0 4px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0; color: var(--muted); font-size: 14px; }
.meta b { color: var(--ink); font-weight: 600; }
section { margin: 30px 0; }
section.chart, .figure-card { break-inside: avoid; page-break-inside: avoid; }
p.how { margin: 0 0 8px; color: var(--muted); font-size: 14px; max-width: 80ch; }
p.how::before { content: "How to read this: "; font-weight: 600; color: var(--ink); }
p.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
figure { margin: 0; }
.plot { min-height: 40px; }
.plot svg { max-width: 100%; height: auto; }
.plot-empty, .chart-error { padding: 14px 16px; background: var(--band); color: var(--muted); border-radius: 4px; font-size: 14px; }
.chart-error { background: #fdecea; color: #8a1c12; }
.controls { display: flex; gap: 8px; align-items: center; font-size: 14px; margin: 4px 0 8px; }
.controls select { font: inherit; padding: 2px 4px; max-width: min(100%, 420px); }
.swatches { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; margin: 2px 0 6px; color: var(--ink); }
.swatches span::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; background: var(--c); border-radius: 2px; }
.swatches span.line::before { height: 3px; vertical-align: 3px; }
.swatches span.dash::before { height: 0; border-top: 2px dashed var(--c); background: none; vertical-align: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px 28px; }
dl.figures { display: grid; grid-template-columns: auto auto; gap: 3px 14px; margin: 6px 0 0; font-size: 14px; }
dl.figures dt { color: var(--muted); }
dl.figures dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: 13px; padding: 0 0 6px; caption-side: top; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { text-align: left; font-weight: 600; background: var(--band); border-bottom: 1px solid #b9c1c8; }
td.num, th.num { text-align: right; white-space: nowrap; }
th.num { white-space: normal; }
tr.total td { font-weight: 600; border-top: 2px solid #b9c1c8; }
.cal { color: var(--muted); }
.sub { display: block; color: var(--muted); font-size: 12px; }
td.winner { background: var(--win); color: var(--win-ink); font-weight: 600; }
td.winner .sub { color: var(--win-ink); }
.badge { display: inline-block; white-space: nowrap; padding: 0 6px; border-radius: 9px; font-size: 12px; background: var(--band); color: var(--muted); }
.badge.win { background: var(--win); color: var(--win-ink); font-weight: 600; }
.figure-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 18px 24px; }
.figure-card h3 { font-size: 14px; }
footer { margin-top: 40px; padding-top: 10px; border-top: 1px solid var(--rule); color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { margin: 18px 0; }
  .controls select { border: none; appearance: none; -webkit-appearance: none; font-weight: 600; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, .cards > div, figure { break-inside: avoid; page-break-inside: avoid; }
  caption, h2, p.how { break-after: avoid; page-break-after: avoid; }
  /* Whole tables on paper: nothing scrolls or is cut; numbers may wrap (a calendar month under its figure). */
  .table-wrap { overflow: visible; }
  th, td { padding: 2px 4px; }
  td { overflow-wrap: break-word; }
  td:first-child { overflow-wrap: anywhere; }
  /* A figure stays whole; its calendar month may go under it. */
  td.num { white-space: normal; overflow-wrap: normal; }
}
`

export interface PageParts {
  readonly title: string
  /** Static, already escaped HTML for the page body (header, sections, tables). */
  readonly body: string
  /** The data the client script reads from <script id="devosim-data">. */
  readonly data: unknown
  /** Client scripts from src/html/, in order. */
  readonly scripts: ReadonlyArray<string>
  /** CSS of this kind of report only, after the shared style. */
  readonly style?: string
}

export const page = (parts: PageParts): string => `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="devosim">
<title>${escapeHtml(parts.title)}</title>
<style>${STYLE}${parts.style ?? ""}</style>
</head>
<body>
<main>
${parts.body}
<footer>Made by devosim. This file is self-contained: its charts (drawn with Observable Plot and d3, inlined) and data work offline and can be sent as one file. Amounts are rounded for display; the run directory keeps exact pence.</footer>
</main>
${jsonScript("devosim-data", parts.data)}
<script>
${libraryBundles()}
</script>
${parts.scripts.map((s) => `<script>\n${clientScript(s)}\n</script>`).join("\n")}
</body>
</html>
`
