import { applyLog, compareCodePoints, ENGINE_VERSION, canonicalState, initialState, stateFromSnapshot, formatPoundsCompact, formatYearMonth, monthsBetween, parseYearMonth, replicationSeed, EVENT_SCHEMA_VERSION } from "@devosim/core"
import type { EventLog, RunStarted, Scenario, State } from "@devosim/core"
import { decideCentre, forkPointOfSeq, runScenario } from "@devosim/engine"
import type { Fork } from "@devosim/engine"
import {
  compareRows,
  compareRuns,
  describe as describeSample,
  explainBudget,
  flattenNumbers,
  formatComparison,
  formatExplanation,
  renderComparisonReport,
  summarize
} from "@devosim/report"
import type { ReplicatedRun, Summary } from "@devosim/report"
import { compileScenarioText, compileScenarioWithSettings, loadScenario, loadScenarioVariants, parseSetting, scenarioJsonSchema } from "@devosim/scenario"
import type { Setting } from "@devosim/scenario"
import type { LoadedScenario } from "@devosim/scenario"
import {
  checkRunDirectory,
  decodeEventLog,
  encodeCompareTable,
  HashMismatch,
  LogWriteError,
  ManifestInvalid,
  openRunDirectory,
  readEventLogChunks,
  readRunDirectory,
  RunDirectoryExists,
  RunDirectoryWriteError,
  sha256Hex
} from "@devosim/store"
import type { RunDirectoryWriter, RunFile } from "@devosim/store"
import { Console, Effect } from "effect"
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { badInput, failure } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { progress } from "./progress.ts"
import { writeRunFiles } from "./run-files.ts"
import { shardedLogChunks, workersFor } from "./shards.ts"
import { checkSnapshotEvery, chooseSnapshot } from "./snapshots.ts"

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n"
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

const loadOrBadInput = (file: string, seed?: number) =>
  loadScenario(file, seed === undefined ? {} : { seed }).pipe(Effect.mapError((e) => badInput(e.message)))

/** Commands that read one run refuse a replication set, naming a run inside it. */
const refuseReplicationSet = (dir: string) => {
  const set = path.join(dir, "replications")
  return existsSync(set)
    ? Effect.fail(badInput(`${dir} holds ${readdirSync(set).length} replications; name one of them, e.g. ${path.join(set, readdirSync(set).sort()[0] ?? "r0000")}`))
    : Effect.void
}

/** Reads and decodes a run directory's log, checked against its manifest. */
const readLog = Effect.fn("readLog")(function* (dir: string) {
  yield* refuseReplicationSet(dir)
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

/** Runs a scenario (or a fork of it) in memory, timed: for forks, which check their prefix against the parent. */
const runTimed = (scenario: Scenario, fork?: Fork) => {
  const started = performance.now()
  const result = runScenario(scenario, fork === undefined ? {} : { fork })
  return { ...result, ranMs: performance.now() - started }
}

/**
 * Writes a run directory atomically through `write` (which streams into it); SIGINT/SIGTERM abort
 * it and wait for the temporary directory to go.
 */
const writeRunOut = <A>(out: string, force: boolean, write: (dir: RunDirectoryWriter, signal: AbortSignal) => Promise<A>) =>
  abortable(
    async (signal) => {
      const dir = await openRunDirectory(out, { overwrite: force, signal })
      try {
        const a = await write(dir, signal)
        await dir.commit(() => null)
        return a
      } catch (e) {
        await dir.abort()
        throw e
      }
    },
    (e) =>
      e instanceof RunDirectoryExists
        ? badInput(`${out}: the run directory already exists; choose another --out, or pass --force to replace it`)
        : e instanceof RunDirectoryWriteError
          ? failure(e.message)
          : e instanceof LogWriteError
            ? failure(`${out}: ${e.message}`)
            : badInput(`${out}: ${messageOf(e)}`),
    out
  )

/** Writes a whole directory of small files atomically (comparisons). */
const writeOut = (out: string, files: ReadonlyArray<RunFile>, force: boolean) =>
  writeRunOut(out, force, async (dir) => {
    for (const f of files) await dir.writeFile(f.name, f.bytes)
  })

const checkWorkers = (n: number | undefined) =>
  n === undefined || (Number.isInteger(n) && n >= 0 && n <= 256)
    ? Effect.void
    : Effect.fail(badInput(`--workers: expected a whole number from 0 (no threads) to 256, found ${n}`))

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
  readonly snapshotEvery?: number | undefined
  readonly workers?: number | undefined
}) {
  yield* checkReplications(args.replications)
  yield* checkSnapshotEvery(args.snapshotEvery)
  yield* checkWorkers(args.workers)
  const loaded = yield* loadOrBadInput(args.file, args.seed)
  const out = args.out ?? path.join("runs", path.basename(args.file).replace(/\.(ya?ml|json)$/i, ""))
  if (args.replications > 1) return yield* runReplications(loaded, out, args)
  const started = performance.now()
  const decisions = decideCentre(loaded.scenario)
  const workers = workersFor(decisions, args.workers)
  const written = yield* writeRunOut(out, args.force, (dir, signal) =>
    writeRunFiles(dir, "", loaded, decisions.controls[0] as RunStarted, shardedLogChunks(decisions, workers), { parquet: args.parquet, snapshotEvery: args.snapshotEvery }, signal)
  )
  const ranMs = performance.now() - started
  const { summary } = written
  const files = ["scenario.yaml", "events.arrow", ...(args.parquet ? ["events.parquet"] : []), "ledger.arrow", ...(args.parquet ? ["ledger.parquet"] : []), "accounts.arrow", "summary.json", "report.html", "manifest.json"]
  const deals = summary.negotiations.filter((n) => n.outcome === "deal").length
  yield* Console.log(
    [
      `devosim ${ENGINE_VERSION}: ran "${loaded.scenario.name}" (seed ${loaded.scenario.seed})`,
      `  ${summary.events.total} events (${summary.events.control} control, ${summary.events.postings} postings) run and written in ${ranMs.toFixed(0)} ms${workers > 0 ? ` (${workers} worker thread${workers === 1 ? "" : "s"})` : ""}`,
      `  ${deals} of ${loaded.scenario.localities.length} localities reached a deal; centre makespan ${summary.centre.makespan} months, mean wait ${summary.centre.mean_wait.toFixed(2)} months`,
      ...(summary.money.baseline_pence > 0
        ? [
            `  baseline ${formatPoundsCompact(summary.money.baseline_pence)}, actual ${formatPoundsCompact(summary.money.actual_pence)}; SPB reductions returned ${formatPoundsCompact(summary.money.spb_reduction_pence)}`,
            `  prevention invested ${formatPoundsCompact(summary.money.prevention_invested_pence)}, savings realised ${formatPoundsCompact(summary.money.savings_realised_pence)} (NPV ${formatPoundsCompact(summary.money.present_values.npv_pence)} at ${summary.money.discount_rate_pct}%)`
          ]
        : []),
      `  outputs in ${out}/: ${files.join(", ")}`,
      ...(args.snapshotEvery === undefined ? [] : [`  ${written.snapshots} snapshots (every ${args.snapshotEvery} months) in ${out}/snapshots/`])
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
  args: {
    readonly replications: number
    readonly force: boolean
    readonly quiet: boolean
    readonly parquet: boolean
    readonly snapshotEvery?: number | undefined
    readonly workers?: number | undefined
  }
) {
  const K = args.replications
  const width = Math.max(4, String(K - 1).length)
  const dirOf = (r: number) => `replications/r${String(r).padStart(width, "0")}`
  const summary = yield* writeRunOut(out, args.force, async (dir, signal) => {
    const bar = progress("replication", K, args.quiet)
    await dir.writeFile("scenario.yaml", loaded.asRunText)
    const figures = new Map<string, Array<number>>()
    const seeds: Array<number> = []
    for (let r = 0; r < K; r++) {
      const seed = replicationSeed(loaded.scenario.seed, r)
      const decisions = decideCentre({ ...loaded.scenario, seed })
      const chunks = shardedLogChunks(decisions, workersFor(decisions, args.workers))
      const one = await writeRunFiles(dir, dirOf(r), loaded, decisions.controls[0] as RunStarted, chunks, { parquet: args.parquet, snapshotEvery: args.snapshotEvery }, signal)
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
    await dir.writeFile("summary.json", json(summary))
    const files = [...dir.files()].sort((a, b) => compareCodePoints(a.name, b.name))
    await dir.writeFile(
      "manifest.json",
      json({
        format: "devosim-replications/1",
        engine_version: ENGINE_VERSION,
        scenario: loaded.scenario.name,
        seed: loaded.scenario.seed,
        input_sha256: loaded.inputSha256,
        replications: seeds.map((seed, r) => ({ dir: dirOf(r), seed })),
        files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }]))
      })
    )
    return summary
  })
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

/**
 * `devosim replay DIR [--from LATEST|SEQ]`: rebuilds the state from events.arrow alone (or from the
 * nearest snapshot at or before SEQ plus the rest of the log) and checks it against the manifest.
 */
export const replayCommand = Effect.fn("replayCommand")(function* (dir: string, from?: string) {
  yield* refuseReplicationSet(dir)
  // Every file is hashed against the manifest block by block, then the log is read one record batch
  // at a time: a log larger than memory replays in constant memory.
  const { manifest, eventsPath } = yield* Effect.tryPromise({
    try: () => checkRunDirectory(dir),
    catch: (e) => (e instanceof HashMismatch || e instanceof ManifestInvalid ? failure(messageOf(e)) : badInput(messageOf(e)))
  })
  const start = from === undefined ? null : yield* chooseSnapshot(dir, manifest, from)
  const started = performance.now()
  let postingsMs = 0
  const state = yield* Effect.try({
    try: () => {
      let s: State | undefined
      for (const chunk of readEventLogChunks(eventsPath, { verifyChecksum: false })) {
        if (s === undefined) {
          const run = chunk.controls[0] as RunStarted
          s = start === null ? initialState(run) : stateFromSnapshot(start.snapshot, run)
        }
        const end = chunk.firstSeq + chunk.controls.length + chunk.postings.length
        if (end <= s.applied) continue // before the snapshot
        const t0 = performance.now()
        applyLog(s, chunk)
        postingsMs += performance.now() - t0
      }
      if (s === undefined) throw new Error("the log is empty")
      if (start !== null && s.applied < (start.snapshot as { readonly applied: number }).applied) {
        throw new Error(`the snapshot is after the end of the log: it has applied ${(start.snapshot as { readonly applied: number }).applied} events, the log has ${s.applied}`)
      }
      return s
    },
    catch: (e) => failure(`${start === null ? `${dir}/events.arrow` : `${dir}/${start.name}`}: ${messageOf(e)}`)
  })
  const ms = performance.now() - started
  const rate = manifest.posting_count > 0 && postingsMs > 0 ? `; postings applied at ${((manifest.posting_count / postingsMs) * 1000 / 1e6).toFixed(0)} million/s` : ""
  const stateSha = sha256Hex(canonicalState(state))
  if (state.applied !== manifest.event_count) {
    return yield* failure(`${dir}: replay applied ${state.applied} events, the manifest says ${manifest.event_count}`)
  }
  if (stateSha !== manifest.state_sha256) {
    return yield* failure(`${dir}: replayed state sha256 ${stateSha} differs from the manifest's ${manifest.state_sha256}`)
  }
  const upcast = manifest.event_schema_version < EVENT_SCHEMA_VERSION ? ` (event schema ${manifest.event_schema_version}, upcast to ${EVENT_SCHEMA_VERSION})` : ""
  const matches = `final state matches the manifest (sha256 ${stateSha.slice(0, 16)}…)`
  if (start === null) {
    const none = from === undefined ? "" : `no snapshot at or before event ${from}; `
    yield* Console.log(`${dir}: ${none}replayed ${state.applied} events${upcast} in ${ms.toFixed(0)} ms${rate}; ${matches}`)
  } else {
    // replayFrom validated the snapshot: `applied` is the number of events it holds, the ones not replayed.
    const skipped = (start.snapshot as { readonly applied: number }).applied
    yield* Console.log(
      `${dir}: started from ${start.name}, skipped ${skipped} events and replayed the remaining ${state.applied - skipped}${upcast} in ${ms.toFixed(0)} ms; ${matches}`
    )
  }
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

/** `--at`: a month (`18`, `month:18`, `2011-10`) or an event (`seq:1234`). */
const parseForkPoint = (at: string, start: string): { atSeq: number } | { atTime: number } | undefined => {
  const seq = /^seq:(\d+)$/.exec(at)
  if (seq) return { atSeq: Number(seq[1]) }
  const month = /^(?:month:)?(\d+(?:\.\d+)?)$/.exec(at)
  if (month) return { atTime: Number(month[1]) }
  const ym = parseYearMonth(at)
  const from = parseYearMonth(start)
  if (ym !== undefined && from !== undefined && monthsBetween(from, ym) >= 0) return { atTime: monthsBetween(from, ym) }
  return undefined
}

/**
 * `devosim fork DIR --at POINT --set PATH=VALUE…`: re-runs the parent's scenario, switching to the
 * amended one at the fork point. The fork's log shares the parent's prefix event for event (checked
 * against the parent's events.arrow before anything is written).
 */
export const forkCommand = Effect.fn("forkCommand")(function* (args: {
  readonly dir: string
  readonly at: string
  readonly sets: ReadonlyArray<string>
  readonly out: string | undefined
  readonly force: boolean
  readonly parquet: boolean
}) {
  const { manifest, log: parentLog } = yield* readLog(args.dir)
  const text = yield* Effect.try({ try: () => readFileSync(path.join(args.dir, "scenario.yaml"), "utf8"), catch: (e) => badInput(messageOf(e)) })
  const file = path.join(args.dir, "scenario.yaml")
  const parent = compileScenarioText(text, file, { seed: manifest.seed })
  if (!parent.ok) return yield* badInput(parent.error.message)
  const settings: Array<Setting> = []
  for (const s of args.sets) {
    const setting = parseSetting(s)
    if (setting === undefined) return yield* badInput(`--set ${JSON.stringify(s)}: expected PATH=VALUE, like centre.capacity=16 or localities.Kent.tranche=forerunners`)
    settings.push(setting)
  }
  if (settings.length === 0) return yield* badInput("fork needs at least one --set PATH=VALUE")
  const amended = compileScenarioWithSettings(text, file, settings, { seed: manifest.seed })
  if (!amended.ok) return yield* badInput(amended.error.message)
  const point = parseForkPoint(args.at, formatYearMonth(parent.value.scenario.start))
  if (point === undefined) return yield* badInput(`--at ${JSON.stringify(args.at)}: expected a month (18, month:18 or 2011-10) or an event (seq:1234)`)
  const p = parent.value.scenario
  const a = amended.value.scenario
  const same = (f: (sc: Scenario) => unknown) => JSON.stringify(f(p)) === JSON.stringify(f(a))
  for (const [what, f] of [
    ["start", (sc: Scenario) => sc.start],
    ["months", (sc: Scenario) => sc.months],
    ["seed", (sc: Scenario) => sc.seed],
    ["the localities (ids and order)", (sc: Scenario) => sc.localities.map((l) => l.id)],
    ["the agencies (ids and order)", (sc: Scenario) => sc.agencies.map((g) => g.id)],
    ["the tranches (ids and order)", (sc: Scenario) => sc.tranches.map((t) => t.id)]
  ] as const) {
    if (!same(f)) return yield* badInput(`--set: a fork cannot change ${what}; only what is decided from the fork point on`)
  }
  const out = args.out ?? `${args.dir.replace(/\/+$/, "")}-fork`
  const fork: Fork = { scenario: a, ...("atSeq" in point ? forkPointOfSeq(parentLog, point.atSeq) : point) }
  const loaded: LoadedScenario = { ...amended.value, inputSha256: manifest.input_sha256 }
  const one = runTimed(p, fork)
  if (one.forkedAt === null) return yield* badInput(`--at ${args.at}: the parent's run ends before that point`)
  const shared = one.forkedAt.seq
  // The promise of a fork: the parent's events before the fork point, unchanged.
  const before = (l: EventLog) => ({
    controls: l.controls.filter((c) => c.seq < shared),
    postings: Array.from(l.postings.seq.keys()).filter((i) => l.postings.seq[i]! < shared).map((i) => [l.postings.seq[i], l.postings.t[i], l.postings.from[i], l.postings.to[i], l.postings.amount[i], l.postings.cause[i]])
  })
  if (JSON.stringify(before(one.log)) !== JSON.stringify(before(parentLog))) {
    return yield* failure(`${args.dir}: this engine does not reproduce the parent's first ${shared} events (written by engine ${manifest.engine_version}); cannot fork it`)
  }
  const forkInfo = {
    format: "devosim-fork/1",
    parent: args.dir,
    parent_log_sha256: manifest.log_sha256,
    at: args.at,
    forked_at_seq: shared,
    forked_at_t: one.forkedAt.t,
    shared_prefix_events: shared,
    settings: settings.map((s) => s.text)
  }
  const { summary } = yield* writeRunOut(out, args.force, (dir, signal) =>
    writeRunFiles(dir, "", loaded, one.log.controls[0] as RunStarted, [{ firstSeq: 0, ...one.log }], { parquet: args.parquet, extra: [{ name: "fork.json", bytes: json(forkInfo) }] }, signal)
  )
  yield* Console.log(
    [
      `devosim ${ENGINE_VERSION}: forked ${args.dir} at event ${shared} (t = ${one.forkedAt.t}) with ${settings.map((s) => s.text).join(", ")}`,
      `  the first ${shared} events are the parent's; ${summary.events.total - shared} decided with the amended scenario`,
      `  outputs in ${out}/ (fork.json says where it came from); compare with: devosim compare ${args.dir} ${out}`
    ].join("\n")
  )
})

/** `devosim schema`: the scenario format as JSON Schema, for editors. */
export const schemaCommand = Console.log(JSON.stringify(scenarioJsonSchema(), null, 2))
