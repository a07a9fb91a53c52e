/**
 * A sweep's rows do not depend on the order its experiments are run in (issue 15): the same
 * experiments in any other order give the same rows, sorted. Each experiment's scenarios are
 * compiled from the file read once (scenarioAmender), so an amendment leaking into the next, or a
 * seed or input draw tied to an experiment's position, would show here. The example's negotiation
 * durations are uncertain inputs, so every replication is compiled again with its seed.
 */
import { latinHypercube } from "@devosim/analysis"
import { streamFor } from "@devosim/core"
import { Effect } from "effect"
import fc from "fast-check"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { replicationResult } from "../packages/cli/src/replication.ts"
import { planSweep, type Point, replicationScenarios } from "../packages/cli/src/sweep.ts"
import { ROOT } from "./cli-helpers.ts"

const EXAMPLE = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const K = 2

describe("sweep: experiments in another order", () => {
  it("give the same rows (sorted): each row's inputs, replication, seed and outcomes", async () => {
    const { plan } = await Effect.runPromise(planSweep({ file: EXAMPLE, replications: K }))
    const factors = plan.factors.map((f) => (f.kind === "range" ? { name: f.name, low: f.low, high: f.high } : { name: f.name, levels: f.levels.map((_, i) => i) }))
    const design = latinHypercube(5, factors, streamFor(46, "experiments", "test"))
    const points: Array<Point> = Array.from({ length: design.n }, (_, e) =>
      plan.factors.map((f, j) => {
        const v = design.values[e * design.k + j]!
        return f.kind === "range" && f.rounding === "integer" ? Math.round(v) : v
      })
    )
    const rowsOf = (order: ReadonlyArray<number>): Array<string> => {
      const ordered = order.map((i) => points[i]!)
      const scenarios = replicationScenarios(plan, ordered)
      if (!Array.isArray(scenarios)) throw scenarios
      return scenarios
        .map((sc, i) => {
          const figures = replicationResult("figures", sc, 0).values
          return JSON.stringify([ordered[Math.floor(i / K)], i % K, sc.seed, sc.inputs?.map((d) => d.value), [...figures]])
        })
        .sort()
    }
    const inOrder = rowsOf(points.map((_, i) => i))
    // Rows differ from each other: the comparison below can fail.
    expect(new Set(inOrder).size).toBe(points.length * K)
    fc.assert(
      fc.property(fc.shuffledSubarray(points.map((_, i) => i), { minLength: points.length }), (order) => {
        expect(rowsOf(order)).toEqual(inOrder)
      }),
      { numRuns: 4, seed: 2010 }
    )
  }, 120_000)
})
