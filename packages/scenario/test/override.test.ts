/**
 * `--set PATH=VALUE` (`src/override.ts`): paths parse to the segments meant, quoted segments reach
 * every id (one with `=`, `.`, `"`, `[`, `]` or `\` too), malformed paths are refused with the
 * character where they go wrong, and no path and no variant key, `__proto__` included, reaches
 * Object.prototype.
 */
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  compileScenarioVariantsText,
  compileScenarioWithSettings,
  FORBIDDEN_SEGMENTS,
  formatSettingPath,
  overrideOf,
  parseSetting,
  type Setting
} from "../src/index.ts"

const pathOf = (text: string): ReadonlyArray<string> | string => {
  const r = parseSetting(text)
  return r.ok ? r.setting.path : r.message
}

/** Object.prototype's own keys, and what a fresh mapping inherits, before any test ran. */
const PROTOTYPE_KEYS = Reflect.ownKeys(Object.prototype)
const untouched = (): void => {
  expect(Reflect.ownKeys(Object.prototype)).toEqual(PROTOTYPE_KEYS)
  const fresh: Record<string, unknown> = {}
  for (const key in fresh) expect.fail(`a fresh mapping inherits ${key}`)
}
afterEach(untouched)

describe("parseSetting", () => {
  it("reads paths in the file's own words, quoted segments included", () => {
    expect(pathOf("centre.capacity=16")).toEqual(["centre", "capacity"])
    expect(pathOf("centre.capacity = 16")).toEqual(["centre", "capacity"])
    expect(pathOf("localities.Kent.tranche=forerunners")).toEqual(["localities", "Kent", "tranche"])
    expect(pathOf('localities["St. Helens"].ready=3')).toEqual(["localities", "St. Helens", "ready"])
    expect(pathOf('["localities"]["Kent"]["ready"]=3')).toEqual(["localities", "Kent", "ready"])
    // Inside the quotes, `=`, `.`, `[` and `]` are the id's; `\"` and `\\` a quote and a backslash.
    expect(pathOf('localities["a=b.c[d]\\"e\\\\"].ready=3')).toEqual(["localities", 'a=b.c[d]"e\\', "ready"])
    expect(pathOf('localities["\\u00e9"].ready=3')).toEqual(["localities", "é", "ready"])
  })

  it("reads VALUE as YAML, from the first = after the path", () => {
    const r = parseSetting('localities["x=1"].negotiation.months={ triangular: [3, 5, 9] }')
    expect(r.ok && r.setting.value).toEqual({ triangular: [3, 5, 9] })
    const s = parseSetting("name=a=b")
    expect(s.ok && s.setting.value).toBe("a=b")
  })

  it("refuses a malformed path with the setting, the character and what was expected there", () => {
    const cases: ReadonlyArray<[string, string]> = [
      ["localities..x=1", '--set "localities..x=1": at character 12: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "."'],
      ["a[=1", '--set "a[=1": at character 3: expected a quoted key after "[" (like ["St. Helens"]), found "="'],
      [".a=1", '--set ".a=1": at character 1: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "."'],
      ["a.=1", '--set "a.=1": at character 3: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "="'],
      ["=1", '--set "=1": at character 1: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "="'],
      ["", '--set "": at character 1: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found the end'],
      ["centre.capacity", '--set "centre.capacity": at character 16: expected PATH=VALUE, like centre.capacity=16 (an = and a value after the path), found the end'],
      ["a]=1", '--set "a]=1": at character 2: expected ".", "[" or "=" after a key, found "]"'],
      ['a["b"c=1', '--set "a[\\"b\\"c=1": at character 6: expected a "]" after the quoted key, found "c"'],
      ['a["b=1', '--set "a[\\"b=1": at character 3: expected a quoted key closed by ", found no closing quote'],
      ['a["b\\q"]=1', '--set "a[\\"b\\\\q\\"]=1": at character 3: expected a quoted key in JSON string syntax (escapes \\" \\\\ \\uXXXX only), found "\\"b\\\\q\\""'],
      ['a[""]=1', '--set "a[\\"\\"]=1": at character 2: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found an empty key'],
      ['a.["b"]=1', '--set "a.[\\"b\\"]=1": at character 3: expected a key after "." (a quoted key follows its parent directly: localities["St. Helens"]), found "["'],
      ["🏴.x..y=1", '--set "🏴.x..y=1": at character 5: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "."'],
      ["a=[", '--set "a=[": at character 3: expected a YAML value after the path\'s =, found "[" (Flow sequence must end with a ] at line 1, column 2)']
    ]
    for (const [text, message] of cases) expect(pathOf(text)).toBe(message)
  })

  it("refuses __proto__, constructor and prototype, plain or quoted, anywhere in the path", () => {
    expect(pathOf("__proto__.nhs=100bn")).toBe(
      '--set "__proto__.nhs=100bn": at character 1: expected a key other than __proto__, constructor or prototype (they name no part of a scenario), found "__proto__"'
    )
    expect(pathOf('localities["constructor"].ready=1')).toMatch(/^--set ".*": at character 11: expected a key other than __proto__, .* found "constructor"$/)
    expect(pathOf("localities.Kent.prototype=1")).toMatch(/at character 17: .* found "prototype"$/)
  })

  it("prints a hostile setting on one line, escaped", () => {
    const r = parseSetting("\u001b[2J\u202e.x=1\nmore")
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.message).not.toMatch(/[\u0000-\u001f\u202e]/)
      expect(r.message.split("\n")).toHaveLength(1)
    }
  })
})

/** Any key a file may have: printable or not, with the path's own punctuation. */
const aKey = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom("=", ".", '"', "[", "]", "\\", " ", "a", "é", "🏴", "\u200b", "\u0301"), minLength: 1, maxLength: 8 }),
  fc.constantFrom("Kent", "St. Helens", "a=b", "x-y", "__proto__x", "constructors")
)

describe("parseSetting, properties", () => {
  it("a path with __proto__, constructor or prototype anywhere is refused, plain or quoted", () => {
    fc.assert(
      fc.property(
        // The other keys are not forbidden themselves, so the refusal names the one placed.
        fc.array(aKey.filter((k) => !FORBIDDEN_SEGMENTS.includes(k)), { maxLength: 4 }),
        fc.constantFrom(...FORBIDDEN_SEGMENTS),
        fc.nat(),
        fc.boolean(),
        (keys, forbidden, at, quoted) => {
          const i = at % (keys.length + 1)
          const parts = keys.map((k) => `[${JSON.stringify(k)}]`)
          parts.splice(i, 0, quoted || i > 0 ? `[${JSON.stringify(forbidden)}]` : forbidden)
          const r = parseSetting(`${parts.join("")}=1`)
          expect(r.ok).toBe(false)
          if (!r.ok) expect(r.message).toContain(`found "${forbidden}"`)
        }
      ),
      { numRuns: 300 }
    )
  })

  it("any path of keys, written by formatSettingPath, parses back to the same keys", () => {
    fc.assert(
      fc.property(fc.array(aKey.filter((k) => !FORBIDDEN_SEGMENTS.includes(k)), { minLength: 1, maxLength: 5 }), fc.constantFrom("1", "x=y", "{ a: 1 }"), (keys, value) => {
        const r = parseSetting(`${formatSettingPath(keys)}=${value}`)
        expect(r.ok ? r.setting.path : r.message).toEqual(keys)
      }),
      { numRuns: 500 }
    )
  })

  it("every printable id is addressable: localities[<id as JSON>].ready parses to it", () => {
    const printable = fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s))
    fc.assert(
      fc.property(printable, (id) => {
        expect(pathOf(`localities[${JSON.stringify(id)}].ready=3`)).toEqual(FORBIDDEN_SEGMENTS.includes(id) ? expect.any(String) : ["localities", id, "ready"])
      }),
      { numRuns: 500 }
    )
  })

  it("no setting reaches Object.prototype, even with a forbidden segment let through to overrideOf", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            path: fc.array(fc.oneof(aKey, fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty")), { minLength: 1, maxLength: 4 }),
            value: fc.oneof(fc.constant(1), fc.constant("100bn"), fc.constant({ polluted: true }), fc.constant(null))
          }),
          { minLength: 1, maxLength: 4 }
        ),
        (raw) => {
          const settings: Array<Setting> = raw.map((s) => ({ ...s, text: "" }))
          const override = overrideOf(settings)
          untouched()
          // The last setting is there, by own keys, with its value (an earlier one may be under it).
          const last = settings[settings.length - 1]!
          let node: unknown = override
          for (const seg of last.path) {
            expect(Object.hasOwn(node as object, seg)).toBe(true)
            node = (node as Record<string, unknown>)[seg]
          }
          expect(node).toBe(last.value)
        }
      ),
      { numRuns: 300 }
    )
  })
})

const SCENARIO = `version: 1
name: set paths
start: 2010-04
months: 12
seed: 1
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: council, name: Council }
localities:
  - { id: Kent, name: Kent, population: 1400000, tranche: t1, negotiation: { months: 3 }, baseline: { council: 1m } }
  - { id: "a=b.c[d]\\"e", name: Odd, population: 1, tranche: t1, negotiation: { months: 3 }, baseline: { council: 1m } }
`

const settingsOf = (...texts: ReadonlyArray<string>): Array<Setting> =>
  texts.map((t) => {
    const r = parseSetting(t)
    if (!r.ok) throw new Error(r.message)
    return r.setting
  })

describe("compileScenarioWithSettings", () => {
  it("reaches an id with =, ., a quote and brackets through the quoted form", () => {
    const out = compileScenarioWithSettings(SCENARIO, "s.yaml", settingsOf('localities["a=b.c[d]\\"e"].ready=5'))
    expect(out.ok && out.value.scenario.localities.map((l) => [l.id, l.ready])).toEqual([
      ["Kent", 0],
      ['a=b.c[d]"e', 5]
    ])
  })

  it("a setting with __proto__ keys in its VALUE is refused as an unknown key, and pollutes nothing", () => {
    const out = compileScenarioWithSettings(SCENARIO, "s.yaml", settingsOf('localities.Kent={ "__proto__": { baseline: { council: 100bn } } }'))
    expect(out.ok ? "ok" : out.error.message).toBe(
      '--set: localities[0].__proto__: expected only the keys id, name, population, tranche, ready, negotiation, baseline, accountability, deal, readiness_pct, tiers, pass_down, personal_budgets, found an unknown key "__proto__"'
    )
  })

  it("an id made equal to another only by normalisation is refused, as a duplicate", () => {
    const text = SCENARIO.replace("{ id: Kent, name: Kent", '{ id: "e\\u0301", name: Kent')
    expect(compileScenarioWithSettings(text, "s.yaml", settingsOf('localities["e\\u0301"].ready=1')).ok).toBe(true)
    const out = compileScenarioWithSettings(text, "s.yaml", settingsOf('localities["a=b.c[d]\\"e"].id="\\u00e9"'))
    expect(out.ok ? "ok" : out.error.message).toBe(
      '--set: localities[1].id: expected a locality id not used before, compared after Unicode NFC normalisation (localities[0] already has "e\u0301", U+0065 U+0301), found "\u00e9", U+00E9'
    )
  })
})

describe("variants: __proto__ keys in a file are plain keys, never a prototype", () => {
  const variants = (v: string) => `${SCENARIO}variants:\n${v}`

  it("__proto__ as a variant's key is an unknown key of the merged scenario", () => {
    const out = compileScenarioVariantsText(variants("  - name: v\n    __proto__: { centre: { capacity: 9 } }\n"), "s.yaml")
    expect(out.ok ? "ok" : out.error.message).toBe(
      's.yaml:16:5: variants[0] (v): __proto__: expected only the keys version, name, start, months, seed, centre, tranches, agencies, localities, deal, discount_rate_pct, appraisal, coverage, powers, programmes, transfers, spending_reviews, running_costs, experiments, variants, found an unknown key "__proto__"'
    )
  })

  it("__proto__ inside a variant's mappings (a keyed list, a baseline) is an unknown id or key", () => {
    const keyed = compileScenarioVariantsText(variants("  - name: v\n    localities: { __proto__: { ready: 3 } }\n"), "s.yaml")
    expect(keyed.ok ? "ok" : keyed.error.message).toMatch(/^s\.yaml:16:19: variants\[0\] \(v\): localities\.__proto__: expected one of the locality ids \("Kent", .*found an unknown locality "__proto__"$/)
    const line = compileScenarioVariantsText(variants("  - name: v\n    localities: { Kent: { baseline: { __proto__: 100bn } } }\n"), "s.yaml")
    expect(line.ok ? "ok" : line.error.message).toMatch(/^s\.yaml:16:39: variants\[0\] \(v\): localities\[0\]\.baseline\.__proto__: expected one of the agency ids \("council"\), found an unknown agency "__proto__"$/)
    const centre = compileScenarioVariantsText(variants("  - name: v\n    centre: { __proto__: { capacity: 9 } }\n"), "s.yaml")
    expect(centre.ok ? "ok" : centre.error.message).toMatch(/^s\.yaml:16:15: variants\[0\] \(v\): centre\.__proto__: expected only the keys capacity, schedule, found an unknown key "__proto__"$/)
  })
})
