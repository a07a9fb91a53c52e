/**
 * What `verify` checks beyond the seals: a run's files that are projections of its log must be the
 * projections of *this* log. A log transplanted from another run, with the manifest re-sealed
 * around it, passes every hash and replays to the manifest's state; its summary.json, report.html
 * and scenario.yaml are still the other run's. So the summary is rebuilt from the log (one pass,
 * constant memory), rendered, and compared byte for byte, and scenario.yaml is compiled and its
 * RunStarted compared with the log's.
 */
import { forTerminal, type RunStarted } from "@devosim/core"
import { runStartedOf } from "@devosim/engine"
import { PowersBuilder, powerFactsOf, renderRunReport, SUMMARY_TABLES, SummaryBuilder, summaryFile, summaryTables } from "@devosim/report"
import { compileScenarioText, runScenarioFormat } from "@devosim/scenario"
import { canonicalJson, encodeRecordTable, EVENTS_FILE, MANIFEST_FILE, prettyJsonPieces, readEventLogChunks, readUntrusted, sha256Hex, type Problem } from "@devosim/store"
import { createHash } from "node:crypto"
import * as path from "node:path"

const utf8 = new TextDecoder("utf-8", { fatal: true })
const json = (dir: string, name: string): Record<string, unknown> => JSON.parse(utf8.decode(readUntrusted(dir, name))) as Record<string, unknown>

/** Problems of one sealed, intact run (`prefix` inside `root`): its derived files against its log. */
const checkRun = (root: string, prefix: string): Array<Problem> => {
  const dir = path.join(root, prefix)
  const at = (name: string) => (prefix === "" ? name : `${prefix}/${name}`)
  const manifest = json(dir, MANIFEST_FILE)
  const files = (manifest["files"] ?? {}) as Record<string, { readonly sha256: string }>
  const problems: Array<Problem> = []
  const mismatch = (name: string, what: string) =>
    problems.push({ kind: "ManifestMismatch", file: at(name), message: `${what} (a file transplanted from another run, or a log; the manifest was re-sealed around it)` })

  // The report draws the deals' powers from the log and scenario.yaml's menu and elections.
  const scenarioText = files["scenario.yaml"] === undefined ? undefined : utf8.decode(readUntrusted(dir, "scenario.yaml"))
  let builder: SummaryBuilder | undefined
  let powers: PowersBuilder | undefined
  let run: RunStarted | undefined
  let compiled: ReturnType<typeof compileScenarioText> | undefined
  for (const chunk of readEventLogChunks(path.join(dir, EVENTS_FILE), { verifyChecksum: false, reuseBuffers: true })) {
    if (builder === undefined) {
      run = chunk.controls[0] as RunStarted
      builder = new SummaryBuilder(run)
      compiled = scenarioText === undefined ? undefined : compileScenarioText(scenarioText, path.join(dir, "scenario.yaml"), { seed: run.seed, format: runScenarioFormat(scenarioText) })
      if (compiled?.ok === true) powers = new PowersBuilder(run, powerFactsOf(compiled.value.scenario))
    }
    builder.add(chunk)
    if (powers !== undefined) for (const e of chunk.controls) powers.add(e)
  }
  if (builder === undefined || run === undefined) return problems
  const summary = builder.finish()
  if (files["summary.json"] !== undefined) {
    // A summary.json from before the per-locality tables holds them itself.
    const tabled = files[SUMMARY_TABLES.negotiations.file] !== undefined
    const h = createHash("sha256")
    for (const piece of prettyJsonPieces(tabled ? summaryFile(summary) : summary)) h.update(piece)
    h.update("\n")
    if (h.digest("hex") !== files["summary.json"].sha256) mismatch("summary.json", "not the summary of events.arrow: rebuilt from the log, it differs")
    // Each table rebuilt, encoded and hashed before the next is built.
    const rebuilt = new Map<string, string>()
    if (tabled) for (const t of summaryTables(summary)) rebuilt.set(SUMMARY_TABLES[t.name].file, sha256Hex(encodeRecordTable(t.table, SUMMARY_TABLES[t.name].format)))
    for (const spec of Object.values(SUMMARY_TABLES)) {
      const sealed = files[spec.file]
      if (!tabled || (sealed === undefined && !rebuilt.has(spec.file))) continue
      if (sealed === undefined) mismatch(spec.file, "missing: the summary of events.arrow has this table")
      else if (rebuilt.get(spec.file) !== sealed.sha256) mismatch(spec.file, "not the table of events.arrow: rebuilt from the log, it differs")
    }
  }
  // A scenario.yaml that does not compile is the problem to name; the report (its powers) cannot be redrawn then.
  if (compiled !== undefined && !compiled.ok) mismatch("scenario.yaml", `does not compile (${forTerminal(compiled.error.message)})`)
  else if (files["report.html"] !== undefined && sha256Hex(renderRunReport(summary, powers === undefined ? {} : { powers: powers.finish() })) !== files["report.html"].sha256) {
    mismatch("report.html", "not the report of events.arrow: rendered from the log, it differs")
  }
  // A fork's scenario.yaml is the amended scenario, whose RunStarted is the parent's: not comparable.
  if (files["scenario.yaml"] !== undefined && files["fork.json"] === undefined) {
    if (compiled === undefined || !compiled.ok) return problems
    else {
      const expected = { ...runStartedOf(compiled.value.scenario), engineVersion: run.engineVersion }
      if (canonicalJson(expected) !== canonicalJson(run)) mismatch("scenario.yaml", "is not the scenario of events.arrow: its RunStarted differs from the log's")
    }
  }
  return problems
}

/** Problems of a sealed, intact run or replication set (each replication); a comparison has no log. */
export const checkDerivedFiles = (root: string, format: string): Array<Problem> => {
  if (format === "devosim-run/1") return checkRun(root, "")
  if (format !== "devosim-replications/1") return []
  // A set written without --keep-runs has no runs (and no log to rebuild its summary from).
  const reps = (json(root, MANIFEST_FILE)["replications"] ?? []) as ReadonlyArray<{ readonly dir?: string }>
  return reps.flatMap((r) => (r.dir === undefined ? [] : checkRun(root, r.dir)))
}
