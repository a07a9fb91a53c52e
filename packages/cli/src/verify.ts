/**
 * `devosim verify DIR`: is a run directory exactly what devosim wrote? The checking is
 * `verifyRun` in @devosim/store; this maps its verdict to a message and one exit code per kind of
 * damage, so scripts can tell a truncated copy from a tampered one.
 */
import { siblingModule } from "@devosim/core/sibling"
import { forTerminal } from "@devosim/core"
import type { DamageKind, Problem, Verdict } from "@devosim/store"
import { Effect } from "effect"
import * as path from "node:path"
import { Worker } from "node:worker_threads"
import { badInput, silentExit, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { say, sayJson } from "./say.ts"

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
        const worker = new Worker(siblingModule(import.meta.url, "task-worker"), { workerData: { task: "verify", dir } })
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

/** `verify --json`: the verdict for scripts; damage as a list of problems, the exit code as without --json. */
const verdictJson = (dir: string, verdict: Verdict) =>
  verdict.ok
    ? {
        command: "verify",
        dir,
        intact: true,
        exit_code: 0,
        format: verdict.format,
        files: verdict.files,
        runs: verdict.runs,
        events: verdict.events,
        state_sha256: verdict.stateSha256
      }
    : {
        command: "verify",
        dir,
        intact: false,
        exit_code: VERIFY_EXIT_CODES[verdict.problems[0].kind],
        problems: verdict.problems.map((p) => ({ file: path.join(dir, p.file), kind: LABEL[p.kind], exit_code: VERIFY_EXIT_CODES[p.kind], message: p.message }))
      }

export const verifyCommand = Effect.fn("verifyCommand")(function* (dir: string, options: { readonly json?: boolean } = {}) {
  const started = performance.now()
  const verdict = yield* verifyOffMainThread(dir)
  if (options.json === true) {
    yield* sayJson(verdictJson(dir, verdict))
    return verdict.ok ? undefined : yield* silentExit(VERIFY_EXIT_CODES[verdict.problems[0].kind])
  }
  if (verdict.ok) {
    const ms = performance.now() - started
    const what =
      verdict.format === "devosim-compare/1"
        ? `comparison: ${verdict.files} files match the manifest`
        : verdict.format === "devosim-export/1"
          ? `export: ${verdict.files} files match the manifest`
          : verdict.format === "devosim-sweep/1"
            ? `sweep: ${verdict.files} files match the manifest${verdict.runs > 0 ? `; ${verdict.runs} kept runs replayed (${verdict.events} events)` : ""}`
          : verdict.format === "devosim-sweep-part/1"
            ? `part of a sweep: ${verdict.files} files match the manifest`
          : verdict.format === "devosim-replications/1" && verdict.runs === 0
            ? `replication set (written without --keep-runs: no runs): ${verdict.files} files match the manifest`
            : `${verdict.runs === 1 ? "run" : `${verdict.runs} runs`}: ${verdict.files} files match the manifest; ${verdict.events} events in order, replayed to the manifest's final state${verdict.stateSha256 === null ? "" : ` (sha256 ${verdict.stateSha256.slice(0, 16)}…)`}`
    return yield* say(`${forTerminal(dir)}: intact ${what} in ${ms.toFixed(0)} ms`)
  }
  return yield* damageReport(dir, verdict.problems)
})
