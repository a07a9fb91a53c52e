/**
 * Mistakes on the command line (an unknown command, an unknown or malformed flag, a missing
 * argument): one line on stderr, in devosim's words, naming the command and where its help is,
 * and exit 2 (main.ts). effect/cli's own presentation prints the whole help to stdout and the
 * errors under it, which a script reading stdout takes for output.
 */
import type { CliError } from "effect/cli"

/** Words people use for a command devosim spells differently. */
const ALIASES: Readonly<Record<string, string>> = {
  experiment: "sweep",
  experiments: "sweep",
  diff: "compare",
  simulate: "run",
  sim: "run",
  check: "validate",
  lint: "validate",
  rerun: "replay",
  whatif: "fork",
  "what-if": "fork",
  why: "explain",
  tables: "export"
}

/** Edit distance (insertions, deletions, substitutions, and swapping two neighbours: `rnu` is 1 from `run`). */
const distance = (a: string, b: string): number => {
  const d: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The commands `word` may have meant, best first: an alias (`sweep` → compare), a command it
 * starts (`comp` → compare), or the nearest by edit distance within a third of its length (at
 * least 1, at most 2).
 */
export const suggestCommand = (word: string, commands: ReadonlyArray<string>): ReadonlyArray<string> => {
  const w = word.toLowerCase()
  const alias = ALIASES[w]
  if (alias !== undefined && commands.includes(alias)) return [alias]
  if (w.length >= 2) {
    const prefixed = commands.filter((c) => c.startsWith(w))
    if (prefixed.length > 0) return prefixed
  }
  const within = Math.min(2, Math.max(1, Math.floor(w.length / 3)))
  const scored = commands.map((c) => [distance(w, c), c] as const).filter(([d]) => d <= within)
  const best = Math.min(...scored.map(([d]) => d))
  return scored.filter(([d]) => d === best).map(([, c]) => c)
}

const quoted = (s: string) => JSON.stringify(s)
const orList = (xs: ReadonlyArray<string>) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`)

/** One error of effect/cli in devosim's words (no line breaks). */
const wordError = (e: CliError.NonShowHelpErrors, commands: ReadonlyArray<string>): string => {
  switch (e._tag) {
    case "UnknownSubcommand": {
      const maybe = suggestCommand(e.subcommand, commands)
      return `unknown command ${quoted(e.subcommand)}${maybe.length > 0 ? ` (did you mean ${orList(maybe)}?)` : ""}; the commands are ${commands.join(", ")}`
    }
    case "UnrecognizedOption":
      return `unknown flag ${e.option}${e.suggestions.length > 0 ? ` (did you mean ${orList(e.suggestions)}?)` : ""}`
    case "MissingOption":
      return `missing required flag --${e.option}`
    case "MissingArgument":
      return `missing ${e.argument}`
    case "UnexpectedArgument":
      return `unexpected argument${e.arguments.length === 1 ? "" : "s"} ${e.arguments.map(quoted).join(", ")}`
    case "InvalidValue": {
      const bare = e.expected.replace(/^Expected:?\s*/, "").replace(/^a string representing /, "")
      const expected = /^(an? |one of )/.test(bare) ? bare : /^[a-z]+$/.test(bare) ? `${/^[aeiou]/.test(bare) ? "an" : "a"} ${bare}` : bare
      return e.value === ""
        ? `${e.kind === "flag" ? `--${e.option}` : e.option}: missing its value (expected ${expected})`
        : `${e.kind === "flag" ? `--${e.option}` : e.option}: expected ${expected}, found ${quoted(e.value)}`
    }
    default:
      return e.message.replace(/\s*\n\s*/g, " ")
  }
}

/**
 * The line for an invalid invocation of `commandPath` (["devosim", "run"]): every error, then
 * where the command's help is. `commands`: devosim's commands, for did-you-mean.
 */
export const usageLine = (commandPath: ReadonlyArray<string>, errors: ReadonlyArray<CliError.NonShowHelpErrors>, commands: ReadonlyArray<string>): string => {
  const unknownCommand = errors.some((e) => e._tag === "UnknownSubcommand")
  // An unknown command's other errors (its flags, its arguments) belong to no command: the command is the mistake.
  const shown = unknownCommand ? errors.filter((e) => e._tag === "UnknownSubcommand") : errors
  const words = shown.map((e) => wordError(e, commands))
  return `devosim: ${words.join("; ")}; see ${commandPath.join(" ")} --help`
}
