import { Data } from "effect"

/**
 * What the CLI reports to a person: one message, no stack trace, and the exit code of DESIGN §6
 * (2 bad input, 1 failure). Every error that reaches the top of `main` is one of these.
 */
export class UserFacingError extends Data.TaggedError("UserFacingError")<{
  readonly message: string
  /** 1 failure, 2 bad input; `verify` uses 3–7 for the kinds of damage (see verify.ts). */
  readonly exitCode: number
  /** A flag's value was wrong: the message ends by naming the command's help (see main.ts). */
  readonly seeHelp?: boolean
}> {}

export const badInput = (message: string) => new UserFacingError({ message, exitCode: 2 })
/** A bad value of a flag (the message starts with the flag's name), like effect/cli's own usage errors. */
export const badFlag = (message: string) => new UserFacingError({ message, exitCode: 2, seeHelp: true })
export const failure = (message: string) => new UserFacingError({ message, exitCode: 1 })

/** An exit code alone: what went wrong is already on stdout (a --json document) or stderr. */
export const silentExit = (exitCode: number) => new UserFacingError({ message: "", exitCode })
