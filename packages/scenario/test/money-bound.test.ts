import { describe, expect, it } from "vitest"
import { compileScenarioText } from "../src/index.ts"

const doc = (baseline: string, trend = 0, months = 120) =>
  JSON.stringify({
    version: 1,
    name: "bound",
    start: "2010-04",
    months,
    seed: 1,
    centre: { capacity: 1 },
    tranches: [{ id: "t", opens: 0 }],
    agencies: [{ id: "a", name: "A", trend_pct: trend }],
    localities: [{ id: "x", name: "X", population: 1, tranche: "t", negotiation: { months: 3 }, baseline: { a: baseline } }],
    deal: { reduction_pct: 5, horizon_months: 36 }
  })

describe("money must stay within exact pence", () => {
  it("refuses a scenario whose spending over the run could pass £45 trillion, with a located error", () => {
    const r = compileScenarioText(doc("50000bn", 5), "big.json")
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toMatch(/^big\.json:1:\d+: localities: expected baselines and programmes whose spending over the run stays below £45 trillion .*found about £629 trillion over 120 months$/)
  })

  it("accepts one just inside the bound, and trends count", () => {
    expect(compileScenarioText(doc("4000bn"), "ok.json").ok).toBe(true) // £40tn over ten years
    expect(compileScenarioText(doc("4000bn", 10), "grows.json").ok).toBe(false) // ×1.1 a year: £64tn
  })
})
