import { Data } from "effect"

/**
 * What the CLI reports to a person: one message, no stack trace, and the exit code of DESIGN §6
 * (2 bad input, 1 failure). Every error that reaches the top of `main` is one of these.
 */
export class UserFacingError extends Data.TaggedError("UserFacingError")<{
  readonly message: string
  readonly exitCode: 1 | 2
}> {}

export const badInput = (message: string) => new UserFacingError({ message, exitCode: 2 })
export const failure = (message: string) => new UserFacingError({ message, exitCode: 1 })
