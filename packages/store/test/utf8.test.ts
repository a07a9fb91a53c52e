import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { utf8FromCodes, writeUtf8 } from "../src/columns.ts"

const strings = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("", "é", "\ud800", "a\udc00b", "北京", "🙂x"))

describe("writeUtf8", () => {
  it("writes what TextEncoder writes, for any string (lone surrogates as U+FFFD), at any offset", () => {
    fc.assert(
      fc.property(strings, fc.nat(5), (s, at) => {
        const bytes = new Uint8Array(at + 3 * s.length).fill(7)
        const n = writeUtf8(s, bytes, at)
        expect(bytes.subarray(at, at + n)).toEqual(new TextEncoder().encode(s))
        expect([...bytes.subarray(0, at)].every((b) => b === 7)).toBe(true)
      }),
      { numRuns: 500 }
    )
  })
})

describe("utf8FromCodes", () => {
  it("each row is its dictionary string's UTF-8, a null row (-1) is null and empty", () => {
    fc.assert(
      fc.property(fc.array(strings, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: -1, max: 7 }), { maxLength: 40 }), (dict, raw) => {
        const codes = Int32Array.from(raw.map((c) => (c >= dict.length ? c % dict.length : c)))
        const data = utf8FromCodes(codes, dict)
        const offsets = data.valueOffsets
        const values = data.values
        codes.forEach((c, i) => {
          const got = values.subarray(offsets[i]!, offsets[i + 1]!)
          expect(got).toEqual(c < 0 ? new Uint8Array(0) : new TextEncoder().encode(dict[c]!))
        })
        expect(data.nullCount).toBe(codes.filter((c) => c < 0).length)
      }),
      { numRuns: 300 }
    )
  })
})
