/**
 * `devosim sweep FILE`: every experiment of the file's `experiments:` section (levers and
 * uncertainties, drawn by an @devosim/analysis design) × replications 0..K−1. An experiment is the
 * base amended by its factor values (scenarioAmender: the file is read once, each amendment merged
 * as --set merges it), replication r with replicationSeed(scenario seed, r) as compare does, so
 * every experiment sees the same random numbers. Besides the design's experiments it runs the base
 * case and each factor alone at its ends (the tornado), and bisects NPV's switching value per range
 * factor. Writes experiments.arrow (one row per experiment × replication), sweep.json (the
 * SweepReport), report.html and a manifest sealing them; with --keep-runs a run directory per row.
 */
import {
  bisectionResult,
  type Bisection,
  bootstrapResamples,
  type Design,
  type Factor,
  fullFactorial,
  latinHypercube,
  morrisEffects,
  morrisTrajectories,
  parseCondition,
  prim,
  saltelli,
  sobolIndices,
  startBisection,
  stepBisection,
  tornado
} from "@devosim/analysis"
import { compareCodePoints, ENGINE_VERSION, formatPoundsCompact, forTerminal, type RecordField, type RecordTable, replicationSeed, type RunStarted, type Scenario, streamFor } from "@devosim/core"
import { decideCentre } from "@devosim/engine"
import { renderSweepReport } from "@devosim/report"
import type { ReplicationFigures, SweepDiscovery, SweepFactor, SweepOutcomeTornado, SweepReport, SweepSwitchingValue, SweepTornadoBar } from "@devosim/report"
import { experimentsOfText, type LoadedVariant, overrideOf, parseSetting, runScenarioFormat, type ScenarioAmender, scenarioAmender, type Setting } from "@devosim/scenario"
import { decodeFloat64Columns, decodeTable, encodeParquet, encodeRecordTable, sha256Hex, SWEEP_FORMAT_MANIFEST, verifyRunDirectory } from "@devosim/store"
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import * as path from "node:path"
import { checkReplications, checkWorkers, count, loadOrBadInput, parseSettings, replicate, rounded, STDIN, writeRunOut } from "./commands.ts"
import { badFlag, badInput, failure, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { progress } from "./progress.ts"
import { replicationWorkersFor } from "./replicate.ts"
import { jobDataOf, readRowsResult } from "./queue-protocol.ts"
import { RowThreads } from "./row-threads.ts"
import { writeRunFiles } from "./run-files.ts"
import { shardedLogChunks } from "./shards.ts"
import { jsonHead, say, sayJson } from "./say.ts"

export const SWEEP_TABLE_FORMAT = "experiments/1"
export const SWEEP_RESULTS_FORMAT = "devosim-sweep-results/1"
export const DESIGNS = ["full_factorial", "lhs", "sobol", "morris"] as const
export type DesignName = (typeof DESIGNS)[number]

/** Default samples: experiments (lhs), base points (sobol), trajectories (morris), levels per range (full_factorial). */
const DEFAULT_SAMPLES: Record<DesignName, number> = { full_factorial: 2, lhs: 100, sobol: 64, morris: 10 }
/** Morris grid levels. */
const MORRIS_LEVELS = 4
/** Bootstrap resamples for the Sobol intervals (SALib's default is 100). */
const SOBOL_RESAMPLES = 200
/** Runs past this: stop before running (a mistyped --samples). */
const MAX_RUNS = 2_000_000
/** A field held to no grain is bisected to this share of its range. */
const FREE_BISECTION_SHARE = 2 ** -16
/** The level of a variants factor that is the file as it stands. */
export const BASE_LEVEL = "base"
/** The outcome whose switching values are found (the Green Book's: where NPV crosses 0). */
const SWITCHING_OUTCOME = "npv_pence"

/** A factor as swept: its column name, its role, and how a design coordinate becomes an amendment. */
export interface SweptFactor {
  readonly name: string
  readonly role: "lever" | "uncertainty"
  readonly kind: "range" | "levels" | "variants"
  /** The --set path (range, levels); empty for a variants factor. */
  readonly segments: ReadonlyArray<string>
  readonly low: number
  readonly high: number
  /** Levels' values (levels) or variant names (variants); empty for a range. */
  readonly levels: ReadonlyArray<unknown>
  /** For a range: the rounding its field needs (integer fields take integers). */
  readonly rounding: "none" | "hundredths" | "integer"
  /** Every level a number (or a range): the column is Float64; otherwise Utf8. */
  readonly numeric: boolean
}

/**
 * A point of the sweep: per factor, a value as run (a range's rounded value; a level's index), or
 * undefined for the base case's value (the scenario's own, with --set).
 */
export type Point = ReadonlyArray<number | undefined>

/** What every run of a sweep is made from: the file read once, the --set settings, the factors. */
export interface SweepPlan {
  readonly amender: ScenarioAmender
  readonly settings: ReadonlyArray<Setting>
  readonly factors: ReadonlyArray<SweptFactor>
  readonly replications: number
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n"

const roundTo = (rounding: SweptFactor["rounding"], v: number): number => (rounding === "integer" ? Math.round(v) : rounding === "hundredths" ? Math.round(v * 100) / 100 : v)

/** The design's coordinate as run: a range's value rounded as its field holds it; a level's index as it is. */
const asRun = (f: SweptFactor, v: number): number => (f.kind === "range" ? roundTo(f.rounding, v) : v)

/** The value experiments.arrow holds for factor f at v: the number, or a level's text. */
const cellOf = (f: SweptFactor, v: number): number | string => {
  if (f.kind === "range") return v
  const level = f.levels[v]
  return f.numeric ? (level as number) : typeof level === "string" ? level : JSON.stringify(level)
}

/** The amendment of a point: --set's settings, then each set factor's (a variants factor names the variant merged first). */
const amendmentOf = (plan: SweepPlan, point: Point): { readonly override: Record<string, unknown>; readonly variant: string | undefined } => {
  const settings = [...plan.settings]
  let variant: string | undefined
  plan.factors.forEach((f, j) => {
    const v = point[j]
    if (v === undefined) return
    if (f.kind === "variants") {
      const name = f.levels[v] as string
      variant = name === BASE_LEVEL ? undefined : name
    } else settings.push({ path: f.segments, value: f.kind === "range" ? v : f.levels[v], text: "" })
  })
  return { override: overrideOf(settings), variant }
}

/** The words of a point for messages: `centre.capacity=12, rollout=all-at-once`. */
const describePoint = (plan: SweepPlan, point: Point): string =>
  plan.factors.flatMap((f, j) => (point[j] === undefined ? [] : [`${f.name}=${JSON.stringify(cellOf(f, point[j]))}`])).join(", ") || "the base case"

/** The point's scenario compiled (with `seed`: its uncertain inputs drawn from that seed's streams). */
export const compilePoint = (plan: SweepPlan, point: Point, seed?: number) => {
  const { override, variant } = amendmentOf(plan, point)
  return plan.amender.amend(override, { variant, seed })
}

/**
 * The K replications' scenarios of each point, point-major: replication r seeded
 * replicationSeed(seed, r); a scenario with uncertain inputs compiled again with that seed, so each
 * replication draws its own inputs from the same streams in every experiment.
 */
export const replicationScenarios = (plan: SweepPlan, points: ReadonlyArray<Point>): Array<Scenario> | UserFacingError => rowScenarios(plan, points, 0, points.length * plan.replications)

const designOf = (name: DesignName, samples: number, factors: ReadonlyArray<Factor>, seed: number): Design => {
  // One RNG derivation: the design's stream from its seed, like every stream (core's streamFor).
  const rng = streamFor(seed, "experiments", `design:${name}`)
  switch (name) {
    case "full_factorial":
      return fullFactorial(factors, { levels: samples })
    case "lhs":
      return latinHypercube(samples, factors, rng)
    case "sobol":
      return saltelli(samples, factors, { rng })
    case "morris":
      return morrisTrajectories(samples, factors, MORRIS_LEVELS, rng)
  }
}

/** Experiments' count of a design before it is drawn, to refuse a huge one up front. */
const experimentCount = (name: DesignName, samples: number, factors: ReadonlyArray<SweptFactor>): number => {
  const k = factors.length
  switch (name) {
    case "full_factorial":
      return factors.reduce((n, f) => n * (f.kind === "range" ? samples : f.levels.length), 1)
    case "lhs":
      return samples
    case "sobol":
      return samples * (k + 2)
    case "morris":
      return samples * (k + 1)
  }
}

/** The outcomes sensitivity is reported for: NPV, savings, coverage months and each agency's net position. */
const isKeyOutcome = (name: string) => name === "npv_pence" || name === "savings_realised_pence" || /^coverage_\d+pct_months$/.test(name) || /^net_position_.+_pence$/.test(name)

/** JSON's view of a figure: NaN (undefined, e.g. coverage never reached) as null. */
const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** The points the tornado needs: the base case, then each factor alone at each end (range) or level. */
const tornadoPoints = (factors: ReadonlyArray<SweptFactor>): { readonly points: Array<Point>; readonly at: Array<Array<number>> } => {
  const base: Point = factors.map(() => undefined)
  const points: Array<Point> = [base]
  const at: Array<Array<number>> = []
  factors.forEach((f, j) => {
    const values = f.kind === "range" ? [f.low, f.high] : f.levels.map((_, i) => i)
    at.push(values.map((v) => {
      points.push(factors.map((_, i) => (i === j ? v : undefined)))
      return points.length - 1
    }))
  })
  return { points, at }
}

/** Each figure's mean over the K replications of each point, by name (NaN if any replication has none). */
const meansOf = (results: ReadonlyArray<ReplicationFigures>, points: number, K: number, outcome: string): Float64Array => {
  const Y = new Float64Array(points)
  for (let p = 0; p < points; p++) {
    let s = 0
    for (let r = 0; r < K; r++) s += results[p * K + r]!.values.get(outcome) ?? Number.NaN
    Y[p] = s / K
  }
  return Y
}

export const checkSweepFlags = (args: SweepArgs) =>
  Effect.gen(function* () {
    yield* checkReplications(args.replications)
    yield* checkWorkers(args.workers)
    if (args.design !== undefined && !(DESIGNS as ReadonlyArray<string>).includes(args.design)) {
      return yield* badFlag(`--design: expected one of ${DESIGNS.join(", ")}, found ${forTerminal(JSON.stringify(args.design))}`)
    }
    if (args.samples !== undefined && !(Number.isInteger(args.samples) && args.samples >= 1)) return yield* badFlag(`--samples: expected a whole number >= 1, found ${args.samples}`)
    if (args.seed !== undefined && !Number.isSafeInteger(args.seed)) return yield* badFlag(`--seed: expected a safe integer, found ${args.seed}`)
  })

/**
 * The factors of the file's section, each checked on the base case (--set applied) at its ends or
 * levels, so a bad path or value is the factor's message before anything runs.
 */
const factorsOf = (file: string, text: string, amender: ScenarioAmender, settings: ReadonlyArray<Setting>) =>
  Effect.gen(function* () {
    const section = experimentsOfText(text)
    const specs = [
      ...(section?.levers ?? []).map((spec, i) => ({ spec, role: "lever" as const, at: `experiments.levers[${i}]` })),
      ...(section?.uncertainties ?? []).map((spec, i) => ({ spec, role: "uncertainty" as const, at: `experiments.uncertainties[${i}]` }))
    ]
    if (specs.length === 0) return yield* badInput(`${forTerminal(file)}: experiments: expected levers or uncertainties to sweep ({ path, low, high }, { path, levels } or { name, variants }), found ${section === undefined ? "no experiments section" : "none"}`)
    const factors: Array<SweptFactor> = []
    const alone = (f: SweptFactor, v: number) => compilePoint({ amender, settings, factors: [f], replications: 1 }, [v])
    for (const { spec, role, at } of specs) {
      const name = "variants" in spec ? spec.name : spec.path
      if (factors.some((f) => f.name === name)) return yield* badInput(`${forTerminal(file)}: ${at}: expected a factor not swept already, found ${forTerminal(JSON.stringify(name))} twice`)
      let factor: SweptFactor
      if ("variants" in spec) {
        if (factors.some((f) => f.kind === "variants")) return yield* badInput(`${forTerminal(file)}: ${at}: expected one variants factor (an experiment merges one variant), found a second, ${forTerminal(JSON.stringify(name))}`)
        for (const v of spec.variants) {
          if (v !== BASE_LEVEL && !amender.variants.includes(v)) {
            return yield* badInput(`${forTerminal(file)}: ${at}.variants: expected base or one of the file's variants (${amender.variants.map((n) => forTerminal(n)).join(", ") || "it has none"}), found ${forTerminal(JSON.stringify(v))}`)
          }
        }
        if (amender.variants.includes(BASE_LEVEL)) return yield* badInput(`${forTerminal(file)}: ${at}.variants: the file has a variant named base, which a variants factor cannot tell from the file as it stands; rename it`)
        factor = { name, role, kind: "variants", segments: [], low: 0, high: spec.variants.length - 1, levels: spec.variants, rounding: "none", numeric: false }
      } else {
        const parsed = parseSetting(`${spec.path}=0`)
        if (!parsed.ok) return yield* badInput(`${forTerminal(file)}: ${at}.path: ${forTerminal(parsed.message.replace(/^--set /, ""))}`)
        const segments = parsed.setting.path
        if ("levels" in spec) {
          factor = { name, role, kind: "levels", segments, low: 0, high: spec.levels.length - 1, levels: spec.levels, rounding: "none", numeric: spec.levels.every((v) => typeof v === "number") }
        } else {
          if (!(spec.low <= spec.high)) return yield* badInput(`${forTerminal(file)}: ${at}: expected low <= high, found low ${spec.low} and high ${spec.high}`)
          const draft: SweptFactor = { name, role, kind: "range", segments, low: spec.low, high: spec.high, levels: [], rounding: "none", numeric: true }
          // A value inside the range that is neither whole nor in hundredths: what the field refuses tells its grain.
          const probe = spec.low + (spec.high - spec.low) * 0.318309886183791
          let rounding: SweptFactor["rounding"] = "none"
          for (const r of ["none", "hundredths", "integer"] as const) {
            rounding = r
            if (alone(draft, roundTo(r, probe)).ok) break
          }
          factor = { ...draft, rounding, low: roundTo(rounding, spec.low), high: roundTo(rounding, spec.high) }
        }
      }
      const ends = factor.kind === "range" ? [factor.low, factor.high] : factor.levels.map((_, i) => i)
      for (const v of ends) {
        const out = alone(factor, v)
        if (!out.ok) return yield* badInput(`${forTerminal(file)}: ${at} (${forTerminal(name)} = ${forTerminal(JSON.stringify(cellOf(factor, v)))}): ${forTerminal(out.error.message.replace(/^--set: /, ""))}`)
      }
      factors.push(factor)
    }
    return { factors, section }
  })

export interface SweepArgs {
  readonly file: string
  readonly design?: string | undefined
  readonly samples?: number | undefined
  readonly replications: number
  readonly seed?: number | undefined
  readonly out?: string | undefined
  readonly force: boolean
  readonly quiet: boolean
  readonly json: boolean
  readonly workers?: number | undefined
  readonly where?: string | undefined
  readonly sets?: ReadonlyArray<string> | undefined
  readonly keepRuns?: boolean | undefined
  readonly parquet?: boolean | undefined
  readonly shard?: string | undefined
}

/**
 * A sweep as data, the same on every machine that runs a part of it: the file (by its hash), the
 * design, the factors as resolved on the base (their grain found by compiling), the settings and
 * the condition. Its sha256 names the sweep in shard parts and queue jobs.
 */
export interface SweepSpec {
  readonly file: string
  readonly input_sha256: string
  readonly scenario: string
  readonly scenario_seed: number
  readonly design: DesignName
  readonly samples: number
  readonly seed: number
  readonly replications: number
  readonly settings: ReadonlyArray<string>
  readonly factors: ReadonlyArray<SweptFactor>
  readonly where: string | null
}

export const specSha256 = (spec: SweepSpec): string => sha256Hex(new TextEncoder().encode(JSON.stringify(spec)))

/** The design's experiments as run: the values (a range rounded as its field needs; levels by index) and a point per experiment. */
export const sweepDesign = (spec: SweepSpec) => {
  const analysisFactors: Array<Factor> = spec.factors.map((f) => (f.kind === "range" ? { name: f.name, low: f.low, high: f.high } : { name: f.name, levels: f.levels.map((_, i) => i) }))
  const design = designOf(spec.design, spec.samples, analysisFactors, spec.seed)
  const { n, k } = design
  const values = new Float64Array(n * k)
  for (let e = 0; e < n; e++) for (let j = 0; j < k; j++) values[e * k + j] = asRun(spec.factors[j]!, design.values[e * k + j]!)
  const points: Array<Point> = Array.from({ length: n }, (_, e) => Array.from(values.subarray(e * k, (e + 1) * k)))
  return { design, values, points, rows: n * spec.replications }
}

/** The scenarios of rows [from, to) (row = experiment × K + replication), compiled once per experiment. */
export const rowScenarios = (plan: SweepPlan, points: ReadonlyArray<Point>, from: number, to: number): Array<Scenario> | UserFacingError => {
  const K = plan.replications
  const out: Array<Scenario> = []
  let e = -1
  let first: Scenario | undefined
  for (let row = from; row < to; row++) {
    const at = Math.floor(row / K)
    const r = row % K
    const point = points[at]!
    if (at !== e) {
      e = at
      const compiled = compilePoint(plan, point)
      if (!compiled.ok) return badInput(`${describePoint(plan, point)}: ${forTerminal(compiled.error.message)}`)
      first = compiled.value.scenario
    }
    const sc = first!
    if (r === 0) out.push(sc)
    else if (sc.inputs === undefined) out.push({ ...sc, seed: replicationSeed(sc.seed, r) })
    else {
      const again = compilePoint(plan, point, replicationSeed(sc.seed, r))
      if (!again.ok) return badInput(`${describePoint(plan, point)}, replication ${r}: ${forTerminal(again.error.message)}`)
      out.push(again.value.scenario)
    }
  }
  return out
}

/** Runs each scenario once (each is one replication: its seed is set), on the worker pool; a progress line on stderr. */
export const runOnce = (batch: ReadonlyArray<Scenario>, what: string, options: { readonly quiet: boolean; readonly workers?: number | undefined }) =>
  Effect.gen(function* () {
    const bar = progress(what, batch.length, options.quiet)
    const results = yield* abortable(
      (signal) => replicate(batch, 1, "figures", replicationWorkersFor(batch, 1, options.workers), bar.tick, signal),
      (e) => failure(forTerminal(e instanceof Error ? e.message : String(e)))
    ).pipe(Effect.ensuring(Effect.sync(bar.done)))
    return results.map((one) => one[0]!)
  })

/** A sweep's rows: the outcome names in the order they first appear over the rows, and a column of each (NaN where a row has none). */
export interface RowOutcomes {
  /** Each row's seed (replicationSeed of its scenario's seed: a variant may set its own). */
  readonly seeds: Float64Array
  readonly outcomes: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Float64Array>
}

export const rowOutcomesOf = (figures: ReadonlyArray<ReplicationFigures>, scenarios: ReadonlyArray<Scenario>): RowOutcomes => {
  const outcomes: Array<string> = []
  const seen = new Set<string>()
  for (const one of figures) for (const name of one.values.keys()) if (!seen.has(name)) (seen.add(name), outcomes.push(name))
  const columns = outcomes.map((o) => Float64Array.from(figures, (one) => one.values.get(o) ?? Number.NaN))
  return { seeds: Float64Array.from(scenarios, (sc) => sc.seed), outcomes, columns }
}

/** Rows of a block: RowOutcomes, or a part's or a queued job's rows as read back. */
export interface BlockRows {
  readonly seeds: ArrayLike<number>
  readonly outcomes: ReadonlyArray<string>
  readonly columns: ReadonlyArray<Float64Array>
}

/**
 * The sweep's rows from its blocks (tiling [0, T) in row order), the one join of the local sweep's
 * batches, a merge's parts and a queue's jobs: the outcomes in the order they first appear over
 * all rows (each block's own order, blocks in row order, deduplicated); NaN where a row has none.
 */
export const joinBlocks = (T: number, blocks: ReadonlyArray<{ readonly from: number; readonly result: BlockRows }>): RowOutcomes => {
  const outcomes: Array<string> = []
  const seen = new Set<string>()
  for (const b of blocks) for (const o of b.result.outcomes) if (!seen.has(o)) (seen.add(o), outcomes.push(o))
  const index = new Map(outcomes.map((o, j) => [o, j]))
  const seeds = new Float64Array(T)
  const columns = outcomes.map(() => new Float64Array(T).fill(Number.NaN))
  for (const { from, result } of blocks) {
    seeds.set(result.seeds, from)
    // Copied as bytes (set), so every NaN keeps its bits.
    result.outcomes.forEach((o, j) => columns[index.get(o)!]!.set(result.columns[j]!, from))
  }
  return { seeds, outcomes, columns }
}

/** Rows compiled and run at most this many at a time: scenarios are large (~100 kB each), their figures small. */
const ROWS_PER_BATCH = 2048

/** Runs rows [from, to) of the sweep a batch at a time, under one progress line: their outcomes. */
export const runRows = (plan: SweepPlan, points: ReadonlyArray<Point>, from: number, to: number, what: string, options: { readonly quiet: boolean; readonly workers?: number | undefined; readonly spec?: SweepSpec | undefined }) =>
  Effect.gen(function* () {
    const bar = progress(what, to - from, options.quiet)
    const threads = options.spec === undefined || options.spec.file === STDIN ? 0 : rowThreadsFor(plan, to - from, options.workers)
    if (threads > 0) return yield* rowsOnThreads(options.spec!, from, to, threads, bar).pipe(Effect.ensuring(Effect.sync(bar.done)))
    const blocks: Array<{ readonly from: number; readonly result: RowOutcomes }> = []
    for (let a = from; a < to; a += ROWS_PER_BATCH) {
      const b = Math.min(to, a + ROWS_PER_BATCH)
      const batch = rowScenarios(plan, points, a, b)
      if (batch instanceof UserFacingError) return yield* Effect.fail(batch).pipe(Effect.ensuring(Effect.sync(bar.done)))
      const results = yield* abortable(
        (signal) => replicate(batch, 1, "figures", 0, bar.tick, signal),
        (e) => failure(forTerminal(e instanceof Error ? e.message : String(e)))
      ).pipe(Effect.tapError(() => Effect.sync(bar.done)))
      // Only the rows' seeds and figures are kept: a batch's scenarios go once it has run.
      blocks.push({ from: a - from, result: rowOutcomesOf(results.map((one) => one[0]!), batch) })
    }
    bar.done()
    return joinBlocks(to - from, blocks)
  })

/** Threads for a sweep's rows: --workers, else the machine's cores unless the rows are small together (as replications are). */
const rowThreadsFor = (plan: SweepPlan, rows: number, requested: number | undefined): number => {
  const base = plan.amender.base.scenario
  return replicationWorkersFor([base], rows, requested)
}

/**
 * Rows [from, to) on `threads` worker threads, each building the plan from the file itself and
 * compiling and running a block of rows at a time (the threads of devosim worker's jobs), so
 * neither scenarios nor their copies sit on the main thread. Blocks are small enough that every
 * thread has several (the last ones finish together) and large enough that a block's hand-over
 * is a small share of its runs.
 */
const rowsOnThreads = (spec: SweepSpec, from: number, to: number, threads: number, bar: { readonly tick: () => void }) =>
  abortable(
    async (signal) => {
      const sha = specSha256(spec)
      const size = Math.max(16, Math.min(512, Math.ceil((to - from) / (threads * 8))))
      const pending: Array<readonly [number, number]> = []
      for (let a = from; a < to; a += size) pending.push([a, Math.min(to, a + size)])
      const pool = new RowThreads(threads)
      const onAbort = () => void pool.close()
      signal.addEventListener("abort", onAbort, { once: true })
      const blocks: Array<{ readonly from: number; readonly result: BlockRows }> = []
      try {
        const lane = async (): Promise<void> => {
          for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
            signal.throwIfAborted()
            const [a, b] = next
            const done = await pool.run(spec.file, jobDataOf(spec, sha, a, b))
            signal.throwIfAborted()
            if (!done.ok) throw new UserFacingError({ message: `rows ${a}..${b - 1}: ${done.message}`, exitCode: done.final ? 2 : 1 })
            const result = readRowsResult(done.result, b - a)
            if (typeof result === "string") throw new UserFacingError({ message: `rows ${a}..${b - 1}: a worker thread's result: ${result}`, exitCode: 1 })
            blocks.push({ from: a - from, result })
            for (let i = a; i < b; i++) bar.tick()
          }
        }
        await Promise.all(Array.from({ length: threads }, lane))
      } finally {
        signal.removeEventListener("abort", onAbort)
        await pool.close()
      }
      blocks.sort((x, y) => x.from - y.from)
      return joinBlocks(to - from, blocks)
    },
    (e) => (e instanceof UserFacingError ? e : failure(forTerminal(e instanceof Error ? e.message : String(e))))
  )

/**
 * What a sweep runs besides its design's rows, from the base case alone: each figure's mean over
 * the K replications of the tornado's points (the base case, each factor alone at its ends or
 * levels), and NPV's switching values. Plain JSON (NaN as null), so a shard can carry it.
 */
export interface SweepExtras {
  readonly oat_means: Readonly<Record<string, ReadonlyArray<number | null>>>
  readonly switching_values?: ReadonlyArray<SweepSwitchingValue>
}

export const runExtras = (plan: SweepPlan, options: { readonly quiet: boolean; readonly workers?: number | undefined }) =>
  Effect.gen(function* () {
    const { factors, replications: K } = plan
    const oat = tornadoPoints(factors)
    const batch = replicationScenarios(plan, oat.points)
    if (batch instanceof UserFacingError) return yield* batch
    const results = yield* runOnce(batch, `the tornado: ${count(oat.points.length, "one-factor point")} × ${count(K, "replication")}`, options)
    const names = rowOutcomesOf(results, batch).outcomes
    const means = Object.fromEntries(names.map((o) => [o, meansOf(results, oat.points.length, K, o)]))
    const extras: { oat_means: Record<string, ReadonlyArray<number | null>>; switching_values?: ReadonlyArray<SweepSwitchingValue> } = {
      oat_means: Object.fromEntries(names.map((o) => [o, Array.from(means[o]!, orNull)]))
    }
    const npvAt = means[SWITCHING_OUTCOME]
    if (npvAt === undefined) return extras
    // Switching values: NPV's crossing of 0 per range factor, every factor's bisection a step at a time, each step one batch of runs.
    const ranges = factors.flatMap((f, j) => (f.kind === "range" && f.low < f.high ? [j] : []))
    const grainOf = (f: SweptFactor) => (x: number) => roundTo(f.rounding, x)
    const tolOf = (f: SweptFactor) => (f.rounding === "integer" ? 1 : f.rounding === "hundredths" ? 0.01 : (f.high - f.low) * FREE_BISECTION_SHARE)
    const states = new Map<number, Bisection>(
      ranges.map((j) => {
        const f = factors[j]!
        const [lo, hi] = oat.at[j]!
        return [j, startBisection(f.low, f.high, npvAt[lo!]!, npvAt[hi!]!, tolOf(f), grainOf(f))]
      })
    )
    // At most this many steps each: halvings of the range down to the tolerance.
    const planned = [...states].reduce((s, [j, b]) => s + (b.next === undefined ? 0 : Math.ceil(Math.log2((factors[j]!.high - factors[j]!.low) / tolOf(factors[j]!)))), 0)
    const bar = progress(`switching values of NPV: ${count(states.size, "factor")}, up to ${count(planned, "bisection step")} × ${count(K, "replication")}`, planned * K, options.quiet)
    for (;;) {
      const stepping = [...states].filter(([, b]) => b.next !== undefined)
      if (stepping.length === 0) break
      const points: Array<Point> = stepping.map(([j, b]) => factors.map((_, i) => (i === j ? b.next : undefined)))
      const step = replicationScenarios(plan, points)
      if (step instanceof UserFacingError) return yield* step
      const got = yield* abortable(
        (signal) => replicate(step, 1, "figures", replicationWorkersFor(step, 1, options.workers), bar.tick, signal),
        (e) => failure(forTerminal(e instanceof Error ? e.message : String(e)))
      ).pipe(Effect.ensuring(Effect.sync(bar.done)))
      const npv = meansOf(got.map((x) => x[0]!), points.length, K, SWITCHING_OUTCOME)
      stepping.forEach(([j, b], i) => states.set(j, stepBisection(b, npv[i]!)))
    }
    bar.done()
    extras.switching_values = [...states].map(([j, b]): SweepSwitchingValue => {
      const f = factors[j]!
      const found = bisectionResult(b)
      if (found.kind === "no-crossing") return { factor: f.name, kind: "no-crossing", at_low: orNull(found.atLow), at_high: orNull(found.atHigh), runs: found.evaluations * K }
      const [lo, hi] = b.a <= b.b ? [b.a, b.b] : [b.b, b.a]
      const [fLo, fHi] = b.a <= b.b ? [b.fa, b.fb] : [b.fb, b.fa]
      return {
        factor: f.name,
        kind: "crossing",
        value: found.value,
        bracket: [lo, hi],
        at_bracket: b.zero === undefined ? [fLo, fHi] : [0, 0],
        direction: npvAt[oat.at[j]![0]!]! > 0 ? "falling" : "rising",
        runs: found.evaluations * K
      }
    })
    return extras
  })

/** A --where that does not parse, or names no outcome: the condition and the parser's "column N: …". */
const whereError = (where: string, message: string) => badFlag(`--where ${forTerminal(JSON.stringify(where))}: ${forTerminal(message)}`)

/** The outputs of a sweep from its rows and extras (pure): experiments.arrow's table and sweep.json's report. Local, merged and queued sweeps all end here. */
export const assembleSweep = (spec: SweepSpec, rows: RowOutcomes, extras: SweepExtras): { readonly table: RecordTable; readonly report: SweepReport } | UserFacingError => {
  const { factors, replications: K } = spec
  const { design, values } = sweepDesign(spec)
  const n = design.n
  const k = design.k
  const { outcomes, columns } = rows
  const factorColumns = new Set(factors.map((f) => f.name))
  const clash = outcomes.find((o) => factorColumns.has(o) || o === "experiment" || o === "replication" || o === "seed")
  if (clash !== undefined) return badInput(`${forTerminal(spec.file)}: experiments: a factor is named like the outcome column ${forTerminal(clash)}; sweep another path or name the factor otherwise`)
  const keyOutcomes = outcomes.filter(isKeyOutcome)

  const table: RecordTable = {
    fields: [
      { name: "experiment", type: "int32", nullable: false },
      { name: "replication", type: "int32", nullable: false },
      { name: "seed", type: "int64", nullable: false },
      ...factors.map((f): RecordField => ({ name: f.name, type: f.numeric ? "float64" : "utf8", nullable: false })),
      ...outcomes.map((o): RecordField => ({ name: o, type: "float64", nullable: false }))
    ],
    rows: Array.from({ length: n * K }, (_, row) => {
      const e = Math.floor(row / K)
      const r = row % K
      const cells: Record<string, number | string> = { experiment: e, replication: r, seed: rows.seeds[row]! }
      factors.forEach((f, j) => (cells[f.name] = cellOf(f, values[e * k + j]!)))
      outcomes.forEach((o, i) => (cells[o] = columns[i]![row]!))
      return cells
    })
  }

  const mean = (col: Float64Array, e: number) => {
    let s = 0
    for (let r = 0; r < K; r++) s += col[e * K + r]!
    return s / K
  }
  const experimentMeans = Object.fromEntries(keyOutcomes.map((o) => [o, Float64Array.from({ length: n }, (_, e) => mean(columns[outcomes.indexOf(o)]!, e))]))
  const named = <T>(xs: ReadonlyArray<T>) => Object.fromEntries(xs.map((x, j) => [factors[j]!.name, x]))
  const oat = tornadoPoints(factors)

  const tornadoOf = (o: string): SweepOutcomeTornado => {
    const Y = (p: number) => extras.oat_means[o]?.[p] ?? Number.NaN
    const ends = factors.map((f, j) => {
      const at = oat.at[j]!.map(Y)
      if (f.kind === "range") return { lowIndex: 0, highIndex: 1, at }
      // Levels have no order: the bar runs from the level giving the lowest outcome to the one giving the highest.
      let lo = 0
      let hi = 0
      at.forEach((y, i) => {
        if (y < at[lo]! || Number.isNaN(at[lo]!)) lo = i
        if (y > at[hi]! || Number.isNaN(at[hi]!)) hi = i
      })
      return { lowIndex: lo, highIndex: hi, at }
    })
    const t = tornado(Y(0), ends.map((x) => x.at[x.lowIndex]!), ends.map((x) => x.at[x.highIndex]!))
    const bars = t.bars.map((b): SweepTornadoBar => {
      const f = factors[b.factor]!
      const x = ends[b.factor]!
      const valueAt = (i: number) => (f.kind === "range" ? (i === 0 ? f.low : f.high) : cellOf(f, i))
      return {
        factor: f.name,
        low_value: valueAt(x.lowIndex),
        high_value: valueAt(x.highIndex),
        low: orNull(b.low),
        high: orNull(b.high),
        swing: orNull(b.swing),
        ...(f.kind === "range" ? {} : { levels: x.at.map((m, i) => ({ level: cellOf(f, i), mean: orNull(m) })) })
      }
    })
    return { baseline: orNull(t.baseline), bars }
  }
  const sensitivity: { -readonly [P in keyof SweepReport["sensitivity"]]: SweepReport["sensitivity"][P] } = {
    tornado: Object.fromEntries(keyOutcomes.map((o) => [o, tornadoOf(o)]))
  }
  if (extras.switching_values !== undefined) sensitivity.switching_values = extras.switching_values
  if (K > 1) {
    // The law of total variance over the rows: within experiments (the replications' draws) plus between them (the factors).
    sensitivity.replication_spread = Object.fromEntries(
      keyOutcomes.map((o) => {
        const col = columns[outcomes.indexOf(o)]!
        const all = n * K
        let sum = 0
        for (let i = 0; i < all; i++) sum += col[i]!
        const grand = sum / all
        let total = 0
        let within = 0
        for (let e = 0; e < n; e++) {
          const m = experimentMeans[o]![e]!
          for (let r = 0; r < K; r++) {
            const y = col[e * K + r]!
            total += (y - grand) * (y - grand)
            within += (y - m) * (y - m)
          }
        }
        return [o, { variance: orNull(total / all), within_share: orNull(total > 0 ? within / total : Number.NaN) }]
      })
    )
  }
  if (spec.design === "sobol") {
    const bootstrap = bootstrapResamples(spec.samples, SOBOL_RESAMPLES, streamFor(spec.seed, "experiments", "sobol-bootstrap"))
    const interval = (x: { estimate: number; low: number; high: number }) => ({ estimate: orNull(x.estimate), low: orNull(x.low), high: orNull(x.high) })
    sensitivity.sobol = Object.fromEntries(
      keyOutcomes.map((o) => {
        const s = sobolIndices(experimentMeans[o]!, spec.samples, k, { bootstrap })
        return [o, { S1: named(s.firstOrder.map(interval)), ST: named(s.totalOrder.map(interval)), variance: orNull(s.variance) }]
      })
    )
    sensitivity.sobol_resamples = SOBOL_RESAMPLES
  }
  if (spec.design === "morris") {
    sensitivity.morris = Object.fromEntries(keyOutcomes.map((o) => [o, named(morrisEffects(design, experimentMeans[o]!).map((m) => ({ mu: orNull(m.mu), mu_star: orNull(m.muStar), sigma: orNull(m.sigma) })))]))
  }

  let discovery: SweepDiscovery | undefined
  if (spec.where !== null) {
    const parsed = parseCondition(spec.where, outcomes)
    if (!parsed.ok) return whereError(spec.where, parsed.message)
    const y = parsed.condition.evaluate(Object.fromEntries(outcomes.map((o, i) => [o, columns[i]!])))
    // PRIM over the rows of experiments.arrow: each factor's value (a level's index) per row.
    const X = factors.map((_, j) => Float64Array.from({ length: n * K }, (_, row) => values[Math.floor(row / K) * k + j]!))
    const hits = y.reduce((s, v) => s + v, 0)
    const result = hits === 0 ? undefined : prim(X, y, { names: factors.map((f) => f.name) })
    discovery = {
      condition: spec.where,
      rows: n * K,
      rows_meeting: hits,
      ...(result === undefined
        ? { box: null }
        : {
            trajectory: result.trajectory.map((s) => ({ coverage: s.coverage, density: s.density, mass: s.mass, count: s.count })),
            chosen_step: result.chosenStep,
            box: {
              coverage: result.chosen.coverage,
              density: result.chosen.density,
              mass: result.chosen.mass,
              count: result.chosen.count,
              // A levels factor is bounded by level index: its levels inside the box are named too.
              restricted: result.restrictions.map((x) => {
                const f = factors[x.dimension]!
                const inside = f.kind === "range" ? {} : { levels: f.levels.flatMap((_, i) => (i >= x.lower && i <= x.upper ? [cellOf(f, i)] : [])) }
                return { factor: x.name, lower: x.lower, upper: x.upper, ...inside, restricts_lower: x.restrictsLower, restricts_upper: x.restrictsUpper }
              })
            }
          })
    }
  }

  const report: SweepReport = {
    format: SWEEP_RESULTS_FORMAT,
    engine_version: ENGINE_VERSION,
    scenario: spec.scenario,
    file: spec.file,
    design: spec.design,
    samples: spec.samples,
    experiments: n,
    replications: K,
    seed: spec.seed,
    scenario_seed: spec.scenario_seed,
    settings: spec.settings,
    factors: factors.map((f): SweepFactor => ({
      name: f.name,
      role: f.role,
      kind: f.kind,
      ...(f.kind === "range" ? { low: f.low, high: f.high, rounding: f.rounding } : { levels: f.levels.map((_, i) => cellOf(f, i)) })
    })),
    outcomes,
    key_outcomes: keyOutcomes,
    means_per_experiment: Object.fromEntries(keyOutcomes.map((o) => [o, Array.from(experimentMeans[o]!, orNull)])),
    sensitivity,
    ...(discovery === undefined ? {} : { discovery })
  }
  return { table, report }
}

/** The sweep's plan and spec from the command line: the file read once, the factors checked on the base case. */
export const planSweep = (args: Pick<SweepArgs, "file" | "design" | "samples" | "replications" | "seed" | "where" | "sets">) =>
  Effect.gen(function* () {
    const settings = yield* parseSettings(args.sets ?? [])
    const file = args.file
    const base = yield* loadOrBadInput(file)
    const text = base.asRunText
    const made = scenarioAmender(text, file, { format: runScenarioFormat(text) })
    if (!made.ok) return yield* badInput(forTerminal(made.error.message))
    const amender = made.value
    if (settings.length > 0) {
      const amended = amender.amend(overrideOf(settings))
      if (!amended.ok) return yield* badFlag(forTerminal(amended.error.message))
    }
    const { factors, section } = yield* factorsOf(file, text, amender, settings)
    const K = args.replications
    const plan: SweepPlan = { amender, settings, factors, replications: K }
    const design: DesignName = (args.design ?? section?.design ?? "lhs") as DesignName
    const samples = args.samples ?? section?.samples ?? DEFAULT_SAMPLES[design]
    const planned = experimentCount(design, samples, factors)
    if (planned * K > MAX_RUNS) return yield* badFlag(`--samples: ${count(planned, "experiment")} × ${count(K, "replication")} is more than ${MAX_RUNS.toLocaleString("en-GB")} runs; ask for fewer`)
    const spec: SweepSpec = {
      file,
      input_sha256: base.inputSha256,
      scenario: base.scenario.name,
      scenario_seed: base.scenario.seed,
      design,
      samples,
      seed: args.seed ?? section?.seed ?? base.scenario.seed,
      replications: K,
      settings: settings.map((s) => s.text),
      factors,
      where: args.where ?? null
    }
    // A condition that names no outcome is refused before anything runs (the outcomes are known once a run has).
    return { plan, spec }
  })

/** Writes a sweep's directory: experiments.arrow (and .parquet), sweep.json, report.html, kept runs, the manifest. */
export const writeSweep = (
  out: string,
  spec: SweepSpec,
  assembled: { readonly table: RecordTable; readonly report: SweepReport },
  options: { readonly force: boolean; readonly parquet: boolean; readonly quiet: boolean; readonly keep?: { readonly plan: SweepPlan; readonly points: ReadonlyArray<Point> } | undefined }
) => {
  const { n, replications: K } = { n: assembled.report.experiments, replications: spec.replications }
  const width = { e: Math.max(4, String(n - 1).length), r: Math.max(2, String(K - 1).length) }
  const runDirOf = (e: number, r: number) => `runs/e${String(e).padStart(width.e, "0")}-r${String(r).padStart(width.r, "0")}`
  return writeRunOut(out, options.force, async (dir, signal) => {
    const experiments = encodeRecordTable(assembled.table, SWEEP_TABLE_FORMAT)
    await dir.writeFile("experiments.arrow", experiments)
    // The same table for readers without Arrow IPC (DuckDB without its arrow extension).
    if (options.parquet) await dir.writeFile("experiments.parquet", encodeParquet(experiments))
    await dir.writeFile("sweep.json", json(assembled.report))
    await dir.writeFile("report.html", renderSweepReport(assembled.report))
    const keep = options.keep
    if (keep !== undefined) {
      const bar = progress(`run directories: ${count(n * K, "run")}`, n * K, options.quiet)
      try {
        for (let e = 0; e < n; e++) {
          const compiled = compilePoint(keep.plan, keep.points[e]!)
          if (!compiled.ok) throw badInput(compiled.error.message)
          const scenarios = rowScenarios(keep.plan, keep.points, e * K, (e + 1) * K)
          if (scenarios instanceof UserFacingError) throw scenarios
          for (let r = 0; r < K; r++) {
            const decisions = decideCentre(scenarios[r]!)
            await writeRunFiles(dir, runDirOf(e, r), compiled.value, decisions.controls[0] as RunStarted, shardedLogChunks(decisions, 0), { parquet: false, ledger: false, report: false }, signal)
            bar.tick()
          }
        }
      } finally {
        bar.done()
      }
    }
    const files = [...dir.files()].sort((a, b) => compareCodePoints(a.name, b.name))
    await dir.writeFile(
      "manifest.json",
      json({
        format: SWEEP_FORMAT_MANIFEST,
        engine_version: ENGINE_VERSION,
        input: spec.file,
        input_sha256: spec.input_sha256,
        ...(spec.settings.length === 0 ? {} : { settings: spec.settings }),
        ...(keep !== undefined ? { runs: Array.from({ length: n * K }, (_, i) => ({ experiment: Math.floor(i / K), replication: i % K, dir: runDirOf(Math.floor(i / K), i % K) })) } : {}),
        files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }]))
      })
    )
    return [...files.filter((f) => !f.name.startsWith("runs/")).map((f) => f.name), "manifest.json"]
  })
}

/**
 * --where checked against the outcomes of the tornado's runs (the base case and every factor's
 * every end and level: the rows' outcome names), before the rows run; assembleSweep checks it
 * again against the rows' own.
 */
export const checkWhere = (spec: SweepSpec, extras: SweepExtras) =>
  Effect.suspend(() => {
    if (spec.where === null) return Effect.void
    const parsed = parseCondition(spec.where, Object.keys(extras.oat_means))
    return parsed.ok ? Effect.void : Effect.fail(whereError(spec.where, parsed.message))
  })

/** Shard i of N: rows [⌊iT/N⌋, ⌊(i+1)T/N⌋) of the T rows, so the parts tile the rows in order. */
export const shardRows = (i: number, N: number, T: number): readonly [number, number] => [Math.floor((i * T) / N), Math.floor(((i + 1) * T) / N)]

export const parseShard = (text: string): { readonly ok: true; readonly i: number; readonly N: number } | { readonly ok: false; readonly message: string } => {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim())
  const i = m === null ? Number.NaN : Number(m[1])
  const N = m === null ? Number.NaN : Number(m[2])
  return m !== null && N >= 1 && N <= 100_000 && i < N ? { ok: true, i, N } : { ok: false, message: `--shard: expected i/N with 0 <= i < N <= 100000 (e.g. 0/3), found ${forTerminal(JSON.stringify(text))}` }
}

export const SWEEP_PART_FORMAT = "devosim-sweep-part/1"
export const PART_FILE = "part.json"
export const PART_ROWS_FILE = "rows.arrow"

/** A shard's rows as a table: experiment, replication and its outcomes in the order they first appear in its rows. */
const partTable = (from: number, K: number, rows: RowOutcomes): RecordTable => ({
  fields: [
    { name: "experiment", type: "int32", nullable: false },
    { name: "replication", type: "int32", nullable: false },
    { name: "seed", type: "int64", nullable: false },
    ...rows.outcomes.map((o): RecordField => ({ name: o, type: "float64", nullable: false }))
  ],
  rows: Array.from(rows.seeds, (seed, i) => {
    const cells: Record<string, number> = { experiment: Math.floor((from + i) / K), replication: (from + i) % K, seed }
    rows.outcomes.forEach((o, j) => (cells[o] = rows.columns[j]![i]!))
    return cells
  })
})

export const sweepCommand = Effect.fn("sweepCommand")(function* (args: SweepArgs) {
  yield* checkSweepFlags(args)
  const shard = args.shard === undefined ? undefined : parseShard(args.shard)
  if (shard !== undefined && !shard.ok) return yield* badFlag(shard.message)
  if (shard !== undefined && args.keepRuns === true) return yield* badFlag("--keep-runs: a shard keeps no runs (its part holds rows for merge); sweep without --shard to keep them")
  const { plan, spec } = yield* planSweep(args)
  const { points, rows: T } = sweepDesign(spec)
  const K = spec.replications
  const options = { quiet: args.quiet, workers: args.workers }
  const out = args.out ?? path.join("runs", `${path.basename(spec.file).replace(/\.(ya?ml|json)$/i, "")}-sweep${shard === undefined ? "" : `-part-${shard.i}`}`)

  if (shard !== undefined && shard.ok) {
    const [from, to] = shardRows(shard.i, shard.N, T)
    // The tornado's and the switching values' runs go with shard 0, so merge needs no scenario.
    const extras = shard.i === 0 ? yield* runExtras(plan, options) : undefined
    if (extras !== undefined) yield* checkWhere(spec, extras)
    const rows = yield* runRows(plan, points, from, to, `shard ${shard.i}/${shard.N}: rows ${from}..${to - 1} of ${T}`, { ...options, spec })
    const part = { format: SWEEP_PART_FORMAT, engine_version: ENGINE_VERSION, spec_sha256: specSha256(spec), shard: shard.i, shards: shard.N, rows: [from, to], spec, ...(extras === undefined ? {} : { extras }) }
    const files = yield* writeRunOut(out, args.force, async (dir) => {
      await dir.writeFile(PART_ROWS_FILE, encodeRecordTable(partTable(from, K, rows), SWEEP_TABLE_FORMAT))
      await dir.writeFile(PART_FILE, json(part))
      const listed = [...dir.files()].sort((a, b) => compareCodePoints(a.name, b.name))
      await dir.writeFile("manifest.json", json({ format: SWEEP_PART_FORMAT, engine_version: ENGINE_VERSION, input: spec.file, input_sha256: spec.input_sha256, files: Object.fromEntries(listed.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }])) }))
      return [...listed.map((f) => f.name), "manifest.json"]
    })
    if (args.json) return yield* sayJson({ ...jsonHead("sweep", out, files), shard: shard.i, shards: shard.N, rows: [from, to], spec_sha256: part.spec_sha256 })
    return yield* say(`sweep of ${forTerminal(spec.scenario)}, shard ${shard.i}/${shard.N}: rows ${from}..${to - 1} of ${T}${extras === undefined ? "" : ", and the tornado's and switching values' runs"}\noutputs in ${forTerminal(out)}/: ${files.join(", ")} (devosim merge the parts)`)
  }

  // The tornado's and switching values' runs first: a --where naming no outcome is refused before the rows run.
  const extras = yield* runExtras(plan, options)
  yield* checkWhere(spec, extras)
  const rows = yield* runRows(plan, points, 0, T, `${count(points.length, "experiment")} × ${count(K, "replication")}`, { ...options, spec })
  const assembled = assembleSweep(spec, rows, extras)
  if (assembled instanceof UserFacingError) return yield* assembled
  const keep = args.keepRuns === true
  const written = yield* writeSweep(out, spec, assembled, { force: args.force, parquet: args.parquet === true, quiet: args.quiet, keep: keep ? { plan, points } : undefined })
  if (args.json) return yield* sayJson({ ...jsonHead("sweep", out, written), sweep: assembled.report })
  yield* say(sweepLines(assembled.report, out, written, keep))
})

/** What the terminal is told: the sweep, the largest swings, the switching values, the PRIM box, the outputs. */
export const sweepLines = (s: SweepReport, out: string, files: ReadonlyArray<string>, keep: boolean): string => {
  const lines = [`sweep of ${forTerminal(s.scenario)}: ${count(s.experiments, "experiment")} (${s.design}, seed ${s.seed}) × ${count(s.replications, "replication")} over ${s.factors.map((f) => forTerminal(f.name)).join(", ")}`]
  const money = (p: number | null) => (p === null ? "–" : formatPoundsCompact(p))
  const months = (m: number | null) => (m === null ? "–" : rounded(m))
  const npv = s.sensitivity.tornado["npv_pence"]
  if (npv !== undefined) lines.push(`  NPV swing, one factor at a time from ${money(npv.baseline)}: ${npv.bars.map((b) => `${forTerminal(b.factor)} ${money(b.swing)}`).join(", ")}`)
  const coverage = s.sensitivity.tornado["coverage_50pct_months"]
  if (coverage !== undefined) lines.push(`  swing in months to 50% coverage from ${months(coverage.baseline)}: ${coverage.bars.map((b) => `${forTerminal(b.factor)} ${months(b.swing)}`).join(", ")}`)
  for (const v of s.sensitivity.switching_values ?? []) {
    lines.push(
      v.kind === "crossing"
        ? `  NPV crosses £0 at ${forTerminal(v.factor)} = ${rounded(v.value)} (between ${rounded(v.bracket[0])} and ${rounded(v.bracket[1])}; it falls below £0 as ${forTerminal(v.factor)} ${v.direction === "falling" ? "rises" : "falls"})`
        : `  no switching value of ${forTerminal(v.factor)} in its range: NPV ${money(v.at_low)} at its low end, ${money(v.at_high)} at its high end`
    )
  }
  const d = s.discovery
  if (d !== undefined) {
    lines.push(
      d.box === null
        ? `  --where ${forTerminal(d.condition)}: no row meets it`
        : `  --where ${forTerminal(d.condition)}: ${d.rows_meeting} of ${d.rows} rows; a box covering ${rounded(d.box.coverage * 100)}% of them at density ${rounded(d.box.density * 100)}%: ${
            d.box.restricted
              .map((x) => (x.levels !== undefined ? `${forTerminal(x.factor)} in {${x.levels.map((l) => forTerminal(String(l))).join(", ")}}` : `${rounded(x.lower)} <= ${forTerminal(x.factor)} <= ${rounded(x.upper)}`))
              .join(", ") || "no restriction"
          }`
    )
  }
  lines.push(`outputs in ${forTerminal(out)}/: ${files.join(", ")}${keep ? `, runs/ (a run directory per experiment × replication)` : ""}`)
  return lines.join("\n")
}

/** A part as merge reads it: where it is, what part.json says, its rows. */
interface ReadPart {
  readonly dir: string
  readonly shard: number
  readonly shards: number
  readonly rows: readonly [number, number]
  readonly spec: SweepSpec
  readonly specSha256: string
  readonly extras: SweepExtras | undefined
  readonly table: ReturnType<typeof decodeTable>
  readonly rowsBytes: Uint8Array
}

const readPart = (dir: string): ReadPart | UserFacingError => {
  const verdict = verifyRunDirectory(dir)
  if (!verdict.ok) return badInput(`${forTerminal(dir)}: not an intact part of a sweep: ${forTerminal(verdict.problems[0]!.file)}: ${forTerminal(verdict.problems[0]!.message)} (devosim verify ${forTerminal(dir)})`)
  if (verdict.format !== SWEEP_PART_FORMAT) return badInput(`${forTerminal(dir)}: expected a part of a sweep (devosim sweep … --shard i/N), found a directory of format ${forTerminal(JSON.stringify(verdict.format))}`)
  const part = JSON.parse(readFileSync(path.join(dir, PART_FILE), "utf8")) as { shard: number; shards: number; rows: [number, number]; spec: SweepSpec; spec_sha256: string; extras?: SweepExtras; engine_version: string }
  if (part.engine_version !== ENGINE_VERSION) return badInput(`${forTerminal(dir)}: written by devosim ${forTerminal(part.engine_version)}, this is ${ENGINE_VERSION}: run every part with one engine`)
  if (specSha256(part.spec) !== part.spec_sha256) return badInput(`${forTerminal(dir)}: ${PART_FILE}: its spec does not hash to its spec_sha256`)
  const rowsBytes = readFileSync(path.join(dir, PART_ROWS_FILE))
  return { dir, shard: part.shard, shards: part.shards, rows: part.rows, spec: part.spec, specSha256: part.spec_sha256, extras: part.extras, table: decodeTable(rowsBytes), rowsBytes }
}

/**
 * `devosim merge PART… --out DIR`: the parts of one sweep (the same file, design and settings by
 * their spec's hash, N shards each once, rows tiling 0..T−1 with no gap or overlap), joined into the
 * sweep's directory, the same bytes as the sweep run in one go.
 */
export const mergeCommand = Effect.fn("mergeCommand")(function* (args: { readonly parts: ReadonlyArray<string>; readonly out: string; readonly force: boolean; readonly parquet: boolean; readonly json: boolean }) {
  if (args.parts.length === 0) return yield* badFlag("merge: expected the parts' directories (devosim merge part-* --out DIR), found none")
  const parts: Array<ReadPart> = []
  for (const dir of args.parts) {
    const p = readPart(dir)
    if (p instanceof UserFacingError) return yield* p
    parts.push(p)
  }
  const first = parts[0]!
  for (const p of parts) {
    if (p.specSha256 !== first.specSha256) return yield* badInput(`${forTerminal(p.dir)}: a part of another sweep (spec ${p.specSha256.slice(0, 12)}…, ${forTerminal(first.dir)} has ${first.specSha256.slice(0, 12)}…): the same file, design, samples, seed, replications, --set and --where for every part`)
    if (p.shards !== first.shards) return yield* badInput(`${forTerminal(p.dir)}: shard ${p.shard}/${p.shards}, but ${forTerminal(first.dir)} is one of ${first.shards}`)
  }
  const N = first.shards
  const byShard = new Map<number, ReadPart>()
  for (const p of parts) {
    const again = byShard.get(p.shard)
    if (again !== undefined) return yield* badInput(`${forTerminal(p.dir)}: shard ${p.shard}/${N} again (${forTerminal(again.dir)} is it too): each part once`)
    byShard.set(p.shard, p)
  }
  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !byShard.has(i))
  if (missing.length > 0) return yield* badInput(`merge: expected all ${N} shards, missing ${missing.slice(0, 10).map((i) => `${i}/${N}`).join(", ")}${missing.length > 10 ? ", …" : ""}`)
  const spec = first.spec
  const T = sweepDesign(spec).rows
  const ordered = Array.from({ length: N }, (_, i) => byShard.get(i)!)
  for (const p of ordered) {
    const [from, to] = shardRows(p.shard, N, T)
    if (p.rows[0] !== from || p.rows[1] !== to || p.table.numRows !== to - from) return yield* badInput(`${forTerminal(p.dir)}: shard ${p.shard}/${N} holds rows ${p.rows[0]}..${p.rows[1] - 1} (${p.table.numRows}), expected ${from}..${to - 1}`)
  }
  // Each part's rows as a block, its outcome columns' bytes as written (a NaN keeps its bits).
  const rows = joinBlocks(
    T,
    ordered.map((p) => {
      const floats = decodeFloat64Columns(p.rowsBytes)
      return { from: p.rows[0], result: { seeds: p.table.columns["seed"]! as ReadonlyArray<number>, outcomes: floats.names, columns: floats.names.map((o) => floats.columns.get(o)!) } }
    })
  )
  const extras = byShard.get(0)!.extras
  if (extras === undefined) return yield* badInput(`${forTerminal(byShard.get(0)!.dir)}: shard 0 carries the tornado's and switching values' runs, and this one has none`)
  const assembled = assembleSweep(spec, rows, extras)
  if (assembled instanceof UserFacingError) return yield* assembled
  const written = yield* writeSweep(args.out, spec, assembled, { force: args.force, parquet: args.parquet, quiet: true })
  if (args.json) return yield* sayJson({ ...jsonHead("merge", args.out, written), parts: N, rows: T })
  yield* say([`merged ${count(N, "part")} of the sweep of ${forTerminal(spec.scenario)}: ${count(T, "row")}`, `outputs in ${forTerminal(args.out)}/: ${written.join(", ")}`].join("\n"))
})
