/**
 * Text → plain JS value, plus a way back from a path in that value to a line:column in the text.
 * JSON takes the fast path (`JSON.parse`); the yaml library's position-tracking parse runs only when
 * an error needs a position. YAML always goes through `parseDocument` (YAML 1.2, unique keys).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml"
import type { PathSegment } from "./errors.ts"

/** Aliases may be expanded at most this many times: a guard against "billion laughs" files. */
export const MAX_ALIAS_COUNT = 1000

export interface Position {
  /** 0-based character offset, for ordering errors in document order. */
  readonly offset: number
  readonly line: number
  readonly column: number
}

/**
 * Where to point for a path: at its value, at its key (an unknown key), or, for a missing key, at
 * the mapping that should hold it; a missing key sorts at the mapping's end, after the problems
 * inside it (a misspelt key is then reported as unknown rather than the right one as missing).
 */
export type Anchor = "value" | "key" | "missing"

export interface Locator {
  /** The position of `path`, or of its nearest existing ancestor; undefined if there is no document. */
  readonly locate: (path: ReadonlyArray<PathSegment>, anchor: Anchor) => Position | undefined
}

export type SourceFormat = "json" | "yaml"

export interface ParsedSource {
  readonly format: SourceFormat
  readonly value: unknown
  readonly locator: Locator
}

/** A problem found before any schema applies: syntax, emptiness, not a mapping. */
export interface SyntaxProblem {
  readonly path: ReadonlyArray<PathSegment>
  readonly position: Position | undefined
  readonly expected: string
  readonly found: string
}

export const formatOf = (file: string): SourceFormat => (/\.json$/i.test(file) ? "json" : "yaml")

const positionAt = (lc: LineCounter, offset: number): Position => {
  const { line, col } = lc.linePos(offset)
  return { offset, line, column: col }
}

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key))

/** Builds a locator over a parsed yaml document (which also covers JSON). */
const locatorOf = (doc: Document.Parsed, lc: LineCounter): Locator => ({
  locate: (path, anchor) => {
    const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n)
    const at = (n: unknown): Position | undefined => {
      const range = (n as Node | null)?.range
      return range ? positionAt(lc, range[0]) : undefined
    }
    let node: unknown = resolve(doc.contents)
    let best = at(node) ?? positionAt(lc, 0)
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!
      const last = i === path.length - 1
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg))
        if (!pair) return last && anchor === "missing" && node.range ? { ...best, offset: node.range[1] } : best
        if (last && anchor === "key") return at(pair.key) ?? best
        // An empty value (`tranche:`) has no range of its own: point at the key instead.
        const next = resolve(pair.value)
        best = at(next) ?? at(pair.key) ?? best
        node = next
      } else if (isSeq(node) && typeof seg === "number") {
        const next = resolve(node.items[seg])
        if (next === undefined) return best
        best = at(next) ?? best
        node = next
      } else return best
    }
    return best
  }
})

const parseYaml = (text: string) => {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: "1.2" })
  return { doc, lineCounter }
}

/** Lazily parses `text` with positions only when a locator is first used. */
const lazyLocator = (text: string): Locator => {
  let cached: Locator | undefined
  return {
    locate: (path, anchor) => {
      cached ??= (() => {
        const { doc, lineCounter } = parseYaml(text)
        return locatorOf(doc, lineCounter)
      })()
      return cached.locate(path, anchor)
    }
  }
}

const firstLine = (s: string): string => s.split("\n", 1)[0]!.trim()

const emptyFile = (): SyntaxProblem => ({
  path: [],
  position: undefined,
  expected: "a scenario mapping",
  found: "an empty file"
})

const notAMapping = (value: unknown, locator: Locator): SyntaxProblem | undefined => {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return undefined
  const kind = Array.isArray(value) ? "a list" : value === null ? "null" : `${typeof value} ${JSON.stringify(value)}`
  return { path: [], position: locator.locate([], "value"), expected: "a scenario mapping (key: value pairs)", found: kind }
}

/** Locates a `JSON.parse` error: V8 names the offset for most errors; our own scan finds the rest. */
const jsonSyntaxProblem = (text: string, err: unknown): SyntaxProblem => {
  const message = err instanceof Error ? err.message : String(err)
  const pos = /at position (\d+)/.exec(message)
  const offset = pos ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : jsonErrorOffset(text)
  let position: Position | undefined
  if (offset !== undefined) {
    const lc = new LineCounter()
    lc.addNewLine(0)
    for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1)
    position = positionAt(lc, offset)
  }
  return { path: [], position, expected: "valid JSON", found: jsonReason(message) }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const HEX4 = /[0-9a-fA-F]{4}/y

/**
 * Offset of the first JSON syntax error in `s` (undefined when valid, or nested too deeply to
 * scan). Only runs after `JSON.parse` failed without saying where.
 */
export const jsonErrorOffset = (s: string): number | undefined => {
  let i = 0
  const stop = (): never => {
    throw i
  }
  const ws = () => {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++
  }
  const sticky = (re: RegExp) => {
    re.lastIndex = i
    if (!re.test(s)) stop()
    i = re.lastIndex
  }
  const str = () => {
    i++ // opening quote
    while (i < s.length) {
      const c = s.charCodeAt(i)
      if (c === 0x22) return void i++
      if (c < 0x20) stop()
      if (c === 0x5c) {
        i++
        if (s[i] === "u") {
          i++
          sticky(HEX4)
        } else if (i < s.length && '"\\/bfnrt'.includes(s[i]!)) i++
        else stop()
      } else i++
    }
    stop()
  }
  const container = (close: string, member: () => void) => {
    i++
    ws()
    if (s[i] === close) return void i++
    for (;;) {
      ws()
      member()
      ws()
      if (s[i] === ",") i++
      else if (s[i] === close) return void i++
      else stop()
    }
  }
  const value = (): void => {
    ws()
    const c = s[i]
    if (c === "{")
      container("}", () => {
        if (s[i] !== '"') stop()
        str()
        ws()
        if (s[i] !== ":") stop()
        i++
        value()
      })
    else if (c === "[") container("]", value)
    else if (c === '"') str()
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) sticky(NUMBER)
    else {
      const word = ["true", "false", "null"].find((w) => s.startsWith(w, i))
      if (word === undefined) stop()
      else i += word.length
    }
  }
  try {
    value()
    ws()
    return i < s.length ? i : undefined
  } catch (e) {
    if (typeof e === "number") return e
    return undefined // too deep to scan: no position
  }
}

const jsonReason = (message: string): string => {
  // "Expected ',' or '}' after property value in JSON at position 6 (line 1 column 7)": the position is reported apart.
  const reason = message.replace(/ at position \d+.*$/s, "").replace(/, ".*" is not valid JSON$/s, "")
  return `a syntax error (${firstLine(reason)})`
}

export type ParseResult = { readonly ok: true; readonly source: ParsedSource } | { readonly ok: false; readonly problem: SyntaxProblem }

/** Parses scenario text; `format` decides the fast JSON path. */
export const parseSource = (raw: string, format: SourceFormat): ParseResult => {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw // a BOM is not content
  if (format === "json") {
    if (text.trim() === "") return { ok: false, problem: emptyFile() }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      return { ok: false, problem: jsonSyntaxProblem(text, err) }
    }
    const locator = lazyLocator(text)
    const bad = notAMapping(value, locator)
    return bad ? { ok: false, problem: bad } : { ok: true, source: { format, value, locator } }
  }
  const { doc, lineCounter } = parseYaml(text)
  const locator = locatorOf(doc, lineCounter)
  const err = doc.errors[0]
  if (err) {
    const position = positionAt(lineCounter, err.pos[0])
    if (err.code === "DUPLICATE_KEY") {
      // The error points at the repeated key; its text runs to the ':' on that line.
      const key = /^[^\n:]*/.exec(text.slice(err.pos[0]))![0].trim()
      return { ok: false, problem: { path: [], position, expected: "each key at most once in a mapping", found: `the key ${key} again` } }
    }
    return { ok: false, problem: { path: [], position, expected: "valid YAML", found: `a syntax error (${firstLine(err.message)})` } }
  }
  if (doc.contents === null) return { ok: false, problem: emptyFile() }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (e) {
    return {
      ok: false,
      problem: {
        path: [],
        position: locator.locate([], "value"),
        expected: `at most ${MAX_ALIAS_COUNT} alias expansions`,
        found: `a document that expands aliases too often (${firstLine(e instanceof Error ? e.message : String(e))})`
      }
    }
  }
  const bad = notAMapping(value, locator)
  return bad ? { ok: false, problem: bad } : { ok: true, source: { format, value, locator } }
}
