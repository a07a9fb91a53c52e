/** Did-you-mean for a mistyped command (usage.ts): aliases, prefixes, then the nearest by edit distance. */
import { describe, expect, it } from "vitest"
import { suggestCommand } from "../src/usage.ts"

const COMMANDS = ["run", "validate", "compare", "fork", "replay", "explain", "export", "schema", "verify"]

describe("suggestCommand", () => {
  it("words other tools use name devosim's command", () => {
    expect(suggestCommand("diff", COMMANDS)).toEqual(["compare"])
    expect(suggestCommand("experiments", [...COMMANDS, "sweep"])).toEqual(["sweep"])
    expect(suggestCommand("Lint", COMMANDS)).toEqual(["validate"])
    expect(suggestCommand("simulate", COMMANDS)).toEqual(["run"])
  })

  it("a command's beginning names it (or all it could be)", () => {
    expect(suggestCommand("comp", COMMANDS)).toEqual(["compare"])
    expect(suggestCommand("ex", COMMANDS)).toEqual(["explain", "export"])
  })

  it("a typo within a third of the word's length (1 or 2 edits) names the nearest; nothing near, nothing", () => {
    expect(suggestCommand("valdiate", COMMANDS)).toEqual(["validate"])
    expect(suggestCommand("rnu", COMMANDS)).toEqual(["run"])
    expect(suggestCommand("vrify", COMMANDS)).toEqual(["verify"])
    expect(suggestCommand("frobnicate", COMMANDS)).toEqual([])
    expect(suggestCommand("x", COMMANDS)).toEqual([])
  })
})
