/**
 * `explain` at a tier (issue 17), give-when-then. Brum (the council, 10,000p a month) has a ward,
 * Brum/Ladywood (baseline 60,000p a year), and in it a neighbourhood, Brum/Ladywood/Aston (30,000p):
 * each month 5,000p is spent in Brum's own part, 2,500p in Ladywood's own and 2,500p in Aston.
 */
import type { RunStarted } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { explainBudget, ExplainError, explainScope, formatExplanation, summarize } from "@devosim/report"
import { describe, expect, it } from "vitest"
import { base } from "./devolution-builders.ts"

const sc = base({
  tiers: [
    { id: "Brum/Ladywood", name: "Ladywood", level: "ward", locality: 0, parent: -1, population: 100_000, baseline: [60_000] },
    { id: "Brum/Ladywood/Aston", name: "Aston", level: "neighbourhood", locality: 0, parent: 0, population: 30_000, baseline: [30_000] }
  ]
})
const { log } = runScenario(sc)

describe("explain at a tier", () => {
  it("a ward selects its accounts and its lower tiers': its spend postings, and the net is its places' receipts", () => {
    const x = explainBudget(log, { locality: "Brum/Ladywood", limit: 1000 })
    expect(x.matched).toBe(24)
    expect(x.net_pence).toBe(12 * 5_000)
    expect(x.out_pence).toBe(0)
    expect(new Set(x.postings.map((p) => p.flow))).toEqual(new Set(["service spend"]))
    expect(new Set(x.postings.map((p) => p.from))).toEqual(new Set(["agency council (Brum)"]))
    expect(x.accounts).toEqual(["citizens & suppliers Brum/Ladywood", "citizens & suppliers Brum/Ladywood/Aston"])
    // The net is what the summary has the ward spend, its lower tiers' included.
    const ward = summarize(log).tiers!.by_tier.find((t) => t.tier === "Brum/Ladywood")!
    expect(x.net_pence).toBe(ward.spend_with_lower_tiers_pence)
    // A tier has no events of its own: its locality's.
    expect(x.events).toEqual(explainBudget(log, { locality: "Brum" }).events)
    expect(x.events.length).toBeGreaterThan(0)
    expect(formatExplanation(x, "2024-10")).toContain("Events for Brum/Ladywood's locality")
  })

  it("a neighbourhood selects its own accounts only; a period narrows it", () => {
    const x = explainBudget(log, { locality: "Brum/Ladywood/Aston" })
    expect(x.matched).toBe(12)
    expect(x.net_pence).toBe(12 * 2_500)
    const june = explainBudget(log, { locality: "Brum/Ladywood/Aston", period: 8 })
    expect(june.postings.map((p) => [p.period, p.flow, p.from, p.to, p.amount_pence])).toEqual([[8, "service spend", "agency council (Brum)", "citizens & suppliers Brum/Ladywood/Aston", 2_500]])
  })

  it("a locality selects its own accounts and all its tiers': the roll-up (its money in from the Treasury)", () => {
    const x = explainBudget(log, { locality: "Brum", limit: 1000 })
    expect(x.net_pence).toBe(120_000)
    expect(x.accounts).toContain("citizens & suppliers Brum/Ladywood/Aston")
    // The spend in its places is all its line's: 5,000 + 2,500 + 2,500 a month.
    const spent = x.postings.filter((p) => p.flow === "service spend").reduce((s, p) => s + p.amount_pence, 0)
    expect(spent).toBe(120_000)
    // With an agency: that line's accounts only (tiers' accounts are no line's).
    const council = explainBudget(log, { locality: "Brum", agency: "council", limit: 1000 })
    expect(council.out_pence).toBe(120_000)
  })

  it("an agency at a tier: the tier's postings to or from that line", () => {
    const x = explainBudget(log, { locality: "Brum/Ladywood", agency: "council" })
    expect(x.net_pence).toBe(60_000)
  })

  it("an unknown name: the error lists the localities and the tiers", () => {
    expect(() => explainBudget(log, { locality: "Brum/Nechells" })).toThrow(ExplainError)
    expect(() => explainBudget(log, { locality: "Brum/Nechells" })).toThrow('no locality or tier "Brum/Nechells" in this run; localities are "Brum"; tiers are "Brum/Ladywood", "Brum/Ladywood/Aston"')
    const run = log.controls[0] as RunStarted
    expect(explainScope(run, "Brum/Ladywood/Aston")).toEqual({ locality: 0, tier: 1 })
    expect(explainScope(run, "Brum")).toEqual({ locality: 0, tier: -1 })
  })
})
