import { Data } from "effect"
import { forTerminal } from "@devosim/core"

/** One segment of a path inside a scenario document: a mapping key or a list index. */
export type PathSegment = string | number

export interface ScenarioErrorFields {
  readonly file: string
  /** Where in the document, like `localities[3].tranche`; "" for the document itself. */
  readonly path: string
  /** 1-based line and column, whenever the input has a position for `path`. */
  readonly line?: number
  readonly column?: number
  /** What the format wants there, e.g. "an integer >= 1". */
  readonly expected: string
  /** What the file has there, rendered JSON-ish; "nothing" for a missing key. */
  readonly found: string
  /** Where the other place is, when the problem involves two (an id used twice): the first one's line and column. */
  readonly firstAt?: { readonly line: number; readonly column: number }
}

/**
 * A user error in a scenario file. `message` is the one readable line
 * `file:line:col: path: expected …, found …` (never a stack trace), so callers can print it as is.
 */
export class ScenarioError extends Data.TaggedError("ScenarioError")<ScenarioErrorFields & { readonly message: string }> {}

export const makeScenarioError = (fields: ScenarioErrorFields): ScenarioError =>
  new ScenarioError({ ...fields, message: formatScenarioError(fields) })

/**
 * One printable line: control characters (a line break in a file name, an escape sequence in a
 * key) and bidi overrides are shown as `\u001b`, so a message can neither span lines nor drive a terminal.
 */
export const oneLine = forTerminal

/**
 * `scenarios/x.yaml:12:7: localities[3].tranche: expected one of the tranche ids ("t1", "t2"), found "t3"`;
 * with `firstAt`, `… found "Kent" (the first at 9:9)`.
 */
export const formatScenarioError = (e: ScenarioErrorFields): string => {
  const where = e.line === undefined ? e.file : `${e.file}:${e.line}${e.column === undefined ? "" : `:${e.column}`}`
  const path = e.path === "" ? "" : `${e.path}: `
  const first = e.firstAt === undefined ? "" : ` (the first at ${e.firstAt.line}:${e.firstAt.column})`
  return oneLine(`${where}: ${path}expected ${e.expected}, found ${e.found}${first}`)
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * `["localities", 3, "tranche"]` → `localities[3].tranche`; odd keys are quoted: `baseline["🏴 NHS"]`,
 * long ones cut short like a found value.
 */
export const formatPath = (path: ReadonlyArray<PathSegment>): string => {
  let out = ""
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`
    else if (seg.length <= MAX_FOUND && IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`
    else out += `[${renderFound(seg)}]`
  }
  return out
}

const MAX_FOUND = 60

/**
 * The first few entries of a list or mapping, a few levels deep: enough for MAX_FOUND characters,
 * without stringifying all of a million-element list (or a cyclic one) to show sixty characters.
 */
const preview = (value: unknown, depth: number): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (depth >= 4) return Array.isArray(value) ? ["…"] : { "…": "…" }
  if (Array.isArray(value)) return value.slice(0, MAX_FOUND / 2).map((v) => preview(v, depth + 1))
  const out: Record<string, unknown> = {}
  let n = 0
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    if (n++ >= MAX_FOUND / 2) break
    Object.defineProperty(out, key, { value: preview((value as Record<string, unknown>)[key], depth + 1), enumerable: true })
  }
  return out
}

/** A short JSON-ish rendering of an input value for `found`. */
export const renderFound = (value: unknown): string => {
  let s: string
  if (value === undefined) return "nothing"
  if (typeof value === "number") s = String(value) // NaN, Infinity and -Infinity included, unlike JSON
  else if (typeof value === "bigint") s = `${value}`
  else if (typeof value === "string") s = JSON.stringify(value)
  else if (value === null) s = "null"
  else if (typeof value === "object") {
    try {
      s = JSON.stringify(preview(value, 0), (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) ?? String(value)
    } catch {
      s = Array.isArray(value) ? "a list" : "a mapping"
    }
  } else s = String(value)
  // Truncate by code points so an emoji is never cut in half.
  const cps = Array.from(s)
  return cps.length > MAX_FOUND ? `${cps.slice(0, MAX_FOUND - 1).join("")}…` : s
}
