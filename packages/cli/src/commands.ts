import { ENGINE_VERSION, canonicalState, replay } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { explainBudget, formatExplanation, ledgerByPeriod, summarize } from "@devosim/report"
import { loadScenario, scenarioJsonSchema } from "@devosim/scenario"
import {
  decodeEventLog,
  encodeAccounts,
  encodeEventLog,
  encodeLedger,
  HashMismatch,
  makeManifest,
  ManifestInvalid,
  manifestJson,
  readRunDirectory,
  RunDirectoryExists,
  RunDirectoryWriteError,
  sha256Hex,
  writeRunDirectory
} from "@devosim/store"
import { Console, Effect } from "effect"
import * as path from "node:path"
import { badInput, failure } from "./errors.ts"

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n"
/** £ with k/m/bn, for one-line reports (files keep exact pence). */
const compact = (pence: number): string => {
  const pounds = pence / 100
  const abs = Math.abs(pounds)
  const [div, unit] = abs >= 1e9 ? [1e9, "bn"] : abs >= 1e6 ? [1e6, "m"] : abs >= 1e3 ? [1e3, "k"] : [1, ""]
  return `${pounds < 0 ? "-" : ""}£${(abs / div).toFixed(div === 1 ? 2 : 1)}${unit}`
}
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

const loadOrBadInput = (file: string, seed?: number) =>
  loadScenario(file, seed === undefined ? {} : { seed }).pipe(Effect.mapError((e) => badInput(e.message)))

/** Reads and decodes a run directory's log, checked against its manifest. */
const readLog = Effect.fn("readLog")(function* (dir: string) {
  const { manifest, eventsArrow } = yield* Effect.tryPromise({
    try: () => readRunDirectory(dir),
    // A directory that is not there is bad input; one whose files do not match its manifest is a failure.
    catch: (e) => (e instanceof HashMismatch || e instanceof ManifestInvalid ? failure(messageOf(e)) : badInput(messageOf(e)))
  })
  const decoded = decodeEventLog(eventsArrow)
  if (!decoded.ok) return yield* failure(`${dir}/events.arrow: ${decoded.error.message}`)
  return { manifest, log: decoded.log }
})

/** `devosim run FILE`: scenario in, run directory out (written atomically). */
export const runCommand = Effect.fn("runCommand")(function* (args: {
  readonly file: string
  readonly out: string | undefined
  readonly seed: number | undefined
  readonly force: boolean
}) {
  const loaded = yield* loadOrBadInput(args.file, args.seed)
  const out = args.out ?? path.join("runs", path.basename(args.file).replace(/\.(ya?ml|json)$/i, ""))
  const started = performance.now()
  const { log, state } = runScenario(loaded.scenario)
  const ranMs = performance.now() - started
  const summary = summarize(log)
  const events = encodeEventLog(log)
  const run = log.controls[0]!
  if (run._tag !== "RunStarted") return yield* failure("internal: the log does not start with RunStarted")
  const ledger = encodeLedger({ run, ...ledgerByPeriod(log) })
  const accounts = encodeAccounts(run)
  const files = [
    { name: "scenario.yaml", bytes: loaded.asRunText },
    { name: "events.arrow", bytes: events },
    { name: "ledger.arrow", bytes: ledger },
    { name: "accounts.arrow", bytes: accounts },
    { name: "summary.json", bytes: json(summary) }
  ]
  const manifest = makeManifest({
    scenario: loaded.scenario.name,
    seed: loaded.scenario.seed,
    inputSha256: loaded.inputSha256,
    log,
    stateSha256: sha256Hex(canonicalState(state)),
    eventsArrow: events,
    files
  })
  yield* Effect.tryPromise({
    try: () => writeRunDirectory(out, [...files, { name: "manifest.json", bytes: manifestJson(manifest) }], { overwrite: args.force }),
    catch: (e) =>
      e instanceof RunDirectoryExists
        ? badInput(`${out}: the run directory already exists; choose another --out, or pass --force to replace it`)
        : e instanceof RunDirectoryWriteError
          ? failure(e.message)
          : badInput(`${out}: ${messageOf(e)}`)
  })
  const deals = summary.negotiations.filter((n) => n.outcome === "deal").length
  yield* Console.log(
    [
      `devosim ${ENGINE_VERSION}: ran "${loaded.scenario.name}" (seed ${loaded.scenario.seed})`,
      `  ${summary.events.total} events (${summary.events.control} control, ${summary.events.postings} postings) in ${ranMs.toFixed(0)} ms`,
      `  ${deals} of ${loaded.scenario.localities.length} localities reached a deal; centre makespan ${summary.centre.makespan} months, mean wait ${summary.centre.mean_wait.toFixed(2)} months`,
      ...(summary.money.baseline_pence > 0
        ? [
            `  baseline ${compact(summary.money.baseline_pence)}, actual ${compact(summary.money.actual_pence)}; SPB reductions returned ${compact(summary.money.spb_reduction_pence)}`,
            `  prevention invested ${compact(summary.money.prevention_invested_pence)}, savings realised ${compact(summary.money.savings_realised_pence)} (NPV ${compact(summary.money.present_values.npv_pence)} at ${summary.money.discount_rate_pct}%)`
          ]
        : []),
      `  outputs in ${out}/: summary.json, events.arrow, ledger.arrow, accounts.arrow, manifest.json, scenario.yaml`
    ].join("\n")
  )
})

/** `devosim validate FILE`: checks a scenario without running it. */
export const validateCommand = Effect.fn("validateCommand")(function* (file: string) {
  const { scenario } = yield* loadOrBadInput(file)
  yield* Console.log(
    `${file}: valid scenario "${scenario.name}": ${scenario.localities.length} localities, ${scenario.agencies.length} agencies, ${scenario.tranches.length} tranches, ${scenario.months} months from ${scenario.start.year}-${String(scenario.start.month).padStart(2, "0")}`
  )
})

/** `devosim replay DIR`: rebuilds the state from events.arrow alone and checks it against the manifest. */
export const replayCommand = Effect.fn("replayCommand")(function* (dir: string) {
  const decoded = yield* readLog(dir)
  const { manifest } = decoded
  const started = performance.now()
  const state = replay(decoded.log)
  const ms = performance.now() - started
  const stateSha = sha256Hex(canonicalState(state))
  if (state.applied !== manifest.event_count) {
    return yield* failure(`${dir}: replay applied ${state.applied} events, the manifest says ${manifest.event_count}`)
  }
  if (stateSha !== manifest.state_sha256) {
    return yield* failure(`${dir}: replayed state sha256 ${stateSha} differs from the manifest's ${manifest.state_sha256}`)
  }
  yield* Console.log(`${dir}: replayed ${state.applied} events in ${ms.toFixed(0)} ms; final state matches the manifest (sha256 ${stateSha.slice(0, 16)}…)`)
})

/** `devosim explain DIR --locality X [--agency Y] [--period P]`: why did this budget move. */
export const explainCommand = Effect.fn("explainCommand")(function* (args: {
  readonly dir: string
  readonly locality: string
  readonly agency: string | undefined
  readonly period: number | undefined
  readonly limit: number
}) {
  const { log } = yield* readLog(args.dir)
  const run = log.controls[0]!
  const explanation = yield* Effect.try({
    try: () =>
      explainBudget(log, {
        locality: args.locality,
        ...(args.agency === undefined ? {} : { agency: args.agency }),
        ...(args.period === undefined ? {} : { period: args.period }),
        limit: args.limit
      }),
    catch: (e) => badInput(`${args.dir}: ${messageOf(e)}`)
  })
  yield* Console.log(formatExplanation(explanation, run._tag === "RunStarted" ? run.start : ""))
})

/** `devosim schema`: the scenario format as JSON Schema, for editors. */
export const schemaCommand = Console.log(JSON.stringify(scenarioJsonSchema(), null, 2))
