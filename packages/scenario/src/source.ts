/**
 * Text → plain JS value, plus a way back from a path in that value to a line:column in the text.
 * JSON takes the fast path (`JSON.parse`, positions from a scan of the text only when an error
 * needs one); YAML goes through the yaml library's lexer, parser and composer (YAML 1.2) with
 * limits applied while it parses (`limits.ts`). Either way the value then passes `checkLimits`
 * (depth, string lengths, list sizes) before anything else looks at it.
 */
import {
  Composer,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  visit,
  YAMLParseError,
  type Document,
  type Node,
  type YAMLMap
} from "yaml"
import { renderFound, type PathSegment } from "./errors.ts"
import { formatCount, MAX_ALIAS_COUNT, MAX_NESTING_DEPTH, MAX_OTHER_ENTRIES, MAX_YAML_TOKENS } from "./limits.ts"
import { checkLimits, NESTING_EXPECTED } from "./walk.ts"

export { MAX_ALIAS_COUNT }

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

/** A problem found before any schema applies: syntax, emptiness, not a mapping, limits. */
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

/** A short, single-line rendering of some source text (a key, a token) for messages. */
const snippet = (s: string): string => {
  const line = firstLine(s)
  const cps = Array.from(line.length > 200 ? line.slice(0, 200) : line)
  return cps.length > 60 ? `${cps.slice(0, 59).join("")}…` : line
}

/** Builds a locator over a parsed yaml document. */
const locatorOf = (doc: Document.Parsed, lc: LineCounter): Locator => {
  // Alias → its anchored node, found once in one pass (yaml's `Alias.resolve` walks the whole
  // document on every call); a mapping's pairs by key, so looking up a key is not a scan.
  let targets: Map<unknown, unknown> | undefined
  const resolve = (n: unknown): unknown => {
    if (!isAlias(n)) return n
    if (targets === undefined) {
      const found = new Map<unknown, unknown>()
      const anchors = new Map<string, unknown>()
      visit(doc, {
        Node: (_key, node) => {
          if (isAlias(node)) found.set(node, anchors.get(node.source))
          else if (node.anchor) anchors.set(node.anchor, node)
        }
      })
      targets = found
    }
    return targets.get(n)
  }
  const pairsByKey = new WeakMap<YAMLMap, Map<string, unknown>>()
  const pairOf = (map: YAMLMap, key: string): unknown => {
    let index = pairsByKey.get(map)
    if (index === undefined) {
      index = new Map()
      for (const p of map.items) {
        if (!isPair(p)) continue
        const k = keyText(p.key)
        if (!index.has(k)) index.set(k, p)
      }
      pairsByKey.set(map, index)
    }
    return index.get(key)
  }
  return {
    locate: (path, anchor) => {
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
          const pair = pairOf(node, String(seg))
          if (!isPair(pair)) return last && anchor === "missing" && node.range ? { ...best, offset: node.range[1] } : best
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
  }
}

/** A locator from the yaml library's parse of `text` (YAML, or JSON as YAML): tests check `jsonLocator` against it. */
export const yamlLocator = (text: string): Locator => {
  const { doc, lineCounter } = parseYaml(text)
  return locatorOf(doc, lineCounter)
}

/** The parser stack holds the document, each open collection and a scalar: depth + 2 at most. */
const PARSER_STACK_SLACK = 4

/** Thrown from inside the token stream to stop the yaml parser at a limit. */
class YamlLimit extends Error {
  readonly kind: "tokens" | "depth"
  readonly offset: number
  constructor(kind: "tokens" | "depth", offset: number) {
    super(kind)
    this.kind = kind
    this.offset = offset
  }
}

/**
 * `parseDocument` of the yaml library, with limits: it stops after MAX_YAML_TOKENS lexical tokens
 * or when collections nest beyond MAX_NESTING_DEPTH (the parser and composer recurse and keep a
 * node per token: a few MB of `[[[[` or `0,0,0` would otherwise take minutes and gigabytes).
 * Duplicate keys are found by `firstDuplicateKey` (the library's own check is quadratic in the
 * number of keys of a mapping). Throws `YamlLimit`.
 */
export const parseYaml = (text: string): { readonly doc: Document.Parsed; readonly lineCounter: LineCounter } => {
  const lineCounter = new LineCounter()
  const parser = new Parser(lineCounter.addNewLine)
  function* tokens() {
    lineCounter.addNewLine(0)
    let count = 0
    let errors = 0
    for (const lexeme of new Lexer().lex(text)) {
      if (++count > MAX_YAML_TOKENS) throw new YamlLimit("tokens", parser.offset)
      for (const token of parser.next(lexeme)) {
        yield token
        // Only the first error is reported: past a hundred, the rest of the file is noise.
        if (token.type === "error" && ++errors > 100) return yield* parser.end()
      }
      if (parser.stack.length > MAX_NESTING_DEPTH + PARSER_STACK_SLACK) throw new YamlLimit("depth", parser.offset)
    }
    yield* parser.end()
  }
  const composer = new Composer({ version: "1.2", uniqueKeys: false })
  let doc: Document.Parsed | undefined
  // The composer makes an Error per problem: a broken file can have one per token, and capturing
  // their stack traces (never shown) would take most of the time.
  const stackTraceLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    for (const next of composer.compose(tokens(), true, text.length)) {
      if (doc === undefined) doc = next
      else {
        const pos: [number, number] = [next.range[0], next.range[1]]
        doc.errors.push(new YAMLParseError(pos, "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"))
        break
      }
    }
  } finally {
    Error.stackTraceLimit = stackTraceLimit
  }
  return { doc: doc!, lineCounter }
}

/**
 * The first key, in document order, that repeats an earlier key of its mapping (compared as the
 * JS value would see them: `1` and `"1"` are the same key there).
 */
const firstDuplicateKey = (doc: Document.Parsed): Node | undefined => {
  const inNode = (node: unknown): Node | undefined => {
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const pair of node.items) {
        const key = pair.key
        if (isScalar(key)) {
          const k = String(key.value)
          if (seen.has(k)) return key
          seen.add(k)
        }
        const inside = inNode(key) ?? inNode(pair.value)
        if (inside) return inside
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const inside = isPair(item) ? (inNode(item.key) ?? inNode(item.value)) : inNode(item)
        if (inside) return inside
      }
    }
    return undefined
  }
  return inNode(doc.contents)
}

/** Line starts of `text`, for positions in JSON (where no parser counted lines). */
const lineCounterOf = (text: string): LineCounter => {
  const lc = new LineCounter()
  lc.addNewLine(0)
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1)
  return lc
}

const isJsonSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** Twice the largest list allowed: sizes near a limit are left to `checkLimits`, which names the list. */
const JSON_SCAN_MAX_ENTRIES = 2 * MAX_OTHER_ENTRIES

/**
 * The first place where JSON text nests lists or mappings deeper than MAX_NESTING_DEPTH (the
 * document is level 1), or where one list or mapping has more than JSON_SCAN_MAX_ENTRIES entries;
 * undefined if none. Strings are skipped; the text need not be valid JSON. Run before `JSON.parse`,
 * which would build all of a 64 MiB file's 30 million list elements or 5 million keys first.
 */
export const jsonShapeProblem = (s: string): { readonly offset: number; readonly kind: "depth" | "entries" } | undefined => jsonShape(s).problem

/**
 * `jsonShapeProblem`, and the number of ':' outside strings: in valid JSON, the number of keys
 * written, to compare with the keys `JSON.parse` kept (it keeps the last of repeated keys).
 */
const jsonShape = (s: string): { readonly problem?: { readonly offset: number; readonly kind: "depth" | "entries" }; readonly colons: number } => {
  let depth = 0
  let colons = 0
  const entries = new Int32Array(MAX_NESTING_DEPTH + 2)
  const n = s.length
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) {
      // To the closing quote: the next '"' not escaped by an odd run of backslashes.
      let j = s.indexOf('"', i + 1)
      while (j > 0 && s.charCodeAt(j - 1) === 0x5c) {
        let k = j - 1
        while (s.charCodeAt(k - 1) === 0x5c) k--
        if ((j - k) % 2 === 0) break
        j = s.indexOf('"', j + 1)
      }
      if (j < 0) break // an unterminated string runs to the end
      i = j
    } else if (c === 0x3a) colons++
    else if (c === 0x2c) {
      if (++entries[depth]! >= JSON_SCAN_MAX_ENTRIES) return { problem: { offset: i, kind: "entries" }, colons }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING_DEPTH) return { problem: { offset: i, kind: "depth" }, colons }
      entries[depth] = 0
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return { colons }
}

/**
 * The first key of valid JSON text, in document order, that repeats an earlier key of its mapping
 * (as `JSON.parse` decodes keys: `"a"` and `"\u0061"` are the same key): its offset and end.
 */
export const firstDuplicateJsonKey = (s: string): { readonly offset: number; readonly end: number } | undefined => {
  const stack: Array<Set<string> | undefined> = [] // a mapping's keys so far; undefined for a list
  let keyNext = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) {
      const start = i
      for (i++; i < s.length; i++) {
        const d = s.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
      if (keyNext) {
        keyNext = false
        const raw = s.slice(start + 1, i)
        const key = raw.includes("\\") ? (JSON.parse(s.slice(start, i + 1)) as string) : raw
        const keys = stack[stack.length - 1]!
        if (keys.has(key)) return { offset: start, end: i + 1 }
        keys.add(key)
      }
    } else if (c === 0x7b) {
      stack.push(new Set())
      keyNext = true
    } else if (c === 0x5b) stack.push(undefined)
    else if (c === 0x5d || c === 0x7d) stack.pop()
    else if (c === 0x2c) keyNext = stack[stack.length - 1] !== undefined
  }
  return undefined
}

const DUPLICATE_KEY_EXPECTED = "each key at most once in a mapping"

/**
 * A locator over JSON text that parsed: it scans the text along the path only, skipping other
 * values without building them (a yaml parse of a large JSON file would take minutes and
 * gigabytes). Positions agree with the yaml library's (1-based lines, UTF-16 columns).
 */
export const jsonLocator = (text: string): Locator => {
  const n = text.length
  let lines: LineCounter | undefined
  const pos = (offset: number): Position => positionAt((lines ??= lineCounterOf(text)), offset)
  const ws = (i: number): number => {
    while (i < n && isJsonSpace(text.charCodeAt(i))) i++
    return i
  }
  /** At a '"': the offset after the closing quote. */
  const skipString = (i: number): number => {
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) i++
      else if (c === 0x22) return i + 1
    }
    return n
  }
  /** At the start of a value: the offset after it. */
  const skipValue = (i: number): number => {
    const c = text.charCodeAt(i)
    if (c === 0x22) return skipString(i)
    if (c === 0x5b || c === 0x7b) {
      let depth = 0
      for (; i < n; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x22) i = skipString(i) - 1
        else if (d === 0x5b || d === 0x7b) depth++
        else if ((d === 0x5d || d === 0x7d) && --depth === 0) return i + 1
      }
      return n
    }
    while (i < n) {
      const d = text.charCodeAt(i)
      if (d === 0x2c || d === 0x5d || d === 0x7d || isJsonSpace(d)) break
      i++
    }
    return i
  }
  /** After a value: past the ',' that follows, if any. */
  const next = (i: number): number => {
    i = ws(i)
    return text.charCodeAt(i) === 0x2c ? ws(i + 1) : i
  }
  const locate = (path: ReadonlyArray<PathSegment>, anchor: Anchor): Position | undefined => {
    let i = ws(0)
    if (i >= n) return undefined
    for (let k = 0; k < path.length; k++) {
      const seg = path[k]!
      const last = k === path.length - 1
      const start = i
      const c = text.charCodeAt(i)
      let found = false
      if (c === 0x7b) {
        i = ws(i + 1)
        while (i < n && text.charCodeAt(i) === 0x22) {
          const keyStart = i
          const keyEnd = skipString(i)
          const raw = text.slice(keyStart + 1, keyEnd - 1)
          const key = raw.includes("\\") ? (JSON.parse(text.slice(keyStart, keyEnd)) as string) : raw
          i = ws(ws(keyEnd) + 1) // past the ':'
          if (key === String(seg)) {
            if (last && anchor === "key") return pos(keyStart)
            found = true
            break
          }
          i = next(skipValue(i))
        }
        if (!found) return last && anchor === "missing" ? { ...pos(start), offset: skipValue(start) } : pos(start)
      } else if (c === 0x5b && typeof seg === "number") {
        i = ws(i + 1)
        for (let index = 0; i < n && text.charCodeAt(i) !== 0x5d; index++) {
          if (index === seg) {
            found = true
            break
          }
          i = next(skipValue(i))
        }
        if (!found) return pos(start)
      } else return pos(start)
    }
    return pos(i)
  }
  return {
    locate: (path, anchor) => {
      try {
        return locate(path, anchor)
      } catch {
        return undefined // a key that is not valid JSON: the text did not parse, so no positions
      }
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
  const kind = Array.isArray(value) ? "a list" : value === null ? "null" : `${typeof value} ${renderFound(value)}`
  return { path: [], position: locator.locate([], "value"), expected: "a scenario mapping (key: value pairs)", found: kind }
}

/** The parsed value past the limits of `walk.ts`, located; or the first problem. */
const checked = (format: SourceFormat, value: unknown, locator: Locator, stats?: { keys: number }): ParseResult => {
  const bad = notAMapping(value, locator)
  if (bad) return { ok: false, problem: bad }
  const problem = checkLimits(value, stats)
  if (problem) {
    return { ok: false, problem: { path: problem.path, position: locator.locate(problem.path, problem.anchor), expected: problem.expected, found: problem.found } }
  }
  return { ok: true, source: { format, value, locator } }
}

/** Locates a `JSON.parse` error: V8 names the offset for most errors; our own scan finds the rest. */
const jsonSyntaxProblem = (text: string, err: unknown): SyntaxProblem => {
  const message = err instanceof Error ? err.message : String(err)
  const pos = /at position (\d+)/.exec(message)
  const offset = pos ? Number(pos[1]) : /end of JSON input/.test(message) ? text.length : jsonErrorOffset(text)
  const position = offset === undefined ? undefined : positionAt(lineCounterOf(text), offset)
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
  return `a syntax error (${reasonOf(reason)})`
}

export type ParseResult = { readonly ok: true; readonly source: ParsedSource } | { readonly ok: false; readonly problem: SyntaxProblem }

const nestingProblem = (lc: LineCounter, offset: number): SyntaxProblem => ({
  path: [],
  position: positionAt(lc, offset),
  expected: NESTING_EXPECTED,
  found: "lists or mappings nested deeper"
})

/** A message from a parser or from V8, as one short line. */
const reasonOf = (message: string): string => {
  const line = firstLine(message)
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

const parseJson = (text: string): ParseResult => {
  if (text.trim() === "") return { ok: false, problem: emptyFile() }
  // JSON.parse copes with any depth and size, but what comes after it recurses, and it would
  // build a whole oversized list before the limits could see it: refuse such text first.
  const { problem: shape, colons } = jsonShape(text)
  if (shape !== undefined) {
    const lc = lineCounterOf(text)
    if (shape.kind === "depth") return { ok: false, problem: nestingProblem(lc, shape.offset) }
    return {
      ok: false,
      problem: {
        path: [],
        position: positionAt(lc, shape.offset),
        expected: `lists and mappings of at most ${formatCount(MAX_OTHER_ENTRIES)} entries`,
        found: `one with more than ${formatCount(JSON_SCAN_MAX_ENTRIES)}`
      }
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, problem: jsonSyntaxProblem(text, err) }
  }
  const stats = { keys: 0 }
  const result = checked("json", value, jsonLocator(text), stats)
  // JSON.parse keeps the last of repeated keys; as in YAML, a repeat is an error, and the first in
  // the document is reported before any other problem. Without one, the keys kept are the keys
  // written, so the text is only scanned for it when the counts differ (or to put it first).
  if (!result.ok || stats.keys !== colons) {
    const duplicate = firstDuplicateJsonKey(text)
    if (duplicate !== undefined) {
      return {
        ok: false,
        problem: {
          path: [],
          position: positionAt(lineCounterOf(text), duplicate.offset),
          expected: DUPLICATE_KEY_EXPECTED,
          found: `the key ${snippet(text.slice(duplicate.offset, duplicate.end))} again`
        }
      }
    }
  }
  return result
}

const parseYamlSource = (text: string): ParseResult => {
  let parsed: ReturnType<typeof parseYaml>
  try {
    parsed = parseYaml(text)
  } catch (e) {
    if (!(e instanceof YamlLimit)) throw e
    const lc = lineCounterOf(text)
    if (e.kind === "depth") return { ok: false, problem: nestingProblem(lc, e.offset) }
    return {
      ok: false,
      problem: {
        path: [],
        position: positionAt(lc, e.offset),
        expected: `a YAML file of at most ${formatCount(MAX_YAML_TOKENS)} tokens (write larger scenarios as JSON)`,
        found: `more tokens (stopped here)`
      }
    }
  }
  const { doc, lineCounter } = parsed
  const locator = locatorOf(doc, lineCounter)
  const err = doc.errors[0]
  const duplicate = firstDuplicateKey(doc)
  const duplicateAt = duplicate?.range?.[0]
  if (duplicate && duplicateAt !== undefined && (err === undefined || duplicateAt < err.pos[0])) {
    const key = snippet(text.slice(duplicateAt, duplicate.range![1]))
    return {
      ok: false,
      problem: { path: [], position: positionAt(lineCounter, duplicateAt), expected: DUPLICATE_KEY_EXPECTED, found: `the key ${key} again` }
    }
  }
  if (err) {
    const position = positionAt(lineCounter, err.pos[0])
    return { ok: false, problem: { path: [], position, expected: "valid YAML", found: `a syntax error (${reasonOf(err.message)})` } }
  }
  if (doc.contents === null) return { ok: false, problem: emptyFile() }
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    // Aliases inside aliases can nest a value deeper than the text does.
    if (e instanceof RangeError && /call stack/i.test(message)) {
      return { ok: false, problem: { path: [], position: locator.locate([], "value"), expected: NESTING_EXPECTED, found: "aliases that nest deeper" } }
    }
    const aliases = /alias/i.test(message)
    return {
      ok: false,
      problem: {
        path: [],
        position: locator.locate([], "value"),
        expected: aliases ? `at most ${formatCount(MAX_ALIAS_COUNT)} alias expansions` : "a YAML document the parser can read",
        found: aliases ? `a document that expands aliases too often (${reasonOf(message)})` : `one it cannot (${reasonOf(message)})`
      }
    }
  }
  return checked("yaml", value, locator)
}

/** Parses scenario text; `format` decides the fast JSON path. */
export const parseSource = (raw: string, format: SourceFormat): ParseResult => {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw // a BOM is not content
  return format === "json" ? parseJson(text) : parseYamlSource(text)
}
