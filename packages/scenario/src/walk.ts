/**
 * One pass over a parsed document before the schema sees it: nesting depth, string and key
 * lengths, and the number of entries of every list and mapping, so the schema (which decodes
 * recursively and element by element) only ever gets a bounded tree. The pass is iterative, so a
 * document too deep for a recursive reader is reported rather than overflowing the stack, and it
 * stops at the first problem in document order. It also normalises -0 to 0 (the same number to
 * everything but `Object.is`, and a sign bit that would otherwise reach the event log).
 */
import type { PathSegment } from "./errors.ts"
import {
  atMostText,
  formatCount,
  MAX_AGENCIES,
  MAX_CAPACITY_CHANGES,
  MAX_EFFECTS,
  MAX_ELECTIONS,
  MAX_LOCALITIES,
  MAX_NESTING_DEPTH,
  MAX_OTHER_ENTRIES,
  MAX_OUTCOMES,
  MAX_PASS_DOWNS,
  MAX_PERSONAL_BUDGETS,
  MAX_POWERS,
  MAX_PROGRAMMES,
  MAX_SPENDING_REVIEWS,
  MAX_STRING_LENGTH,
  MAX_TIERS,
  MAX_TRANCHES,
  MAX_TRANSFERS,
  MAX_VARIANTS
} from "./limits.ts"
import type { Problem } from "./issues.ts"

export const NESTING_EXPECTED = `at most ${MAX_NESTING_DEPTH} levels of nested lists and mappings`
export const STRING_EXPECTED = `text of at most ${formatCount(MAX_STRING_LENGTH)} characters`
export const KEY_EXPECTED = `a key of at most ${formatCount(MAX_STRING_LENGTH)} characters`

interface SizeLimit {
  readonly pattern: ReadonlyArray<string>
  readonly max: number
  readonly what: string
}

/**
 * Sizes by path, relative to a document (the file, or a variant's overrides, which may give an
 * id-keyed list as a mapping from id to element: "*" matches an index or an id).
 */
const SIZE_LIMITS: ReadonlyArray<SizeLimit> = [
  { pattern: ["tranches"], max: MAX_TRANCHES, what: "tranches" },
  { pattern: ["agencies"], max: MAX_AGENCIES, what: "agencies" },
  { pattern: ["localities"], max: MAX_LOCALITIES, what: "localities" },
  { pattern: ["powers"], max: MAX_POWERS, what: "powers" },
  { pattern: ["programmes"], max: MAX_PROGRAMMES, what: "programmes" },
  { pattern: ["transfers"], max: MAX_TRANSFERS, what: "transfers" },
  { pattern: ["spending_reviews"], max: MAX_SPENDING_REVIEWS, what: "spending reviews" },
  { pattern: ["localities", "*", "baseline"], max: MAX_AGENCIES, what: "agencies" },
  { pattern: ["localities", "*", "accountability", "elections"], max: MAX_ELECTIONS, what: "elections" },
  { pattern: ["localities", "*", "tiers"], max: MAX_TIERS, what: "tiers" },
  { pattern: ["localities", "*", "pass_down"], max: MAX_PASS_DOWNS, what: "pass-downs" },
  { pattern: ["localities", "*", "personal_budgets"], max: MAX_PERSONAL_BUDGETS, what: "personal budgets" },
  { pattern: ["localities", "*", "deal", "outcomes"], max: MAX_OUTCOMES, what: "outcomes" },
  { pattern: ["powers", "*", "agencies"], max: MAX_AGENCIES, what: "agencies" },
  { pattern: ["deal", "pooled_agencies"], max: MAX_AGENCIES, what: "agencies" },
  { pattern: ["deal", "powers"], max: MAX_POWERS, what: "powers" },
  { pattern: ["programmes", "*", "effects"], max: MAX_EFFECTS, what: "effects" },
  { pattern: ["spending_reviews", "*", "changes"], max: MAX_AGENCIES, what: "agencies" },
  { pattern: ["centre", "schedule"], max: MAX_CAPACITY_CHANGES, what: "capacity changes" }
]
/** No list or mapping this small breaks a size limit: most need no look-up of theirs. */
const SMALLEST_LIMIT = Math.min(MAX_VARIANTS, MAX_OTHER_ENTRIES, ...SIZE_LIMITS.map((l) => l.max))
const VARIANTS_LIMIT: SizeLimit = { pattern: ["variants"], max: MAX_VARIANTS, what: "variants" }
const OTHER_LIMIT: SizeLimit = { pattern: [], max: MAX_OTHER_ENTRIES, what: "entries" }

const matches = (pattern: ReadonlyArray<string>, path: ReadonlyArray<PathSegment>, from: number): boolean => {
  if (path.length - from !== pattern.length) return false
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== "*" && pattern[i] !== path[from + i]) return false
  return true
}

/** The size limit of the list or mapping at `path`. */
export const sizeLimitAt = (path: ReadonlyArray<PathSegment>): SizeLimit => {
  if (path.length === 1 && path[0] === "variants") return VARIANTS_LIMIT
  // Inside variants[i], the paths are those of a document.
  const from = path.length >= 2 && path[0] === "variants" && typeof path[1] === "number" ? 2 : 0
  if (path.length - from > 4) return OTHER_LIMIT
  for (const limit of SIZE_LIMITS) if (matches(limit.pattern, path, from)) return limit
  return OTHER_LIMIT
}

const kindOf = (v: object): string => (Array.isArray(v) ? "a list" : "a mapping")

interface Frame {
  readonly node: Record<string, unknown> | Array<unknown>
  /** A mapping's keys; undefined for a list. */
  readonly keys: ReadonlyArray<string> | undefined
  readonly length: number
  i: number
}

/**
 * The first problem, in document order, with the document's shape limits; undefined if none.
 * `root` is a parsed document (plain objects, arrays, strings, numbers, booleans, null); aliases
 * may make it a graph, even a cyclic one, which the depth limit cuts. `stats.keys` is increased by
 * the number of keys of every mapping visited (a tree is visited whole when there is no problem).
 */
export const checkLimits = (root: unknown, stats?: { keys: number }): Problem | undefined => {
  const path: Array<PathSegment> = []
  const stack: Array<Frame> = []
  const open = (node: object): Problem | undefined => {
    const depth = path.length + 1
    if (depth > MAX_NESTING_DEPTH) {
      return { path: [...path], anchor: "value", expected: NESTING_EXPECTED, found: `${kindOf(node)} nested ${depth} levels deep` }
    }
    const keys = Array.isArray(node) ? undefined : Object.keys(node)
    if (stats !== undefined && keys !== undefined) stats.keys += keys.length
    const length = keys === undefined ? (node as Array<unknown>).length : keys.length
    const limit = length <= SMALLEST_LIMIT ? undefined : sizeLimitAt(path)
    if (limit !== undefined && length > limit.max) {
      const what = limit === OTHER_LIMIT ? (keys === undefined ? "elements" : "keys") : limit.what
      return { path: [...path], anchor: "value", expected: atMostText(limit.max, what), found: `${kindOf(node)} of ${formatCount(length)} ${what}` }
    }
    stack.push({ node: node as Frame["node"], keys, length, i: 0 })
    return undefined
  }
  if (typeof root !== "object" || root === null) return typeof root === "string" && root.length > MAX_STRING_LENGTH ? tooLong([], root) : undefined
  const first = open(root)
  if (first) return first
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    if (frame.i >= frame.length) {
      stack.pop()
      if (stack.length > 0) path.pop()
      continue
    }
    const seg: PathSegment = frame.keys === undefined ? frame.i : frame.keys[frame.i]!
    frame.i++
    if (typeof seg === "string" && seg.length > MAX_STRING_LENGTH) {
      return { path: [...path, seg], anchor: "key", expected: KEY_EXPECTED, found: `a key of ${formatCount(seg.length)} characters` }
    }
    const value = (frame.node as Record<PathSegment, unknown>)[seg]
    if (typeof value === "string") {
      if (value.length > MAX_STRING_LENGTH) return tooLong([...path, seg], value)
    } else if (typeof value === "number") {
      if (value === 0 && 1 / value < 0) (frame.node as Record<PathSegment, unknown>)[seg] = 0
    } else if (typeof value === "object" && value !== null) {
      path.push(seg)
      const problem = open(value)
      if (problem) return problem
    }
  }
  return undefined
}

const tooLong = (path: ReadonlyArray<PathSegment>, s: string): Problem => ({
  path,
  anchor: "value",
  expected: STRING_EXPECTED,
  found: `text of ${formatCount(s.length)} characters`
})
