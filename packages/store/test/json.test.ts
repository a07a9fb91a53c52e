import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { canonicalJson } from "../src/json.ts"

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
