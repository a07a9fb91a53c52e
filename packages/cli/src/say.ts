/**
 * What the CLI prints on stdout. Each line goes through `forTerminal`, so nothing read from a file
 * (a run directory's names, a scenario's ids) can drive the terminal: a name holding ESC or CR
 * cannot erase a line and print a fake "intact". Values that could hold a line break are escaped
 * where they are interpolated (`forTerminal(dir)`), so they cannot start a line of their own.
 */
import { forTerminal } from "@devosim/core/ids"
import { ENGINE_VERSION } from "@devosim/core"
import { Console } from "effect"

export const escapeLines = (text: string): string => text.split("\n").map(forTerminal).join("\n")

export const say = (text: string) => Console.log(escapeLines(text))

/**
 * A copy of `value` with every string escaped by `forTerminal`, for a report printed from data a
 * file supplied (scenario names in a compared run's manifest, ids in a log): a line break in a name
 * cannot start a line of its own. Numbers (NaN included) are kept as they are.
 */
export const forTerminalDeep = <T>(value: T): T => {
  if (typeof value === "string") return forTerminal(value) as T
  if (Array.isArray(value)) return value.map(forTerminalDeep) as T
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forTerminalDeep(v)])) as T
  }
  return value
}

/**
 * `--json`: one JSON document on stdout, exact (every string as it is in the data) and still safe
 * for a terminal: JSON escapes C0 controls itself; DEL, C1 controls (U+009B is CSI to some
 * terminals), line and paragraph separators and bidirectional controls are written as \uXXXX
 * escapes too, which parse back to the same string.
 */
/** The head every command's --json document starts with: which command, which engine, where its files went. */
export const jsonHead = (command: string, out: string, files: ReadonlyArray<string>) => ({ command, engine_version: ENGINE_VERSION, out, files })

export const sayJson = (value: unknown) =>
  Console.log(
    JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  )
