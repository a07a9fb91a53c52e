import { accountDirectory, applyLog, joinChunks, formatPounds, periodMonth, compareCodePoints, ENGINE_VERSION, canonicalState, forTerminal, initialState, stateFromSnapshot, formatPoundsCompact, formatYearMonth, monthsBetween, parseYearMonth, replicationSeed, EVENT_SCHEMA_VERSION } from "@devosim/core"
import type { ControlEvent, LogChunk, PostingColumns, RecordTable, RunStarted, Scenario, State } from "@devosim/core"
import { decideCentre, forkPointOfSeq, runScenario } from "@devosim/engine"
import type { Fork } from "@devosim/engine"
import {
  calendarMonth,
  compareRows,
  compareRuns,
  describe as describeSample,
  explainBudget,
  explainScope,
  figuresOf,
  flattenNumbers,
  formatComparison,
  formatExplanation,
  joinSummary,
  renderComparisonReport,
  SUMMARY_TABLES,
  summarize,
  uniqueLabels
} from "@devosim/report"
import type { ForkOrigin, ReplicatedRun, ReplicationFigures, Summary, SummaryFile, SummaryTableName } from "@devosim/report"
import { compileScenarioText, compileScenarioWithSettings, isUnknownVariant, runScenarioFormat, loadScenario, loadScenarioVariants, parseSetting, scenarioJsonSchema } from "@devosim/scenario"
import type { Setting, ScenarioError } from "@devosim/scenario"
import type { LoadedScenario, LoadedVariant } from "@devosim/scenario"
import {
  decodeRecordTable,
  encodeCompareTable,
  InvalidFileName,
  openRunDirectory,
  readEventLogChunks,
  REPLICATIONS_FORMAT,
  RunDirectoryExists,
  RunDirectoryPlacement,
  sha256Hex,
  UntrustedFile
} from "@devosim/store"
import type { RunDirectoryWriter, RunFile } from "@devosim/store"
import { Console, Effect } from "effect"
import { readSync, statSync } from "node:fs"
import * as path from "node:path"
import { badFlag, badInput, failure, silentExit, UserFacingError } from "./errors.ts"
import { abortable, turn } from "./interrupt.ts"
import { checkedRun, eventsFileOf, lstatOrNull, readError, readRunFile } from "./read-runs.ts"
import { SharedPrefix } from "./fork-prefix.ts"
import { escapeLines, forTerminalDeep, jsonHead, say, sayJson } from "./say.ts"
import { VERIFY_EXIT_CODES } from "./verify.ts"
import { progress, runProgress } from "./progress.ts"
import { writeRunFiles } from "./run-files.ts"
import { shardedLogChunks, workersFor } from "./shards.ts"
import { checkSnapshotEvery, chooseSnapshot } from "./snapshots.ts"
import { Numbers, replicateAll, replicationWorkersFor, type ReplicationKind, type ReplicationNumbers } from "./replicate.ts"
import { readUntrusted } from "@devosim/store"
import { compileScenarioBytes, compileScenarioVariantsBytes, MAX_SCENARIO_BYTES } from "@devosim/scenario"

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n"
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** `-` in place of a scenario file: read it from stdin (`devosim run -`, `devosim validate -`). */
export const STDIN = "-"
/** How errors name a scenario read from stdin: `<stdin>:16:14: …`. */
const STDIN_NAME = "<stdin>"

/** Stdin's bytes, refused beyond the size a scenario file may have (as a file is, before it is read whole). */
const readStdin = Effect.try({
  try: () => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    for (;;) {
      const buf = new Uint8Array(1 << 16)
      let n: number
      try {
        n = readSync(0, buf, 0, buf.length, null)
      } catch (e) {
        // A non-blocking stdin with nothing yet: wait 10 ms (not a busy loop) and read again.
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
          continue
        }
        if ((e as NodeJS.ErrnoException).code === "EOF") break
        throw e
      }
      if (n === 0) break
      size += n
      if (size > MAX_SCENARIO_BYTES) throw new Error(`expected a scenario of at most ${MAX_SCENARIO_BYTES} bytes (64 MiB), found more`)
      chunks.push(buf.subarray(0, n))
    }
    return Buffer.concat(chunks)
  },
  catch: (e) => badInput(`${STDIN_NAME}: ${forTerminal(messageOf(e))}`)
})

/** The format of a scenario on stdin: JSON if it starts with `{`, else YAML (as a run's scenario.yaml is read). */
const stdinFormat = (bytes: Uint8Array) => runScenarioFormat(new TextDecoder().decode(bytes.subarray(0, 64)))

/**
 * A scenario argument: `FILE`, or `FILE#NAME` for the variant NAME of FILE (stdin's variant is
 * `- --variant NAME`: the command line reads `-#…` as flags). A path that exists as given is that
 * file (or directory), `#` and all; otherwise the name is split at its last `#`.
 */
export const scenarioArgument = (arg: string): { readonly file: string; readonly variant: string | undefined } => {
  const hash = arg.lastIndexOf("#")
  if (hash < 0 || lstatOrNull(arg) !== null) return { file: arg, variant: undefined }
  return { file: arg.slice(0, hash), variant: arg.slice(hash + 1) }
}

/** The variant asked for by `--variant NAME` or `FILE#NAME` (not both). */
const chosenVariant = (arg: string, flag: string | undefined) => {
  const { file, variant } = scenarioArgument(arg)
  if (variant !== undefined && flag !== undefined) {
    return Effect.fail(badFlag(`--variant ${JSON.stringify(flag)}: ${forTerminal(arg)} already names variant ${JSON.stringify(variant)}; give one of them`))
  }
  return Effect.succeed({ file, variant: variant ?? flag })
}

/** A scenario that failed to load: an unknown variant is a mistake on the command line (its help named), anything else the file's. */
const scenarioFailure = (error: ScenarioError) =>
  isUnknownVariant(error) ? new UserFacingError({ message: error.message, exitCode: 2, seeHelp: true }) : badInput(error.message)

/** The base of a scenario file, or with `variant` that variant (stdin for `-`). */
export const loadOrBadInput = (file: string, seed?: number, variant?: string) => {
  const options = { ...(seed === undefined ? {} : { seed }), ...(variant === undefined ? {} : { variant }) }
  return file === STDIN
    ? Effect.flatMap(readStdin, (bytes) => {
        const outcome = compileScenarioBytes(bytes, STDIN_NAME, { ...options, format: stdinFormat(bytes) })
        return outcome.ok ? Effect.succeed(outcome.value) : Effect.fail(scenarioFailure(outcome.error))
      })
    : loadScenario(file, options).pipe(Effect.mapError(scenarioFailure))
}

/** `--set PATH=VALUE` flags, parsed (fork, run, compare); a malformed one names the flag and its help. */
export const parseSettings = (sets: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const settings: Array<Setting> = []
    for (const s of sets) {
      const setting = parseSetting(s)
      if (!setting.ok) return yield* badFlag(setting.message)
      settings.push(setting.setting)
    }
    return settings
  })

/**
 * A loaded scenario (a file's base, or a variant) amended by `settings`, as a fork amends its
 * parent's: `asRunText` is the amended document (JSON stays JSON), named "<name> / what-if". The
 * input's hash, file, variant and description are the scenario's it amends.
 */
const amended = (loaded: LoadedVariant, settings: ReadonlyArray<Setting>, seed?: number) => {
  if (settings.length === 0) return Effect.succeed(loaded)
  const text = loaded.asRunText
  const out = compileScenarioWithSettings(text, loaded.file, settings, { ...(seed === undefined ? {} : { seed }), format: runScenarioFormat(text) })
  // An amendment's own mistake names --set (and its help); the scenario is not the flag's fault.
  if (!out.ok) return Effect.fail((out.error.message.startsWith("--set") ? badFlag : badInput)(out.error.message))
  const { scenario, asRunText } = out.value
  const value: LoadedVariant = { scenario, asRunText, inputSha256: loaded.inputSha256, file: loaded.file, variant: loaded.variant, description: loaded.description }
  return Effect.succeed(value)
}

/** A scenario file's base and variants (stdin for `-`). */
const loadVariantsOrBadInput = (file: string) =>
  file === STDIN
    ? Effect.flatMap(readStdin, (bytes) => {
        const outcome = compileScenarioVariantsBytes(bytes, STDIN_NAME, { format: stdinFormat(bytes) })
        return outcome.ok ? Effect.succeed(outcome.value) : Effect.fail(badInput(outcome.error.message))
      })
    : loadScenarioVariants(file).pipe(Effect.mapError((e) => badInput(e.message)))

/** `1 deal`, `2 deals`; `1 locality`, `3 localities` (`plural` when it is not `one` + s). */
export const count = (n: number, one: string, plural = `${one}s`): string => `${n} ${n === 1 ? one : plural}`

/** A figure for people: two decimals at most (`23.08`, `7`), exact in the files. */
export const rounded = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2))

/** `23.08 months (Mar 2012)`: a time in months since the start, with its calendar month. */
const monthsWithDate = (start: Scenario["start"], t: number) => `${rounded(t)} months (${calendarMonth(formatYearMonth(start), t)})`

/**
 * A run directory's log, after every file is checked against its manifest (damage reported as
 * `verify` does), read record batch by record batch: every control event and the postings `keep`
 * selects for the run (all by default; none: only the count), so a log of any size (beyond the
 * 2 GiB one read allows) costs the memory of what is kept.
 */
const readLog = Effect.fn("readLog")(function* (dir: string, keep?: (run: RunStarted) => (from: number, to: number) => boolean) {
  const { manifest, eventsPath } = yield* checkedRun(dir)
  const read = yield* Effect.try({
    try: () => {
      const controls: Array<ControlEvent> = []
      const kept: Array<LogChunk> = []
      let postings = 0
      let wanted: ((from: number, to: number) => boolean) | undefined
      for (const chunk of readEventLogChunks(eventsPath, { verifyChecksum: false })) {
        if (controls.length === 0 && keep !== undefined) wanted = keep(chunk.controls[0] as RunStarted)
        for (const c of chunk.controls) controls.push(c)
        postings += chunk.postings.length
        kept.push({ firstSeq: chunk.firstSeq, controls: [], postings: wanted === undefined ? chunk.postings : selectPostings(chunk.postings, wanted) })
      }
      const log = joinChunks(kept)
      return { run: controls[0] as RunStarted, postings, log: { controls, postings: log.postings } }
    },
    catch: (e) => readError(dir, e)
  })
  yield* sameRunAsManifest(dir, manifest, read.run, read.log.controls.length, read.postings)
  return { manifest, log: read.log, postings: read.postings }
})

/** The postings `keep` selects, in order. */
const selectPostings = (p: PostingColumns, keep: (from: number, to: number) => boolean): PostingColumns => {
  const rows: Array<number> = []
  for (let i = 0; i < p.length; i++) if (keep(p.from[i]!, p.to[i]!)) rows.push(i)
  const pick = <A extends Float64Array | Int32Array>(a: A, make: new (n: number) => A): A => {
    const out = new make(rows.length)
    for (let k = 0; k < rows.length; k++) out[k] = a[rows[k]!]!
    return out
  }
  return { length: rows.length, seq: pick(p.seq, Float64Array), t: pick(p.t, Float64Array), from: pick(p.from, Int32Array), to: pick(p.to, Int32Array), amount: pick(p.amount, Float64Array), cause: pick(p.cause, Float64Array) }
}

/**
 * The log is the one the manifest describes: its RunStarted's scenario, seed and engine, and its
 * counts. (The manifest is not sealed by a hash of its own: an edited seed or count shows here.)
 */
const sameRunAsManifest = (dir: string, manifest: { readonly scenario: string; readonly seed: number; readonly engine_version: string; readonly control_event_count: number; readonly posting_count: number }, run: RunStarted, controls: number, postings: number) => {
  const pairs: Array<readonly [string, unknown, unknown]> = [
    ["scenario", run.scenario, manifest.scenario],
    ["seed", run.seed, manifest.seed],
    ["engine version", run.engineVersion, manifest.engine_version],
    ["control events", controls, manifest.control_event_count],
    ["postings", postings, manifest.posting_count]
  ]
  for (const [what, has, says] of pairs) {
    if (has !== says) {
      return Effect.fail(
        new UserFacingError({
          message: `${forTerminal(path.join(dir, "manifest.json"))}: the log has ${what} ${forTerminal(JSON.stringify(has))}, the manifest says ${forTerminal(JSON.stringify(says))} (events.arrow matches the manifest's log_sha256, so the manifest was edited) [manifest does not match]`,
          exitCode: VERIFY_EXIT_CODES.ManifestMismatch
        })
      )
    }
  }
  return Effect.void
}

/**
 * Replications per command: each is a full run (and, in `run`, a run directory), so the bound
 * keeps a typo (`--replications 1000000`) from filling a disk or a day; compare keeps only each
 * replication's figures, so its memory stays bounded well below it.
 */
export const MAX_REPLICATIONS = 100_000

export const checkReplications = (k: number) =>
  Number.isInteger(k) && k >= 1 && k <= MAX_REPLICATIONS
    ? Effect.void
    : Effect.fail(badFlag(`--replications: expected a whole number from 1 to ${MAX_REPLICATIONS.toLocaleString("en-GB")}, found ${k}`))

/** Runs a scenario (or a fork of it) in memory, timed: for forks, which check their prefix against the parent. */
/**
 * Writes a run directory atomically through `write` (which streams into it); SIGINT/SIGTERM abort
 * it and wait for the temporary directory to go.
 */
export const writeRunOut = <A>(out: string, force: boolean, write: (dir: RunDirectoryWriter, signal: AbortSignal) => Promise<A>) =>
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
      // Where the output may not go is bad input (2); anything else that stops a write (a full disk,
      // a permission, a bug) is a failure (1).
      e instanceof RunDirectoryExists
        ? e.replaceable && !force
          ? badInput(`${forTerminal(out)}: the run directory already exists; choose another --out, or pass --force to replace it`)
          : badInput(`${forTerminal(out)}: ${forTerminal(e.detail)}`)
        : e instanceof RunDirectoryPlacement || e instanceof InvalidFileName || e instanceof UntrustedFile
          ? badInput(forTerminal(e.message))
          : e instanceof UserFacingError
            ? e
            : failure(`${forTerminal(out)}: ${forTerminal(messageOf(e))}`),
    out
  )

/** Writes a whole directory of small files atomically (comparisons). */
export const writeOut = (out: string, files: ReadonlyArray<RunFile>, force: boolean) =>
  writeRunOut(out, force, async (dir) => {
    for (const f of files) await dir.writeFile(f.name, f.bytes)
  })

export const checkWorkers = (n: number | undefined) =>
  n === undefined || (Number.isInteger(n) && n >= 0 && n <= 256)
    ? Effect.void
    : Effect.fail(badFlag(`--workers: expected a whole number from 0 (no threads) to 256, found ${n}`))


/**
 * Runs replications 0..K−1 of each scenario (replication r with `replicationSeed(seed, r)`) on
 * `workers` threads (0: on the main thread), keeping of each only what `kind` says (replicate.ts):
 * `results[s][r]`, the same for any number of workers. Stops with `signal.reason` when aborted.
 */
export const replicate = <K extends ReplicationKind>(scenarios: ReadonlyArray<Scenario>, replications: number, kind: K, workers: number, tick: () => void, signal: AbortSignal) =>
  replicateAll({ scenarios, replications, kind, workers, tick, signal })

/**
 * Replication r of a loaded scenario, run with seed `seed` (replicationSeed(scenario seed, r)). A
 * scenario with uncertain inputs is compiled again from its text with that seed, so each
 * replication draws its own inputs, from the same (seed, "input", path) streams in every variant
 * (common random numbers); without any, the compiled scenario with the seed replaced, as before.
 */
export const scenarioOfReplication = (loaded: LoadedScenario, seed: number): Scenario | UserFacingError => {
  if (seed === loaded.scenario.seed) return loaded.scenario
  if (loaded.scenario.inputs === undefined) return { ...loaded.scenario, seed }
  const compiled = compileScenarioText(loaded.asRunText, loaded.file, { seed, format: runScenarioFormat(loaded.asRunText) })
  return compiled.ok ? compiled.value.scenario : badInput(compiled.error.message)
}

/** Every replication's scenario of each loaded scenario that has uncertain inputs (else undefined: replicate.ts reseeds it). */
const uncertainReplications = (loaded: ReadonlyArray<LoadedScenario>, K: number) =>
  Effect.gen(function* () {
    if (K <= 1 || loaded.every((l) => l.scenario.inputs === undefined)) return undefined
    const out: Array<Array<Scenario>> = []
    for (const l of loaded) {
      const seeds = seedsOf(l.scenario.seed, K)
      const each: Array<Scenario> = []
      for (const seed of seeds) {
        const sc = scenarioOfReplication(l, seed)
        if (sc instanceof UserFacingError) return yield* sc
        each.push(sc)
      }
      out.push(each)
    }
    return out
  })

/**
 * `replicate`, with each replication's own scenario where inputs are uncertain: each is run as a
 * scenario of one replication (replication 0: as it is), then placed back by (scenario, replication).
 */
const replicateEach = <K extends ReplicationKind>(scenarios: ReadonlyArray<Scenario>, perReplication: ReadonlyArray<ReadonlyArray<Scenario>> | undefined, replications: number, kind: K, workers: number, tick: () => void, signal: AbortSignal) =>
  perReplication === undefined
    ? replicate(scenarios, replications, kind, workers, tick, signal)
    : replicate(perReplication.flat(), 1, kind, workers, tick, signal).then((flat) => perReplication.map((_, s) => flat.slice(s * replications, (s + 1) * replications).map((one) => one[0]!)))

/** The seeds of replications 0..K−1 of a scenario seeded `seed`. */
export const seedsOf = (seed: number, replications: number): Array<number> => Array.from({ length: replications }, (_, r) => replicationSeed(seed, r))

/**
 * A replication set's summary.json: each figure's distribution over the replications, in the order
 * the figures first appear. Replications that share a key list (replicate.ts) share its columns.
 */
const replicationSetSummary = (loaded: LoadedScenario, seeds: ReadonlyArray<number>, each: Iterable<ReplicationNumbers>) => {
  const figures = new Map<string, Array<number>>()
  let keys: ReadonlyArray<string> | undefined
  let columns: Array<Array<number>> = []
  for (const one of each) {
    if (one.keys !== keys) {
      keys = one.keys
      columns = keys.map((k) => {
        let xs = figures.get(k)
        if (xs === undefined) figures.set(k, (xs = []))
        return xs
      })
    }
    const { values } = one
    for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]!)
  }
  return {
    format: "devosim-replications/1",
    scenario: loaded.scenario.name,
    seed: loaded.scenario.seed,
    replications: seeds.length,
    seeds,
    figures: Object.fromEntries([...figures].map(([k, xs]) => [k, describeSample(xs)]))
  }
}

/**
 * `6 of 12 localities reached a deal within the run; 2 still negotiating and 4 queued at the end of
 * the run, month 36 (Apr 2013); at this capacity the last deal would land at 60 months (Apr 2015)`.
 */
const dealsLine = (summary: Summary, start: Scenario["start"], localities: number): string => {
  const c = summary.centre
  const open = c.open_at_end
  const parts = [
    ...(open.negotiating > 0 ? [`${open.negotiating} still negotiating`] : []),
    ...(open.queued > 0 ? [`${open.queued} queued`] : []),
    ...(open.not_eligible > 0 ? [`${open.not_eligible} not yet eligible`] : [])
  ]
  return [
    `${c.deals} of ${count(localities, "locality", "localities")} reached a deal within the run`,
    ...(parts.length > 0 ? [`${parts.join(" and ")} at the end of the run, month ${rounded(summary.months)} (${calendarMonth(formatYearMonth(start), summary.months)})`] : []),
    ...(c.makespan_after_end ? [`at ${c.capacity_schedule === undefined ? "this capacity" : "the scheduled capacity"} the last deal would land at ${monthsWithDate(start, c.makespan)}`] : [`centre makespan ${monthsWithDate(start, c.makespan)}`])
  ].join("; ")
}

/**
 * Savings a line's spending capped are never silent: one warning line on stderr per capped effect
 * (the first ten, then how many more), naming the programme, the line and the amounts.
 */
const warnCapped = (summary: Summary) => {
  const capped = summary.money.effects.filter((e) => e.capped_pence > 0)
  if (capped.length === 0) return Effect.void
  const lines = capped
    .slice(0, 10)
    .map(
      (e) =>
        `devosim: warning: savings capped: programme ${forTerminal(e.programme)}, effect on ${forTerminal(e.agency)} (${forTerminal(e.service)}) in ${forTerminal(e.locality)}: claimed ${formatPounds(e.claimed_pence)}, realised ${formatPounds(e.realised_pence)}, ${formatPounds(e.capped_pence)} capped (beyond what the line spent)`
    )
  if (capped.length > 10) lines.push(`devosim: warning: and ${capped.length - 10} more effects with savings capped (money.effects in summary.json)`)
  return Console.error(lines.join("\n"))
}

/** Where `run` writes by default: runs/<file name without .yaml/.json>[-<variant>] (runs/stdin for `-`). */
const defaultOut = (file: string, variant?: string) =>
  path.join("runs", `${file === STDIN ? "stdin" : path.basename(file).replace(/\.(ya?ml|json)$/i, "")}${variant === undefined ? "" : `-${variant.replace(/[^A-Za-z0-9._-]+/g, "-")}`}`)

/** What a run records of its input beyond the file: the variant that ran and the amendments (manifest, --json), when there are any. */
interface Recorded {
  readonly variant: string | undefined
  readonly settings: ReadonlyArray<string>
}

/** `--json`'s fields for the variant and the amendments, present only when there are any (other runs' documents are unchanged). */
const recordedJson = (loaded: LoadedVariant, recorded: Recorded) => ({
  ...(recorded.variant === undefined ? {} : { variant: { name: recorded.variant, description: loaded.description } }),
  ...(recorded.settings.length === 0 ? {} : { settings: recorded.settings })
})

/** The text's lines for them: `  variant "largest-first" of FILE: description`, `  amended with centre.capacity=4`. */
const recordedLines = (file: string, loaded: LoadedVariant, recorded: Recorded): Array<string> => [
  ...(recorded.variant === undefined
    ? []
    : [`  variant ${JSON.stringify(forTerminal(recorded.variant))} of ${forTerminal(file === STDIN ? STDIN_NAME : file)}${loaded.description === null ? "" : `: ${forTerminal(loaded.description.replace(/\s*\n\s*/g, " "))}`}`]),
  ...(recorded.settings.length === 0 ? [] : [`  amended with ${recorded.settings.map(forTerminal).join(", ")}`])
]

/** What `run --json` prints of a run: where it went and its headline figures (the rest is summary.json). */
/** The head of every `run --json` document, a single run's or a replication set's: what ran and where it went. */
const runJsonHead = (out: string, files: ReadonlyArray<string>, loaded: LoadedVariant, recorded: Recorded) => ({
  ...jsonHead("run", out, files),
  scenario: loaded.scenario.name,
  ...recordedJson(loaded, recorded),
  seed: loaded.scenario.seed
})

const runJson = (out: string, files: ReadonlyArray<string>, loaded: LoadedVariant, recorded: Recorded, summary: Summary, snapshots: number) => {
  const m = summary.money
  return {
    ...runJsonHead(out, files, loaded, recorded),
    start: formatYearMonth(loaded.scenario.start),
    months: summary.months,
    events: summary.events,
    localities: loaded.scenario.localities.length,
    deals: summary.centre.deals,
    open_at_end: summary.centre.open_at_end,
    makespan_months: summary.centre.makespan,
    makespan_after_end: summary.centre.makespan_after_end,
    mean_wait_months: summary.centre.mean_wait,
    money: {
      baseline_pence: m.baseline_pence,
      actual_pence: m.actual_pence,
      spb_reduction_pence: m.spb_reduction_pence,
      prevention_invested_pence: m.prevention_invested_pence,
      savings_realised_pence: m.savings_realised_pence,
      savings_capped_pence: m.savings_capped_pence,
      npv_pence: m.appraisal.npv_pence,
      benefit_cost_ratio: m.appraisal.benefit_cost_ratio
    },
    snapshots
  }
}

/** `devosim run FILE`: scenario in, run directory out (written atomically). */
export const runCommand = Effect.fn("runCommand")(function* (args: {
  readonly file: string
  readonly out: string | undefined
  readonly seed: number | undefined
  readonly force: boolean
  readonly replications: number
  readonly quiet: boolean
  readonly parquet: boolean
  readonly ledger: boolean
  readonly snapshotEvery?: number | undefined
  readonly workers?: number | undefined
  /** With --replications: also a run directory per replication. */
  readonly keepRuns?: boolean | undefined
  /** With --keep-runs: also each replication's report.html. */
  readonly runReports?: boolean | undefined
  /** One JSON document on stdout instead of the text. */
  readonly json?: boolean | undefined
  /** `--variant NAME`: run that variant of the file (or name it `FILE#NAME`). */
  readonly variant?: string | undefined
  /** `--set PATH=VALUE`: amendments of the scenario that runs (every replication's). */
  readonly sets?: ReadonlyArray<string> | undefined
}) {
  yield* checkReplications(args.replications)
  yield* checkSnapshotEvery(args.snapshotEvery)
  yield* checkWorkers(args.workers)
  if (args.runReports === true && args.keepRuns !== true) return yield* badInput("--run-reports: each replication's report.html, which --replications writes only with --keep-runs")
  const settings = yield* parseSettings(args.sets ?? [])
  const chosen = yield* chosenVariant(args.file, args.variant)
  const loaded = yield* amended(yield* loadOrBadInput(chosen.file, args.seed, chosen.variant), settings, args.seed)
  const recorded: Recorded = { variant: chosen.variant, settings: settings.map((s) => s.text) }
  const out = args.out ?? defaultOut(chosen.file, chosen.variant)
  if (args.replications > 1) return yield* runReplications(loaded, recorded, out, args)
  const started = performance.now()
  const bar = runProgress(loaded.scenario.months, args.quiet)
  const decisions = decideCentre(loaded.scenario)
  const workers = workersFor(decisions, args.workers)
  const written = yield* writeRunOut(out, args.force, (dir, signal) =>
    writeRunFiles(dir, "", loaded, decisions.controls[0] as RunStarted, shardedLogChunks(decisions, workers), { parquet: args.parquet, ledger: args.ledger, snapshotEvery: args.snapshotEvery, progress: bar, ...recorded }, signal)
  ).pipe(Effect.ensuring(Effect.sync(bar.done)))
  const ranMs = performance.now() - started
  const { summary } = written
  yield* warnCapped(summary)
  const files = written.files.filter((f) => !f.startsWith("snapshots/"))
  if (args.json === true) return yield* sayJson(runJson(out, written.files, loaded, recorded, summary, written.snapshots))
  const e = summary.events
  yield* say(
    [
      `devosim ${ENGINE_VERSION}: ran "${loaded.scenario.name}" (seed ${loaded.scenario.seed})`,
      ...recordedLines(chosen.file, loaded, recorded),
      `  ${count(e.total, "event")} (${e.control} control, ${count(e.postings, "posting")}) run and written in ${ranMs.toFixed(0)} ms${workers > 0 ? ` (${count(workers, "worker thread")})` : ""}`,
      `  ${dealsLine(summary, loaded.scenario.start, loaded.scenario.localities.length)}; mean wait ${rounded(summary.centre.mean_wait)} months`,
      ...(summary.money.baseline_pence > 0
        ? [
            `  totals over the run, financial years ${summary.money.appraisal.first_financial_year} to ${summary.money.appraisal.last_financial_year}: baseline ${formatPoundsCompact(summary.money.baseline_pence)}, actual ${formatPoundsCompact(summary.money.actual_pence)}; SPB reductions returned ${formatPoundsCompact(summary.money.spb_reduction_pence)}`,
            `  prevention invested ${formatPoundsCompact(summary.money.prevention_invested_pence)}, savings realised ${formatPoundsCompact(summary.money.savings_realised_pence)}${summary.money.savings_capped_pence > 0 ? ` (${formatPoundsCompact(summary.money.savings_capped_pence)} capped)` : ""}; Green Book NPV ${formatPoundsCompact(summary.money.appraisal.npv_pence)}${summary.money.appraisal.benefit_cost_ratio === null ? "" : `, benefit–cost ratio ${summary.money.appraisal.benefit_cost_ratio.toFixed(2)}`}`
          ]
        : []),
      `  outputs in ${forTerminal(out)}/: ${files.join(", ")}`,
      ...(args.snapshotEvery === undefined ? [] : [`  ${count(written.snapshots, "snapshot")} (every ${count(args.snapshotEvery, "month")}) in ${out}/snapshots/`])
    ].join("\n")
  )
})

/**
 * `devosim run FILE --replications K`: a summary.json of every figure's mean, sd and 5/50/95%
 * quantiles over the replications, run in parallel (replicate.ts) and kept only as their numbers;
 * with `--keep-runs`, also one complete run directory per replication under replications/rNNNN/
 * (written one after another, each run sharded over `--workers` as a single run is). The manifest
 * lists each replication's seed, and its directory when the runs are kept.
 */
const runReplications = Effect.fn("runReplications")(function* (
  loaded: LoadedVariant,
  recorded: Recorded,
  out: string,
  args: {
    readonly replications: number
    readonly force: boolean
    readonly quiet: boolean
    readonly parquet: boolean
    readonly ledger: boolean
    readonly snapshotEvery?: number | undefined
    readonly workers?: number | undefined
    readonly keepRuns?: boolean | undefined
    readonly runReports?: boolean | undefined
    readonly json?: boolean | undefined
  }
) {
  const K = args.replications
  const keep = args.keepRuns === true
  if (!keep) {
    const perRun = [...(args.parquet ? ["--parquet"] : []), ...(args.ledger ? ["--ledger"] : []), ...(args.snapshotEvery === undefined ? [] : ["--snapshot-every"])]
    if (perRun.length > 0) return yield* badInput(`${perRun.join(", ")}: files of each replication's run directory, which --replications writes only with --keep-runs`)
  }
  const width = Math.max(4, String(K - 1).length)
  const dirOf = (r: number) => `replications/r${String(r).padStart(width, "0")}`
  const perReplication = yield* uncertainReplications([loaded], K)
  const workers = keep ? 0 : perReplication === undefined ? replicationWorkersFor([loaded.scenario], K, args.workers) : replicationWorkersFor(perReplication[0]!, 1, args.workers)
  const bar = progress(count(K, "replication"), K, args.quiet)
  const { summary, files } = yield* writeRunOut(out, args.force, async (dir, signal) => {
    await dir.writeFile("scenario.yaml", loaded.asRunText)
    const seeds = seedsOf(loaded.scenario.seed, K)
    let numbers: Array<ReplicationNumbers>
    let figures: Array<ReplicationFigures>
    if (keep) {
      numbers = []
      figures = []
      const flat = new Numbers()
      for (let r = 0; r < K; r++) {
        const decisions = decideCentre(perReplication === undefined ? { ...loaded.scenario, seed: seeds[r]! } : perReplication[0]![r]!)
        const chunks = shardedLogChunks(decisions, workersFor(decisions, args.workers))
        const options = { parquet: args.parquet, ledger: args.ledger, snapshotEvery: args.snapshotEvery, report: args.runReports === true, ...recorded }
        const one = await writeRunFiles(dir, dirOf(r), loaded, decisions.controls[0] as RunStarted, chunks, options, signal)
        numbers.push(flat.of(one.summary))
        figures.push(figuresOf(one.summary))
        bar.tick()
      }
    } else {
      const items = (await replicateEach([loaded.scenario], perReplication, K, "numbers", workers, bar.tick, signal))[0]!
      numbers = items
      figures = items.map((i) => i.figures)
    }
    bar.done()
    const summary = replicationSetSummary(loaded, seeds, numbers)
    await dir.writeFile("summary.json", json(summary))
    // The figures across the replications, drawn as a comparison of one scenario: their distributions and coverage band.
    // (Not annotated: a ReplicatedRun with the fields compare's labels use where they exist.)
    const across = { name: loaded.scenario.name, source: loaded.file === STDIN ? STDIN_NAME : loaded.file, variant: recorded.variant ?? null, description: loaded.description, fork: null, localities: loaded.scenario.localities.map((l) => l.id), replications: figures, seeds }
    await dir.writeFile("report.html", renderComparisonReport(compareRuns([across])))
    const files = [...dir.files()].sort((a, b) => compareCodePoints(a.name, b.name))
    await dir.writeFile(
      "manifest.json",
      json({
        format: "devosim-replications/1",
        engine_version: ENGINE_VERSION,
        scenario: loaded.scenario.name,
        seed: loaded.scenario.seed,
        input_sha256: loaded.inputSha256,
        ...(recorded.variant === undefined ? {} : { variant: recorded.variant }),
        ...(recorded.settings.length === 0 ? {} : { settings: recorded.settings }),
        // Without the runs, a replication is its seed (summary.json holds what was kept of it).
        replications: seeds.map((seed, r) => (keep ? { dir: dirOf(r), seed } : { seed })),
        files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }]))
      })
    )
    return { summary, files: [...files.filter((f) => !f.name.startsWith("replications/")).map((f) => f.name), "manifest.json"] }
  }).pipe(Effect.ensuring(Effect.sync(bar.done)))
  const makespan = summary.figures["centre.makespan"]
  if (args.json === true) {
    return yield* sayJson({
      ...runJsonHead(out, files, loaded, recorded),
      replications: K,
      runs_kept: keep,
      workers,
      figures: Object.fromEntries(["centre.deals", "centre.makespan", "centre.mean_wait", "money.savings_realised_pence", "money.spb_reduction_pence", "money.appraisal.npv_pence"].flatMap((k) => (summary.figures[k] === undefined ? [] : [[k, summary.figures[k]]])))
    })
  }
  const start = loaded.scenario.start
  yield* say(
    [
      `devosim ${ENGINE_VERSION}: ran ${count(K, "replication")} of "${loaded.scenario.name}" (seeds from ${loaded.scenario.seed})${workers > 0 ? ` on ${count(workers, "worker thread")}` : ""}`,
      ...recordedLines(loaded.file, loaded, recorded),
      makespan === undefined ? "" : `  centre makespan: mean ${monthsWithDate(start, makespan.mean)}, sd ${rounded(makespan.sd)}, 5–95% [${rounded(makespan.q05)}, ${rounded(makespan.q95)}] months`,
      keep
        ? `  outputs in ${forTerminal(out)}/: summary.json (mean, sd, quantiles of every figure), report.html (the figures across replications), replications/r…/ (one run directory each${args.runReports === true ? ", with its report.html" : ""}), manifest.json, scenario.yaml`
        : `  outputs in ${forTerminal(out)}/: summary.json (mean, sd, quantiles of every figure), report.html (the figures across replications), manifest.json, scenario.yaml (a run directory per replication with --keep-runs)`
    ]
      .filter((l) => l !== "")
      .join("\n")
  )
})

/**
 * `devosim validate FILE…`: checks scenarios without running them, each file reported (its
 * variants compiled too, so a broken variant is caught before `compare` meets it); exit 2 if any
 * fails, after all are reported. `-` reads one from stdin.
 */
export const validateCommand = Effect.fn("validateCommand")(function* (files: ReadonlyArray<string>, options: { readonly json?: boolean } = {}) {
  if (files.filter((f) => scenarioArgument(f).file === STDIN).length > 1) return yield* badInput("validate: - (stdin) can be read once; name it once")
  const results: Array<
    | { readonly file: string; readonly valid: true; readonly scenario: Scenario; readonly variant: string | undefined; readonly variants: ReadonlyArray<string> }
    | { readonly file: string; readonly valid: false; readonly error: string; readonly failure: UserFacingError }
  > = []
  for (const file of files) {
    // FILE#NAME: the base and that variant; FILE: the base and every variant.
    const arg = scenarioArgument(file)
    const outcome = yield* Effect.result(arg.variant === undefined ? loadVariantsOrBadInput(arg.file) : Effect.map(loadOrBadInput(arg.file, undefined, arg.variant), (v) => [v]))
    if (outcome._tag === "Failure") results.push({ file, valid: false, error: outcome.failure.message, failure: outcome.failure })
    else if (arg.variant !== undefined) results.push({ file, valid: true, scenario: outcome.success[0]!.scenario, variant: arg.variant, variants: [] })
    else results.push({ file, valid: true, scenario: outcome.success[0]!.scenario, variant: undefined, variants: outcome.success.slice(1).map((v) => v.variant!) })
  }
  const failed = results.filter((r) => !r.valid).length
  // One file: its error is the command's (one line on stderr, exit 2), as before.
  const only = results.length === 1 ? results[0]! : undefined
  if (options.json !== true && only !== undefined && !only.valid) return yield* only.failure
  if (options.json === true) {
    yield* sayJson({
      command: "validate",
      valid: failed === 0,
      files: results.map((r) =>
        r.valid
          ? {
              file: r.file,
              valid: true,
              scenario: r.scenario.name,
              start: formatYearMonth(r.scenario.start),
              months: r.scenario.months,
              localities: r.scenario.localities.length,
              agencies: r.scenario.agencies.length,
              tranches: r.scenario.tranches.length,
              ...(r.variant === undefined ? {} : { variant: r.variant }),
              variants: r.variants
            }
          : { file: r.file, valid: false, error: r.error }
      )
    })
  } else {
    for (const r of results) {
      if (!r.valid) {
        yield* Console.error(`devosim: ${escapeLines(r.error)}`)
        continue
      }
      const sc = r.scenario
      const variants = r.variants.length > 0 ? ` and ${count(r.variants.length, "variant")} (${r.variants.join(", ")})` : ""
      yield* say(
        `${forTerminal(r.file === STDIN ? STDIN_NAME : r.file)}: valid scenario "${sc.name}": ${count(sc.localities.length, "locality", "localities")}, ${count(sc.agencies.length, "agency", "agencies")}, ${count(sc.tranches.length, "tranche")}, ${count(sc.months, "month")} from ${formatYearMonth(sc.start)}${variants}`
      )
    }
  }
  if (failed > 0) {
    // Each failure is already reported (on stderr, or in the JSON): only the exit code is left to give.
    return yield* (options.json === true ? silentExit(2) : badInput(`${failed} of ${count(files.length, "file")} failed validation`))
  }
})

/**
 * `devosim replay DIR [--from LATEST|SEQ]`: rebuilds the state from events.arrow alone (or from the
 * nearest snapshot at or before SEQ plus the rest of the log) and checks it against the manifest.
 */
export const replayCommand = Effect.fn("replayCommand")(function* (dir: string, from?: string) {
  // Every file is hashed against the manifest block by block, then the log is read one record batch
  // at a time: a log larger than memory replays in constant memory. Damage is reported as verify does.
  const { manifest, eventsPath } = yield* checkedRun(dir)
  const start = from === undefined ? null : yield* chooseSnapshot(dir, manifest, from)
  const started = performance.now()
  let postingsMs = 0
  let controls = 0
  let postings = 0
  let run: RunStarted | undefined
  // Record batch by record batch, yielding between them, so SIGINT/SIGTERM stop a long replay at once.
  const state = yield* abortable(
    async (signal) => {
      let s: State | undefined
      for (const chunk of readEventLogChunks(eventsPath, { verifyChecksum: false, reuseBuffers: true })) {
        signal.throwIfAborted()
        if (s === undefined) {
          run = chunk.controls[0] as RunStarted
          s = start === null ? initialState(run) : stateFromSnapshot(start.snapshot, run)
        }
        controls += chunk.controls.length
        postings += chunk.postings.length
        const end = chunk.firstSeq + chunk.controls.length + chunk.postings.length
        if (end <= s.applied) continue // before the snapshot
        const t0 = performance.now()
        applyLog(s, chunk)
        postingsMs += performance.now() - t0
        await turn()
      }
      if (s === undefined) throw new Error("the log is empty")
      if (start !== null && s.applied < (start.snapshot as { readonly applied: number }).applied) {
        throw new Error(`the snapshot is after the end of the log: it has applied ${(start.snapshot as { readonly applied: number }).applied} events, the log has ${s.applied}`)
      }
      return s
    },
    (e) => readError(dir, e)
  )
  yield* sameRunAsManifest(dir, manifest, run!, controls, postings)
  const ms = performance.now() - started
  const rate = manifest.posting_count > 0 && postingsMs > 0 ? `; postings applied at ${((manifest.posting_count / postingsMs) * 1000 / 1e6).toFixed(0)} million/s` : ""
  const stateSha = sha256Hex(canonicalState(state))
  const mismatch = (what: string) =>
    new UserFacingError({
      message: `${forTerminal(path.join(dir, "manifest.json"))}: ${what} (events.arrow matches the manifest's log_sha256, so the manifest was edited) [manifest does not match]`,
      exitCode: VERIFY_EXIT_CODES.ManifestMismatch
    })
  if (state.applied !== manifest.event_count) return yield* mismatch(`replay applied ${state.applied} events, the manifest says ${manifest.event_count}`)
  if (stateSha !== manifest.state_sha256) {
    // From a snapshot, the snapshot is at fault (the full log was sealed and checked); from the start, the manifest.
    if (start !== null) {
      return yield* new UserFacingError({
        message: `${forTerminal(path.join(dir, start.name))}: replayed state sha256 ${stateSha} differs from the manifest's ${manifest.state_sha256}: the snapshot does not lead to the run's final state (replay without --from to check the log alone) [content changed]`,
        exitCode: VERIFY_EXIT_CODES.ContentChanged
      })
    }
    return yield* mismatch(`replayed state sha256 ${stateSha} differs from the manifest's ${manifest.state_sha256}`)
  }
  const upcast = manifest.event_schema_version < EVENT_SCHEMA_VERSION ? ` (event schema ${manifest.event_schema_version}, upcast to ${EVENT_SCHEMA_VERSION})` : ""
  const matches = `final state matches the manifest (sha256 ${stateSha.slice(0, 16)}…)`
  if (start === null) {
    const none = from === undefined ? "" : `no snapshot at or before event ${forTerminal(from)}; `
    yield* say(`${forTerminal(dir)}: ${none}replayed ${state.applied} events${upcast} in ${ms.toFixed(0)} ms${rate}; ${matches}`)
  } else {
    // replayFrom validated the snapshot: `applied` is the number of events it holds, the ones not replayed.
    const skipped = (start.snapshot as { readonly applied: number }).applied
    yield* say(
      `${forTerminal(dir)}: started from ${start.name}, skipped ${skipped} events and replayed the remaining ${state.applied - skipped}${upcast} in ${ms.toFixed(0)} ms; ${matches}`
    )
  }
})

/** `--month YYYY-MM` as a period of a run starting `start` (months `months`), or why not. */
const periodOfMonth = (month: string, start: string, months: number): number | string => {
  const ym = parseYearMonth(month)
  const from = parseYearMonth(start)
  if (ym === undefined || from === undefined) return `--month: expected a calendar month YYYY-MM, found ${JSON.stringify(month)}`
  const period = monthsBetween(from, ym)
  if (period < 0 || period >= months) {
    return `--month ${month}: outside the run, which spends periods 0–${months - 1} (${start} to ${formatYearMonth(periodMonth(from, months - 1))})`
  }
  return period
}

/** `devosim explain DIR --locality X [--agency Y] [--period P | --month YYYY-MM]`: why did this budget move. */
export const explainCommand = Effect.fn("explainCommand")(function* (args: {
  readonly dir: string
  readonly locality: string
  readonly agency: string | undefined
  readonly period: number | undefined
  readonly month?: string | undefined
  readonly limit: number
  readonly json?: boolean | undefined
}) {
  if (!(Number.isInteger(args.limit) && args.limit >= 0)) return yield* badFlag(`--limit: expected a whole number of postings >= 0, found ${args.limit}`)
  if (args.period !== undefined && !(Number.isInteger(args.period) && args.period >= 0)) {
    return yield* badFlag(`--period: expected a period (whole months since the start) >= 0, found ${args.period}`)
  }
  if (args.period !== undefined && args.month !== undefined) return yield* badInput("--period and --month name the same thing: give one of them")
  // Only the postings that touch the locality's accounts are kept (explainBudget reads no others).
  const { log } = yield* readLog(args.dir, (run) => {
    // A tier's postings are all its locality's (an unknown name keeps none: explainBudget says which names there are).
    let l = -2
    try {
      l = explainScope(run, args.locality).locality
    } catch {
      // reported below
    }
    const localityOf = accountDirectory(run).locality
    return (from, to) => localityOf[from] === l || localityOf[to] === l
  })
  const run = log.controls[0]!
  const start = run._tag === "RunStarted" ? run.start : ""
  let period = args.period
  if (args.month !== undefined) {
    const p = periodOfMonth(args.month, start, run._tag === "RunStarted" ? run.months : 0)
    if (typeof p === "string") return yield* badInput(forTerminal(p))
    period = p
  }
  const explanation = yield* Effect.try({
    try: () =>
      explainBudget(log, {
        locality: args.locality,
        ...(args.agency === undefined ? {} : { agency: args.agency }),
        ...(period === undefined ? {} : { period }),
        limit: args.limit
      }),
    catch: (e) => badInput(`${forTerminal(args.dir)}: ${forTerminal(messageOf(e))}`)
  })
  if (args.json === true) {
    const from = parseYearMonth(start)
    const month = (p: number) => (from === undefined ? null : formatYearMonth(periodMonth(from, p)))
    return yield* sayJson({
      command: "explain",
      dir: args.dir,
      start,
      ...explanation,
      month: explanation.period === null ? null : month(explanation.period),
      postings: explanation.postings.map((p) => ({ ...p, month: month(p.period) }))
    })
  }
  yield* say(formatExplanation(forTerminalDeep(explanation), start))
})

/** What compare needs of a summary.json, checked: a sealed file can still be a forged one (`{}`). */
const figuresOfFile = (file: string, value: unknown) =>
  Effect.try({
    try: () => {
      const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
      const need = (ok: boolean, where: string, expected: string) => {
        if (!ok) throw new Error(`${where}: expected ${expected}`)
      }
      need(isObj(value), "(top level)", "a JSON object, a run's summary")
      const s = value as Record<string, unknown>
      need(typeof s["scenario"] === "string" && typeof s["seed"] === "number" && typeof s["months"] === "number", "scenario, seed, months", "a name and two numbers")
      const centre = s["centre"]
      need(isObj(centre) && ["deals", "makespan", "mean_wait"].every((k) => typeof centre[k] === "number"), "centre", "deals, makespan and mean_wait numbers")
      const negotiations = s["negotiations"]
      need(Array.isArray(negotiations), "negotiations", "a list")
      ;(negotiations as Array<unknown>).forEach((n, i) =>
        need(
          isObj(n) && typeof n["tranche"] === "string" && typeof n["population"] === "number" && typeof n["wait"] === "number" && typeof n["outcome"] === "string" && (n["deal"] === null || typeof n["deal"] === "number"),
          `negotiations[${i}]`,
          "tranche, population, wait, outcome and deal (a number or null)"
        )
      )
      const money = s["money"]
      need(isObj(money) && isObj(money["present_values"]) && Array.isArray(money["localities"]), "money", "present_values and localities")
      ;(((money as Record<string, unknown>)["localities"]) as Array<unknown>).forEach((l, i) =>
        need(isObj(l) && typeof l["locality"] === "string" && Array.isArray(l["agencies"]) && l["agencies"].every((g: unknown) => isObj(g) && typeof g["agency"] === "string" && typeof g["net_position_pence"] === "number"), `money.localities[${i}]`, "a locality with agencies with agency and net_position_pence")
      )
      return { figures: figuresOf(value as Summary), localities: (value as Summary).money.localities.map((l) => l.locality) }
    },
    catch: (e) => badInput(`${forTerminal(file)}: not a summary devosim wrote: ${forTerminal(messageOf(e))}`)
  })

/**
 * summary.json with its per-locality tables read back in (each checked against the manifest); a
 * summary written before they existed holds them itself.
 */
const summaryWithTables = (dir: string, parsed: unknown) =>
  Effect.gen(function* () {
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
    if (!isObj(parsed) || !isObj(parsed["tables"])) return parsed
    const listed = parsed["tables"]
    const tables = new Map<SummaryTableName, RecordTable>()
    for (const name of Object.keys(SUMMARY_TABLES) as Array<SummaryTableName>) {
      if (listed[name] === undefined) continue
      const spec = SUMMARY_TABLES[name]
      const bytes = yield* readRunFile(dir, spec.file)
      const table = yield* Effect.try({
        try: () => decodeRecordTable(bytes, spec.format, spec.fields),
        catch: (e) => badInput(`${forTerminal(path.join(dir, spec.file))}: not the table summary.json names: ${forTerminal(messageOf(e))}`)
      })
      tables.set(name, table)
    }
    return joinSummary(parsed as unknown as SummaryFile, (name) => tables.get(name)!)
  })

/** One run directory's figures, after checking every file against its manifest. */
const figuresOfRunDir = Effect.fn("figuresOfRunDir")(function* (dir: string) {
  const { manifest } = yield* checkedRun(dir)
  const bytes = yield* readRunFile(dir, "summary.json")
  const parsed = yield* Effect.try({ try: () => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown, catch: () => badInput(`${forTerminal(path.join(dir, "summary.json"))}: not JSON`) })
  const whole = yield* summaryWithTables(dir, parsed)
  const { figures, localities } = yield* figuresOfFile(path.join(dir, "summary.json"), whole)
  const fork = manifest.files["fork.json"] === undefined ? null : yield* forkOriginOf(dir)
  return { figures, localities, fork, seed: manifest.seed, scenario: manifest.scenario }
})

/** A fork's fork.json (checked against the manifest already), for the comparison's labels. */
const forkOriginOf = (dir: string) =>
  Effect.gen(function* () {
    const file = path.join(dir, "fork.json")
    const bytes = yield* readRunFile(dir, "fork.json")
    return yield* Effect.try({
      try: (): ForkOrigin => {
        const f = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Record<string, unknown> | null
        const settings = f?.["settings"]
        if (typeof f?.["parent"] !== "string" || typeof f["at"] !== "string" || typeof f["forked_at_t"] !== "number" || !Array.isArray(settings) || !settings.every((x) => typeof x === "string"))
          throw new Error("expected parent, at, forked_at_t and settings")
        return { parent: f["parent"], at: f["at"], forked_at_t: f["forked_at_t"], settings }
      },
      catch: (e) => badInput(`${forTerminal(file)}: not a fork.json devosim wrote: ${forTerminal(messageOf(e))}`)
    })
  })

/** The manifest of a directory, parsed, or undefined when it cannot be read (then checking the run reports why). */
const manifestOrUndefined = (dir: string): unknown => {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readUntrusted(path.resolve(dir), "manifest.json"))) as unknown
  } catch {
    return undefined
  }
}

/**
 * A replication set's runs in order, each checked: the set's manifest names them. A set written
 * without --keep-runs has none: it holds each figure's distribution, not each replication's
 * figures, so it cannot be paired replication by replication (bad input, exit 2).
 */
const replicationDirsOf = Effect.fn("replicationDirsOf")(function* (input: string) {
  const bytes = yield* readRunFile(input, "manifest.json")
  const m = yield* Effect.try({ try: () => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown, catch: (e) => readError(input, e) })
  const reps = typeof m === "object" && m !== null ? (m as Record<string, unknown>)["replications"] : undefined
  if ((m as Record<string, unknown> | null)?.["format"] !== REPLICATIONS_FORMAT || !Array.isArray(reps)) {
    return yield* badInput(`${forTerminal(path.join(input, "manifest.json"))}: expected a replication set's manifest (format ${REPLICATIONS_FORMAT}) listing its replications`)
  }
  if (reps.length > 0 && reps.every((r) => typeof r === "object" && r !== null && !("dir" in r))) {
    return yield* badInput(
      `${forTerminal(input)}: a set of ${reps.length} replications written without --keep-runs has no per-replication runs (its summary.json holds each figure's distribution), so it cannot be compared replication by replication; compare the scenario file itself (devosim compare FILE … --replications ${reps.length}), or write the set with devosim run FILE --replications ${reps.length} --keep-runs`
    )
  }
  const dirs: Array<string> = []
  for (const [i, r] of reps.entries()) {
    const dir = typeof r === "object" && r !== null ? (r as Record<string, unknown>)["dir"] : undefined
    if (typeof dir !== "string" || !/^replications\/r[0-9]+$/.test(dir) || dirs.includes(dir)) {
      return yield* badInput(`${forTerminal(path.join(input, "manifest.json"))}: replications[${i}] is not a replications/rNNNN listed once; run devosim verify ${forTerminal(input)}`)
    }
    dirs.push(dir)
  }
  return dirs.map((d) => path.join(input, d))
})

/**
 * A compare input resolved: a scenario file's variants (to be replicated), or a run directory's
 * runs (a run, or a replication set's runs, to be checked against their manifests and read).
 */
type CompareInput =
  | {
      readonly kind: "file"
      readonly input: string
      /** Each as loaded (and amended): per-replication scenarios recompile it where inputs are uncertain. */
      readonly variants: ReadonlyArray<LoadedScenario & { readonly name: string; readonly variant: string | null; readonly description: string | null }>
    }
  | { readonly kind: "dir"; readonly input: string; readonly dirs: ReadonlyArray<string> }

/**
 * `input` resolved: a run directory, or a scenario file's base and variants (`FILE#NAME`: that
 * variant alone), each amended by `settings`. A run directory ran already: `--set` cannot amend it.
 */
const compareInputOf = Effect.fn("compareInputOf")(function* (input: string, settings: ReadonlyArray<Setting>) {
  const arg = scenarioArgument(input)
  const at = yield* Effect.try({ try: () => statSync(arg.file), catch: () => badInput(`${forTerminal(input)}: no such file or directory`) })
  if (at.isDirectory()) {
    if (arg.variant !== undefined) return yield* badInput(`${forTerminal(input)}: ${forTerminal(arg.file)} is a run directory; FILE#NAME names a variant of a scenario file`)
    if (settings.length > 0) {
      return yield* badFlag(
        `--set: amends the scenarios read from files, and ${forTerminal(input)} is a run directory, which ran already; fork it instead (devosim fork ${forTerminal(input)} --at POINT --set PATH=VALUE) and compare the fork`
      )
    }
    const set = lstatOrNull(path.join(input, "replications"))
    const m = manifestOrUndefined(input)
    const isSet = (set !== null && set.isDirectory()) || (typeof m === "object" && m !== null && (m as Record<string, unknown>)["format"] === REPLICATIONS_FORMAT)
    const dirs = isSet ? yield* replicationDirsOf(input) : [input]
    const resolved: CompareInput = { kind: "dir", input, dirs }
    return resolved
  }
  if (!at.isFile()) return yield* badInput(`${forTerminal(input)}: neither a scenario file nor a run directory`)
  const loaded =
    arg.variant === undefined
      ? yield* loadScenarioVariants(arg.file).pipe(Effect.mapError((e) => badInput(e.message)))
      : [yield* loadOrBadInput(arg.file, undefined, arg.variant)]
  const variants = []
  for (const v of loaded) {
    // Labelled as in the file: the amendments are the comparison's, the same for every column read from a file.
    const one = yield* amended(v, settings)
    variants.push({
      name: v.variant ?? v.scenario.name,
      variant: v.variant,
      description: v.description,
      scenario: one.scenario,
      inputSha256: one.inputSha256,
      file: one.file,
      // Rendered only if asked for (a replication recompiling uncertain inputs): a large variant's text is costly.
      get asRunText() {
        return one.asRunText
      }
    })
  }
  const resolved: CompareInput = { kind: "file", input, variants }
  return resolved
})

/** A run directory input's figures: each run checked against its manifest, then its summary read. Only each replication's figures are kept. */
const replicatedRunOfDirs = Effect.fn("replicatedRunOfDirs")(function* (input: string, dirs: ReadonlyArray<string>, tick: () => void) {
  const figures: Array<ReplicationFigures> = []
  const seeds: Array<number> = []
  let name = path.basename(input)
  let localities: ReadonlyArray<string> = []
  let fork: ForkOrigin | null = null
  for (const d of dirs) {
    const one = yield* figuresOfRunDir(d)
    figures.push(one.figures)
    seeds.push(one.seed)
    name = one.scenario
    localities = one.localities
    fork = one.fork
    tick()
  }
  const run: ReplicatedRun = { name, source: input, variant: null, description: null, fork, localities, replications: figures, seeds }
  return run
})

/**
 * `devosim compare A B [C…]`: key figures side by side, paired differences, and who wins. The
 * scenario files' variants are replicated together on one pool of `--workers` threads (default:
 * the machine's cores, none for a small comparison); each replication's figures are placed by
 * index, so the output is the same bytes for any number of workers.
 */
export const compareCommand = Effect.fn("compareCommand")(function* (args: {
  readonly inputs: ReadonlyArray<string>
  readonly replications: number
  readonly out: string
  readonly force: boolean
  readonly quiet: boolean
  readonly json?: boolean | undefined
  readonly workers?: number | undefined
  /** `--set PATH=VALUE`: amendments of every scenario read from a file (the base and each variant). */
  readonly sets?: ReadonlyArray<string> | undefined
}) {
  yield* checkReplications(args.replications)
  yield* checkWorkers(args.workers)
  const settings = yield* parseSettings(args.sets ?? [])
  if (args.inputs.some((i) => i === STDIN || scenarioArgument(i).file === STDIN)) return yield* badInput("compare: - (stdin) is not an input here; name the scenario files or run directories")
  const inputs: Array<CompareInput> = []
  for (const input of args.inputs) inputs.push(yield* compareInputOf(input, settings))
  const scenarios = inputs.flatMap((i) => (i.kind === "file" ? i.variants.map((v) => v.scenario) : []))
  const K = args.replications
  const perReplication = yield* uncertainReplications(
    inputs.flatMap((i) => (i.kind === "file" ? i.variants : [])),
    K
  )
  // Every replication of every scenario, and every run directory read: `13 scenarios × 50 replications: 419/650 runs`.
  const dirRuns = inputs.reduce((n, i) => n + (i.kind === "dir" ? i.dirs.length : 0), 0)
  const what = [
    ...(scenarios.length > 0 ? [`${count(scenarios.length, "scenario")} × ${count(K, "replication")}`] : []),
    ...(dirRuns > 0 ? [`${count(dirRuns, "run directory", "run directories")}`] : [])
  ].join(" + ")
  const bar = progress(what, scenarios.length * K + dirRuns, args.quiet)
  // Run directories first: damage in one is reported before any replication runs.
  const read = new Map<CompareInput, ReplicatedRun>()
  for (const i of inputs) if (i.kind === "dir") read.set(i, yield* replicatedRunOfDirs(i.input, i.dirs, bar.tick))
  const workers = perReplication === undefined ? replicationWorkersFor(scenarios, K, args.workers) : replicationWorkersFor(perReplication.flat(), 1, args.workers)
  const replicated = scenarios.length === 0 ? [] : yield* abortable((signal) => replicateEach(scenarios, perReplication, K, "figures", workers, bar.tick, signal), (e) => failure(forTerminal(messageOf(e))))
  const runs: Array<ReplicatedRun> = []
  let s = 0
  for (const i of inputs) {
    if (i.kind === "dir") runs.push(read.get(i)!)
    else {
      for (const v of i.variants) {
        runs.push({
          name: v.name,
          source: i.input,
          variant: v.variant,
          description: v.description,
          fork: null,
          localities: v.scenario.localities.map((l) => l.id),
          replications: replicated[s++]!,
          seeds: seedsOf(v.scenario.seed, K)
        })
      }
    }
  }
  bar.done()
  if (runs.length < 2) return yield* badInput(`compare needs at least two scenarios (files, variants or run directories); found ${runs.length}`)
  // Names label the columns: unique, by the file or directory where two share one.
  const named = uniqueLabels(runs)
  const report = compareRuns(named)
  const files: Array<RunFile> = [
    { name: "compare.json", bytes: json(report) },
    { name: "compare.arrow", bytes: encodeCompareTable(compareRows(named)) },
    { name: "report.html", bytes: renderComparisonReport(report) }
  ]
  const amendments = settings.length === 0 ? {} : { settings: settings.map((x) => x.text) }
  files.push({ name: "manifest.json", bytes: json({ format: "devosim-compare/1", engine_version: ENGINE_VERSION, inputs: args.inputs, ...amendments, files: Object.fromEntries(files.map((f) => [f.name, { sha256: sha256Hex(f.bytes) }])) }) })
  yield* writeOut(args.out, files, args.force)
  if (report.warnings.length > 0) yield* Console.error(report.warnings.map((w) => `devosim: warning: ${forTerminal(w)}`).join("\n"))
  if (args.json === true) return yield* sayJson({ ...jsonHead("compare", args.out, files.map((f) => f.name)), ...amendments, comparison: report })
  if (settings.length > 0) yield* say(`every scenario read from a file amended with ${settings.map((x) => forTerminal(x.text)).join(", ")}\n`)
  yield* say(formatComparison(forTerminalDeep(report)))
  yield* say(`\noutputs in ${forTerminal(args.out)}/: ${files.map((f) => f.name).join(", ")}`)
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
  readonly ledger: boolean
}) {
  // The parent's control events (its postings only counted): the fork point and its decisions need no more.
  const { manifest, log: parentLog, postings: parentPostings } = yield* readLog(args.dir, () => () => false)
  // A fork's scenario.yaml is the amended scenario, which does not reproduce the fork's own prefix (the parent's): it cannot be forked again.
  if (manifest.files["fork.json"] !== undefined) {
    return yield* badInput(`${forTerminal(args.dir)}: a fork (its fork.json names its parent); a fork cannot be forked again: fork its parent with every --set at once, or run the fork's scenario.yaml and fork that run`)
  }
  // scenario.yaml was checked against the manifest by readLog.
  const bytes = yield* readRunFile(args.dir, "scenario.yaml")
  const text = yield* Effect.try({ try: () => new TextDecoder("utf-8", { fatal: true }).decode(bytes), catch: () => badInput(`${forTerminal(path.join(args.dir, "scenario.yaml"))}: not UTF-8 text`) })
  const file = path.join(args.dir, "scenario.yaml")
  const parent = compileScenarioText(text, file, { seed: manifest.seed, format: runScenarioFormat(text) })
  if (!parent.ok) return yield* badInput(parent.error.message)
  const settings = yield* parseSettings(args.sets)
  if (settings.length === 0) return yield* badFlag("fork needs at least one --set PATH=VALUE")
  const amended = compileScenarioWithSettings(text, file, settings, { seed: manifest.seed, format: runScenarioFormat(text) })
  // An amendment's own mistake names --set (and its help); the parent's scenario is not the flag's fault.
  if (!amended.ok) return yield* (amended.error.message.startsWith("--set") ? badFlag : badInput)(amended.error.message)
  const point = parseForkPoint(args.at, formatYearMonth(parent.value.scenario.start))
  if (point === undefined) return yield* badFlag(`--at ${JSON.stringify(args.at)}: expected a month (18, month:18 or 2011-10) or an event (seq:1234)`)
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
    if (!same(f)) return yield* badFlag(`--set: a fork cannot change ${what}; only what is decided from the fork point on`)
  }
  const out = args.out ?? `${args.dir.replace(/\/+$/, "")}-fork`
  const fork: Fork = { scenario: a, ...("atSeq" in point ? forkPointOfSeq({ controls: parentLog.controls, postings: { length: parentPostings } }, point.atSeq) : point) }
  const loaded: LoadedScenario = { ...amended.value, inputSha256: manifest.input_sha256 }
  const decisions = decideCentre(p, fork)
  const forkedAt = decisions.forkedAt
  if (forkedAt === null) return yield* badFlag(`--at ${forTerminal(args.at)}: the parent's run ends before that point`)
  // The promise of a fork: the parent's events before the fork point, unchanged. Checked as the
  // fork's log streams into its directory, against the parent's read alongside (any size of log).
  const prefix = new SharedPrefix(readEventLogChunks(eventsFileOf(args.dir), { verifyChecksum: false }), forkedAt.control)
  const chunks = prefix.check(shardedLogChunks(decisions, workersFor(decisions, undefined)), () =>
    failure(`${forTerminal(args.dir)}: this engine does not reproduce the parent's first ${prefix.shared} events (written by engine ${manifest.engine_version}); cannot fork it`)
  )
  const forkInfo = () => ({
    format: "devosim-fork/1",
    parent: args.dir,
    parent_log_sha256: manifest.log_sha256,
    at: args.at,
    forked_at_seq: prefix.shared,
    forked_at_t: forkedAt.t,
    shared_prefix_events: prefix.shared,
    settings: settings.map((s) => s.text)
  })
  const { summary } = yield* writeRunOut(out, args.force, (dir, signal) =>
    writeRunFiles(dir, "", loaded, decisions.controls[0] as RunStarted, chunks, { parquet: args.parquet, ledger: args.ledger, extra: () => [{ name: "fork.json", bytes: json(forkInfo()) }] }, signal)
  )
  const shared = prefix.shared
  yield* warnCapped(summary)
  yield* say(
    [
      `devosim ${ENGINE_VERSION}: forked ${forTerminal(args.dir)} at event ${shared}, month ${rounded(forkedAt.t)} (${calendarMonth(formatYearMonth(p.start), forkedAt.t)}), with ${settings.map((s) => forTerminal(s.text)).join(", ")}`,
      `  the first ${shared} events are the parent's; ${summary.events.total - shared} decided with the amended scenario`,
      `  outputs in ${forTerminal(out)}/ (fork.json says where it came from); compare with: devosim compare ${forTerminal(args.dir)} ${forTerminal(out)}`
    ].join("\n")
  )
})

/** `devosim schema`: the scenario format as JSON Schema, for editors. */
export const schemaCommand = say(JSON.stringify(scenarioJsonSchema(), null, 2))
