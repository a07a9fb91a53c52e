import { ENGINE_VERSION, canonicalState, replay, replicationSeed } from "@devosim/core"
import type { Scenario } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import {
  compareRows,
  compareRuns,
  describe as describeSample,
  explainBudget,
  flattenNumbers,
  formatComparison,
  formatExplanation,
  ledgerByPeriod,
  renderComparisonReport,
  renderRunReport,
  summarize
} from "@devosim/report"
import type { ReplicatedRun, Summary } from "@devosim/report"
import { loadScenario, loadScenarioVariants, scenarioJsonSchema } from "@devosim/scenario"
import type { LoadedScenario } from "@devosim/scenario"
import {
  decodeEventLog,
  encodeAccounts,
  encodeCompareTable,
  encodeEventLog,
  encodeLedger,
  encodeParquet,
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
import type { RunFile } from "@devosim/store"
import { Console, Effect } from "effect"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { badInput, failure } from "./errors.ts"
import { progress } from "./progress.ts"

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
  const set = path.join(dir, "replications")
  if (existsSync(set)) {
    return yield* badInput(`${dir} holds ${readdirSync(set).length} replications; name one of them, e.g. ${path.join(set, readdirSync(set).sort()[0] ?? "r0000")}`)
  }
  const { manifest, eventsArrow } = yield* Effect.tryPromise({
    try: () => readRunDirectory(dir),
    // A directory that is not there is bad input; one whose files do not match its manifest is a failure.
    catch: (e) => (e instanceof HashMismatch || e instanceof ManifestInvalid ? failure(messageOf(e)) : badInput(messageOf(e)))
  })
  const decoded = decodeEventLog(eventsArrow)
  if (!decoded.ok) return yield* failure(`${dir}/events.arrow: ${decoded.error.message}`)
  return { manifest, log: decoded.log }
})

const checkReplications = (k: number) =>
  Number.isInteger(k) && k >= 1 ? Effect.void : Effect.fail(badInput(`--replications: expected an integer >= 1, found ${k}`))

/** The files of one run directory: the log, its projections and a manifest that seals them. */
const runFiles = (loaded: LoadedScenario, scenario: Scenario, parquet: boolean) => {
  const started = performance.now()
  const { log, state } = runScenario(scenario)
  const ranMs = performance.now() - started
  const summary = summarize(log)
  const events = encodeEventLog(log)
  const run = log.controls[0]!
  if (run._tag !== "RunStarted") throw new Error("internal: the log does not start with RunStarted")
  const ledger = encodeLedger({ run, ...ledgerByPeriod(log) })
  const files = [
    { name: "scenario.yaml", bytes: loaded.asRunText },
    { name: "events.arrow", bytes: events },
    ...(parquet ? [{ name: "events.parquet", bytes: encodeParquet(events) }] : []),
    { name: "ledger.arrow", bytes: ledger },
    ...(parquet ? [{ name: "ledger.parquet", bytes: encodeParquet(ledger) }] : []),
    { name: "accounts.arrow", bytes: encodeAccounts(run) },
    { name: "summary.json", bytes: json(summary) },
    { name: "report.html", bytes: renderRunReport(summary) }
  ]
  const manifest = makeManifest({
    scenario: scenario.name,
    seed: scenario.seed,
    inputSha256: loaded.inputSha256,
    log,
    stateSha256: sha256Hex(canonicalState(state)),
    eventsArrow: events,
    files
  })
  return { files: [...files, { name: "manifest.json", bytes: manifestJson(manifest) }], summary, ranMs }
}

const writeOut = (out: string, files: ReadonlyArray<RunFile>, force: boolean) =>
  Effect.tryPromise({
    try: () => writeRunDirectory(out, files, { overwrite: force }),
    catch: (e) =>
      e instanceof RunDirectoryExists
        ? badInput(`${out}: the run directory already exists; choose another --out, or pass --force to replace it`)
        : e instanceof RunDirectoryWriteError
          ? failure(e.message)
          : badInput(`${out}: ${messageOf(e)}`)
  })

/** Runs replications 0..K−1 of a scenario (replication r with `replicationSeed(seed, r)`), one at a time. */
export const replicate = (scenario: Scenario, replications: number, onEach: (summary: Summary, r: number) => void): Array<number> =>
  Array.from({ length: replications }, (_, r) => {
    const seed = replicationSeed(scenario.seed, r)
    onEach(summarize(runScenario({ ...scenario, seed }).log), r)
    return seed
  })

/** `devosim run FILE`: scenario in, run directory out (written atomically). */
export const runCommand = Effect.fn("runCommand")(function* (args: {
  readonly file: string
  readonly out: string | undefined
  readonly seed: number | undefined
  readonly force: boolean
  readonly replications: number
  readonly quiet: boolean
  readonly parquet: boolean
}) {
  yield* checkReplications(args.replications)
  const loaded = yield* loadOrBadInput(args.file, args.seed)
  const out = args.out ?? path.join("runs", path.basename(args.file).replace(/\.(ya?ml|json)$/i, ""))
  if (args.replications > 1) return yield* runReplications(loaded, out, args)
  const { files, summary, ranMs } = runFiles(loaded, loaded.scenario, args.parquet)
  yield* writeOut(out, files, args.force)
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
      `  outputs in ${out}/: ${files.map((f) => f.name).join(", ")}`
    ].join("\n")
  )
})

/**
 * `devosim run FILE --replications K`: one complete run directory per replication under
 * replications/rNNNN/, and a summary.json of every figure's mean, sd and 5/50/95% quantiles.
 */
const runReplications = Effect.fn("runReplications")(function* (
  loaded: LoadedScenario,
  out: string,
  args: { readonly replications: number; readonly force: boolean; readonly quiet: boolean; readonly parquet: boolean }
) {
  const K = args.replications
  const bar = progress("replication", K, args.quiet)
  const files: Array<RunFile> = [{ name: "scenario.yaml", bytes: loaded.asRunText }]
  const figures = new Map<string, Array<number>>()
  const seeds: Array<number> = []
  const width = Math.max(4, String(K - 1).length)
  for (let r = 0; r < K; r++) {
    const seed = replicationSeed(loaded.scenario.seed, r)
    const one = runFiles(loaded, { ...loaded.scenario, seed }, args.parquet)
    const dir = `replications/r${String(r).padStart(width, "0")}`
    files.push(...one.files.map((f) => ({ name: `${dir}/${f.name}`, bytes: f.bytes })))
    for (const [k, v] of flattenNumbers(one.summary)) figures.set(k, [...(figures.get(k) ?? []), v])
    seeds.push(seed)
    bar.tick()
  }
  bar.done()
  const summary = {
    format: "devosim-replications/1",
    scenario: loaded.scenario.name,
    seed: loaded.scenario.seed,
    replications: K,
    seeds,
    figures: Object.fromEntries([...figures].map(([k, xs]) => [k, describeSample(xs)]))
  }
  files.push({ name: "summary.json", bytes: json(summary) })
  files.push({
    name: "manifest.json",
    bytes: json({
      format: "devosim-replications/1",
      engine_version: ENGINE_VERSION,
      scenario: loaded.scenario.name,
      seed: loaded.scenario.seed,
      input_sha256: loaded.inputSha256,
      replications: seeds.map((seed, r) => ({ dir: `replications/r${String(r).padStart(width, "0")}`, seed })),
      files: Object.fromEntries(files.map((f) => [f.name, { sha256: sha256Hex(f.bytes), bytes: typeof f.bytes === "string" ? Buffer.byteLength(f.bytes) : f.bytes.byteLength }]))
    })
  })
  yield* writeOut(out, files, args.force)
  const makespan = summary.figures["centre.makespan"]
  yield* Console.log(
    [
      `devosim ${ENGINE_VERSION}: ran ${K} replications of "${loaded.scenario.name}" (seeds from ${loaded.scenario.seed})`,
      makespan === undefined ? "" : `  centre makespan: mean ${makespan.mean.toFixed(2)}, sd ${makespan.sd.toFixed(2)}, 5–95% [${makespan.q05.toFixed(2)}, ${makespan.q95.toFixed(2)}] months`,
      `  outputs in ${out}/: summary.json (mean, sd, quantiles of every figure), replications/r…/ (one run directory each), manifest.json, scenario.yaml`
    ]
      .filter((l) => l !== "")
      .join("\n")
  )
})

/** `devosim validate FILE`: checks a scenario without running it. */
export const validateCommand = Effect.fn("validateCommand")(function* (file: string) {
  // Every variant is compiled too, so a broken variant is caught before `compare` meets it.
  const all = yield* loadScenarioVariants(file).pipe(Effect.mapError((e) => badInput(e.message)))
  const { scenario } = all[0]!
  const variants = all.length > 1 ? ` and ${all.length - 1} variants (${all.slice(1).map((v) => v.variant).join(", ")})` : ""
  yield* Console.log(
    `${file}: valid scenario "${scenario.name}": ${scenario.localities.length} localities, ${scenario.agencies.length} agencies, ${scenario.tranches.length} tranches, ${scenario.months} months from ${scenario.start.year}-${String(scenario.start.month).padStart(2, "0")}${variants}`
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

/** A compare input: a scenario file (each of its variants) or a run directory (a run or a replication set). */
const replicatedRunsOf = Effect.fn("replicatedRunsOf")(function* (input: string, replications: number, tick: () => void) {
  const isDir = yield* Effect.try({ try: () => statSync(input).isDirectory(), catch: () => badInput(`${input}: no such file or directory`) })
  if (isDir) {
    const read = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Summary
    const set = path.join(input, "replications")
    const summaries = yield* Effect.try({
      try: () =>
        existsSync(set)
          ? readdirSync(set)
              .sort()
              .map((d) => read(path.join(set, d, "summary.json")))
          : [read(path.join(input, "summary.json"))],
      catch: (e) => badInput(`${input}: not a run directory (${messageOf(e)})`)
    })
    summaries.forEach(() => tick())
    const run: ReplicatedRun = { name: summaries[0]?.scenario ?? path.basename(input), source: input, summaries, seeds: summaries.map((x) => x.seed) }
    return [run]
  }
  const variants = yield* loadScenarioVariants(input).pipe(Effect.mapError((e) => badInput(e.message)))
  return variants.map((v): ReplicatedRun => {
    const summaries: Array<Summary> = []
    const seeds = replicate(v.scenario, replications, (summary) => {
      summaries.push(summary)
      tick()
    })
    return { name: v.variant ?? v.scenario.name, source: v.variant === null ? input : `${input}#${v.variant}`, summaries, seeds }
  })
})

/** `devosim compare A B [C…]`: key figures side by side, paired differences, and who wins. */
export const compareCommand = Effect.fn("compareCommand")(function* (args: {
  readonly inputs: ReadonlyArray<string>
  readonly replications: number
  readonly out: string
  readonly force: boolean
  readonly quiet: boolean
}) {
  yield* checkReplications(args.replications)
  const bar = progress("replication", args.replications * args.inputs.length, args.quiet)
  const runs: Array<ReplicatedRun> = []
  for (const input of args.inputs) runs.push(...(yield* replicatedRunsOf(input, args.replications, bar.tick)))
  bar.done()
  if (runs.length < 2) return yield* badInput(`compare needs at least two scenarios (files, variants or run directories); found ${runs.length}`)
  // Names label the columns: make them unique.
  const seen = new Map<string, number>()
  const named = runs.map((r) => {
    const k = (seen.get(r.name) ?? 0) + 1
    seen.set(r.name, k)
    return k === 1 ? r : { ...r, name: `${r.name} (${k})` }
  })
  const report = compareRuns(named)
  const files: Array<RunFile> = [
    { name: "compare.json", bytes: json(report) },
    { name: "compare.arrow", bytes: encodeCompareTable(compareRows(named)) },
    { name: "report.html", bytes: renderComparisonReport(report) }
  ]
  files.push({ name: "manifest.json", bytes: json({ format: "devosim-compare/1", engine_version: ENGINE_VERSION, inputs: args.inputs, files: Object.fromEntries(files.map((f) => [f.name, { sha256: sha256Hex(f.bytes) }])) }) })
  yield* writeOut(args.out, files, args.force)
  yield* Console.log(formatComparison(report))
  yield* Console.log(`\noutputs in ${args.out}/: ${files.map((f) => f.name).join(", ")}`)
})

/** `devosim schema`: the scenario format as JSON Schema, for editors. */
export const schemaCommand = Console.log(JSON.stringify(scenarioJsonSchema(), null, 2))
