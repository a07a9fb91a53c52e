/**
 * Ids that cannot be told apart are refused: "." and ".." (they become path segments), ids that
 * show nothing (white space, zero-width and format characters, combining marks alone, variation
 * selectors, default-ignorable code points), and two ids of a kind equal after Unicode NFC
 * normalisation ("é" as U+00E9 and as e + U+0301), reported at the second with the first's line
 * and column. The fast path refuses what the schema refuses (`fast.test.ts` mutates ids too).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compileScenarioText, compileScenarioVariantsText } from "../src/index.ts"
import { parse as parseYaml } from "yaml"
import { fastDecode } from "../src/fast.ts"

/** Every kind of id once; `$L`, `$T`, … are the ids under test. */
const scenario = (ids: { L1?: string; L2?: string; T1?: string; A1?: string; P1?: string; R1?: string; X1?: string; S1?: string } = {}, extra = "") => {
  const q = (s: string) => JSON.stringify(s)
  const L1 = q(ids.L1 ?? "Kent")
  const T1 = q(ids.T1 ?? "t1")
  const A1 = q(ids.A1 ?? "council")
  return `version: 1
name: ids
start: 2010-04
months: 12
seed: 1
centre: { capacity: 2 }
tranches:
  - { id: ${T1}, opens: 0 }
  - { id: t2, opens: 0 }
agencies:
  - { id: ${A1}, name: Council }
  - { id: nhs, name: NHS }
powers:
  - { id: ${q(ids.P1 ?? "care")}, name: Care, agencies: [${A1}], accountability: leader_cabinet }
  - { id: health, name: Health, agencies: [nhs], accountability: leader_cabinet }
localities:
  - { id: ${L1}, name: Kent, population: 1, tranche: ${T1}, negotiation: { months: 3 } }
  - { id: ${q(ids.L2 ?? "Leeds")}, name: Leeds, population: 1, tranche: t2, negotiation: { months: 3 } }
programmes:
  - { id: ${q(ids.R1 ?? "p1")}, locality: ${L1}, payer: nhs, starts: 0, duration_months: 6, cohort: 1, effects: [{ beneficiary: nhs, service: A, unit_cost: { amount: 1, per: event }, baseline_demand: 1, reduction_pct: 1, lag_months: 0, ramp_months: 0 }] }
  - { id: p2, locality: ${L1}, payer: nhs, starts: 0, duration_months: 6, cohort: 1, effects: [{ beneficiary: nhs, service: A, unit_cost: { amount: 1, per: event }, baseline_demand: 1, reduction_pct: 1, lag_months: 0, ramp_months: 0 }] }
transfers:
  - { id: ${q(ids.X1 ?? "x1")}, locality: ${L1}, from: nhs, to: ${A1}, amount: 1m, starts: 0, months: 1 }
  - { id: x2, locality: ${L1}, from: nhs, to: ${A1}, amount: 1m, starts: 0, months: 1 }
spending_reviews:
  - { id: ${q(ids.S1 ?? "sr1")}, starts: 0, months: 1, changes: {} }
  - { id: sr2, starts: 0, months: 1, changes: {} }
${extra}`
}

const messageOf = (text: string): string => {
  const r = compileScenarioVariantsText(text, "ids.yaml")
  return r.ok ? "ok" : r.error.message
}

const NFD_E = "e\u0301"
const NFC_E = "\u00e9"

describe("ids that are path segments or show nothing", () => {
  it("the scenario as written is valid", () => {
    expect(messageOf(scenario())).toBe("ok")
  })

  it('"." and ".." are refused for every kind of id, where they are', () => {
    expect(messageOf(scenario({ L1: "." }))).toBe('ids.yaml:17:11: localities[0].id: expected an id other than "." or ".." (ids may become file path segments), found "."')
    expect(messageOf(scenario({ T1: ".." }))).toBe('ids.yaml:8:11: tranches[0].id: expected an id other than "." or ".." (ids may become file path segments), found ".."')
    expect(messageOf(scenario({ A1: "." }))).toMatch(/^ids\.yaml:11:11: agencies\[0\]\.id: expected an id other than "\." or "\.\."/)
    expect(messageOf(scenario({ P1: ".." }))).toMatch(/^ids\.yaml:14:11: powers\[0\]\.id: expected an id other than/)
    expect(messageOf(scenario({ R1: "." }))).toMatch(/^ids\.yaml:20:11: programmes\[0\]\.id: expected an id other than/)
    expect(messageOf(scenario({ X1: "." }))).toMatch(/^ids\.yaml:23:11: transfers\[0\]\.id: expected an id other than/)
    expect(messageOf(scenario({ S1: ".." }))).toMatch(/^ids\.yaml:26:11: spending_reviews\[0\]\.id: expected an id other than/)
    // Dots with something else are ids like any other.
    expect(messageOf(scenario({ L1: "...", L2: ".x" }))).toBe("ok")
  })

  const INVISIBLE: ReadonlyArray<[string, string]> = [
    ["zero-width space", "\u200b"],
    ["zero-width joiners", "\u200c\u200d\u200b"],
    ["word joiner", "\u2060"],
    ["bidi marks", "\u200e\u200f"],
    ["a combining mark alone", "\u0301"],
    ["combining marks and a space", " \u0301\u0308"],
    ["a variation selector", "\ufe0f"],
    ["a supplementary variation selector", "\u{e0100}"],
    ["a Hangul filler", "\u3164"],
    ["the combining grapheme joiner", "\u034f"],
    ["a tag character", "\u{e0041}"],
    ["the blank Braille pattern", "\u2800"]
  ]
  for (const [what, id] of INVISIBLE) {
    it(`an id of ${what} is refused, located and shown escaped`, () => {
      const message = messageOf(scenario({ L2: id }))
      expect(message).toMatch(/^ids\.yaml:18:11: localities\[1\]\.id: expected an id with a character that shows \(not only spaces, zero-width, format or combining characters\), found "/)
      expect(message).not.toMatch(/[\u200e\u200f]/)
      // The fast path declines it too (the schema then words the refusal).
      expect(fastDecode(parseYaml(scenario({ L2: id })))).toBeUndefined()
    })
  }

  it("white space alone (a byte order mark is white space to JavaScript) is still the blank id it was", () => {
    for (const id of [" \u00a0\u3000", "\ufeff"]) {
      expect(messageOf(scenario({ L2: id }))).toBe(`ids.yaml:18:11: localities[1].id: expected a non-empty printable id, found ${JSON.stringify(id)}`)
    }
  })

  it("an id with a character that shows is fine, invisible characters and all", () => {
    expect(messageOf(scenario({ L1: NFD_E, L2: "a\u200b" }))).toBe("ok")
    expect(messageOf(scenario({ L1: "🏴󠁧󠁢󠁷󠁬󠁳󠁿", L2: "\u0915\u094d\u200d" }))).toBe("ok")
  })

  it('variant names follow the same rules: ".", "..", and names that show nothing are refused', () => {
    expect(messageOf(scenario({}, 'variants:\n  - { name: "..", centre: { capacity: 3 } }\n'))).toBe(
      'ids.yaml:29:13: variants[0].name: expected a variant name other than "." or ".." (it may name a run directory), found ".."'
    )
    expect(messageOf(scenario({}, 'variants:\n  - { name: "\\u200b", centre: { capacity: 3 } }\n'))).toMatch(
      /^ids\.yaml:29:13: variants\[0\]\.name: expected a variant name with a character that shows/
    )
  })
})

describe("ids equal after NFC normalisation", () => {
  const nfcRefusal = (kind: string, path: string, what: string, at: string, first: string) =>
    `ids.yaml:${at}: ${path}: expected ${/^[aeiou]/.test(what) ? "an" : "a"} ${what} id not used before, compared after Unicode NFC normalisation (${kind}[0] already has "${NFD_E}", U+0065 U+0301), found "${NFC_E}", U+00E9 (the first at ${first})`

  it("two localities, é as one code point and as e + U+0301, are refused, both places located", () => {
    expect(messageOf(scenario({ L1: NFD_E, L2: NFC_E }))).toBe(nfcRefusal("localities", "localities[1].id", "locality", "18:11", "17:11"))
  })

  it("in either order, the second is the one refused", () => {
    expect(messageOf(scenario({ L1: NFC_E, L2: NFD_E }))).toBe(
      `ids.yaml:18:11: localities[1].id: expected a locality id not used before, compared after Unicode NFC normalisation (localities[0] already has "${NFC_E}", U+00E9), found "${NFD_E}", U+0065 U+0301 (the first at 17:11)`
    )
  })

  it("every kind of id: tranches, agencies, powers, programmes, transfers, spending reviews", () => {
    const swap = (text: string, from: string, to: string) => text.replace(from, to)
    const base = (ids: Parameters<typeof scenario>[0]) => scenario(ids)
    expect(messageOf(swap(base({ T1: NFD_E }), "{ id: t2, opens: 0 }", `{ id: "${NFC_E}", opens: 0 }`))).toBe(nfcRefusal("tranches", "tranches[1].id", "tranche", "9:11", "8:11"))
    expect(messageOf(swap(base({ A1: NFD_E }), "{ id: nhs, name: NHS }", `{ id: "${NFC_E}", name: NHS }`))).toBe(nfcRefusal("agencies", "agencies[1].id", "agency", "12:11", "11:11"))
    expect(messageOf(swap(base({ P1: NFD_E }), "{ id: health,", `{ id: "${NFC_E}",`))).toBe(nfcRefusal("powers", "powers[1].id", "power", "15:11", "14:11"))
    expect(messageOf(swap(base({ R1: NFD_E }), "{ id: p2,", `{ id: "${NFC_E}",`))).toBe(nfcRefusal("programmes", "programmes[1].id", "programme", "21:11", "20:11"))
    expect(messageOf(swap(base({ X1: NFD_E }), "{ id: x2,", `{ id: "${NFC_E}",`))).toBe(nfcRefusal("transfers", "transfers[1].id", "transfer", "24:11", "23:11"))
    expect(messageOf(swap(base({ S1: NFD_E }), "{ id: sr2,", `{ id: "${NFC_E}",`))).toBe(
      nfcRefusal("spending_reviews", "spending_reviews[1].id", "spending review", "27:11", "26:11")
    )
  })

  it("variant names too", () => {
    expect(messageOf(scenario({}, `variants:\n  - { name: "${NFD_E}", centre: { capacity: 3 } }\n  - { name: "${NFC_E}", centre: { capacity: 4 } }\n`))).toBe(
      `ids.yaml:30:13: variants[1].name: expected a variant name not used before, compared after Unicode NFC normalisation (variants[0] already has "${NFD_E}", U+0065 U+0301), found "${NFC_E}", U+00E9 (the first at 29:13)`
    )
  })

  it("an exact repeat names the first's line and column too", () => {
    expect(messageOf(scenario({ L1: "Kent", L2: "Kent" }))).toBe('ids.yaml:18:11: localities[1].id: expected a locality id not used before (localities[0] already has it), found "Kent" (the first at 17:11)')
  })

  it("inside a variant, the first is located where the merged value came from", () => {
    const text = scenario({ L1: NFD_E }, `variants:\n  - name: v\n    localities: { Leeds: { id: "${NFC_E}" } }\n`)
    expect(messageOf(text)).toBe(
      `ids.yaml:30:32: variants[0] (v): localities[1].id: expected a locality id not used before, compared after Unicode NFC normalisation (localities[0] already has "${NFD_E}", U+0065 U+0301), found "${NFC_E}", U+00E9 (the first at 17:11)`
    )
  })

  it("property: two locality ids are refused exactly when they are equal after NFC", () => {
    const piece = fc.constantFrom("a", "e", "\u0301", "\u00e9", "A", "\u030a", "\u00c5", "\u212b", "\ufb01", "fi", "\u1e9b\u0323", "\u0073\u0323\u0307", "\u1e69", "1")
    const anId = fc.array(piece, { minLength: 1, maxLength: 4 }).map((p) => `x${p.join("")}`)
    fc.assert(
      fc.property(anId, anId, (a, b) => {
        const out = compileScenarioText(scenario({ L1: a, L2: b }), "ids.yaml")
        const duplicate = a.normalize("NFC") === b.normalize("NFC")
        expect(out.ok ? "ok" : out.error.message).toMatch(duplicate ? /^ids\.yaml:18:11: localities\[1\]\.id: expected a locality id not used before/ : /^ok$/)
      }),
      { numRuns: 300 }
    )
  })
})
