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

  it("given ids already in order, or sorted copies of any ids, agrees with compareCodePoints", () => {
    fc.assert(
      fc.property(ids, (list) => {
        const xs = [...new Set(list)].sort(compareCodePoints)
        expect(Array.from(codePointOrder(xs))).toEqual(Array.from(xs.keys()))
        const withRepeat = [...xs, ...xs.slice(0, 1)].sort(compareCodePoints)
        const want = Array.from(withRepeat.keys()).sort((a, b) => compareCodePoints(withRepeat[a]!, withRepeat[b]!) || a - b)
        expect(Array.from(codePointOrder(withRepeat))).toEqual(want)
      }),
      { numRuns: 500 }
    )
  })

  it("puts an astral code point after U+FF21, which UTF-16 order does not", () => {
    expect(Array.from(codePointOrder(["\u{1F3F4}", "\uFF21"]))).toEqual([1, 0])
  })
})
