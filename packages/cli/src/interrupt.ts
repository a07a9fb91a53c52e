/**
 * SIGINT and SIGTERM (DESIGN §6: an interrupted run never leaves a run directory that looks
 * complete). `NodeRuntime.runMain` interrupts the main fiber on either signal and then exits with
 * the teardown's code. This module remembers which signal came (exit 130 for SIGINT, 143 for
 * SIGTERM, as a shell reports a process killed by them) and runs the directory write so that an
 * interruption aborts it and *waits* for it to remove its temporary directory: `Effect.tryPromise`
 * would let the process exit while the write is still running.
 *
 * The run itself (decide, evolve, encode) is synchronous, so a signal that arrives during it is
 * acted on as soon as it is over, at the first step of the write, before anything is created.
 */
import { Effect } from "effect"

let received: "SIGINT" | "SIGTERM" | undefined
let committed: string | undefined

/** One turn of the event loop: lets a pending SIGINT/SIGTERM handler run between pieces of synchronous work. */
export const turn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/** Remembers the first SIGINT or SIGTERM; call once, before `runMain` (which does the interrupting). */
export const recordSignals = (): void => {
  for (const s of ["SIGINT", "SIGTERM"] as const) {
    process.on(s, () => {
      received ??= s
    })
  }
}

/** 130 after SIGINT, 143 after SIGTERM (128 + the signal number). */
export const interruptExitCode = (): number => (received === "SIGTERM" ? 143 : 130)

/** The one line printed when the program was interrupted. */
export const interruptMessage = (): string =>
  `interrupted by ${received ?? "a signal"}; ${committed === undefined ? "nothing written" : `${committed} had already been written in full`}`

/**
 * As `Effect.tryPromise`, but on interruption `run`'s signal is aborted and the interruption waits
 * until `run` has settled (and cleaned up). If `run` completes anyway (it was past its point of
 * no return), `committed` is reported by `interruptMessage`.
 */
export const abortable = <A, E>(run: (signal: AbortSignal) => Promise<A>, onError: (e: unknown) => E, committedName?: string): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume, signal) => {
    const settled = run(signal).then(
      (a) => {
        if (signal.aborted && committedName !== undefined) committed = committedName
        resume(Effect.succeed(a))
      },
      (e: unknown) => resume(Effect.fail(onError(e)))
    )
    return Effect.promise(() => settled)
  })
