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
import type { ReplicationFigures, SweepDiscovery, SweepFactor, SweepOutcomeTornado, SweepReport, SweepSwitchingValue, SweepTornadoBar } from "@devosim/report"
import { experimentsOfText, type LoadedVariant, overrideOf, parseSetting, runScenarioFormat, type ScenarioAmender, scenarioAmender, type Setting } from "@devosim/scenario"
import { encodeParquet, encodeRecordTable, SWEEP_FORMAT_MANIFEST } from "@devosim/store"
import { Effect } from "effect"
import * as path from "node:path"
import { checkReplications, checkWorkers, count, loadOrBadInput, parseSettings, replicate, rounded, writeRunOut } from "./commands.ts"
import { badFlag, badInput, failure, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { progress } from "./progress.ts"
import { replicationWorkersFor } from "./replicate.ts"
import { writeRunFiles } from "./run-files.ts"
import { shardedLogChunks } from "./shards.ts"
import { say, sayJson } from "./say.ts"

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
export const replicationScenarios = (plan: SweepPlan, points: ReadonlyArray<Point>): Array<Scenario> | UserFacingError => {
  const out: Array<Scenario> = []
  for (const point of points) {
    const first = compilePoint(plan, point)
    if (!first.ok) return badInput(`${describePoint(plan, point)}: ${forTerminal(first.error.message)}`)
    const sc = first.value.scenario
    out.push(sc)
    for (let r = 1; r < plan.replications; r++) {
      const seed = replicationSeed(sc.seed, r)
      if (sc.inputs === undefined) {
        out.push({ ...sc, seed })
        continue
      }
      const again = compilePoint(plan, point, seed)
      if (!again.ok) return badInput(`${describePoint(plan, point)}, seed ${seed}: ${forTerminal(again.error.message)}`)
      out.push(again.value.scenario)
    }
  }
  return out
}

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

const checkSweepFlags = (args: SweepArgs) =>
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
}

export const sweepCommand = Effect.fn("sweepCommand")(function* (args: SweepArgs) {
  yield* checkSweepFlags(args)
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

  const designName: DesignName = (args.design ?? section?.design ?? "lhs") as DesignName
  const samples = args.samples ?? section?.samples ?? DEFAULT_SAMPLES[designName]
  const designSeed = args.seed ?? section?.seed ?? base.scenario.seed
  const planned = experimentCount(designName, samples, factors)
  if (planned * K > MAX_RUNS) return yield* badFlag(`--samples: ${count(planned, "experiment")} × ${count(K, "replication")} is more than ${MAX_RUNS.toLocaleString("en-GB")} runs; ask for fewer`)
  const analysisFactors: Array<Factor> = factors.map((f) => (f.kind === "range" ? { name: f.name, low: f.low, high: f.high } : { name: f.name, levels: f.levels.map((_, i) => i) }))
  const design = designOf(designName, samples, analysisFactors, designSeed)
  const n = design.n
  const k = design.k
  // The values as run (a range rounded as its field needs; levels by index): what the rows, the tornado and PRIM read.
  const values = new Float64Array(n * k)
  for (let e = 0; e < n; e++) for (let j = 0; j < k; j++) values[e * k + j] = asRun(factors[j]!, design.values[e * k + j]!)
  const experimentPoints: Array<Point> = Array.from({ length: n }, (_, e) => Array.from(values.subarray(e * k, (e + 1) * k)))
  const oat = tornadoPoints(factors)

  // The design's experiments and the tornado's points, run together: one pool, one progress line.
  const scenarios = replicationScenarios(plan, [...experimentPoints, ...oat.points])
  if (scenarios instanceof UserFacingError) return yield* scenarios
  const runAll = (batch: ReadonlyArray<Scenario>, what: string, total: number) =>
    Effect.gen(function* () {
      const bar = progress(what, total, args.quiet)
      const workers = replicationWorkersFor(batch, 1, args.workers)
      const results = yield* abortable(
        (signal) => replicate(batch, 1, "figures", workers, bar.tick, signal),
        (e) => failure(forTerminal(e instanceof Error ? e.message : String(e)))
      ).pipe(Effect.ensuring(Effect.sync(bar.done)))
      return results.map((one) => one[0]!)
    })
  const first = yield* runAll(scenarios, `${count(n, "experiment")} × ${count(K, "replication")}, and ${count(oat.points.length, "one-factor point")} for the tornado`, scenarios.length)
  const figuresAt = (e: number, r: number): ReplicationFigures => first[e * K + r]!

  // Outcome columns: every figure any replication has, in the order they first appear.
  const outcomes: Array<string> = []
  const seen = new Set<string>()
  for (const one of first) for (const name of one.values.keys()) if (!seen.has(name)) (seen.add(name), outcomes.push(name))
  const factorColumns = new Set(factors.map((f) => f.name))
  const clash = outcomes.find((o) => factorColumns.has(o) || o === "experiment" || o === "replication" || o === "seed")
  if (clash !== undefined) return yield* badInput(`${forTerminal(file)}: experiments: a factor is named like the outcome column ${forTerminal(clash)}; sweep another path or name the factor otherwise`)
  const keyOutcomes = outcomes.filter(isKeyOutcome)

  const seedOf = (e: number, r: number) => replicationSeed(scenarios[e * K]!.seed, r)
  const rows: Array<Record<string, number | string>> = []
  const outcomeColumns = outcomes.map(() => new Float64Array(n * K))
  for (let e = 0; e < n; e++) {
    for (let r = 0; r < K; r++) {
      const row: Record<string, number | string> = { experiment: e, replication: r, seed: seedOf(e, r) }
      factors.forEach((f, j) => (row[f.name] = cellOf(f, values[e * k + j]!)))
      const got = figuresAt(e, r).values
      outcomes.forEach((o, i) => {
        const v = got.get(o) ?? Number.NaN
        row[o] = v
        outcomeColumns[i]![e * K + r] = v
      })
      rows.push(row)
    }
  }
  const fields: Array<RecordField> = [
    { name: "experiment", type: "int32", nullable: false },
    { name: "replication", type: "int32", nullable: false },
    { name: "seed", type: "int64", nullable: false },
    ...factors.map((f): RecordField => ({ name: f.name, type: f.numeric ? "float64" : "utf8", nullable: false })),
    ...outcomes.map((o): RecordField => ({ name: o, type: "float64", nullable: false }))
  ]
  const table: RecordTable = { fields, rows }

  // Each key outcome's mean over replications per experiment: the Y of the estimators.
  const experimentMeans = Object.fromEntries(keyOutcomes.map((o) => [o, meansOf(first, n, K, o)]))
  const oatResults = first.slice(n * K)
  const oatMeans = Object.fromEntries(keyOutcomes.map((o) => [o, meansOf(oatResults, oat.points.length, K, o)]))
  const named = <T>(xs: ReadonlyArray<T>) => Object.fromEntries(xs.map((x, j) => [factors[j]!.name, x]))

  const tornadoOf = (o: string): SweepOutcomeTornado => {
    const Y = oatMeans[o]!
    const ends = factors.map((f, j) => {
      const at = oat.at[j]!.map((p) => Y[p]!)
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
    const t = tornado(Y[0]!, ends.map((x) => x.at[x.lowIndex]!), ends.map((x) => x.at[x.highIndex]!))
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
        ...(f.kind === "range" ? {} : { levels: x.at.map((mean, i) => ({ level: cellOf(f, i), mean: orNull(mean) })) })
      }
    })
    return { baseline: orNull(t.baseline), bars }
  }
  const sensitivity: { -readonly [K in keyof SweepReport["sensitivity"]]: SweepReport["sensitivity"][K] } = {
    tornado: Object.fromEntries(keyOutcomes.map((o) => [o, tornadoOf(o)]))
  }

  // Switching values: NPV's crossing of 0 per range factor, every factor's bisection a step at a time, each step one batch of runs.
  if (keyOutcomes.includes(SWITCHING_OUTCOME)) {
    const npvAt = oatMeans[SWITCHING_OUTCOME]!
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
    const bar = progress(`switching values of NPV: ${count(states.size, "factor")}, up to ${count(planned, "bisection step")} × ${count(K, "replication")}`, planned * K, args.quiet)
    for (;;) {
      const stepping = [...states].filter(([, b]) => b.next !== undefined)
      if (stepping.length === 0) break
      const points: Array<Point> = stepping.map(([j, b]) => factors.map((_, i) => (i === j ? b.next : undefined)))
      const batch = replicationScenarios(plan, points)
      if (batch instanceof UserFacingError) return yield* batch
      const results = yield* abortable(
        (signal) => replicate(batch, 1, "figures", replicationWorkersFor(batch, 1, args.workers), bar.tick, signal),
        (e) => failure(forTerminal(e instanceof Error ? e.message : String(e)))
      )
      const npv = meansOf(results.map((x) => x[0]!), points.length, K, SWITCHING_OUTCOME)
      stepping.forEach(([j, b], i) => states.set(j, stepBisection(b, npv[i]!)))
    }
    bar.done()
    sensitivity.switching_values = [...states].map(([j, b]): SweepSwitchingValue => {
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
  }

  if (designName === "sobol") {
    const bootstrap = bootstrapResamples(samples, SOBOL_RESAMPLES, streamFor(designSeed, "experiments", "sobol-bootstrap"))
    const interval = (x: { estimate: number; low: number; high: number }) => ({ estimate: orNull(x.estimate), low: orNull(x.low), high: orNull(x.high) })
    sensitivity.sobol = Object.fromEntries(
      keyOutcomes.map((o) => {
        const s = sobolIndices(experimentMeans[o]!, samples, k, { bootstrap })
        return [o, { S1: named(s.firstOrder.map(interval)), ST: named(s.totalOrder.map(interval)), variance: orNull(s.variance) }]
      })
    )
    sensitivity.sobol_resamples = SOBOL_RESAMPLES
  }
  if (designName === "morris") {
    sensitivity.morris = Object.fromEntries(keyOutcomes.map((o) => [o, named(morrisEffects(design, experimentMeans[o]!).map((m) => ({ mu: orNull(m.mu), mu_star: orNull(m.muStar), sigma: orNull(m.sigma) })))]))
  }

  let discovery: SweepDiscovery | undefined
  if (args.where !== undefined) {
    const parsed = parseCondition(args.where, outcomes)
    if (!parsed.ok) return yield* badFlag(`--where ${forTerminal(JSON.stringify(args.where))}: at character ${parsed.column}: ${forTerminal(parsed.message)}`)
    const y = parsed.condition.evaluate(Object.fromEntries(outcomes.map((o, i) => [o, outcomeColumns[i]!])))
    // PRIM over the rows of experiments.arrow: each factor's value (a level's index) per row.
    const X = factors.map((_, j) => Float64Array.from({ length: n * K }, (_, row) => values[Math.floor(row / K) * k + j]!))
    const hits = y.reduce((s, v) => s + v, 0)
    const result = hits === 0 ? undefined : prim(X, y, { names: factors.map((f) => f.name) })
    discovery = {
      condition: args.where,
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
    scenario: base.scenario.name,
    file,
    design: designName,
    samples,
    experiments: n,
    replications: K,
    seed: designSeed,
    scenario_seed: base.scenario.seed,
    settings: settings.map((s) => s.text),
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

  const out = args.out ?? path.join("runs", `${path.basename(file).replace(/\.(ya?ml|json)$/i, "")}-sweep`)
  const keep = args.keepRuns === true
  const width = { e: Math.max(4, String(n - 1).length), r: Math.max(2, String(K - 1).length) }
  const runDirOf = (e: number, r: number) => `runs/e${String(e).padStart(width.e, "0")}-r${String(r).padStart(width.r, "0")}`
  const written = yield* writeRunOut(out, args.force, async (dir, signal) => {
    const experiments = encodeRecordTable(table, SWEEP_TABLE_FORMAT)
    await dir.writeFile("experiments.arrow", experiments)
    // The same table for readers without Arrow IPC (DuckDB without its arrow extension).
    if (args.parquet === true) await dir.writeFile("experiments.parquet", encodeParquet(experiments))
    await dir.writeFile("sweep.json", json(report))
    if (keep) {
      const bar = progress(`run directories: ${count(n * K, "run")}`, n * K, args.quiet)
      try {
        for (let e = 0; e < n; e++) {
          const compiled = compilePoint(plan, experimentPoints[e]!)
          if (!compiled.ok) throw badInput(compiled.error.message)
          for (let r = 0; r < K; r++) {
            const sc = scenarios[e * K + r]!
            const loaded: LoadedVariant = compiled.value
            const decisions = decideCentre(sc)
            await writeRunFiles(dir, runDirOf(e, r), loaded, decisions.controls[0] as RunStarted, shardedLogChunks(decisions, 0), { parquet: false, ledger: false, report: false }, signal)
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
        input: file,
        input_sha256: base.inputSha256,
        ...(settings.length === 0 ? {} : { settings: settings.map((s) => s.text) }),
        ...(keep ? { runs: Array.from({ length: n * K }, (_, i) => ({ experiment: Math.floor(i / K), replication: i % K, dir: runDirOf(Math.floor(i / K), i % K) })) } : {}),
        files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }]))
      })
    )
    return [...files.filter((f) => !f.name.startsWith("runs/")).map((f) => f.name), "manifest.json"]
  })
  if (args.json) return yield* sayJson({ command: "sweep", engine_version: ENGINE_VERSION, out, files: written, sweep: report })
  yield* say(sweepLines(report, out, written, keep))
})

/** What the terminal is told: the sweep, the largest swings, the switching values, the PRIM box, the outputs. */
const sweepLines = (s: SweepReport, out: string, files: ReadonlyArray<string>, keep: boolean): string => {
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

/** The sweep's factors and design, for tests: the plan of a file as sweep makes it. */
export const sweepPlanOf = (file: string, replications: number, sets: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const settings = yield* parseSettings(sets)
    const base = yield* loadOrBadInput(file)
    const made = scenarioAmender(base.asRunText, file, { format: runScenarioFormat(base.asRunText) })
    if (!made.ok) return yield* badInput(made.error.message)
    const { factors } = yield* factorsOf(file, base.asRunText, made.value, settings)
    return { amender: made.value, settings, factors, replications } satisfies SweepPlan
  })

