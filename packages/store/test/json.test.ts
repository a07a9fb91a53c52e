import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { canonicalJson, prettyJsonPieces } from "../src/json.ts"

/** The reference: the definition written plainly (keys sorted by code unit at every level). */
const reference = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map((x: unknown) => reference(x === undefined ? null : x)).join(",")}]`
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>
    const keys = Object.keys(o).sort().filter((k) => o[k] !== undefined)
    return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(",")}}`
  }
  return JSON.stringify(v)
}

describe("canonicalJson", () => {
  it("is JSON with keys sorted at every level, whatever order they were built in", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(reference(v))
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)))
      }),
      { numRuns: 500, seed: 3 }
    )
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }], e: undefined })).toBe('{"a":[{"c":"x"}],"b":1}')
  })

  it("names where a value cannot be stored", () => {
    expect(() => canonicalJson({ a: [1, { b: Number.NaN }] })).toThrow("$.a[1].b: NaN cannot be stored as JSON")
    expect(() => canonicalJson({ f: () => 1 })).toThrow("$.f: a function cannot be stored as JSON")
  })
})

describe("prettyJsonPieces", () => {
  it("joined, is JSON.stringify(value, null, 2)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expect([...prettyJsonPieces(v)].join("")).toBe(JSON.stringify(v, null, 2))
      }),
      { numRuns: 500, seed: 4 }
    )
    const odd = { a: [undefined, 1, { b: undefined, c: [[], {}, "x\ny"] }], d: undefined, e: { f: { g: { h: [1, [2, { i: 3 }]] } } } }
    expect([...prettyJsonPieces(odd)].join("")).toBe(JSON.stringify(odd, null, 2))
    // Long arrays (like the summary's localities, under its top-level keys) are walked element by element: still the same text.
    const long = { x: { z: Array.from({ length: 600 }, (_, i) => ({ i, z: [i, undefined, { w: [] }] })), u: Array.from({ length: 300 }, () => undefined) } }
    expect([...prettyJsonPieces(long)].join("")).toBe(JSON.stringify(long, null, 2))
    expect([...prettyJsonPieces(long)].length).toBeGreaterThan(900)
  })
})
