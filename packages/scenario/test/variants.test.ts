/**
 * Named variants: one file holds a base scenario and partial documents deep-merged into it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Result } from "effect"
import { parse as parseYaml } from "yaml"
import { afterAll, describe, expect, it } from "vitest"
import {
  compileScenarioText,
  compileScenarioVariantsText,
  formatScenarioError,
  loadScenario,
  loadScenarioVariants,
  scenarioJsonSchema,
  type LoadedVariant,
  type ScenarioError
} from "../src/index.ts"

// Line numbers matter: the error tests below point into this text.
const FILE = `version: 1
name: Route-map rollout options
start: 2010-04
months: 60
seed: 2010
centre: { capacity: 2 }
tranches:
  - { id: forerunners, opens: 2010-11 }
  - { id: second, opens: 2011-04 }
agencies:
  - { id: council, name: Councils }
  - { id: nhs, name: NHS }
localities:
  - id: Greater Manchester
    name: Greater Manchester
    population: 2700000
    tranche: second
    negotiation: { months: { triangular: [4, 5, 7] }, max_attempts: 2 }
    baseline: { council: 1bn, nhs: 2bn }
  - id: Kent
    name: Kent
    population: 1500000
    tranche: forerunners
    negotiation: { months: 6 }
deal: { reduction_pct: 5, pooled_agencies: [council], horizon_months: 36 }
variants:
  - name: forerunners-first
    description: Forerunners in tranche 1, the rest 6 months later
  - name: all-at-once
    tranches: { second: { opens: 2010-11 } }
  - name: largest-first-capacity-4
    centre: { capacity: 4 }
    localities:
      Greater Manchester: { tranche: forerunners }
      Kent: { tranche: second }
  - name: replace-and-merge
    deal: { pooled_agencies: [nhs] }
    agencies:
      - { id: council, name: Councils }
      - { id: nhs, name: NHS, trend_pct: 3 }
    localities:
      Greater Manchester:
        negotiation: { months: { uniform: [2, 3] } }
        baseline: { nhs: 2.5bn }
    seed: 7
`

const BASE_NAME = "Route-map rollout options"

const all = (text: string, file = "x.yaml", options: { seed?: number } = {}): ReadonlyArray<LoadedVariant> => {
  const r = compileScenarioVariantsText(text, file, options)
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`)
  return r.value
}

const allErr = (text: string, file = "x.yaml"): ScenarioError => {
  const r = compileScenarioVariantsText(text, file)
  if (r.ok) throw new Error("expected an error")
  return r.error
}

/** Applies "old|new" replacements to FILE, each of which must apply. */
const edit = (...edits: Array<string>): string =>
  edits.reduce((t, e) => {
    const [a, b] = e.split("|") as [string, string]
    if (!t.includes(a)) throw new Error(`edit does not apply: ${a}`)
    return t.replace(a, b)
  }, FILE)

const byName = (vs: ReadonlyArray<LoadedVariant>, name: string | null): LoadedVariant => {
  const v = vs.find((x) => x.variant === name)
  if (v === undefined) throw new Error(`no variant ${String(name)}`)
  return v
}

describe("the base and its variants", () => {
  it("returns the base first, then each variant in file order, named <base> / <variant>", () => {
    const vs = all(FILE)
    expect(vs.map((v) => v.variant)).toEqual([null, "forerunners-first", "all-at-once", "largest-first-capacity-4", "replace-and-merge"])
    expect(vs.map((v) => v.scenario.name)).toEqual([
      BASE_NAME,
      `${BASE_NAME} / forerunners-first`,
      `${BASE_NAME} / all-at-once`,
      `${BASE_NAME} / largest-first-capacity-4`,
      `${BASE_NAME} / replace-and-merge`
    ])
    // All from the one file: same name, same input hash.
    expect(new Set(vs.map((v) => v.file))).toEqual(new Set(["x.yaml"]))
    expect(new Set(vs.map((v) => v.inputSha256)).size).toBe(1)
  })

  it("the base is what loadScenario compiles, and its as-run text is the file unchanged", () => {
    const [base] = all(FILE)
    const single = compileScenarioText(FILE, "x.yaml")
    expect(single.ok).toBe(true)
    if (!single.ok) return
    expect(base!.scenario).toEqual(single.value.scenario)
    expect(base!.asRunText).toBe(FILE)
    expect(single.value.asRunText).toBe(FILE)
    // The base is no variant; a variant compiled alone says which it is, with its description (run --variant prints them).
    expect([single.value.variant, single.value.description]).toEqual([null, null])
    const chosen = all(FILE)[1]!
    const one = compileScenarioText(FILE, "x.yaml", { variant: chosen.variant! })
    expect(one.ok && [one.value.variant, one.value.description, one.value.asRunText]).toEqual([chosen.variant, chosen.description, chosen.asRunText])
  })

  it("a variant with no overrides compiles to the base but for its name", () => {
    const vs = all(FILE)
    const v = byName(vs, "forerunners-first")
    expect({ ...v.scenario, name: BASE_NAME }).toEqual(byName(vs, null).scenario)
  })

  it("a file without variants, or with an empty list, gives just the base", () => {
    const without = FILE.slice(0, FILE.indexOf("variants:"))
    expect(all(without).map((v) => v.variant)).toEqual([null])
    expect(all(`${without}variants: []\n`).map((v) => v.variant)).toEqual([null])
  })

  it("each variant's as-run text is a standalone YAML scenario that compiles to the same Scenario", () => {
    for (const v of all(FILE).slice(1)) {
      const doc = parseYaml(v.asRunText) as Record<string, unknown>
      expect(doc["variants"]).toBeUndefined()
      expect(doc["name"]).toBe(v.scenario.name)
      expect(v.asRunText).toContain(`# Variant ${JSON.stringify(v.variant)} of "${BASE_NAME}"`)
      const again = compileScenarioText(v.asRunText, "scenario.yaml")
      expect(again.ok && again.value.scenario).toEqual(v.scenario)
    }
    expect(byName(all(FILE), "forerunners-first").asRunText).toContain("# Forerunners in tranche 1, the rest 6 months later")
  })
})

describe("merge semantics", () => {
  const vs = all(FILE)
  const base = byName(vs, null).scenario

  it("mappings merge key by key", () => {
    const v = byName(vs, "largest-first-capacity-4").scenario
    expect(v.centre).toEqual({ capacity: 4 })
    // deal: only pooled_agencies given; reduction_pct and horizon_months come from the base.
    const r = byName(vs, "replace-and-merge").scenario
    expect(r.deal).toEqual({ ...base.deal, pooledAgencies: [1] })
    expect(r.deal.reductionBasisPoints).toBe(500)
    expect(r.deal.horizonMonths).toBe(36)
  })

  it("scalars and arrays replace", () => {
    const r = byName(vs, "replace-and-merge").scenario
    // agencies given as a list: the whole list is replaced.
    expect(r.agencies).toEqual([
      { id: "council", name: "Councils", trendBasisPoints: 0 },
      { id: "nhs", name: "NHS", trendBasisPoints: 300 }
    ])
    expect(base.deal.pooledAgencies).toEqual([0])
    expect(r.deal.pooledAgencies).toEqual([1]) // [council] replaced by [nhs], not appended
  })

  it("tranches keyed by id merge into that tranche", () => {
    const v = byName(vs, "all-at-once").scenario
    expect(base.tranches).toEqual([{ id: "forerunners", opens: 7 }, { id: "second", opens: 12 }])
    expect(v.tranches).toEqual([{ id: "forerunners", opens: 7 }, { id: "second", opens: 7 }])
    expect(v.localities).toEqual(base.localities)
  })

  it("localities keyed by id merge into that locality, keeping the rest of it", () => {
    const v = byName(vs, "largest-first-capacity-4").scenario
    expect(v.localities.map((l) => [l.id, l.tranche])).toEqual([["Greater Manchester", 0], ["Kent", 1]])
    expect(base.localities.map((l) => [l.id, l.tranche])).toEqual([["Greater Manchester", 1], ["Kent", 0]])
    expect(v.localities.map((l) => ({ ...l, tranche: 0 }))).toEqual(base.localities.map((l) => ({ ...l, tranche: 0 })))
  })

  it("merges reach inside a keyed element; a distribution of another kind replaces the old one", () => {
    const gm = byName(vs, "replace-and-merge").scenario.localities[0]!
    const gmBase = base.localities[0]!
    expect(gm.negotiation).toEqual({ ...gmBase.negotiation, duration: { kind: "uniform", min: 2, max: 3 } })
    expect(gm.negotiation.maxAttempts).toBe(2) // from the base's negotiation mapping
    expect(gmBase.baseline).toEqual([100000000000, 200000000000])
    expect(gm.baseline).toEqual([100000000000, 250000000000]) // council kept, nhs overridden
  })

  it("a distribution of the same kind merges", () => {
    const text = edit("Kent: { tranche: second }|Kent: { negotiation: { months: { lognormal: { median: 9, sigma: 0.3 } } } }").replace(
      "negotiation: { months: { uniform: [2, 3] } }",
      "negotiation: { months: { triangular: [1, 5, 7] } }"
    )
    const v = all(text)
    expect(byName(v, "replace-and-merge").scenario.localities[0]!.negotiation.duration).toEqual({ kind: "triangular", min: 1, mode: 5, max: 7 })
    expect(byName(v, "largest-first-capacity-4").scenario.localities[1]!.negotiation.duration).toEqual({ kind: "lognormal", median: 9, sigma: 0.3 })
  })

  it("merging leaves the base alone", () => {
    const single = compileScenarioText(FILE, "x.yaml")
    expect(single.ok && single.value.scenario).toEqual(base)
  })

  it("id-keyed overrides work for programmes, transfers, spending reviews and powers too", () => {
    const text = edit(
      "deal: { reduction_pct: 5, pooled_agencies: [council], horizon_months: 36 }|" +
        [
          "deal: { reduction_pct: 5, horizon_months: 36 }",
          "powers:",
          "  - { id: care, name: Care, agencies: [council], accountability: leader_cabinet }",
          "transfers:",
          "  - { id: t, locality: Kent, from: nhs, to: council, amount: 5m, starts: 2011-04, months: 24 }",
          "spending_reviews:",
          "  - { id: sr, starts: 2011-04, months: 48, changes: { council: -10 } }",
          "programmes:",
          "  - id: p",
          "    locality: Kent",
          "    payer: council",
          "    starts: 12",
          "    duration_months: 12",
          "    cohort: 100",
          "    effects:",
          "      - { beneficiary: nhs, service: A&E, unit_cost: { amount: 100, per: event }, baseline_demand: 1, reduction_pct: 10, lag_months: 0, ramp_months: 0 }"
        ].join("\n"),
      "deal: { pooled_agencies: [nhs] }|powers: { care: { agencies: [nhs] } }",
      "    seed: 7|    seed: 7\n    transfers: { t: { months: 12 } }\n    spending_reviews: { sr: { changes: { nhs: 5 } } }\n    programmes: { p: { cohort: 200 } }"
    )
    const r = byName(all(text), "replace-and-merge").scenario
    expect(r.powers.map((p) => p.agencies)).toEqual([[1]])
    expect(r.transfers.map((t) => [t.id, t.months, t.annualPence])).toEqual([["t", 12, 500000000]])
    expect(r.spendingReviews.map((s) => s.changeBasisPoints)).toEqual([[-1000, 500]]) // changes mapping merged
    expect(r.programmes.map((p) => [p.id, p.cohort, p.durationMonths])).toEqual([["p", 200, 12]])
  })
})

describe("seeds", () => {
  it("the seed is shared unless a variant overrides it", () => {
    expect(all(FILE).map((v) => v.scenario.seed)).toEqual([2010, 2010, 2010, 2010, 7])
  })

  it("--seed replaces the shared seed; a variant's own seed still wins, and the as-run text records it", () => {
    const vs = all(FILE, "x.yaml", { seed: 99 })
    expect(vs.map((v) => v.scenario.seed)).toEqual([99, 99, 99, 99, 7])
    expect((parseYaml(byName(vs, "all-at-once").asRunText) as { seed: number }).seed).toBe(99)
  })
})

interface BadCase {
  readonly name: string
  readonly text: string
  readonly file?: string
  readonly path: string
  readonly at: string | undefined
  readonly expected: RegExp
  readonly found: string
}

const bad: Array<BadCase> = [
  {
    name: "a bad value inside a variant points into the variant",
    text: edit("centre: { capacity: 4 }|centre: { capacity: 0 }"),
    path: "variants[2] (largest-first-capacity-4): centre.capacity",
    at: "32:25",
    expected: /^an integer >= 1$/,
    found: "0"
  },
  {
    name: "a bad reference in a keyed override points into the variant, with the merged path",
    text: edit("Kent: { tranche: second }|Kent: { tranche: third }"),
    path: "variants[2] (largest-first-capacity-4): localities[1].tranche",
    at: "35:24",
    expected: /^one of the tranche ids \("forerunners", "second"\)$/,
    found: '"third"'
  },
  {
    name: "a value from the base made invalid by the variant points into the base",
    text: edit("tranches: { second: { opens: 2010-11 } }|tranches: [{ id: first, opens: 0 }]"),
    path: "variants[1] (all-at-once): localities[0].tranche",
    at: "17:14",
    expected: /^one of the tranche ids \("first"\)$/,
    found: '"second"'
  },
  {
    name: "a month before start in a keyed tranche override",
    text: edit("tranches: { second: { opens: 2010-11 } }|tranches: { second: { opens: 2009-11 } }"),
    path: "variants[1] (all-at-once): tranches[1].opens",
    at: "30:34",
    expected: /not before the start 2010-04/,
    found: '"2009-11"'
  },
  {
    name: "an unknown key in a variant points at the key",
    text: edit("centre: { capacity: 4 }|centre: { capcity: 4 }"),
    path: "variants[2] (largest-first-capacity-4): centre.capcity",
    at: "32:15",
    expected: /^only the keys capacity, schedule$/,
    found: 'an unknown key "capcity"'
  },
  {
    name: "an unknown top-level key in a variant",
    text: edit("    seed: 7|    sead: 7"),
    path: "variants[3] (replace-and-merge): sead",
    at: "45:5",
    expected: /^only the keys version, name, start/,
    found: 'an unknown key "sead"'
  },
  {
    name: "a keyed element replaced by a scalar",
    text: edit("Kent: { tranche: second }|Kent: 3"),
    path: "variants[2] (largest-first-capacity-4): localities[1]",
    at: "35:13",
    expected: /^a locality \{ id, name/,
    found: "3"
  },
  {
    name: "a new distribution missing a key",
    text: edit("Kent: { tranche: second }|Kent: { negotiation: { months: { lognormal: { sigma: 1 } } } }"),
    path: "variants[2] (largest-first-capacity-4): localities[1].negotiation.months.lognormal.median",
    at: "35:51",
    expected: /a key "median"/,
    found: "nothing"
  },
  {
    name: "an unknown locality id in a keyed override names the known ids",
    text: edit("Kent: { tranche: second }|Kentt: { tranche: second }"),
    path: "variants[2] (largest-first-capacity-4): localities.Kentt",
    at: "35:7",
    expected: /^one of the locality ids \("Greater Manchester", "Kent"\)$/,
    found: 'an unknown locality "Kentt"'
  },
  {
    name: "an unknown tranche id in a keyed override names the known ids",
    text: edit("tranches: { second: { opens: 2010-11 } }|tranches: { 'second tranche': { opens: 2010-11 } }"),
    path: 'variants[1] (all-at-once): tranches["second tranche"]',
    at: "30:17",
    expected: /^one of the tranche ids \("forerunners", "second"\)$/,
    found: 'an unknown tranche "second tranche"'
  },
  {
    name: "a keyed override of a list the base does not have",
    text: edit("    seed: 7|    programmes: { early-years: { cohort: 5 } }"),
    path: 'variants[3] (replace-and-merge): programmes["early-years"]',
    at: "45:19",
    expected: /^a programme id, but the base has no programmes$/,
    found: 'an unknown programme "early-years"'
  },
  {
    name: "a variant may not override version",
    text: edit("    seed: 7|    version: 2"),
    path: "variants[3] (replace-and-merge): version",
    at: "45:5",
    expected: /not version, name or variants/,
    found: 'an override of "version"'
  },
  {
    name: "a variant may not override variants",
    text: edit("    seed: 7|    variants: []"),
    path: "variants[3] (replace-and-merge): variants",
    at: "45:5",
    expected: /not version, name or variants/,
    found: 'an override of "variants"'
  },
  {
    name: "duplicate variant names",
    text: edit("  - name: all-at-once|  - name: forerunners-first"),
    path: "variants[1].name",
    at: "29:11",
    expected: /^a variant name not used before \(variants\[0\] already has it\)$/,
    found: '"forerunners-first"'
  },
  {
    name: "a variant name with a slash",
    text: edit("  - name: all-at-once|  - name: all/at/once"),
    path: "variants[1].name",
    at: "29:11",
    expected: /without "\/"/,
    found: '"all/at/once"'
  },
  {
    name: "a variant without a name",
    text: edit("  - name: all-at-once\n|  - description: unnamed\n"),
    path: "variants[1].name",
    at: "29:5",
    expected: /a key "name"/,
    found: "nothing"
  },
  {
    name: "variants that are not a list",
    text: `${FILE.slice(0, FILE.indexOf("variants:"))}variants: { a: 1 }\n`,
    path: "variants",
    at: "26:11",
    expected: /^a list of variants/,
    found: '{"a":1}'
  },
  {
    name: "the base's errors come first, without a prefix",
    text: edit("centre: { capacity: 2 }|centre: { capacity: 0 }", "centre: { capacity: 4 }|centre: { capacity: 0 }"),
    path: "centre.capacity",
    at: "6:21",
    expected: /^an integer >= 1$/,
    found: "0"
  },
  {
    name: "JSON: an error inside a variant",
    file: "x.json",
    text: JSON.stringify(
      {
        ...(parseYaml(FILE.slice(0, FILE.indexOf("variants:"))) as object),
        variants: [{ name: "big", localities: { Kent: { population: -1 } } }]
      },
      null,
      2
    ),
    path: "variants[0] (big): localities[1].population",
    at: "73:25",
    expected: /^a population >= 0$/,
    found: "-1"
  }
]

describe("errors in variants", () => {
  for (const c of bad) {
    it(c.name, () => {
      const file = c.file ?? "scenarios/x.yaml"
      const e = allErr(c.text, file)
      expect(e._tag).toBe("ScenarioError")
      expect(e.file).toBe(file)
      expect(e.path).toBe(c.path)
      expect(e.line === undefined ? undefined : `${e.line}:${e.column}`).toBe(c.at)
      expect(e.expected).toMatch(c.expected)
      expect(e.found).toBe(c.found)
      expect(e.message).toBe(formatScenarioError(e))
      expect(e.message).not.toContain("\n")
    })
  }

  it("reads like the documented example", () => {
    const e = allErr(edit("centre: { capacity: 4 }|centre: { capacity: 0 }"))
    expect(e.message).toBe("x.yaml:32:25: variants[2] (largest-first-capacity-4): centre.capacity: expected an integer >= 1, found 0")
  })

  it("the base name cannot be overridden: a variant's name key names the variant", () => {
    const v = byName(all(FILE), "all-at-once")
    expect(v.scenario.name).toBe(`${BASE_NAME} / all-at-once`)
  })

  it("loading the base alone does not compile the variants", () => {
    const text = edit("centre: { capacity: 4 }|centre: { capacity: 0 }")
    const r = compileScenarioText(text, "x.yaml")
    expect(r.ok && r.value.scenario.centre.capacity).toBe(2)
    // But the variants' names are part of the file's format.
    const dup = compileScenarioText(edit("  - name: all-at-once|  - name: forerunners-first"), "x.yaml")
    expect(!dup.ok && dup.error.path).toBe("variants[1].name")
  })
})

describe("selecting one variant by name", () => {
  it("compiles that variant, as compileScenarioVariantsText does", () => {
    const r = compileScenarioText(FILE, "x.yaml", { variant: "all-at-once" })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const v = byName(all(FILE), "all-at-once")
    expect(r.value.scenario).toEqual(v.scenario)
    expect(r.value.asRunText).toBe(v.asRunText)
    expect(r.value.inputSha256).toBe(v.inputSha256)
  })

  it("applies --seed as compileScenarioVariantsText does", () => {
    const r = compileScenarioText(FILE, "x.yaml", { variant: "all-at-once", seed: 5 })
    expect(r.ok && r.value.scenario.seed).toBe(5)
  })

  it("an unknown name lists the names", () => {
    const r = compileScenarioText(FILE, "x.yaml", { variant: "all-at-onc" })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toBe(
      'x.yaml:27:3: variants: expected one of the variant names ("forerunners-first", "all-at-once", "largest-first-capacity-4", "replace-and-merge"), found "all-at-onc"'
    )
  })

  it("a file without variants has none to select", () => {
    const r = compileScenarioText(FILE.slice(0, FILE.indexOf("variants:")), "x.yaml", { variant: "all-at-once" })
    expect(!r.ok && r.error.message).toBe('x.yaml: variants: expected a variant of that name, but the file has no variants, found "all-at-once"')
  })

  it("a broken variant is reported when selected", () => {
    const r = compileScenarioText(edit("centre: { capacity: 4 }|centre: { capacity: 0 }"), "x.yaml", { variant: "largest-first-capacity-4" })
    expect(!r.ok && r.error.path).toBe("variants[2] (largest-first-capacity-4): centre.capacity")
  })
})

describe("from disk", () => {
  const dir = mkdtempSync(join(tmpdir(), "devosim-variants-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, "options.yaml")
  writeFileSync(file, FILE)

  it("loadScenarioVariants reads the base and every variant", async () => {
    const vs = await Effect.runPromise(loadScenarioVariants(file))
    expect(vs.map((v) => v.variant)).toEqual([null, "forerunners-first", "all-at-once", "largest-first-capacity-4", "replace-and-merge"])
    expect(vs.map((v) => v.scenario)).toEqual(all(FILE, file).map((v) => v.scenario))
  })

  it("loadScenario takes a variant name", async () => {
    const v = await Effect.runPromise(loadScenario(file, { variant: "largest-first-capacity-4" }))
    expect(v.scenario.name).toBe(`${BASE_NAME} / largest-first-capacity-4`)
    const base = await Effect.runPromise(loadScenario(file))
    expect(base.scenario.name).toBe(BASE_NAME)
    expect(base.asRunText).toBe(FILE)
  })

  it("loadScenarioVariants fails with the ScenarioError", async () => {
    const broken = join(dir, "broken.yaml")
    writeFileSync(broken, edit("Kent: { tranche: second }|Kentt: { tranche: second }"))
    const r = await Effect.runPromise(Effect.result(loadScenarioVariants(broken)))
    expect(Result.isFailure(r) && r.failure.message).toMatch(/^.*broken\.yaml:35:7: variants\[2\] \(largest-first-capacity-4\): localities\.Kentt: /)
  })
})

describe("JSON Schema", () => {
  it("describes variants: a list of objects with a name, a description and any other keys", () => {
    const schema = scenarioJsonSchema()
    const props = schema["properties"] as Record<string, Record<string, unknown>>
    const variants = props["variants"]!
    expect(variants["type"]).toBe("array")
    const items = variants["items"] as Record<string, unknown>
    expect(items["type"]).toBe("object")
    expect(Object.keys(items["properties"] as object)).toEqual(["name", "description"])
    expect(items["required"]).toEqual(["name"])
    expect(JSON.stringify(items)).toContain('"additionalProperties":{}')
    expect(schema["required"]).not.toContain("variants")
  })
})
