import { parse as parseYaml } from "yaml"
import { makeScenarioError } from "./errors.ts"
import type { CompileOutcome, LoadOptions } from "./load.ts"
import { compileScenarioText } from "./load.ts"
import { parseYaml as parseYamlWithLimits } from "./source.ts"

/**
 * `--set PATH=VALUE` amendments (for `devosim fork`). PATH is in the file's own words: keys joined
 * by dots, list elements by id (`centre.capacity`, `localities.Kent.tranche`,
 * `localities["St. Helens"].ready`); VALUE is read as YAML (`16`, `2011-01`, `{ triangular: [3, 5, 9] }`).
 * The amendments become one variant of the scenario, so they merge and validate exactly as variants do.
 */
export interface Setting {
  readonly path: ReadonlyArray<string>
  readonly value: unknown
  /** As the user typed it, for messages. */
  readonly text: string
}

const SEGMENT = /^(?:\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+))(?:\.|(?=\[)|$)/

/** Parses one `PATH=VALUE`; undefined when it is not of that form. */
export const parseSetting = (text: string): Setting | undefined => {
  const eq = text.indexOf("=")
  if (eq <= 0) return undefined
  const path: Array<string> = []
  let rest = text.slice(0, eq).trim()
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest)
    if (m === null) return undefined
    path.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) as string : m[2]!)
    rest = rest.slice(m[0].length)
  }
  if (path.length === 0) return undefined
  let value: unknown
  try {
    value = parseYaml(text.slice(eq + 1))
  } catch {
    return undefined
  }
  return { path, value, text }
}

/** The settings as one nested override: `{ centre: { capacity: 16 }, localities: { Kent: { tranche: "t1" } } }`. */
export const overrideOf = (settings: ReadonlyArray<Setting>): Record<string, unknown> => {
  const root: Record<string, unknown> = {}
  for (const s of settings) {
    let node = root
    s.path.forEach((seg, i) => {
      if (i === s.path.length - 1) node[seg] = s.value
      else {
        const next = node[seg]
        node = typeof next === "object" && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (node[seg] = {} as Record<string, unknown>)
      }
    })
  }
  return root
}

const FORK_VARIANT = "what-if"

/** Compiles `text` amended by `settings`; errors name the setting's path rather than a place in the file. */
export const compileScenarioWithSettings = (
  text: string,
  file: string,
  settings: ReadonlyArray<Setting>,
  options: Omit<LoadOptions, "variant"> = {}
): CompileOutcome => {
  // The parse with limits (source.ts): the text may be a hostile file. If it does not parse, the
  // plain compile reports why, as for any scenario file.
  let doc: ReturnType<typeof parseYamlWithLimits>["doc"] | undefined
  try {
    doc = parseYamlWithLimits(text).doc
  } catch {
    doc = undefined // beyond a limit
  }
  if (doc === undefined || doc.errors.length > 0 || doc.contents === null) {
    const plain = compileScenarioText(text, file, options)
    if (!plain.ok) return plain
    // JSON within its limits but beyond YAML's: the amendments cannot be applied to it as YAML.
    return {
      ok: false,
      error: makeScenarioError({ file, path: "", expected: "a scenario within the YAML limits, to apply --set to", found: "one beyond them (a large JSON scenario)" })
    }
  }
  doc.set("variants", doc.createNode([{ name: FORK_VARIANT, ...overrideOf(settings) }]))
  const out = compileScenarioText(String(doc), file, { ...options, variant: FORK_VARIANT })
  if (out.ok) return out
  const { path, expected, found } = out.error
  return { ok: false, error: makeScenarioError({ file: "--set", path: path.replace(/^variants\[\d+\] \([^)]*\): /, ""), expected, found }) }
}
