/**
 * The scenario file's centre schedule, localities' readiness_pct and powers' weight_months:
 * compiled to core's terms (months since start; absent fields absent), every bad value refused
 * with file:line:col, the path, what was expected and what was found; `--set centre.capacity`
 * sets the capacity at the start and keeps the schedule.
 */
import { describe, expect, it } from "vitest"
import { compileScenarioText, compileScenarioWithSettings, parseSetting, type Setting } from "../src/index.ts"

const BASE = `version: 1
name: Schedule
start: 2026-04
months: 60
seed: 7
centre:
  capacity: 4
  schedule:
    - { from: 2027-04, capacity: 8 }
    - { from: 30, capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
powers:
  - { id: skills, name: Skills, agencies: [council], accountability: leader_cabinet, weight_months: 2.5 }
localities:
  - id: Kent
    name: Kent
    population: 1000
    tranche: t1
    readiness_pct: 80
    negotiation: { months: 9 }
  - id: Essex
    name: Essex
    population: 1000
    tranche: t1
    negotiation: { months: 9 }
`

const edit = (from: string, to: string): string => {
  if (!BASE.includes(from)) throw new Error(`edit does not apply: ${from}`)
  return BASE.replace(from, to)
}

const compiled = (text: string) => {
  const r = compileScenarioText(text, "s.yaml")
  if (!r.ok) throw new Error(r.error.message)
  return r.value.scenario
}

const errorOf = (text: string): string => {
  const r = compileScenarioText(text, "s.yaml")
  if (r.ok) throw new Error("expected an error")
  return r.error.message
}

const settingsOf = (...texts: ReadonlyArray<string>): Array<Setting> =>
  texts.map((t) => {
    const r = parseSetting(t)
    if (!r.ok) throw new Error(r.message)
    return r.setting
  })

describe("the centre's schedule, readiness and powers' weights in a scenario file", () => {
  it("compile: times to months since start, absent fields stay absent", () => {
    const sc = compiled(BASE)
    expect(sc.centre).toEqual({ capacity: 4, schedule: [{ at: 12, capacity: 8 }, { at: 30, capacity: 2 }] })
    expect(sc.localities.map((l) => l.readinessPct)).toEqual([80, undefined])
    expect("readinessPct" in sc.localities[1]!).toBe(false)
    expect(sc.powers[0]!.weightMonths).toBe(2.5)
    const plain = compiled(edit("  schedule:\n    - { from: 2027-04, capacity: 8 }\n    - { from: 30, capacity: 2 }\n", "").replace(", weight_months: 2.5", ""))
    expect(plain.centre).toEqual({ capacity: 4 })
    expect("weightMonths" in plain.powers[0]!).toBe(false)
  })

  const bad: ReadonlyArray<readonly [string, string, string]> = [
    ["a capacity change of 0", edit("{ from: 30, capacity: 2 }", "{ from: 30, capacity: 0 }"), "s.yaml:10:29: centre.schedule[1].capacity: expected an integer >= 1, found 0"],
    ["a fractional capacity change", edit("{ from: 30, capacity: 2 }", "{ from: 30, capacity: 2.5 }"), "s.yaml:10:29: centre.schedule[1].capacity: expected an integer >= 1, found 2.5"],
    [
      "changes out of order",
      edit("{ from: 30, capacity: 2 }", "{ from: 2027-01, capacity: 2 }"),
      's.yaml:10:15: centre.schedule[1].from: expected a time after the change before it (changes ascend strictly; the one before is from month 12), found "2027-01"'
    ],
    ["two changes at one time", edit("{ from: 30, capacity: 2 }", "{ from: 12, capacity: 2 }"), "s.yaml:10:15: centre.schedule[1].from: expected a time after the change before it (changes ascend strictly; the one before is from month 12), found 12"],
    [
      "a change before the start",
      edit("{ from: 2027-04, capacity: 8 }", "{ from: 2026-01, capacity: 8 }"),
      's.yaml:9:15: centre.schedule[0].from: expected a month like 2010-11 not before the start 2026-04, or a number of months >= 0, found "2026-01"'
    ],
    ["a change missing its capacity", edit("{ from: 30, capacity: 2 }", "{ from: 30 }"), 's.yaml:10:7: centre.schedule[1].capacity: expected a key "capacity" with an integer >= 1, found nothing'],
    ["readiness 0", edit("readiness_pct: 80", "readiness_pct: 0"), "s.yaml:22:20: localities[0].readiness_pct: expected a percentage > 0 and <= 100, found 0"],
    ["readiness over 100", edit("readiness_pct: 80", "readiness_pct: 120"), "s.yaml:22:20: localities[0].readiness_pct: expected a percentage > 0 and <= 100, found 120"],
    ["a negative weight", edit("weight_months: 2.5", "weight_months: -1"), "s.yaml:16:101: powers[0].weight_months: expected a number of months >= 0 (at most 120,000), found -1"]
  ]
  for (const [name, text, message] of bad) {
    it(`refuses ${name}, located`, () => expect(errorOf(text)).toBe(message))
  }

  it("the same in JSON: located by line and column", () => {
    const json = JSON.stringify({ version: 1, name: "j", start: "2026-04", months: 12, seed: 1, centre: { capacity: 1, schedule: [{ from: 3, capacity: 2 }, { from: 2, capacity: 3 }] }, tranches: [{ id: "t", opens: 0 }], localities: [{ id: "A", name: "A", population: 1, tranche: "t", negotiation: { months: 1 } }] }, null, 2)
    const r = compileScenarioText(json, "s.json")
    expect(!r.ok && r.error.message).toBe("s.json:15:17: centre.schedule[1].from: expected a time after the change before it (changes ascend strictly; the one before is from month 3), found 2")
  })

  it("--set centre.capacity sets the capacity at the start and keeps the schedule", () => {
    const out = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.capacity=6"))
    expect(out.ok && out.value.scenario.centre).toEqual({ capacity: 6, schedule: [{ at: 12, capacity: 8 }, { at: 30, capacity: 2 }] })
  })

  it("--set centre.schedule replaces the schedule (a list replaces, as in a variant)", () => {
    const out = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.schedule=[{ from: 6, capacity: 5 }]"))
    expect(out.ok && out.value.scenario.centre).toEqual({ capacity: 4, schedule: [{ at: 6, capacity: 5 }] })
  })

  it("--set centre.schedule.N.capacity sets one change's capacity; an index not in the schedule or a bad value is refused", () => {
    const out = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.schedule.1.capacity=6"))
    expect(out.ok && out.value.scenario.centre).toEqual({ capacity: 4, schedule: [{ at: 12, capacity: 8 }, { at: 30, capacity: 6 }] })
    const from = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.schedule.0.from=2026-10"))
    expect(from.ok && from.value.scenario.centre.schedule).toEqual([{ at: 6, capacity: 8 }, { at: 30, capacity: 2 }])
    const zero = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.schedule.1.capacity=0"))
    expect(zero.ok ? "ok" : zero.error.message).toBe("--set: centre.schedule[1].capacity: expected an integer >= 1, found 0")
    const missing = compileScenarioWithSettings(BASE, "s.yaml", settingsOf("centre.schedule.2.capacity=6"))
    expect(missing.ok ? "ok" : missing.error.message).toMatch(/^--set: centre\.schedule: expected a list of capacity changes/)
  })

  it("a schedule's capacity, a readiness and a weight may be uncertain: each drawn from its own stream, named by its path", () => {
    const text = edit("{ from: 30, capacity: 2 }", "{ from: 30, capacity: { uniform: [2, 5] } }")
      .replace("readiness_pct: 80", "readiness_pct: { triangular: [40, 70, 100] }")
      .replace("weight_months: 2.5", "weight_months: { discrete: [1, 3] }")
    const sc = compiled(text)
    expect(sc.inputs!.map((i) => i.path)).toEqual(["centre.schedule[1].capacity", "localities[Kent].readiness_pct", "powers[skills].weight_months"])
    const [capacity, readiness, weight] = sc.inputs!.map((i) => i.value) as [number, number, number]
    expect(sc.centre.schedule![1]!.capacity).toBe(capacity)
    expect([2, 3, 4, 5]).toContain(capacity)
    expect(sc.localities[0]!.readinessPct).toBe(readiness)
    expect(readiness).toBeGreaterThanOrEqual(40)
    expect(sc.powers[0]!.weightMonths).toBe(weight)
    expect(errorOf(text.replace("{ uniform: [2, 5] }", "{ uniform: [0, 5] }"))).toBe("s.yaml:10:40: centre.schedule[1].capacity.uniform: expected every draw to be an integer >= 1, found a distribution that can draw 0")
  })
})
