import { parse as parseYaml } from "yaml"
import { oneLine, renderFound } from "./errors.ts"
import { type CompileOutcome, type LoadOptions, scenarioAmender } from "./load.ts"

/**
 * `--set PATH=VALUE` amendments (for `devosim fork`). PATH is in the file's own words: keys joined
 * by dots, list elements by id (`centre.capacity`, `localities.Kent.tranche`), any key or id quoted
 * as a JSON string in brackets (`localities["St. Helens"].ready`, `localities["a=b"].ready`: inside
 * the quotes `.`, `[`, `]` and `=` are the id's own, `\"` and `\\` a quote and a backslash); VALUE
 * is read as YAML (`16`, `2011-01`, `{ triangular: [3, 5, 9] }`). The amendments become one variant
 * of the scenario, so they merge and validate exactly as variants do.
 */
export interface Setting {
  readonly path: ReadonlyArray<string>
  readonly value: unknown
  /** As the user typed it, for messages. */
  readonly text: string
}

/** A parsed setting, or the one line that says where and why it is not one. */
export type SettingResult = { readonly ok: true; readonly setting: Setting } | { readonly ok: false; readonly message: string }

/**
 * Keys that name a JavaScript object's prototype rather than a member: refused in any path, quoted
 * or not, so no setting can reach Object.prototype (and through it every mapping of every scenario).
 */
export const FORBIDDEN_SEGMENTS: ReadonlyArray<string> = ["__proto__", "constructor", "prototype"]

const KEY_EXPECTED = 'a key (a name like capacity, or a quoted one like ["St. Helens"])'

/** Ends a plain key: the path's own punctuation, and quotes and backslashes, which only quoted keys hold. */
const ENDS_KEY = new Set([".", "[", "]", "=", '"', "\\"])

/** `localities["St. Helens"].ready`: `path` as a PATH that parses back to it (every key quoted but plain names). */
export const formatSettingPath = (path: ReadonlyArray<string>): string =>
  path.map((seg, i) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg) && !FORBIDDEN_SEGMENTS.includes(seg) ? (i === 0 ? seg : `.${seg}`) : `[${JSON.stringify(seg)}]`)).join("")

/** Parses one `PATH=VALUE`; a refusal names the setting, the character where it goes wrong and why. */
export const parseSetting = (text: string): SettingResult => {
  const refuse = (at: number, expected: string, found: string): SettingResult => ({
    ok: false,
    // Characters counted in code points, from 1, as an editor's column.
    message: oneLine(`--set ${renderFound(text)}: at character ${Array.from(text.slice(0, at)).length + 1}: expected ${expected}, found ${found}`)
  })
  const foundAt = (i: number): string => (i < text.length ? renderFound(String.fromCodePoint(text.codePointAt(i)!)) : "the end")
  const path: Array<string> = []
  let i = 0
  while (text[i] === " ") i++
  for (;;) {
    const start = i
    let key: string
    if (text[i] === "[") {
      if (text[i + 1] !== '"') return refuse(i + 1, `a quoted key after "[" (like ["St. Helens"])`, foundAt(i + 1))
      let j = i + 2
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1
      if (j >= text.length) return refuse(i + 1, 'a quoted key closed by "', "no closing quote")
      try {
        key = JSON.parse(text.slice(i + 1, j + 1)) as string
      } catch {
        return refuse(i + 1, 'a quoted key in JSON string syntax (escapes \\" \\\\ \\uXXXX only)', renderFound(text.slice(i + 1, j + 1)))
      }
      if (text[j + 1] !== "]") return refuse(j + 1, 'a "]" after the quoted key', foundAt(j + 1))
      if (key === "") return refuse(i, KEY_EXPECTED, "an empty key")
      i = j + 2
    } else {
      let j = i
      while (j < text.length && !ENDS_KEY.has(text[j]!)) j++
      key = text.slice(i, j)
      if (text[j] === "=") key = key.trimEnd() // `centre.capacity = 16`
      if (key === "") return refuse(i, KEY_EXPECTED, foundAt(i))
      i = j
    }
    if (FORBIDDEN_SEGMENTS.includes(key)) {
      return refuse(start, "a key other than __proto__, constructor or prototype (they name no part of a scenario)", renderFound(key))
    }
    path.push(key)
    if (text[i] === ".") {
      i++
      if (text[i] === "[") return refuse(i, 'a key after "." (a quoted key follows its parent directly: localities["St. Helens"])', foundAt(i))
    } else if (text[i] === "[") continue
    else if (text[i] === "=") break
    else return refuse(i, i >= text.length ? "PATH=VALUE, like centre.capacity=16 (an = and a value after the path)" : '".", "[" or "=" after a key', foundAt(i))
  }
  const source = text.slice(i + 1)
  let value: unknown
  try {
    value = parseYaml(source)
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split("\n", 1)[0]!.replace(/:$/, "").slice(0, 120)
    return refuse(i + 1, "a YAML value after the path's =", `${renderFound(source)} (${why})`)
  }
  return { ok: true, setting: { path, value, text } }
}

/** Sets an own property, even one named like a member of Object.prototype. */
const setOwn = (target: object, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/**
 * The settings as one nested override: `{ centre: { capacity: 16 }, localities: { Kent: { tranche: "t1" } } }`.
 * Mappings it builds have no prototype, members are read only when they are own, and written by
 * definition, not assignment: even a path that named `__proto__` would make a key, never reach a prototype.
 */
export const overrideOf = (settings: ReadonlyArray<Setting>): Record<string, unknown> => {
  const root = Object.create(null) as Record<string, unknown>
  for (const s of settings) {
    let node = root
    s.path.forEach((seg, i) => {
      if (i === s.path.length - 1) return setOwn(node, seg, s.value)
      const next = Object.hasOwn(node, seg) ? node[seg] : undefined
      if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>
      else {
        const fresh = Object.create(null) as Record<string, unknown>
        setOwn(node, seg, fresh)
        node = fresh
      }
    })
  }
  return root
}

/**
 * Compiles `text` amended by `settings` (through `scenarioAmender`, the one way to amend); errors
 * name the setting's path rather than a place in the file.
 */
export const compileScenarioWithSettings = (text: string, file: string, settings: ReadonlyArray<Setting>, options: Omit<LoadOptions, "variant"> = {}): CompileOutcome => {
  const amender = scenarioAmender(text, file, options)
  return amender.ok ? amender.value.amend(overrideOf(settings), { seed: options.seed }) : amender
}
