/**
 * The centre's capacity schedule and negotiation durations by readiness and powers (issue 17, part 4).
 *  - Given/when/then on small fixed-duration queues: a rise lets waiting localities start at its
 *    time, in queue order; a fall interrupts no negotiation; a change at t applies before the grants
 *    at t (with a slot freed at t, and a locality joining at t); changes beyond the horizon are
 *    the projection's; a fork that amends nothing reproduces its parent.
 *  - Properties on generated scenarios: a schedule that keeps one capacity gives the log of no
 *    schedule; readiness and the powers' weights leave every draw as it was and scale the duration
 *    exactly: (draw + Σ weight_months) × 100 / readiness_pct.
 */
import type { ControlEvent, Locality, Scenario } from "@devosim/core"
import { MAX_TIME_MONTHS } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { renderRunReport, summarize } from "@devosim/report"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { arbScenario } from "./arbitraries.ts"
import { NO_MONEY, queueLocality } from "./builders.ts"

const fixed = (value: number) => ({ duration: { kind: "fixed" as const, value }, failProbability: 0, coolOffMonths: 3, maxAttempts: 1 })

const queue = (centre: Scenario["centre"], localities: ReadonlyArray<Locality>, months = 120): Scenario => ({
  ...NO_MONEY,
  name: "schedule",
  start: { year: 2026, month: 4 },
  months,
  seed: 17,
  centre,
  tranches: [{ id: "t", opens: 0 }],
  localities
})

/** Each locality's [start, deal] from the summary (the queue's own times, projected beyond the end). */
const times = (sc: Scenario) => {
  const s = summarize(runScenario(sc).log)
  return Object.fromEntries(s.negotiations.map((n) => [n.locality, [n.start, n.deal]]))
}

const tagsAt = (controls: ReadonlyArray<ControlEvent>, t: number) => controls.filter((e) => e.t === t).map((e) => e._tag)

describe("the centre's capacity schedule", () => {
  it("given capacity 1 rising to 3 at month 5, the two next in the queue start at 5, the fourth when the first ends", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 3 }] }, ["A", "B", "C", "D"].map((id) => queueLocality(id, fixed(10))))
    expect(times(sc)).toEqual({ A: [0, 10], B: [5, 15], C: [5, 15], D: [10, 20] })
    const { log } = runScenario(sc)
    expect(log.controls.filter((e) => e._tag === "CapacityChanged")).toEqual([{ _tag: "CapacityChanged", seq: expect.any(Number), t: 5, capacity: 3 }])
    // The change is recorded before the grants it allows.
    expect(tagsAt(log.controls, 5)).toEqual(["CapacityChanged", "NegotiationStarted", "NegotiationStarted"])
    const s = summarize(log)
    expect(s.centre.capacity).toBe(1)
    expect(s.centre.capacity_schedule).toEqual([
      { from: 0, capacity: 1 },
      { from: 5, capacity: 3 }
    ])
    expect(s.centre.max_concurrent).toBe(3)
  })

  it("given capacity 3 falling to 1 at month 2, no running negotiation is interrupted and the next starts only when none runs", () => {
    const sc = queue({ capacity: 3, schedule: [{ at: 2, capacity: 1 }] }, [
      queueLocality("A", fixed(4)),
      queueLocality("B", fixed(6)),
      queueLocality("C", fixed(8)),
      queueLocality("D", fixed(10)),
      queueLocality("E", fixed(10))
    ])
    // A, B and C run to their ends; with capacity 1, D waits for all three (8), E for D (18).
    expect(times(sc)).toEqual({ A: [0, 4], B: [0, 6], C: [0, 8], D: [8, 18], E: [18, 28] })
  })

  it("given a rise at the time a slot frees, both the freed slot and the new one are used at that time", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 2 }] }, [queueLocality("A", fixed(5)), queueLocality("B", fixed(5)), queueLocality("C", fixed(5))])
    expect(times(sc)).toEqual({ A: [0, 5], B: [5, 10], C: [5, 10] })
  })

  it("given a fall at the time two slots free, the change applies first: one starts at that time", () => {
    const sc = queue({ capacity: 2, schedule: [{ at: 5, capacity: 1 }] }, ["A", "B", "C", "D"].map((id) => queueLocality(id, fixed(5))))
    expect(times(sc)).toEqual({ A: [0, 5], B: [0, 5], C: [5, 10], D: [10, 15] })
  })

  it("given a locality that becomes eligible at the time of a rise, it starts then; ties go by eligible time, then id by code point", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 3 }] }, [
      queueLocality("Z", fixed(20)),
      queueLocality("b", fixed(20), { ready: 5 }),
      queueLocality("Y", fixed(20), { ready: 1 }),
      queueLocality("a", fixed(20), { ready: 5 })
    ])
    // At 5: Y (eligible at 1) first, then "a" before "b" (code points); Z holds the first slot.
    expect(times(sc)).toEqual({ Z: [0, 20], Y: [5, 25], a: [5, 25], b: [20, 40] })
  })

  it("given changes at and after the horizon, they are not events but the projection uses them (RunEnded, the summary)", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 20, capacity: 3 }] }, ["A", "B", "C", "D"].map((id) => queueLocality(id, fixed(10))), 12)
    const { log } = runScenario(sc)
    expect(log.controls.some((e) => e._tag === "CapacityChanged")).toBe(false)
    const end = log.controls.at(-1)!
    expect(end._tag === "RunEnded" && end.capacities).toEqual([[20, 3]])
    const s = summarize(log)
    expect(Object.fromEntries(s.negotiations.map((n) => [n.locality, [n.start, n.deal, n.outcome]]))).toEqual({
      A: [0, 10, "deal"],
      B: [10, 20, "negotiating"],
      C: [20, 30, "queued"],
      D: [20, 30, "queued"]
    })
    expect(s.centre.capacity_schedule).toEqual([
      { from: 0, capacity: 1 },
      { from: 20, capacity: 3 }
    ])
    expect(s.centre.makespan).toBe(30)
  })

  it("the run report shows the capacity over time, a change after the run marked projected", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 3 }, { at: 20, capacity: 2 }] }, ["A", "B", "C", "D"].map((id) => queueLocality(id, fixed(10))), 12)
    const html = renderRunReport(summarize(runScenario(sc).log))
    expect(html).toContain("capacity (negotiations at once), over time")
    expect(html).toContain('1; 3 from month 5.0 <span class="cal">(Sep 2026)</span>; 2 from month 20.0 <span class="cal">(Dec 2027)</span> (projected, after the run)')
    const plain = renderRunReport(summarize(runScenario({ ...sc, centre: { capacity: 1 } }).log))
    expect(plain).not.toContain("capacity (negotiations at once), over time")
    expect(plain).toContain("<dt>capacity (negotiations at once)</dt><dd>1</dd>")
  })

  it("given a change to the capacity already in force, nothing is recorded", () => {
    const sc = queue({ capacity: 2, schedule: [{ at: 3, capacity: 2 }, { at: 7, capacity: 4 }, { at: 9, capacity: 4 }] }, ["A", "B", "C"].map((id) => queueLocality(id, fixed(10))))
    const changes = runScenario(sc).log.controls.filter((e) => e._tag === "CapacityChanged")
    expect(changes.map((e) => e.t)).toEqual([7])
  })

  it("a fork that amends nothing reproduces its parent, wherever it forks (changes before, at and after the fork point)", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 3 }, { at: 12, capacity: 1 }, { at: 30, capacity: 2 }] }, ["A", "B", "C", "D", "E", "F"].map((id) => queueLocality(id, fixed(7))), 24)
    const parent = runScenario(sc).log
    for (let atControl = 1; atControl < parent.controls.length; atControl++) {
      const forked = runScenario(sc, { fork: { scenario: sc, atControl } }).log
      expect(forked.controls, `fork at control ${atControl}`).toEqual(parent.controls)
    }
  })

  it("a fork that amends the schedule records the capacity in force at the fork and then its own changes", () => {
    const sc = queue({ capacity: 1, schedule: [{ at: 5, capacity: 3 }] }, ["A", "B", "C", "D", "E", "F"].map((id) => queueLocality(id, fixed(10))), 40)
    const amended = { ...sc, centre: { capacity: 1, schedule: [{ at: 2, capacity: 2 }, { at: 15, capacity: 4 }] } }
    const { log } = runScenario(sc, { fork: { scenario: amended, atTime: 3 } })
    const centre = log.controls.filter((e) => e._tag === "ScenarioAmended" || e._tag === "CapacityChanged").map((e) => [e._tag, e.t, "capacity" in e ? e.capacity : null])
    expect(centre).toEqual([
      ["ScenarioAmended", 5, 2],
      ["CapacityChanged", 15, 4]
    ])
    // Forked at the first trigger at or after month 3 (the parent's change at 5, which the fork
    // replaces): the amended schedule's 2 from month 2 is in force, so B starts at 5, C when A ends;
    // at 15 B ends and the capacity becomes 4.
    expect(Object.fromEntries(summarize(log).negotiations.map((n) => [n.locality, n.start]))).toEqual({ A: 0, B: 5, C: 10, D: 15, E: 15, F: 15 })
  })
})

describe("negotiation duration by readiness and the powers sought", () => {
  it("given readiness 50% and powers weighing 2 and 3 months, a 10-month negotiation takes (10 + 5) × 2 = 30 months", () => {
    const base = queue({ capacity: 4 }, [
      queueLocality("A", fixed(10), { readinessPct: 50 }),
      queueLocality("B", fixed(10)),
      queueLocality("C", fixed(10), { deal: { powers: [1] } })
    ])
    const sc: Scenario = {
      ...base,
      powers: [
        { id: "skills", name: "Skills", agencies: [], requiredLevel: 0, weightMonths: 2 },
        { id: "transport", name: "Transport", agencies: [], requiredLevel: 0, weightMonths: 3 }
      ],
      deal: { ...base.deal, powers: [0, 1] }
    }
    const started = runScenario(sc).log.controls.flatMap((e) => (e._tag === "NegotiationStarted" ? [[e.locality, e.duration]] : []))
    // C seeks transport only: 10 + 3.
    expect(Object.fromEntries(started)).toEqual({ A: 30, B: 15, C: 13 })
  })

  it("property: a schedule that keeps one capacity gives the log of no schedule", () => {
    fc.assert(
      fc.property(arbScenario(), fc.uniqueArray(fc.integer({ min: 0, max: 600 }).map((k) => k / 10), { maxLength: 4 }), (sc, ats) => {
        const schedule = [...ats].sort((a, b) => a - b).map((at) => ({ at, capacity: sc.centre.capacity }))
        const plain = runScenario(sc).log
        const scheduled = runScenario({ ...sc, centre: { capacity: sc.centre.capacity, schedule } }).log
        expect(scheduled.controls).toEqual(plain.controls)
        expect(Array.from(scheduled.postings.amount.subarray(0, scheduled.postings.length))).toEqual(Array.from(plain.postings.amount.subarray(0, plain.postings.length)))
        expect(Array.from(scheduled.postings.cause.subarray(0, scheduled.postings.length))).toEqual(Array.from(plain.postings.cause.subarray(0, plain.postings.length)))
      }),
      { numRuns: 150, seed: 170401 }
    )
  })

  it("property: readiness and weights leave each locality's draws as they were; each duration is (draw + weights) × 100 / readiness", () => {
    const arbAdjust = fc.record({
      readiness: fc.array(fc.option(fc.integer({ min: 1, max: 1000 }).map((k) => k / 10), { nil: undefined }), { minLength: 8, maxLength: 8 }),
      weights: fc.array(fc.option(fc.integer({ min: 0, max: 120 }).map((k) => k / 4), { nil: undefined }), { minLength: 2, maxLength: 2 }),
      seeks: fc.array(fc.constantFrom<ReadonlyArray<number> | undefined>(undefined, [], [0], [1], [0, 1]), { minLength: 8, maxLength: 8 })
    })
    fc.assert(
      fc.property(arbScenario({ maxAgencies: 0 }), arbAdjust, (generated, adj) => {
        // The same menu in both runs (no agencies: powers pool nothing); only the weights and readiness differ.
        const menu = (weights: ReadonlyArray<number | undefined>) =>
          weights.map((w, k) => ({ id: `p${k}`, name: `P${k}`, agencies: [], requiredLevel: 0, ...(w === undefined ? {} : { weightMonths: w }) }))
        const seek = (l: Locality, i: number): Locality => (adj.seeks[i] === undefined ? l : { ...l, deal: { powers: adj.seeks[i]! } })
        const base: Scenario = { ...generated, powers: menu([undefined, undefined]), deal: { ...generated.deal, powers: [0, 1] }, localities: generated.localities.map(seek) }
        const adjusted: Scenario = {
          ...base,
          powers: menu(adj.weights),
          localities: base.localities.map((l, i) => (adj.readiness[i] === undefined ? l : { ...l, readinessPct: adj.readiness[i]! }))
        }
        const durations = (sc: Scenario) => {
          const by = new Map<string, Array<number>>()
          for (const e of runScenario(sc).log.controls) if (e._tag === "NegotiationStarted") by.set(e.locality, [...(by.get(e.locality) ?? []), e.duration])
          return by
        }
        const before = durations(base)
        const after = durations(adjusted)
        adjusted.localities.forEach((l, i) => {
          const sought = l.deal?.powers ?? [0, 1]
          const extra = sought.reduce((x, k) => x + (adj.weights[k] ?? 0), 0)
          const r = adj.readiness[i]
          const a = after.get(l.id) ?? []
          const b = before.get(l.id) ?? []
          // Attempts within the run may differ (the queue moves); the k-th attempt draws the same.
          for (let k = 0; k < Math.min(a.length, b.length); k++) {
            const want = extra === 0 && r === undefined ? b[k]! : Math.min(MAX_TIME_MONTHS, (b[k]! + extra) * (r === undefined ? 1 : 100 / r))
            expect(Object.is(a[k], want), `${l.id} attempt ${k + 1}: ${a[k]} vs ${want}`).toBe(true)
          }
        })
      }),
      { numRuns: 150, seed: 170402 }
    )
  })
})
