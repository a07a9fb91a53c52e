/**
 * Typed store errors. Each carries a `_tag` so the Effect shell can `catchTag` on them later
 * without this package depending on Effect itself.
 */

/** Why an events.arrow (or other Arrow file) could not be read. */
export type LogReadReason =
  | "NotArrowFile" // no Arrow file magic at the start
  | "Truncated" // Arrow magic at the start but not at the end
  | "ChecksumMismatch" // the embedded content checksum does not match: the bytes were changed
  | "Corrupt" // the Arrow reader itself failed (bad flatbuffer, bad lengths, ...)
  | "WrongFormat" // an Arrow file, but not an events/1 log
  | "UnsupportedVersion" // written by a newer engine than this reader knows
  | "MissingColumn"
  | "WrongColumnType"
  | "BadSequence" // seq is not 0..n-1 in order
  | "BadControlEvent" // a control row that does not decode as a control event
  | "BadPosting" // a posting row with nulls, unsafe amount, unknown account, or a bad cause

export class LogReadError extends Error {
  readonly _tag = "LogReadError"
  readonly reason: LogReadReason
  /** The row (= seq) at fault, when the fault is in one row. */
  readonly row: number | undefined

  constructor(reason: LogReadReason, message: string, options?: { readonly row?: number; readonly cause?: unknown }) {
    super(options?.row === undefined ? message : `row ${options.row}: ${message}`, { cause: options?.cause })
    this.name = "LogReadError"
    this.reason = reason
    this.row = options?.row
  }
}

/**
 * The destination of a run already exists. `replaceable`: it is a directory devosim wrote (its
 * manifest verifies), so `overwrite` would replace it; otherwise nothing will.
 */
export class RunDirectoryExists extends Error {
  readonly _tag = "RunDirectoryExists"
  readonly path: string
  readonly replaceable: boolean
  readonly detail: string
  constructor(path: string, detail = "pass overwrite to replace it", replaceable = true) {
    super(`run directory ${path} already exists; ${detail}`)
    this.name = "RunDirectoryExists"
    this.path = path
    this.replaceable = replaceable
    this.detail = detail
  }
}

/** A run directory may not be written at this path (inside another run directory, or an empty path). */
export class RunDirectoryPlacement extends Error {
  readonly _tag = "RunDirectoryPlacement"
  readonly path: string
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`)
    this.name = "RunDirectoryPlacement"
    this.path = path
  }
}

/**
 * A file of a run directory that devosim will not read: not a regular file (a symlink, FIFO,
 * device, socket), or larger than it reads whole. Bad input (exit 2), never a hang.
 */
export class UntrustedFile extends Error {
  readonly _tag = "UntrustedFile"
  readonly path: string
  readonly file: string
  constructor(path: string, file: string, detail: string) {
    super(`${path}/${file}: ${detail}`)
    this.name = "UntrustedFile"
    this.path = path
    this.file = file
  }
}

export class RunDirectoryNotFound extends Error {
  readonly _tag = "RunDirectoryNotFound"
  readonly path: string
  constructor(path: string) {
    super(`run directory ${path} does not exist or is not a directory`)
    this.name = "RunDirectoryNotFound"
    this.path = path
  }
}

export class RunFileMissing extends Error {
  readonly _tag = "RunFileMissing"
  readonly path: string
  readonly file: string
  constructor(path: string, file: string) {
    super(`run directory ${path} has no ${file}`)
    this.name = "RunFileMissing"
    this.path = path
    this.file = file
  }
}

export class ManifestInvalid extends Error {
  readonly _tag = "ManifestInvalid"
  readonly path: string
  constructor(path: string, detail: string) {
    super(`${path}: invalid manifest: ${detail}`)
    this.name = "ManifestInvalid"
    this.path = path
  }
}

export class HashMismatch extends Error {
  readonly _tag = "HashMismatch"
  readonly path: string
  readonly file: string
  readonly expected: string
  readonly actual: string
  /** The file's size, and the manifest's, when known: a file shorter than sealed may be cut short. */
  readonly actualBytes: number | undefined
  readonly expectedBytes: number | undefined
  constructor(path: string, file: string, expected: string, actual: string, actualBytes?: number, expectedBytes?: number) {
    super(
      `${path}/${file}: sha256 is ${actual} but the manifest says ${expected}${
        actualBytes !== undefined && expectedBytes !== undefined && actualBytes !== expectedBytes ? ` (${actualBytes} bytes, the manifest says ${expectedBytes})` : ""
      } (the file was changed or damaged)`
    )
    this.actualBytes = actualBytes
    this.expectedBytes = expectedBytes
    this.name = "HashMismatch"
    this.path = path
    this.file = file
    this.expected = expected
    this.actual = actual
  }
}

export class InvalidFileName extends Error {
  readonly _tag = "InvalidFileName"
  readonly fileName: string
  constructor(fileName: string, detail: string) {
    super(`invalid run file name ${JSON.stringify(fileName)}: ${detail}`)
    this.name = "InvalidFileName"
    this.fileName = fileName
  }
}

/** An I/O failure while writing a run directory (the temporary directory has been removed). */
export class RunDirectoryWriteError extends Error {
  readonly _tag = "RunDirectoryWriteError"
  readonly path: string
  constructor(path: string, detail: string, cause?: unknown) {
    super(`could not write run directory ${path}: ${detail}`, { cause })
    this.name = "RunDirectoryWriteError"
    this.path = path
  }
}

export type RunDirectoryError =
  | RunDirectoryExists
  | RunDirectoryPlacement
  | UntrustedFile
  | RunDirectoryNotFound
  | RunFileMissing
  | ManifestInvalid
  | HashMismatch
  | InvalidFileName
  | RunDirectoryWriteError
  | LogReadError

/** The in-memory log breaks an invariant the file format relies on (a bug upstream, not bad input). */
export class LogWriteError extends Error {
  readonly _tag = "LogWriteError"
  constructor(message: string) {
    super(message)
    this.name = "LogWriteError"
  }
}
