/**
 * `devosim verify DIR`: is a run directory exactly what devosim wrote? The checking is
 * `verifyRun` in @devosim/store; this maps its verdict to a message and one exit code per kind of
 * damage, so scripts can tell a truncated copy from a tampered one.
 */
import { RunDirectoryNotFound, verifyRunDirectory, type DamageKind } from "@devosim/store"
import { Console, Effect } from "effect"
import { Argument, Command } from "effect/cli"
import * as path from "node:path"
import { badInput, UserFacingError } from "./errors.ts"

/** Exit codes of `devosim verify` (0 intact, 1 could not read, 2 bad input). */
export const VERIFY_EXIT_CODES: Readonly<Record<DamageKind, number>> = {
  Truncated: 3,
  ContentChanged: 4,
  RowsDisordered: 5,
  ManifestMismatch: 6,
  NewerSchema: 7
}

const LABEL: Readonly<Record<DamageKind, string>> = {
  Truncated: "truncated",
  ContentChanged: "content changed",
  RowsDisordered: "rows reordered or missing",
  ManifestMismatch: "manifest does not match",
  NewerSchema: "newer schema"
}

const MORE = 8

export const verifyCommand = Effect.fn("verifyCommand")(function* (dir: string) {
  const started = performance.now()
  const verdict = yield* Effect.try({
    try: () => verifyRunDirectory(dir),
    catch: (e) =>
      e instanceof RunDirectoryNotFound
        ? badInput(`${dir}: no such directory`)
        : new UserFacingError({ message: `${dir}: could not read the directory (${e instanceof Error ? e.message : String(e)})`, exitCode: 1 })
  })
  if (verdict.ok) {
    const ms = performance.now() - started
    const what =
      verdict.format === "devosim-compare/1"
        ? `comparison: ${verdict.files} files match the manifest`
        : `${verdict.runs === 1 ? "run" : `${verdict.runs} runs`}: ${verdict.files} files match the manifest; ${verdict.events} events in order, replayed to the manifest's final state${verdict.stateSha256 === null ? "" : ` (sha256 ${verdict.stateSha256.slice(0, 16)}…)`}`
    return yield* Console.log(`${dir}: intact ${what} in ${ms.toFixed(0)} ms`)
  }
  const [first, ...rest] = verdict.problems
  const line = (p: typeof first) => `${path.join(dir, p.file)}: ${p.message} [${LABEL[p.kind]}]`
  const more = rest.slice(0, MORE).map((p) => `\n  also: ${line(p)}`).join("")
  const beyond = rest.length > MORE ? `\n  and ${rest.length - MORE} more problems` : ""
  return yield* new UserFacingError({ message: `${line(first)}${more}${beyond}`, exitCode: VERIFY_EXIT_CODES[first.kind] })
})

const HELP = `Check that a run directory is exactly what devosim wrote: every file against manifest.json,
  events.arrow row by row (seq 0..n-1 in order, causes before their postings, time never going back,
  counts as in the manifest), and a replay of the log against the manifest's final state. Works on a
  run, a replication set (every replication) and a comparison directory. Prints one line per problem.
  Exit codes (the first problem found decides; events.arrow is checked first):
    0  intact
    1  the directory could not be read (permissions, I/O)
    2  bad input: DIR does not exist or is not a directory
    3  truncated: a file is shorter than the manifest says, or events.arrow stops before the Arrow end marker
    4  content changed: a file's sha256 differs from the manifest's (flipped, edited or appended bytes), or events.arrow fails its own checksum
    5  rows reordered or missing: seq not 0..n-1 in order, a posting's cause after it, time going back, or fewer/more rows than the manifest counts
    6  manifest does not match: manifest.json missing or invalid, a listed file missing, an unlisted file present, or counts or the final state differ from an intact log
    7  newer schema: written by a newer event schema version (or run format) than this engine reads; upgrade devosim`

export const verify = Command.make(
  "verify",
  { dir: Argument.String("DIR").pipe(Argument.withDescription("a run directory (or replication set, or comparison) written by devosim")) },
  ({ dir }) => verifyCommand(dir)
).pipe(
  Command.withDescription(HELP),
  Command.withShortDescription("Check a run directory's files, rows and replay against its manifest; an exit code per kind of damage")
)
