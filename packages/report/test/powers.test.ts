/**
 * Powers and accountability per deal (powers.ts): when each power of a deal went live, or why it
 * still waits at the end, from a real run's events and the scenario's menu and elections.
 */
import type { RunStarted } from "@devosim/core"
import { runScenario } from "@devosim/engine"
import { compileScenarioText } from "@devosim/scenario"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { dealPowers, powerFactsOf } from "../src/powers.ts"
import type { DealPowers } from "../src/powers.ts"

const ROOT = path.resolve(import.meta.dirname, "../../..")

const powersOf = (text: string, file: string): DealPowers => {
  const compiled = compileScenarioText(text, file)
  if (!compiled.ok) throw new Error(compiled.error.message)
  const log = runScenario(compiled.value.scenario).log
  return dealPowers(log.controls[0] as RunStarted, log.controls, powerFactsOf(compiled.value.scenario))
}


describe("powers and accountability per deal", () => {
  it("golden case G: each power devolved at the deal or at the election that brings its model, or waiting, and why", () => {
    const file = path.join(ROOT, "test/golden/money/cases/g_accountability/scenario.yaml")
    const p = powersOf(readFileSync(file, "utf8"), file)
    expect(p.menu).toBe(true)
    expect(p.deals).toBe(4)
    expect(p.rows).toHaveLength(12)
    const row = (locality: string, power: string) => p.rows.find((r) => r.locality === locality && r.power === power)!
    // G3 has a mayor already: all three at the deal.
    for (const power of ["care", "policing", "health"]) expect(row("G3", power)).toMatchObject({ devolved: 5.5, waiting: null })
    // G2 adopts a mayor at its May 2012 election (month 25): policing and health then.
    expect(row("G2", "care")).toMatchObject({ requires: "leader_cabinet", devolved: 3 })
    expect(row("G2", "policing")).toMatchObject({ requires: "combined_authority", devolved: 25 })
    expect(row("G2", "health")).toMatchObject({ requires: "elected_mayor", devolved: 25 })
    // G1's deal (14.2) is after its first election (13): policing at the next (25); a combined authority is all it adopts.
    expect(row("G1", "policing")).toMatchObject({ devolved: 25, waiting: null })
    expect(row("G1", "health")).toMatchObject({ devolved: null, waiting: "needs an elected mayor; the locality adopts no stronger model than a combined authority" })
    // G4 has no election and adopts nothing.
    expect(row("G4", "policing")).toMatchObject({ devolved: null, waiting: "needs a combined authority; the locality adopts no stronger model" })
    expect(p.devolved).toBe(9)
    expect(p.waiting).toBe(3)
    expect(p.adopted.map((a) => [a.locality, a.model, a.t]).sort()).toEqual([
      ["G1", "combined_authority", 25],
      ["G2", "elected_mayor", 25]
    ])
  })

  it("a power waits for an election after the end of the run, or for one when the only election was before the deal", () => {
    const file = path.join(ROOT, "packages/report/test/powers-waiting.yaml")
    const p = powersOf(readFileSync(file, "utf8"), file)
    expect(p.rows.map((r) => [r.locality, r.power, r.devolved, r.waiting])).toEqual([
      ["Late", "care", 4, null],
      ["Late", "health", null, "needs an elected mayor; no election before the end (the next is month 37, May 2013)"],
      ["Early", "care", 5, null],
      ["Early", "health", null, "needs an elected mayor; no election after the deal"]
    ])
  })

  it("a scenario without a menu has no powers to list", () => {
    const file = path.join(ROOT, "scenarios/older-people-bdp.yaml")
    expect(powersOf(readFileSync(file, "utf8"), file)).toMatchObject({ menu: false, rows: [] })
  })
})
