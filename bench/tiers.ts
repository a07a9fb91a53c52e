/**
 * Tiers' cost: the same synthetic money scenario (2,000 localities × 6 agencies × 120 months, one
 * programme each) flat and with T tiers a locality (each an equal share of every line), run in
 * process, median of 3. A line's spending in a locality with tiers is one posting per place, so
 * the figure to watch is time per posting against the flat run's, measured in the same run.
 *
 *   node bench/tiers.ts [T=10]        prints the table and writes bench/results/tiers.json
 */
import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Scenario, Tier } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { bareLoop } from "./anchors.ts"
import { syntheticScenario } from "./synthetic.ts"

const T = Number(process.argv[2] ?? 10)
const compiled = compileScenarioText(JSON.stringify(syntheticScenario({ localities: 2000, agencies: 6, months: 120, programmesPerLocality: 1 })), "synthetic.json")
if (!compiled.ok) throw new Error(compiled.error.message)
const flat: Scenario = compiled.value.scenario
const tiers: Array<Tier> = flat.localities.flatMap((l, i) =>
  Array.from({ length: T }, (_, k) => ({ id: `${l.id}/w${k}`, name: `w${k}`, level: "ward", locality: i, parent: -1, population: 100, baseline: l.baseline.map((b) => Math.floor(b / (T + 1))) }))
)
const timed = (sc: Scenario) => {
  const ms: Array<number> = []
  let postings = 0
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now()
    postings = runScenario(sc).log.postings.length
    ms.push(performance.now() - t0)
  }
  ms.sort((a, b) => a - b)
  return { postings, ms: ms[1]!, nsPerPosting: (ms[1]! * 1e6) / postings }
}
const rows = [
  { case: "flat", ...timed(flat) },
  { case: `${T} tiers a locality`, ...timed({ ...flat, tiers }) }
]
const ratio = rows[1]!.nsPerPosting / rows[0]!.nsPerPosting
// The anchor: a bare typed-array loop applying as many postings, in this process.
const bare = rows.map((r) => bareLoop(r.postings, 2000 * 14 + 2000 * T * 2 + 1, 3))
rows.forEach((r, k) =>
  console.log(`${r.case.padEnd(20)} ${String(r.postings).padStart(10)} postings  ${r.ms.toFixed(0).padStart(6)} ms  ${r.nsPerPosting.toFixed(0)} ns a posting  x_bare ${(r.ms / 1000 / bare[k]!.seconds).toFixed(1)}`)
)
console.log(`time per posting with tiers: ${ratio.toFixed(2)}× the flat run's`)
const dir = path.join(import.meta.dirname, "results")
mkdirSync(dir, { recursive: true })
writeFileSync(path.join(dir, "tiers.json"), JSON.stringify({ suite: "tiers", tiersPerLocality: T, rows: rows.map((r, k) => ({ ...r, bare_seconds: bare[k]!.seconds, x_bare: r.ms / 1000 / bare[k]!.seconds })), ratio }, null, 2) + "\n")
