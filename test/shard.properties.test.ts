/**
 * Shard invariance: the localities may be posted in any number of shards, merged in any order and
 * in windows of any length; the log is the same, event for event and byte for byte.
 */
import { joinChunks, type EventLog, type LogChunk } from "@devosim/core"
import { controlsForShard, decideCentre, forkPointOfSeq, LocalityShard, LogAssembler, logChunks, postingBuffers, runScenario, shardRanges, slotWindows } from "@devosim/engine"
import { encodeEventLog } from "@devosim/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbMoneyScenario } from "./arbitraries.ts"

const same = (a: EventLog, b: EventLog) => {
  expect(b.controls).toEqual(a.controls)
  for (const k of ["seq", "t", "from", "to", "amount", "cause"] as const) expect(b.postings[k]).toEqual(a.postings[k])
}

/** Shard counts 1..4, a shuffled merge order and a window length. */
const arbSharding = fc
  .integer({ min: 1, max: 4 })
  .chain((shards) =>
    fc.tuple(fc.constant(shards), fc.shuffledSubarray([...Array(shards).keys()], { minLength: shards, maxLength: shards }), fc.integer({ min: 1, max: 30 }))
  )

describe("sharded runs", () => {
  it("N = 1, 2, 3, 4 shards, merged in any order, in windows of any length: the same log byte for byte", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), arbSharding, (sc, [shards, shardOrder, windowPeriods]) => {
        const whole = runScenario(sc).log
        const sharded = runScenario(structuredClone(sc), { shards, shardOrder, windowPeriods })
        same(whole, sharded.log)
        expect(Buffer.from(encodeEventLog(sharded.log)).equals(Buffer.from(encodeEventLog(whole)))).toBe(true)
      }),
      { numRuns: 150, seed: 20261123 }
    )
  })

  it("chunks are contiguous stretches of the log, each starting where the last ended", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), arbSharding, (sc, [shards, shardOrder, windowPeriods]) => {
        const chunks = [...logChunks(decideCentre(sc), { shards, shardOrder, windowPeriods })]
        let next = 0
        for (const c of chunks) {
          expect(c.firstSeq).toBe(next)
          const seqs = [...c.controls.map((e) => e.seq), ...c.postings.seq].sort((a, b) => a - b)
          seqs.forEach((s, i) => expect(s).toBe(next + i))
          next += seqs.length
        }
        same(runScenario(sc).log, joinChunks(chunks))
      }),
      { numRuns: 100, seed: 7 }
    )
  })

  it("with reused buffers (the merge's pool, each shard posting into the window it handed back), every chunk read before the next is the chunk fresh buffers give", () => {
    const copy = (c: LogChunk): LogChunk => ({
      firstSeq: c.firstSeq,
      controls: c.controls,
      postings: { length: c.postings.length, seq: c.postings.seq.slice(), t: c.postings.t.slice(), from: c.postings.from.slice(), to: c.postings.to.slice(), amount: c.postings.amount.slice(), cause: c.postings.cause.slice() }
    })
    fc.assert(
      fc.property(arbMoneyScenario(), arbSharding, (sc, [shards, , windowPeriods]) => {
        const decisions = decideCentre(sc)
        const fresh = [...logChunks(decisions, { shards, windowPeriods })]
        const L = sc.localities.length
        const pool = shardRanges(L, shards).map(([a, b]) => new LocalityShard({ ...decisions, controls: controlsForShard(decisions, a, b) }, a, b))
        const assembler = new LogAssembler(decisions, { reuseBuffers: true })
        const reused: Array<LogChunk> = []
        for (const [from, to] of slotWindows(decisions, windowPeriods)) {
          if (to === from) continue
          const posted = pool.map((s) => s.post(from, to))
          reused.push(copy(assembler.merge(from, to, posted)))
          posted.forEach((p, i) => pool[i]!.recycle(postingBuffers(p)))
        }
        reused.push(copy(assembler.rest()))
        same(joinChunks(fresh), joinChunks(reused))
      }),
      { numRuns: 100, seed: 11 }
    )
  })

  it("a sharded fork is the same fork", () => {
    fc.assert(
      fc.property(arbMoneyScenario(), arbSharding, fc.nat(), (sc, [shards, shardOrder, windowPeriods], cut) => {
        const parent = runScenario(sc).log
        const n = parent.controls.length + parent.postings.length
        const amended = { ...sc, centre: { capacity: sc.centre.capacity + 1 }, deal: { ...sc.deal, reductionBasisPoints: sc.deal.reductionBasisPoints + 100 } }
        const fork = { scenario: amended, ...forkPointOfSeq(parent, cut % (n + 1)) }
        const a = runScenario(sc, { fork })
        const b = runScenario(sc, { fork, shards, shardOrder, windowPeriods })
        same(a.log, b.log)
        expect(b.forkedAt).toEqual(a.forkedAt)
      }),
      { numRuns: 100, seed: 11 }
    )
  })
})
