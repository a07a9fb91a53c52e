import type { EventLog, LogChunk, Scenario, State } from "@devosim/core"
import { applyLog, initialState, joinChunks } from "@devosim/core"
import type { RunStarted } from "@devosim/core"
import { decideCentre, type CentreDecisions, type Fork } from "./centre.ts"
import { controlsForShard, LocalityShard, type ShardPostings } from "./localities.ts"
import { LogAssembler } from "./merge.ts"

export { decideCentre, Priority, runStartedOf, type CentreDecisions, type Fork, type PostingSlot } from "./centre.ts"
export { controlsForShard, LocalityShard, postingBuffers, type RecycledPostings, type ShardPostings } from "./localities.ts"
export { LogAssembler } from "./merge.ts"

export interface RunResult {
  readonly log: EventLog
  readonly state: State
  /** Where a fork switched to its amended scenario: the first event decided with it. */
  readonly forkedAt: { readonly seq: number; readonly t: number } | null
}

/** Localities [0, L) split into `n` consecutive ranges of near-equal size (none empty unless L < n). */
export const shardRanges = (localities: number, n: number): Array<readonly [number, number]> => {
  const k = Math.max(1, Math.min(n, localities))
  return Array.from({ length: k }, (_, i) => [Math.floor((i * localities) / k), Math.floor(((i + 1) * localities) / k)] as const)
}

/**
 * Windows of slots [from, to), each ending after `periods` spending periods: the unit in which a
 * streamed run posts, merges and writes, so memory is bounded by a window, not the run.
 */
export const slotWindows = (decisions: Pick<CentreDecisions, "slots">, periods: number): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  let from = 0
  let spends = 0
  decisions.slots.forEach((slot, s) => {
    if (slot.kind === "spend" && ++spends % periods === 0) {
      out.push([from, s + 1])
      from = s + 1
    }
  })
  if (from < decisions.slots.length) out.push([from, decisions.slots.length])
  return out
}

export interface ChunkOptions {
  /** How many shards the localities are split into (default 1). */
  readonly shards?: number
  /** Spending periods per chunk (default: all in one chunk). */
  readonly windowPeriods?: number
  /** Merge the shards' results in this order of shard index (a test of order independence). */
  readonly shardOrder?: ReadonlyArray<number>
}

/**
 * The log of a decided run, chunk by chunk, with the localities posted in `shards` in-process
 * shards. Worker threads do the same with one LocalityShard each (the CLI's `--workers`); the
 * chunks are the same bytes either way.
 */
export function* logChunks(decisions: CentreDecisions, options: ChunkOptions = {}): Generator<LogChunk> {
  const L = decisions.scenarios[0]!.localities.length
  // A run that spends nothing (a queue alone) has no window to post: no shard is made.
  const shards =
    decisions.slots.length === 0
      ? []
      : shardRanges(L, options.shards ?? 1).map(
          ([a, b]) => new LocalityShard({ scenarios: decisions.scenarios, slots: decisions.slots, controls: controlsForShard(decisions, a, b) }, a, b)
        )
  const order = options.shardOrder?.filter((k) => k < shards.length) ?? shards.map((_, k) => k)
  const assembler = new LogAssembler(decisions)
  const windows = options.windowPeriods === undefined ? [[0, decisions.slots.length] as const] : slotWindows(decisions, options.windowPeriods)
  for (const [from, to] of windows) {
    if (to === from) continue
    const posted: Array<ShardPostings> = order.map((k) => shards[k]!.post(from, to))
    yield assembler.merge(from, to, posted)
  }
  yield assembler.rest()
}


/** The seq of the first event a fork decides with its amended scenario (the total when it never forks). */
export const forkedAtSeq = (decisions: CentreDecisions, log: EventLog): { seq: number; t: number } | null => {
  const at = decisions.forkedAt
  if (at === null) return null
  const c = log.controls[at.control]
  return { seq: c === undefined ? log.controls.length + log.postings.length : c.seq, t: at.t }
}

/**
 * The fork point for "at event `seq` of the parent": the first trigger boundary at or after it,
 * expressed as the number of the parent's control events before it (a boundary falls between a
 * control event's postings and the next control event). Infinity when the parent ends before.
 */
export const forkPointOfSeq = (parent: { readonly controls: EventLog["controls"]; readonly postings: { readonly length: number } }, seq: number): { readonly atControl: number } => {
  const i = parent.controls.findIndex((c) => c.seq >= seq)
  if (i >= 0) return { atControl: i }
  return { atControl: parent.controls.length + parent.postings.length >= seq ? parent.controls.length : Number.POSITIVE_INFINITY }
}

/**
 * Runs a scenario: the centre decides, then the localities post their money, and the log is their
 * merge (decide → evolve; the state is the fold of the log). Pure: same scenario, same log, bit
 * for bit, however the localities are sharded.
 */
export const runScenario = (scenario: Scenario, options: { readonly fork?: Fork } & ChunkOptions = {}): RunResult => {
  const decisions = decideCentre(scenario, options.fork)
  const log = joinChunks([...logChunks(decisions, options)])
  const state = applyLog(initialState(log.controls[0] as RunStarted), log)
  return { log, state, forkedAt: forkedAtSeq(decisions, log) }
}
