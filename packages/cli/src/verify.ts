/**
 * `devosim verify DIR`: is a run directory exactly what devosim wrote? The checking is
 * `verifyRun` in @devosim/store; this maps its verdict to a message and one exit code per kind of
 * damage, so scripts can tell a truncated copy from a tampered one.
 */
import { forTerminal } from "@devosim/core"
import type { DamageKind, Problem, Verdict } from "@devosim/store"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import * as path from "node:path"
import { Worker } from "node:worker_threads"
import { badInput, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { say } from "./say.ts"

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

/** The report of damage found in `dir`: one line per problem (names escaped), the first problem's exit code. */
export const damageReport = (dir: string, problems: readonly [Problem, ...Array<Problem>]): UserFacingError => {
  const [first, ...rest] = problems
  const line = (p: Problem) => `${forTerminal(path.join(dir, p.file))}: ${forTerminal(p.message)} [${LABEL[p.kind]}]`
  const more = rest.slice(0, MORE).map((p) => `\n  also: ${line(p)}`).join("")
  const beyond = rest.length > MORE ? `\n  and ${rest.length - MORE} more problems` : ""
  return new UserFacingError({ message: `${line(first)}${more}${beyond}`, exitCode: VERIFY_EXIT_CODES[first.kind] })
}

class TaskFailed extends Error {
  readonly tag: string
  constructor(tag: string, message: string) {
    super(message)
    this.tag = tag
  }
}

/** verifyRunDirectory on a worker thread: SIGINT/SIGTERM terminate it at once (the check may take minutes on a large run). */
const verifyOffMainThread = (dir: string) =>
  abortable(
    (signal) =>
      new Promise<Verdict>((resolve, reject) => {
        const worker = new Worker(new URL("./task-worker.ts", import.meta.url), { workerData: { task: "verify", dir } })
        const stop = () => {
          void worker.terminate()
          reject(signal.reason)
        }
        signal.addEventListener("abort", stop, { once: true })
        worker.once("message", (m: { ok: true; value: Verdict } | { ok: false; tag: string; message: string }) => {
          signal.removeEventListener("abort", stop)
          void worker.terminate()
          if (m.ok) resolve(m.value)
          else reject(new TaskFailed(m.tag, m.message))
        })
        worker.once("error", (e) => {
          signal.removeEventListener("abort", stop)
          reject(new TaskFailed("Error", e.message))
        })
      }),
    (e) =>
      e instanceof TaskFailed && e.tag === "RunDirectoryNotFound"
        ? badInput(`${forTerminal(dir)}: no such directory`)
        : e instanceof TaskFailed && e.tag === "UntrustedFile"
          ? badInput(forTerminal(e.message))
          : new UserFacingError({ message: `${forTerminal(dir)}: could not read the directory (${forTerminal(e instanceof Error ? e.message : String(e))})`, exitCode: 1 })
  )

export const verifyCommand = Effect.fn("verifyCommand")(function* (dir: string) {
  const started = performance.now()
  const verdict = yield* verifyOffMainThread(dir)
  if (verdict.ok) {
    const ms = performance.now() - started
    const what =
      verdict.format === "devosim-compare/1"
        ? `comparison: ${verdict.files} files match the manifest`
        : verdict.format === "devosim-export/1"
          ? `export: ${verdict.files} files match the manifest`
          : `${verdict.runs === 1 ? "run" : `${verdict.runs} runs`}: ${verdict.files} files match the manifest; ${verdict.events} events in order, replayed to the manifest's final state${verdict.stateSha256 === null ? "" : ` (sha256 ${verdict.stateSha256.slice(0, 16)}…)`}`
    return yield* say(`${forTerminal(dir)}: intact ${what} in ${ms.toFixed(0)} ms`)
  }
  return yield* damageReport(dir, verdict.problems)
})

const HELP = `Check that a run directory is exactly what devosim wrote: every file against manifest.json,
  events.arrow row by row (seq 0..n-1 in order, causes before their postings, time never going back,
  counts as in the manifest), and a replay of the log against the manifest's final state. Works on a
  run, a replication set (every replication), a comparison and an export directory. Prints one line per problem.
  Exit codes (the first problem found decides; events.arrow is checked first):
    0  intact
    1  the directory could not be read (permissions, I/O)
    2  bad input: DIR does not exist or is not a directory, or holds what devosim never writes and will not read
       (a symbolic link, FIFO, device or socket; a manifest over 64 MiB or a file over 2 GiB read whole)
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
