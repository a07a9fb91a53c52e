/**
 * Outcome conditions for scenario discovery, as given on a command line: `npv_pence < 0`,
 * `coverage_50 > 36`, `a >= 1 and b < 2`, `(a < 0 or b > 1) and not c == 0`. A small recursive-descent
 * parser (no eval): comparisons of a named outcome column with a number (either side), joined by
 * `and` / `or` (and binds tighter), `not`, and parentheses. Anything else is an error naming the
 * column (1-based character position) where it was found.
 */

export type ComparisonOperator = "<" | "<=" | ">" | ">=" | "==" | "!="

export type ConditionNode =
  | { readonly kind: "compare"; readonly column: string; readonly op: ComparisonOperator; readonly value: number }
  | { readonly kind: "and" | "or"; readonly left: ConditionNode; readonly right: ConditionNode }
  | { readonly kind: "not"; readonly operand: ConditionNode }

export interface Condition {
  readonly text: string
  readonly node: ConditionNode
  /** The outcome columns it reads, in first-use order. */
  readonly columns: readonly string[]
  /** Whether each row meets it: 1 or 0 per row (rows = the columns' common length). */
  readonly evaluate: (columns: Readonly<Record<string, ArrayLike<number>>>) => Uint8Array
}

export type ConditionResult =
  | { readonly ok: true; readonly condition: Condition }
  | { readonly ok: false; readonly message: string; readonly column: number }

type Token =
  | { readonly kind: "name"; readonly text: string; readonly at: number }
  | { readonly kind: "number"; readonly value: number; readonly text: string; readonly at: number }
  | { readonly kind: "op"; readonly op: ComparisonOperator; readonly at: number }
  | { readonly kind: "and" | "or" | "not" | "(" | ")" | "end"; readonly at: number }

class ParseError {
  readonly message: string
  readonly at: number
  constructor(message: string, at: number) {
    this.message = message
    this.at = at
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_.]*/y
const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/y
const OPS: readonly ComparisonOperator[] = ["<=", ">=", "==", "!=", "<", ">"]

const tokenize = (text: string): Token[] => {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (ch === " " || ch === "\t") {
      i++
      continue
    }
    if (ch === "(" || ch === ")") {
      tokens.push({ kind: ch, at: i })
      i++
      continue
    }
    const op = OPS.find((o) => text.startsWith(o, i))
    if (op) {
      tokens.push({ kind: "op", op, at: i })
      i += op.length
      continue
    }
    NUMBER.lastIndex = i
    const num = NUMBER.exec(text)
    // A sign belongs to a number only where a number can start (not `a-1`: there is no arithmetic).
    if (num && (/[\d.]/.test(ch) || tokens.length === 0 || tokens[tokens.length - 1]!.kind !== "number")) {
      tokens.push({ kind: "number", value: Number(num[0]), text: num[0], at: i })
      i += num[0].length
      continue
    }
    NAME.lastIndex = i
    const name = NAME.exec(text)
    if (name) {
      const word = name[0]
      const lower = word.toLowerCase()
      if (lower === "and" || lower === "or" || lower === "not") tokens.push({ kind: lower, at: i })
      else tokens.push({ kind: "name", text: word, at: i })
      i += word.length
      continue
    }
    if (ch === "=") throw new ParseError(`found '=': a comparison is <, <=, >, >=, == or !=`, i)
    throw new ParseError(`unexpected character '${ch}'`, i)
  }
  tokens.push({ kind: "end", at: text.length })
  return tokens
}

const describe = (t: Token): string =>
  t.kind === "end" ? "the end of the condition" : t.kind === "name" ? `'${t.text}'` : t.kind === "number" ? t.text : t.kind === "op" ? `'${t.op}'` : `'${t.kind}'`

const FLIP: Readonly<Record<ComparisonOperator, ComparisonOperator>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=" }

const parseTokens = (tokens: Token[], known: ReadonlySet<string> | undefined): ConditionNode => {
  let p = 0
  const peek = () => tokens[p]!
  const column = (t: Token & { kind: "name" }): string => {
    if (known && !known.has(t.text)) throw new ParseError(`unknown outcome '${t.text}'; the outcomes are ${[...known].join(", ")}`, t.at)
    return t.text
  }
  const orExpr = (): ConditionNode => {
    let left = andExpr()
    while (peek().kind === "or") {
      p++
      left = { kind: "or", left, right: andExpr() }
    }
    return left
  }
  const andExpr = (): ConditionNode => {
    let left = unary()
    while (peek().kind === "and") {
      p++
      left = { kind: "and", left, right: unary() }
    }
    return left
  }
  const unary = (): ConditionNode => {
    const t = peek()
    if (t.kind === "not") {
      p++
      return { kind: "not", operand: unary() }
    }
    if (t.kind === "(") {
      p++
      const inner = orExpr()
      const close = peek()
      if (close.kind !== ")") throw new ParseError(`expected ')', found ${describe(close)}`, close.at)
      p++
      return inner
    }
    return comparison()
  }
  const comparison = (): ConditionNode => {
    const a = peek()
    if (a.kind !== "name" && a.kind !== "number") throw new ParseError(`expected an outcome name or a number, found ${describe(a)}`, a.at)
    p++
    const o = peek()
    if (o.kind !== "op") throw new ParseError(`expected a comparison (<, <=, >, >=, ==, !=), found ${describe(o)}`, o.at)
    p++
    const b = peek()
    if (a.kind === "name") {
      if (b.kind !== "number") throw new ParseError(`expected a number after '${o.op}', found ${describe(b)}`, b.at)
      p++
      return { kind: "compare", column: column(a), op: o.op, value: b.value }
    }
    if (b.kind !== "name") throw new ParseError(`expected an outcome name after '${o.op}', found ${describe(b)}`, b.at)
    p++
    // `0 > npv` reads as `npv < 0`.
    return { kind: "compare", column: column(b), op: FLIP[o.op], value: a.value }
  }
  const node = orExpr()
  const rest = peek()
  if (rest.kind !== "end") throw new ParseError(`expected 'and', 'or' or the end, found ${describe(rest)}`, rest.at)
  return node
}

const columnsOf = (node: ConditionNode, out: string[]): string[] => {
  if (node.kind === "compare") {
    if (!out.includes(node.column)) out.push(node.column)
  } else if (node.kind === "not") columnsOf(node.operand, out)
  else {
    columnsOf(node.left, out)
    columnsOf(node.right, out)
  }
  return out
}

const test = (op: ComparisonOperator, x: number, v: number): boolean => {
  switch (op) {
    case "<":
      return x < v
    case "<=":
      return x <= v
    case ">":
      return x > v
    case ">=":
      return x >= v
    case "==":
      return x === v
    case "!=":
      return x !== v
  }
}

const evalRow = (node: ConditionNode, cols: Readonly<Record<string, ArrayLike<number>>>, e: number): boolean => {
  switch (node.kind) {
    case "compare":
      return test(node.op, cols[node.column]![e]!, node.value)
    case "not":
      return !evalRow(node.operand, cols, e)
    case "and":
      return evalRow(node.left, cols, e) && evalRow(node.right, cols, e)
    case "or":
      return evalRow(node.left, cols, e) || evalRow(node.right, cols, e)
  }
}

/**
 * Parses a condition. With `outcomes`, a name outside them is an error listing them; without, any
 * name parses and `evaluate` checks that the columns it is given hold every name.
 */
export const parseCondition = (text: string, outcomes?: readonly string[]): ConditionResult => {
  try {
    const node = parseTokens(tokenize(text), outcomes ? new Set(outcomes) : undefined)
    const columns = columnsOf(node, [])
    const evaluate = (cols: Readonly<Record<string, ArrayLike<number>>>): Uint8Array => {
      const missing = columns.filter((c) => !Object.hasOwn(cols, c))
      if (missing.length > 0) throw new RangeError(`condition '${text}': no outcome column ${missing.map((m) => `'${m}'`).join(", ")}`)
      const n = columns.length === 0 ? 0 : cols[columns[0]!]!.length
      const out = new Uint8Array(n)
      for (let e = 0; e < n; e++) out[e] = evalRow(node, cols, e) ? 1 : 0
      return out
    }
    return { ok: true, condition: { text, node, columns, evaluate } }
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: `column ${e.at + 1}: ${e.message}`, column: e.at + 1 }
    throw e
  }
}
