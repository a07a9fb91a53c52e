/**
 * Writes a synthetic scenario file (bench/synthetic.ts) as JSON or YAML:
 *
 *   node bench/generate.ts --localities 10000 --agencies 8 --months 120 --programmes 1 --out s.json
 *   node bench/generate.ts --localities 100000 --queue-only --fixed --out q.yaml
 *
 * Flags: --localities N, --agencies A, --months M, --programmes P (per locality), --capacity C,
 * --tranches T, --seed S, --fixed (fixed negotiation durations), --mixed (short durations mixing
 * whole, half, one-decimal and full-precision months), --queue-only (no money),
 * --out FILE (.json or .yaml/.yml; default: stdout as JSON).
 */
import { writeFileSync } from "node:fs"
import { syntheticScenario, type SyntheticOptions } from "./synthetic.ts"

const args = process.argv.slice(2)
const flag = (name: string) => args.includes(`--${name}`)
const value = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const int = (name: string, fallback?: number): number | undefined => {
  const v = value(name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name}: expected a whole number, found ${v}`)
  return n
}

/** Block-style YAML for the generator's plain data (maps, lists, strings, numbers). */
export const toYaml = (v: unknown, indent = ""): string => {
  const scalar = (x: unknown) => (typeof x === "string" ? JSON.stringify(x) : String(x))
  if (Array.isArray(v)) {
    if (v.length === 0) return " []\n"
    return "\n" + v.map((x) => (x !== null && typeof x === "object" ? `${indent}-${toYaml(x, indent + "  ").replace(/^\n\s*/, " ")}` : `${indent}- ${scalar(x)}\n`)).join("")
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v)
    if (entries.length === 0) return " {}\n"
    return "\n" + entries.map(([k, x]) => `${indent}${JSON.stringify(k)}:${x !== null && typeof x === "object" ? toYaml(x, indent + "  ") : ` ${scalar(x)}\n`}`).join("")
  }
  return ` ${scalar(v)}\n`
}

const options: SyntheticOptions = {
  localities: int("localities", 1000)!,
  agencies: int("agencies", 8)!,
  months: int("months", 120)!,
  ...(int("seed") === undefined ? {} : { seed: int("seed")! }),
  ...(int("capacity") === undefined ? {} : { capacity: int("capacity")! }),
  ...(int("tranches") === undefined ? {} : { tranches: int("tranches")! }),
  programmesPerLocality: int("programmes", 0)!,
  fixedDurations: flag("fixed"),
  mixedDurations: flag("mixed"),
  queueOnly: flag("queue-only")
}
const scenario = syntheticScenario(options)
const out = value("out")
const text = out !== undefined && /\.ya?ml$/i.test(out) ? toYaml(scenario).replace(/^\n/, "") : JSON.stringify(scenario)
if (out === undefined) process.stdout.write(text + "\n")
else writeFileSync(out, text)
