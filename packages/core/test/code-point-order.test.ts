import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codePointOrder, compareCodePoints } from "../src/ids.ts"

const ids = fc.array(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.constantFrom("\u{1F3F4}", "\uFF21", "a", "A", "")), { maxLength: 60 })

describe("codePointOrder", () => {
  it("orders ids as compareCodePoints does (ties, a repeated id, by index)", () => {
    fc.assert(
      fc.property(ids, fc.boolean(), (list, unique) => {
        const xs = unique ? [...new Set(list)] : list
        const want = Array.from(xs.keys()).sort((a, b) => compareCodePoints(xs[a]!, xs[b]!) || a - b)
        expect(Array.from(codePointOrder(xs))).toEqual(want)
      }),
      { numRuns: 1000 }
    )
  })

  it("puts an astral code point after U+FF21, which UTF-16 order does not", () => {
    expect(Array.from(codePointOrder(["\u{1F3F4}", "\uFF21"]))).toEqual([1, 0])
  })
})
