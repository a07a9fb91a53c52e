/**
 * `devosim sweep FILE`: every experiment of the file's `experiments:` section (levers and
 * uncertainties, drawn by an @devosim/analysis design) × replications 0..K−1, each experiment the
 * base scenario amended by --set-style settings of its factor values (compileScenarioWithSettings,
 * the one way to amend), replication r with replicationSeed(scenario seed, r) as compare does, so
 * every experiment sees the same random numbers. Writes experiments.arrow (one row per experiment ×
 * replication), sweep.json (design, factors, sensitivity, PRIM) and a manifest sealing them.
 */
import {
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
  tornado
} from "@devosim/analysis"
import { ENGINE_VERSION, forTerminal, type RecordField, type RecordTable, replicationSeed, type Scenario, streamFor } from "@devosim/core"
import type { ReplicationFigures } from "@devosim/report"
import { compileScenarioWithSettings, type ExperimentFactorSpec, experimentsOfText, type LoadedScenario, sweepBaseText, parseSetting, runScenarioFormat, type Setting } from "@devosim/scenario"
import { encodeRecordTable, type RunFile, sha256Hex, SWEEP_FORMAT_MANIFEST } from "@devosim/store"
import { Effect } from "effect"
import * as path from "node:path"
import { checkReplications, checkWorkers, count, loadOrBadInput, replicate, rounded, scenarioOfReplication, writeOut } from "./commands.ts"
import { badFlag, badInput, failure, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { progress } from "./progress.ts"
import { replicationWorkersFor } from "./replicate.ts"
import { say, sayJson } from "./say.ts"

export const SWEEP_TABLE_FORMAT = "experiments/1"
export const DESIGNS = ["full_factorial", "lhs", "sobol", "morris"] as const
export type DesignName = (typeof DESIGNS)[number]

/** Default samples: experiments (lhs), base points (sobol), trajectories (morris), levels per range (full_factorial). */
const DEFAULT_SAMPLES: Record<DesignName, number> = { full_factorial: 2, lhs: 100, sobol: 64, morris: 10 }
/** Morris grid levels. */
const MORRIS_LEVELS = 4
/** Bootstrap resamples for the Sobol intervals (SALib's default is 100). */
const SOBOL_RESAMPLES = 200
/** Experiments past this: stop before running (a mistyped --samples). */
const MAX_RUNS = 2_000_000

/** A factor as swept: its --set path, its role, and how a design coordinate becomes a --set value. */
interface SweptFactor {
  readonly path: string
  readonly segments: ReadonlyArray<string>
  readonly role: "lever" | "uncertainty"
  readonly spec: ExperimentFactorSpec
  /** For a range: the rounding the field needs (integer fields take integers). */
  readonly rounding: "none" | "hundredths" | "integer"
  /** Levels that are all numbers: the column is Float64; otherwise Utf8. */
  readonly numeric: boolean
}

const json = (x: unknown) => JSON.stringify(x, null, 2) + "\n"

/** The --set value of factor f at design value v (a level's index for levels). */
const settingValue = (f: SweptFactor, v: number): unknown => {
  if ("levels" in f.spec) return f.spec.levels[v]
  return f.rounding === "integer" ? Math.round(v) : f.rounding === "hundredths" ? Math.round(v * 100) / 100 : v
}

const settingOf = (f: SweptFactor, value: unknown): Setting => ({ path: f.segments, value, text: `${f.path}=${JSON.stringify(value)}` })

/** The value recorded in experiments.arrow: the number, or a level's text. */
const cellOf = (f: SweptFactor, value: unknown): number | string => (f.numeric ? (value as number) : typeof value === "string" ? value : JSON.stringify(value))

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
      return factors.reduce((n, f) => n * ("levels" in f.spec ? f.spec.levels.length : samples), 1)
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

/**
 * Tornado from a design that is not one factor at a time: each factor's swing is the outcome's mean
 * over the experiments in its lowest decile of values against those in its highest (ties with the
 * cut go in), the baseline the mean over all experiments.
 */
const decileTornado = (design: Pick<Design, "n" | "k" | "values">, Y: Float64Array) => {
  const { n, k, values } = design
  const lows = new Float64Array(k)
  const highs = new Float64Array(k)
  const cut = Math.max(1, Math.ceil(n / 10))
  const meanWhere = (keep: (e: number) => boolean) => {
    let s = 0
    let m = 0
    for (let e = 0; e < n; e++) if (keep(e)) ((s += Y[e]!), m++)
    return m === 0 ? Number.NaN : s / m
  }
  for (let j = 0; j < k; j++) {
    const sorted = Float64Array.from({ length: n }, (_, e) => values[e * k + j]!).sort()
    const lo = sorted[cut - 1]!
    const hi = sorted[n - cut]!
    lows[j] = meanWhere((e) => values[e * k + j]! <= lo)
    highs[j] = meanWhere((e) => values[e * k + j]! >= hi)
  }
  return tornado(meanWhere(() => true), lows, highs)
}

export const sweepCommand = Effect.fn("sweepCommand")(function* (args: {
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
}) {
  yield* checkReplications(args.replications)
  yield* checkWorkers(args.workers)
  if (args.design !== undefined && !(DESIGNS as ReadonlyArray<string>).includes(args.design)) {
    return yield* badFlag(`--design: expected one of ${DESIGNS.join(", ")}, found ${forTerminal(JSON.stringify(args.design))}`)
  }
  if (args.samples !== undefined && !(Number.isInteger(args.samples) && args.samples >= 1)) return yield* badFlag(`--samples: expected a whole number >= 1, found ${args.samples}`)
  if (args.seed !== undefined && !Number.isSafeInteger(args.seed)) return yield* badFlag(`--seed: expected a safe integer, found ${args.seed}`)
  const file = args.file
  const base = yield* loadOrBadInput(file)
  const section = experimentsOfText(base.asRunText)
  const specs = [
    ...(section?.levers ?? []).map((spec, i) => ({ spec, role: "lever" as const, at: `experiments.levers[${i}]` })),
    ...(section?.uncertainties ?? []).map((spec, i) => ({ spec, role: "uncertainty" as const, at: `experiments.uncertainties[${i}]` }))
  ]
  if (specs.length === 0) return yield* badInput(`${forTerminal(file)}: experiments: expected levers or uncertainties to sweep ({ path, low, high } or { path, levels }), found ${section === undefined ? "no experiments section" : "none"}`)
  const format = runScenarioFormat(base.asRunText)
  const text = format === "json" ? base.asRunText : sweepBaseText(base.asRunText)
  const compileWith = (settings: ReadonlyArray<Setting>) => compileScenarioWithSettings(text, file, settings, { format })

  const factors: Array<SweptFactor> = []
  for (const { spec, role, at } of specs) {
    const parsed = parseSetting(`${spec.path}=0`)
    if (!parsed.ok) return yield* badInput(`${forTerminal(file)}: ${at}.path: ${forTerminal(parsed.message.replace(/^--set /, ""))}`)
    if (factors.some((f) => f.path === spec.path)) return yield* badInput(`${forTerminal(file)}: ${at}.path: expected a path not swept already, found ${forTerminal(JSON.stringify(spec.path))} twice`)
    const draft: SweptFactor = { path: spec.path, segments: parsed.setting.path, role, spec, rounding: "none", numeric: "levels" in spec ? spec.levels.every((v) => typeof v === "number") : true }
    // The path must name a field the scenario accepts these values for: checked on the base alone, so the message is the factor's.
    const ends = "levels" in spec ? spec.levels : [spec.low, spec.high]
    let rounding: SweptFactor["rounding"] = "none"
    if (!("levels" in spec)) {
      if (!(spec.low <= spec.high)) return yield* badInput(`${forTerminal(file)}: ${at}: expected low <= high, found low ${spec.low} and high ${spec.high}`)
      // A value inside the range that is neither whole nor in hundredths: what the field refuses tells its grain.
      const probe = spec.low + (spec.high - spec.low) * 0.318309886183791
      for (const r of ["none", "hundredths", "integer"] as const) {
        rounding = r
        if (compileWith([settingOf({ ...draft, rounding: r }, settingValue({ ...draft, rounding: r }, probe))]).ok) break
      }
    }
    const factor: SweptFactor = { ...draft, rounding }
    for (const v of ends) {
      const out = compileWith([settingOf(factor, "levels" in spec ? v : settingValue(factor, v as number))])
      if (!out.ok) return yield* badInput(`${forTerminal(file)}: ${at} (path ${forTerminal(spec.path)}): ${forTerminal(out.error.message.replace(/^--set: /, ""))}`)
    }
    factors.push(factor)
  }

  const designName: DesignName = (args.design ?? section?.design ?? "lhs") as DesignName
  const samples = args.samples ?? section?.samples ?? DEFAULT_SAMPLES[designName]
  const designSeed = args.seed ?? section?.seed ?? base.scenario.seed
  const K = args.replications
  const planned = experimentCount(designName, samples, factors)
  if (planned * K > MAX_RUNS) return yield* badFlag(`--samples: ${count(planned, "experiment")} × ${count(K, "replication")} is more than ${MAX_RUNS.toLocaleString("en-GB")} runs; ask for fewer`)
  const analysisFactors: Array<Factor> = factors.map((f) => ("levels" in f.spec ? { name: f.path, levels: f.spec.levels.map((_, i) => i) } : { name: f.path, low: f.spec.low, high: f.spec.high }))
  const design = designOf(designName, samples, analysisFactors, designSeed)
  const n = design.n
  const k = design.k

  // Each experiment's scenario: the base amended by its settings.
  const loadedOf: Array<LoadedScenario> = []
  const cells: Array<Array<number | string>> = []
  // The values as run (a range rounded as its field needs; levels by index): what the tornado and PRIM read.
  const asRun = new Float64Array(n * k)
  for (let e = 0; e < n; e++) {
    const values = factors.map((f, j) => settingValue(f, design.values[e * k + j]!))
    factors.forEach((f, j) => (asRun[e * k + j] = "levels" in f.spec ? design.values[e * k + j]! : (values[j] as number)))
    const settings = factors.map((f, j) => settingOf(f, values[j]))
    const out = compileWith(settings)
    if (!out.ok) {
      return yield* badInput(`${forTerminal(file)}: experiment ${e} (${forTerminal(settings.map((s) => s.text).join(", "))}): ${forTerminal(out.error.message)}`)
    }
    loadedOf.push({ scenario: out.value.scenario, asRunText: out.value.asRunText, inputSha256: base.inputSha256, file })
    cells.push(factors.map((f, j) => cellOf(f, values[j])))
  }
  // Uncertain inputs are drawn per replication: such an experiment's replications are each compiled with their seed.
  const uncertain = loadedOf.some((l) => l.scenario.inputs !== undefined) && K > 1
  let scenarios: Array<Scenario> = loadedOf.map((l) => l.scenario)
  if (uncertain) {
    const each: Array<Scenario> = []
    for (const l of loadedOf) {
      for (let r = 0; r < K; r++) {
        const sc = scenarioOfReplication(l, replicationSeed(l.scenario.seed, r))
        if (sc instanceof UserFacingError) return yield* sc
        each.push(sc)
      }
    }
    scenarios = each
  }
  const perScenario = uncertain ? 1 : K
  const bar = progress(`${count(n, "experiment")} × ${count(K, "replication")}`, n * K, args.quiet)
  const workers = replicationWorkersFor(scenarios, perScenario, args.workers)
  const results = yield* abortable((signal) => replicate(scenarios, perScenario, "figures", workers, bar.tick, signal), (e) => failure(forTerminal(e instanceof Error ? e.message : String(e))))
  bar.done()
  const figuresAt = (e: number, r: number): ReplicationFigures => (uncertain ? results[e * K + r]![0]! : results[e]![r]!)

  // Outcome columns: every figure any replication has, in the order they first appear.
  const outcomes: Array<string> = []
  const seen = new Set<string>()
  for (let e = 0; e < n; e++) for (let r = 0; r < K; r++) for (const name of figuresAt(e, r).values.keys()) if (!seen.has(name)) (seen.add(name), outcomes.push(name))
  const factorColumns = new Set(factors.map((f) => f.path))
  const clash = outcomes.find((o) => factorColumns.has(o) || o === "experiment" || o === "replication" || o === "seed")
  if (clash !== undefined) return yield* badInput(`${forTerminal(file)}: experiments: a factor path names the outcome column ${forTerminal(clash)}; rename none can fix this, so sweep another path`)

  const rows: Array<Record<string, number | string>> = []
  const outcomeColumns = outcomes.map(() => new Float64Array(n * K))
  for (let e = 0; e < n; e++) {
    for (let r = 0; r < K; r++) {
      const row: Record<string, number | string> = { experiment: e, replication: r, seed: replicationSeed(loadedOf[e]!.scenario.seed, r) }
      factors.forEach((f, j) => (row[f.path] = cells[e]![j]!))
      const values = figuresAt(e, r).values
      outcomes.forEach((o, i) => {
        const v = values.get(o) ?? Number.NaN
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
    ...factors.map((f): RecordField => ({ name: f.path, type: f.numeric ? "float64" : "utf8", nullable: false })),
    ...outcomes.map((o): RecordField => ({ name: o, type: "float64", nullable: false }))
  ]
  const table: RecordTable = { fields, rows }

  // Each key outcome's mean over replications per experiment: the Y of the estimators.
  const keyOutcomes = outcomes.filter(isKeyOutcome)
  const meanOf = (o: string): Float64Array => {
    const col = outcomeColumns[outcomes.indexOf(o)]!
    const Y = new Float64Array(n)
    for (let e = 0; e < n; e++) {
      let s = 0
      for (let r = 0; r < K; r++) s += col[e * K + r]!
      Y[e] = s / K
    }
    return Y
  }
  const means = Object.fromEntries(keyOutcomes.map((o) => [o, meanOf(o)]))
  const named = <T>(xs: ReadonlyArray<T>) => Object.fromEntries(xs.map((x, j) => [factors[j]!.path, x]))
  const sensitivity: Record<string, unknown> = {}
  if (designName === "sobol") {
    const bootstrap = bootstrapResamples(samples, SOBOL_RESAMPLES, streamFor(designSeed, "experiments", "sobol-bootstrap"))
    sensitivity["sobol"] = Object.fromEntries(
      keyOutcomes.map((o) => {
        const s = sobolIndices(means[o]!, samples, k, { bootstrap })
        return [o, { S1: named(s.firstOrder), ST: named(s.totalOrder), variance: s.variance }]
      })
    )
    sensitivity["sobol_resamples"] = SOBOL_RESAMPLES
  }
  if (designName === "morris") {
    sensitivity["morris"] = Object.fromEntries(keyOutcomes.map((o) => [o, named(morrisEffects(design, means[o]!).map((m) => ({ mu: m.mu, mu_star: m.muStar, sigma: m.sigma })))]))
  }
  sensitivity["tornado"] = {
    method: "the outcome's mean over the experiments in a factor's lowest decile of values against its highest (levels: by level index), the others as the design drew them; not one factor at a time",
    ...Object.fromEntries(
      keyOutcomes.map((o) => {
        const t = decileTornado({ n, k, values: asRun }, means[o]!)
        return [o, { baseline: t.baseline, bars: t.bars.map((b) => ({ factor: factors[b.factor]!.path, low: b.low, high: b.high, swing: b.swing })) }]
      })
    )
  }

  let discovery: Record<string, unknown> | undefined
  if (args.where !== undefined) {
    const parsed = parseCondition(args.where, outcomes)
    if (!parsed.ok) return yield* badFlag(`--where ${forTerminal(JSON.stringify(args.where))}: at character ${parsed.column}: ${forTerminal(parsed.message)}`)
    const y = parsed.condition.evaluate(Object.fromEntries(outcomes.map((o, i) => [o, outcomeColumns[i]!])))
    // PRIM over the rows of experiments.arrow: each factor's value (a level's index) per row.
    const X = factors.map((_, j) => Float64Array.from({ length: n * K }, (_, row) => asRun[Math.floor(row / K) * k + j]!))
    const hits = y.reduce((s, v) => s + v, 0)
    const result = hits === 0 ? undefined : prim(X, y, { names: factors.map((f) => f.path) })
    const boxOf = (lower: Float64Array, upper: Float64Array) => named(factors.map((_, j) => ({ lower: lower[j]!, upper: upper[j]! })))
    discovery = {
      condition: args.where,
      rows: n * K,
      rows_meeting: hits,
      ...(result === undefined
        ? { box: null, note: "no row meets the condition: no box" }
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
                const spec = factors[x.dimension]!.spec
                const inside = "levels" in spec ? { levels: spec.levels.filter((_, i) => i >= x.lower && i <= x.upper) } : {}
                return { factor: x.name, lower: x.lower, upper: x.upper, ...inside, restricts_lower: x.restrictsLower, restricts_upper: x.restrictsUpper }
              })
            }
          })
    }
  }

  const sweep = {
    scenario: base.scenario.name,
    file,
    design: designName,
    samples,
    experiments: n,
    replications: K,
    seed: designSeed,
    scenario_seed: base.scenario.seed,
    factors: factors.map((f) => ({ path: f.path, role: f.role, ...("levels" in f.spec ? { levels: f.spec.levels } : { low: f.spec.low, high: f.spec.high, rounding: f.rounding }) })),
    outcomes,
    means_per_experiment: Object.fromEntries(keyOutcomes.map((o) => [o, Array.from(means[o]!)])),
    sensitivity,
    ...(discovery === undefined ? {} : { discovery })
  }
  const out = args.out ?? path.join("runs", `${path.basename(file).replace(/\.(ya?ml|json)$/i, "")}-sweep`)
  const files: Array<RunFile> = [
    { name: "experiments.arrow", bytes: encodeRecordTable(table, SWEEP_TABLE_FORMAT) },
    { name: "sweep.json", bytes: new TextEncoder().encode(json(sweep)) }
  ]
  files.push({
    name: "manifest.json",
    bytes: new TextEncoder().encode(
      json({ format: SWEEP_FORMAT_MANIFEST, engine_version: ENGINE_VERSION, input: file, input_sha256: base.inputSha256, files: Object.fromEntries(files.map((f) => [f.name, { sha256: sha256Hex(f.bytes) }])) })
    )
  })
  yield* writeOut(out, files, args.force)
  if (args.json) return yield* sayJson({ command: "sweep", engine_version: ENGINE_VERSION, out, files: files.map((f) => f.name), sweep })
  const lines = [`sweep of ${forTerminal(base.scenario.name)}: ${count(n, "experiment")} (${designName}, seed ${designSeed}) × ${count(K, "replication")} over ${factors.map((f) => forTerminal(f.path)).join(", ")}`]
  const bars = sensitivity["tornado"] as Record<string, { bars: ReadonlyArray<{ factor: string; swing: number }> } | undefined>
  const npv = bars["npv_pence"]
  if (npv !== undefined) lines.push(`  NPV swing (lowest vs highest decile): ${npv.bars.map((b) => `${forTerminal(b.factor)} £${rounded(b.swing / 100)}`).join(", ")}`)
  const coverage = bars["coverage_50pct_months"]
  if (coverage !== undefined) lines.push(`  swing in months to 50% coverage: ${coverage.bars.map((b) => `${forTerminal(b.factor)} ${rounded(b.swing)}`).join(", ")}`)
  if (discovery !== undefined) {
    const box = discovery["box"] as { coverage: number; density: number; restricted: ReadonlyArray<{ factor: string; lower: number; upper: number }> } | null
    lines.push(
      box === null
        ? `  --where ${forTerminal(args.where!)}: no row meets it`
        : `  --where ${forTerminal(args.where!)}: box covering ${rounded(box.coverage * 100)}% of the cases at density ${rounded(box.density * 100)}%: ${box.restricted.map((x) => `${rounded(x.lower)} <= ${forTerminal(x.factor)} <= ${rounded(x.upper)}`).join(", ") || "no restriction"}`
    )
  }
  lines.push(`outputs in ${forTerminal(out)}/: ${files.map((f) => f.name).join(", ")}`)
  yield* say(lines.join("\n"))
})
