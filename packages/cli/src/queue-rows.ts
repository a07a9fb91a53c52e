/**
 * What a worker's thread does with a job (queue-processor.ts): the sweep's plan rebuilt from the
 * worker's own scenario file and the job's settings, checked to be the very sweep the coordinator
 * planned (its spec, apart from `file`, the coordinator's path), then the job's rows run here,
 * one after another. Plans are kept by spec hash, so the next job of a sweep starts at once.
 * Whatever fails here fails the same way however often it runs (bad input, another sweep, the
 * engine refusing a scenario): the worker fails the job for good (UnrecoverableError).
 */
import { Cause, Effect, Exit } from "effect"
import { replicate } from "./commands.ts"
import { UserFacingError } from "./errors.ts"
import { encodeRows, type RowsJobData, type RowsResult } from "./queue-protocol.ts"
import { planSweep, type Point, rowOutcomesOf, rowScenarios, specSha256, type SweepPlan, type SweepSpec, sweepDesign } from "./sweep.ts"

const plans = new Map<string, { readonly plan: SweepPlan; readonly points: ReadonlyArray<Point>; readonly rows: number }>()
/** Plans kept: a worker serves a few sweeps at a time at most. */
const KEPT_PLANS = 4

/** The first field where two specs differ, for the refusal's message. */
const firstDifference = (mine: SweepSpec, theirs: SweepSpec): string => {
  const keys = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])] as Array<keyof SweepSpec>
  const k = keys.find((key) => JSON.stringify(mine[key]) !== JSON.stringify(theirs[key]))
  return k === undefined ? "their order" : `${k}: ${JSON.stringify(theirs[k]).slice(0, 120)} in the job, ${JSON.stringify(mine[k]).slice(0, 120)} here`
}

const planOf = async (file: string, job: RowsJobData) => {
  const known = plans.get(job.spec_sha256)
  if (known !== undefined) return known
  const s = job.spec
  const exit = await Effect.runPromiseExit(planSweep({ file, design: s.design, samples: s.samples, replications: s.replications, seed: s.seed, where: s.where ?? undefined, sets: s.settings }))
  if (Exit.isFailure(exit)) {
    const e = Cause.squash(exit.cause)
    throw new Error(`${file}: ${e instanceof UserFacingError ? e.message : String(e)}`)
  }
  const { plan, spec } = exit.value
  // The coordinator's path is its own; everything else must be the same sweep.
  const mine: SweepSpec = { ...spec, file: s.file }
  if (specSha256(mine) !== job.spec_sha256) throw new Error(`${file} gives another sweep than the job's (spec ${job.spec_sha256.slice(0, 12)}…): ${firstDifference(mine, s)}`)
  const { points, rows } = sweepDesign(spec)
  if (plans.size >= KEPT_PLANS) plans.delete(plans.keys().next().value!)
  const made = { plan, points, rows }
  plans.set(job.spec_sha256, made)
  return made
}

/** Rows [from, to) of the job's sweep, run on this thread: their seeds and outcome columns. */
export const runRowsJob = async (file: string, job: RowsJobData, signal: AbortSignal): Promise<RowsResult> => {
  const { plan, points, rows } = await planOf(file, job)
  if (job.to > rows) throw new Error(`rows ${job.from}..${job.to - 1}: the sweep has ${rows} rows`)
  const scenarios = rowScenarios(plan, points, job.from, job.to)
  if (scenarios instanceof UserFacingError) throw new Error(scenarios.message)
  const figures = await replicate(scenarios, 1, "figures", 0, () => undefined, signal)
  return encodeRows(rowOutcomesOf(figures.map((one) => one[0]!), scenarios))
}
