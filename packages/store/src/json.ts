/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit, which for our ASCII keys is code-point
 * order), no whitespace, undefined properties dropped. The same value always gives the same bytes,
 * whatever order its keys were built in. Written for speed: every control event of a log goes
 * through it (a path is kept only to name where a value cannot be stored).
 */
export const canonicalJson = (value: unknown): string => write(value, [])

const pathText = (path: ReadonlyArray<string | number>): string =>
  path.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : `${s}.${k}`), "$")

const sortedKeys = (keys: Array<string>): Array<string> => {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort()
  return keys
}

const write = (v: unknown, path: Array<string | number>): string => {
  if (v === null) return "null"
  switch (typeof v) {
    case "number":
      if (!Number.isFinite(v)) throw new RangeError(`${pathText(path)}: ${v} cannot be stored as JSON`)
      return JSON.stringify(v)
    case "string":
    case "boolean":
      return JSON.stringify(v)
    case "object": {
      if (Array.isArray(v)) {
        let s = "["
        for (let i = 0; i < v.length; i++) {
          if (i > 0) s += ","
          path.push(i)
          const x: unknown = v[i]
          s += write(x === undefined ? null : x, path)
          path.pop()
        }
        return s + "]"
      }
      const o = v as Record<string, unknown>
      let s = "{"
      let first = true
      for (const k of sortedKeys(Object.keys(o))) {
        const x = o[k]
        if (x === undefined) continue
        if (!first) s += ","
        first = false
        path.push(k)
        s += JSON.stringify(k) + ":" + write(x, path)
        path.pop()
      }
      return s + "}"
    }
    default:
      throw new TypeError(`${pathText(path)}: a ${typeof v} cannot be stored as JSON`)
  }
}

/**
 * `JSON.stringify(value, null, 2)` in pieces, for files too big to hold as one string (the summary
 * of 100,000 localities is hundreds of MB): the top two levels, and long arrays there, are walked here;
 * everything else is stringified in one piece and indented to its place. Same text, piece by
 * piece, never more than one element of a long array at a time. Plain data only (no toJSON, no
 * cycles).
 */
export function* prettyJsonPieces(value: unknown, indent = "", depth = 0): Generator<string> {
  const walk = value !== null && typeof value === "object" && (Array.isArray(value) ? value.length > LONG : depth < 2)
  if (!walk) {
    const text = JSON.stringify(value, null, 2) ?? "null"
    yield indent === "" ? text : text.replaceAll("\n", `\n${indent}`)
    return
  }
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    yield "[\n"
    for (let i = 0; i < value.length; i++) {
      yield inner
      const x: unknown = value[i]
      // As JSON.stringify: undefined, functions and symbols in an array become null.
      yield* prettyJsonPieces(x === undefined || typeof x === "function" || typeof x === "symbol" ? null : x, inner, depth + 1)
      yield i < value.length - 1 ? ",\n" : "\n"
    }
    yield `${indent}]`
    return
  }
  const entries = Object.entries(value).filter(([, x]) => x !== undefined && typeof x !== "function" && typeof x !== "symbol")
  if (entries.length === 0) {
    yield "{}"
    return
  }
  yield "{\n"
  for (let i = 0; i < entries.length; i++) {
    const [k, x] = entries[i]!
    yield `${inner}${JSON.stringify(k)}: `
    yield* prettyJsonPieces(x, inner, depth + 1)
    yield i < entries.length - 1 ? ",\n" : "\n"
  }
  yield `${indent}}`
}

/** Arrays longer than this are written element by element. */
const LONG = 256
