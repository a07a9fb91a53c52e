/**
 * Run directories named on the command line are untrusted input (DESIGN §6), like scenario files.
 * Every command that reads one (replay, explain, fork, compare) checks it against its manifest
 * here first, and reports damage exactly as `devosim verify` does (the same message and exit code
 * for the same damage): when the check fails, verify's own diagnosis is what is reported.
 */
import { EVENT_SCHEMA_VERSION, forTerminal } from "@devosim/core"
import {
  checkRunDirectory,
  EVENTS_FILE,
  HashMismatch,
  LogReadError,
  ManifestInvalid,
  readUntrusted,
  RunDirectoryNotFound,
  RunFileMissing,
  UntrustedFile,
  verifyRunDirectory,
  type Manifest
} from "@devosim/store"
import { Effect } from "effect"
import { lstatSync, readdirSync } from "node:fs"
import * as path from "node:path"
import { badInput, failure, UserFacingError } from "./errors.ts"
import { damageReport } from "./verify.ts"

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

/** How a failed read of `dir` is reported: bad input for what is not a run directory, verify's verdict for damage. */
export const readError = (dir: string, e: unknown): UserFacingError => {
  if (e instanceof UserFacingError) return e
  if (e instanceof UntrustedFile || e instanceof RunDirectoryNotFound) return badInput(messageOf(e))
  if (e instanceof HashMismatch || e instanceof ManifestInvalid || e instanceof RunFileMissing || e instanceof LogReadError) {
    try {
      const verdict = verifyRunDirectory(dir)
      if (!verdict.ok) return damageReport(dir, verdict.problems)
    } catch (again) {
      if (again instanceof UntrustedFile || again instanceof RunDirectoryNotFound) return badInput(messageOf(again))
    }
    return failure(messageOf(e))
  }
  return failure(`${forTerminal(dir)}: could not be read (${messageOf(e)})`)
}

/** What is at `p` without following a symlink, or null. */
export const lstatOrNull = (p: string) => {
  try {
    return lstatSync(p)
  } catch {
    return null
  }
}

/** A replication set written without --keep-runs (its manifest says so) is refused: it has no run to read. */
const figuresOnlySet = (dir: string) => {
  let m: unknown
  try {
    m = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readUntrusted(path.resolve(dir), "manifest.json")))
  } catch {
    return Effect.void // not readable here: checking the run reports why
  }
  if (typeof m !== "object" || m === null || (m as Record<string, unknown>)["format"] !== "devosim-replications/1") return Effect.void
  const reps = (m as Record<string, unknown>)["replications"]
  const k = Array.isArray(reps) ? reps.length : 0
  return Effect.fail(
    badInput(`${forTerminal(dir)} holds the figures of ${k} replications but no runs (written without --keep-runs); for a run directory per replication: devosim run FILE --replications ${k} --keep-runs`)
  )
}

/** Commands that read one run refuse a replication set, naming a run inside it. */
export const refuseReplicationSet = (dir: string) =>
  Effect.suspend(() => {
    const set = path.join(dir, "replications")
    const at = lstatOrNull(set)
    if (at === null || !at.isDirectory()) return figuresOnlySet(dir)
    const runs = readdirSync(set).sort()
    return Effect.fail(badInput(`${forTerminal(dir)} holds ${runs.length} replications; name one of them, e.g. ${forTerminal(path.join(set, runs[0] ?? "r0000"))}`))
  })

/** A manifest written by a newer engine is refused before its log is read, as verify refuses it. */
const refuseNewer = (dir: string, manifest: Manifest) =>
  manifest.event_schema_version > EVENT_SCHEMA_VERSION
    ? Effect.fail(
        damageReport(dir, [
          {
            kind: "NewerSchema",
            file: "manifest.json",
            message: `written with event schema version ${manifest.event_schema_version}; this engine reads up to ${EVENT_SCHEMA_VERSION}: upgrade devosim`
          }
        ])
      )
    : Effect.void

/** A run directory checked against its manifest block by block (any size); the log is read from `eventsPath`. */
export const checkedRun = Effect.fn("checkedRun")(function* (dir: string) {
  yield* refuseReplicationSet(dir)
  const checked = yield* Effect.tryPromise({ try: () => checkRunDirectory(dir), catch: (e) => readError(dir, e) })
  yield* refuseNewer(dir, checked.manifest)
  return checked
})

/** A file of a checked run directory, read whole as untrusted input. */
export const readRunFile = (dir: string, name: string) =>
  Effect.try({ try: () => readUntrusted(path.resolve(dir), name), catch: (e) => readError(dir, e) })

/** The log file of a checked run. */
export const eventsFileOf = (dir: string) => path.join(path.resolve(dir), EVENTS_FILE)
