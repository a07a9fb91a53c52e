/**
 * Run directories (DESIGN §6): written atomically (temp sibling, fsync, rename), described by a
 * reproducible manifest.json, and checked against it on read.
 */
import { createHash, randomBytes } from "node:crypto"
import { closeSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync } from "node:fs"
import { lstat, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { EVENT_SCHEMA_VERSION } from "@devosim/core"
import { compareCodePoints } from "@devosim/core"
import type { ControlEvent, EventLog, RunStarted } from "@devosim/core"
import {
  HashMismatch,
  InvalidFileName,
  ManifestInvalid,
  RunDirectoryExists,
  RunDirectoryNotFound,
  RunDirectoryPlacement,
  RunDirectoryWriteError,
  RunFileMissing,
  UntrustedFile
} from "./errors.ts"
import { exchangeDirectories } from "./exchange.ts"
import { errno, hashUntrusted, hashUntrustedAsync, listUntrusted, MAX_MANIFEST_BYTES, readUntrusted } from "./untrusted.ts"
import { FileSink, hashFd, type FileSinkOptions } from "./sink.ts"
import { ThreadedFileSink } from "./threaded-sink.ts"

export const RUN_FORMAT = "devosim-run/1"
export const REPLICATIONS_FORMAT = "devosim-replications/1"
export const COMPARE_FORMAT_MANIFEST = "devosim-compare/1"
/** The manifest of a `devosim export` directory: the source run and a sha256 for every table file. */
export const EXPORT_FORMAT_MANIFEST = "devosim-export/1"
/** A sweep's directory (devosim sweep): experiments.arrow and sweep.json sealed by its manifest. */
export const SWEEP_FORMAT_MANIFEST = "devosim-sweep/1"
/** One shard's part of a sweep (devosim sweep --shard i/N), which devosim merge joins. */
export const SWEEP_PART_FORMAT_MANIFEST = "devosim-sweep-part/1"
export const MANIFEST_FILE = "manifest.json"
export const EVENTS_FILE = "events.arrow"
export const LEDGER_FILE = "ledger.arrow"
export const ACCOUNTS_FILE = "accounts.arrow"

export interface RunFile {
  readonly name: string
  readonly bytes: Uint8Array | string
}

const utf8 = new TextEncoder()
const asBytes = (b: Uint8Array | string): Uint8Array => (typeof b === "string" ? utf8.encode(b) : b)

export const sha256Hex = (bytes: Uint8Array | string): string => createHash("sha256").update(asBytes(bytes)).digest("hex")

// ---------------------------------------------------------------------------------------------
// Manifest

export interface ManifestFileEntry {
  readonly sha256: string
  readonly bytes: number
}

export interface Manifest {
  readonly format: typeof RUN_FORMAT
  readonly engine_version: string
  readonly event_schema_version: number
  readonly scenario: string
  readonly seed: number
  readonly input_sha256: string
  /** The variant of the input file that ran (`devosim run FILE --variant NAME`); absent for the base. */
  readonly variant?: string
  /** The `--set PATH=VALUE` amendments the scenario ran with, as given; absent when there were none. */
  readonly settings?: ReadonlyArray<string>
  readonly event_count: number
  readonly control_event_count: number
  readonly posting_count: number
  readonly state_sha256: string
  readonly log_sha256: string
  readonly files: Readonly<Record<string, ManifestFileEntry>>
}

export interface ManifestArgs {
  /** The log as run: engine version, scenario and seed come from its RunStarted; counts from its length. */
  readonly log: EventLog
  /** The encoded events.arrow. */
  readonly eventsArrow: Uint8Array
  /** Optional cross-checks: must equal RunStarted's scenario and seed when given. */
  readonly scenario?: string
  readonly seed?: number
  /** sha256 of the scenario file as read. */
  readonly inputSha256: string
  /** sha256 of the final state, as computed by core. */
  readonly stateSha256: string
  /** The other files of the run; events.arrow and manifest.json, if present, are skipped. */
  readonly files: ReadonlyArray<RunFile | RunFileHash>
}

/** A file already written (streamed), described by its sha256 and size instead of its bytes. */
export interface RunFileHash {
  readonly name: string
  readonly sha256: string
  readonly bytes: number
}

/**
 * The manifest of a run whose log was streamed: counts and hashes instead of the log and its bytes
 * (`EventLogWriter.finish()` gives them). Same manifest as `ManifestArgs` for the same run.
 */
export interface ManifestCountsArgs {
  /** The log's RunStarted. */
  readonly run: RunStarted
  readonly controlEventCount: number
  readonly postingCount: number
  /** sha256 of events.arrow. */
  readonly logSha256: string
  readonly scenario?: string
  readonly seed?: number
  readonly inputSha256: string
  readonly stateSha256: string
  /** The variant of the input that ran, and the amendments: recorded only when there are any (other runs' manifests are unchanged). */
  readonly variant?: string | undefined
  readonly settings?: ReadonlyArray<string> | undefined
  /** The other files of the run (bytes, or hashes from `RunDirectoryWriter.commit`); events.arrow and manifest.json are skipped. */
  readonly files: ReadonlyArray<RunFile | RunFileHash>
}

const isHashed = (f: RunFile | RunFileHash): f is RunFileHash => typeof f.bytes === "number"

/** The manifest, with keys in a fixed order and files sorted by name: no timestamps, reproducible. */
export const makeManifest = (args: ManifestArgs | ManifestCountsArgs): Manifest => {
  const counts =
    "log" in args
      ? { run: args.log.controls[0], controls: args.log.controls.length, postings: args.log.postings.length, logSha256: null, eventsArrow: args.eventsArrow }
      : { run: args.run as ControlEvent | undefined, controls: args.controlEventCount, postings: args.postingCount, logSha256: args.logSha256, eventsArrow: null }
  const run = counts.run
  if (run === undefined || run._tag !== "RunStarted") throw new TypeError("the log does not start with RunStarted")
  if (args.scenario !== undefined && args.scenario !== run.scenario) {
    throw new TypeError(`manifest scenario ${JSON.stringify(args.scenario)} differs from the log's ${JSON.stringify(run.scenario)}`)
  }
  if (args.seed !== undefined && args.seed !== run.seed) {
    throw new TypeError(`manifest seed ${args.seed} differs from the log's ${run.seed}`)
  }
  const files: Record<string, ManifestFileEntry> = {}
  const others = args.files.filter((f) => f.name !== EVENTS_FILE && f.name !== MANIFEST_FILE)
  for (const f of [...others].sort((a, b) => compareCodePoints(a.name, b.name))) {
    if (isHashed(f)) files[f.name] = { sha256: f.sha256, bytes: f.bytes }
    else {
      const bytes = asBytes(f.bytes)
      files[f.name] = { sha256: sha256Hex(bytes), bytes: bytes.length }
    }
  }
  return {
    format: RUN_FORMAT,
    engine_version: run.engineVersion,
    event_schema_version: EVENT_SCHEMA_VERSION,
    scenario: run.scenario,
    seed: run.seed,
    input_sha256: args.inputSha256,
    ...("variant" in args && args.variant !== undefined ? { variant: args.variant } : {}),
    ...("settings" in args && args.settings !== undefined && args.settings.length > 0 ? { settings: [...args.settings] } : {}),
    event_count: counts.controls + counts.postings,
    control_event_count: counts.controls,
    posting_count: counts.postings,
    state_sha256: args.stateSha256,
    log_sha256: counts.logSha256 ?? sha256Hex(counts.eventsArrow!),
    files
  }
}

export const manifestJson = (m: Manifest): string => `${JSON.stringify(m, null, 2)}\n`

const HEX64 = /^[0-9a-f]{64}$/

/** Checks a parsed manifest.json has the shape `readRunDirectory` relies on. */
export const checkManifest = (path: string, v: unknown): Manifest => {
  const bad = (detail: string): never => {
    throw new ManifestInvalid(path, detail)
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad("not a JSON object")
  const m = v as Record<string, unknown>
  if (m["format"] !== RUN_FORMAT) bad(`format is ${JSON.stringify(m["format"] ?? null)}, expected "${RUN_FORMAT}"`)
  for (const k of ["engine_version", "scenario", "input_sha256", "state_sha256"]) {
    if (typeof m[k] !== "string") bad(`${k} is not a string`)
  }
  for (const k of ["event_schema_version", "seed", "event_count", "control_event_count", "posting_count"]) {
    if (typeof m[k] !== "number") bad(`${k} is not a number`)
  }
  if (typeof m["log_sha256"] !== "string" || !HEX64.test(m["log_sha256"])) bad("log_sha256 is not a sha256 hex digest")
  const files = m["files"]
  if (typeof files !== "object" || files === null || Array.isArray(files)) return bad("files is not an object")
  for (const [name, e] of Object.entries(files)) {
    const entry = e as Record<string, unknown> | null
    // Plain names, or plain names joined by / (snapshots/s123.json): never outside the directory.
    if (!name.split("/").every(isPlainFileName)) bad(`files: ${JSON.stringify(name)} is not a plain file name`)
    if (typeof entry !== "object" || entry === null || typeof entry["sha256"] !== "string" || !HEX64.test(entry["sha256"]) || typeof entry["bytes"] !== "number") {
      bad(`files.${name} needs a sha256 hex digest and a byte count`)
    }
  }
  return v as Manifest
}

// ---------------------------------------------------------------------------------------------
// Writing

const isPlainFileName = (name: string): boolean =>
  name.length > 0 && name !== "." && name !== ".." && !/[/\\\0]/.test(name) && basename(name) === name

/** What is at `path`, without following a symlink: null when nothing is. */
const exists = async (path: string): Promise<{ dir: boolean; link: boolean } | null> => {
  try {
    const s = await lstat(path)
    return { dir: s.isDirectory(), link: s.isSymbolicLink() }
  } catch (e) {
    if (errno(e) === "ENOENT") return null
    throw e
  }
}

/** fsync a directory so the names in it (new files, a rename) survive a crash. */
const syncDir = async (path: string): Promise<void> => {
  let h
  try {
    h = await open(path, "r")
    await h.sync()
  } catch (e) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    if (!["EISDIR", "EPERM", "EINVAL", "EACCES", "EBADF"].includes(errno(e) ?? "")) throw e
  } finally {
    await h?.close()
  }
}

const suffix = (): string => `${process.pid}-${randomBytes(6).toString("hex")}`

export interface WriteRunOptions {
  /** Replace an existing run directory (one with a manifest.json, or empty). Default false. */
  readonly overwrite?: boolean
  /**
   * Abandon the write when aborted (SIGINT, SIGTERM): checked before each step up to the final
   * rename; the temporary directory is removed and the promise rejects with `signal.reason`. Once
   * the rename has begun the write completes.
   */
  readonly signal?: AbortSignal
  /**
   * Called right after the first step of putting the new directory in place (fault injection for
   * tests: a test kills the process here and checks the name still holds a complete run).
   */
  readonly afterFirstPlacingStep?: () => void
}

/**
 * A run directory being written: files go into `<outDir>.tmp-<pid>-<random>` beside it (streamed
 * through `openSink`, or whole with `writeFile`); `commit` writes manifest.json from the hashes
 * recorded as the files were written (nothing is read back), fsyncs every file and the directory,
 * and renames it into place, so `outDir` either does not exist, is the old run, or is the complete
 * new run. `abort` (or any failure in `commit`) removes the temporary directory.
 */
export interface RunDirectoryWriter {
  /** The final path (`outDir`, resolved). */
  readonly target: string
  /** The temporary directory being filled. */
  readonly tmp: string
  /**
   * The path to write `name` at (subdirectories created), for a file written by other means; it
   * is hashed (one streaming read) and fsynced at `commit`.
   */
  filePath(name: string): string
  /** A new file `name`, written through the returned sink; its sha256 and size are recorded when it is closed (at the latest by `commit`). */
  openSink(name: string, options?: Pick<FileSinkOptions, "hash">): FileSink
  /**
   * As `openSink`, but written, hashed and fsynced on an I/O thread (for the big streamed files);
   * close it (`await sink.close()`) before `files()`; `commit` closes it if still open.
   */
  openThreadedSink(name: string): ThreadedFileSink
  /** A small file written whole (and fsynced). */
  writeFile(name: string, bytes: Uint8Array | string): Promise<void>
  /** The files so far with their sha256 and size (sinks still open are closed first). */
  files(): ReadonlyArray<RunFileHash>
  /**
   * Closes open sinks, hashes `filePath` files, then writes manifest.json with what `manifest`
   * returns for the files (null: no manifest), fsyncs and renames into place. Rejects like
   * `writeRunDirectory`; the temporary directory is removed on failure.
   */
  commit(manifest?: (files: ReadonlyArray<RunFileHash>) => string | Uint8Array | null): Promise<void>
  /** Abandons the write: closes sinks and removes the temporary directory. */
  abort(): Promise<void>
}

const checkName = (name: string, seen: ReadonlySet<string>): void => {
  if (!name.split("/").every(isPlainFileName)) throw new InvalidFileName(name, "must be a plain file name, or plain names joined by /")
  if (seen.has(name)) throw new InvalidFileName(name, "appears twice")
}

/**
 * Starts writing a run directory (see `RunDirectoryWriter`). Rejects with `RunDirectoryExists`
 * when `outDir` exists and `overwrite` is not set (or it does not look like a run),
 * `RunDirectoryWriteError` (I/O) or the abort reason of `options.signal`.
 */
export const openRunDirectory = async (outDir: string, options?: WriteRunOptions): Promise<RunDirectoryWriter> => {
  const target = resolve(outDir)
  const overwrite = options?.overwrite === true
  const signal = options?.signal
  await checkPlacement(outDir, target)
  // The fingerprint is taken before the contents are hashed, so a change while hashing shows at commit.
  let print: string | undefined
  try {
    print = (await exists(target))?.dir === true ? fingerprintOf(target) : undefined
  } catch {
    print = undefined
  }
  const sealed = (await checkReplaceable(target, overwrite)) === "run" ? print : undefined
  const parent = dirname(target)
  const tmp = `${target}.tmp-${suffix()}`
  const fail = async (e: unknown): Promise<never> => {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined)
    if (e instanceof RunDirectoryExists || e instanceof InvalidFileName || e instanceof RunDirectoryPlacement) throw e
    if (signal?.aborted) throw signal.reason
    throw new RunDirectoryWriteError(target, e instanceof Error ? e.message : String(e), e)
  }
  try {
    signal?.throwIfAborted()
    await mkdir(parent, { recursive: true })
    signal?.throwIfAborted()
    await mkdir(tmp)
  } catch (e) {
    return fail(e)
  }

  const names = new Set<string>()
  const subdirs = new Set<string>()
  const sinks = new Map<string, FileSink>()
  const threaded = new Map<string, ThreadedFileSink>()
  const external: Array<string> = []
  const done = new Map<string, RunFileHash>()
  let state: "open" | "committing" | "closed" = "open"

  const place = (name: string): string => {
    if (state !== "open") throw new RunDirectoryWriteError(target, `cannot add ${name}: the directory is already ${state === "closed" ? "closed" : "being committed"}`)
    checkName(name, names)
    names.add(name)
    const path = join(tmp, ...name.split("/"))
    if (dirname(path) !== tmp && !subdirs.has(dirname(path))) {
      mkdirSync(dirname(path), { recursive: true })
      for (let d = dirname(path); d !== tmp && !subdirs.has(d); d = dirname(d)) subdirs.add(d)
    }
    return path
  }
  const closeSinks = (): void => {
    for (const [name, sink] of sinks) {
      const r = sink.close()
      done.set(name, { name, sha256: r.sha256, bytes: r.bytes })
    }
    sinks.clear()
    if (threaded.size > 0) throw new RunDirectoryWriteError(target, `${[...threaded.keys()].join(", ")}: still being written (close it first)`)
  }
  const closeThreaded = async (): Promise<void> => {
    for (const [name, sink] of threaded) {
      const r = await sink.close()
      done.set(name, { name, sha256: r.sha256, bytes: r.bytes })
      threaded.delete(name)
    }
  }
  const discardSinks = (): void => {
    for (const sink of threaded.values()) void sink.discard()
    threaded.clear()
    for (const sink of sinks.values()) {
      try {
        sink.discard()
      } catch {
        // already failed; the directory is removed next
      }
    }
    sinks.clear()
  }
  const hashExternal = (): void => {
    for (const name of external.splice(0)) {
      const fd = openSync(join(tmp, ...name.split("/")), "r+")
      try {
        fsyncSync(fd)
        done.set(name, { name, sha256: hashFd(fd), bytes: fstatSize(fd) })
      } finally {
        closeFdQuietly(fd)
      }
    }
  }
  const list = (): Array<RunFileHash> => [...done.values()].sort((a, b) => compareCodePoints(a.name, b.name))

  return {
    target,
    tmp,
    filePath(name) {
      const path = place(name)
      external.push(name)
      return path
    },
    openSink(name, options) {
      const path = place(name)
      // "wx": never follow or clobber something that appeared in our fresh directory.
      const sink = new FileSink(openSync(path, "wx"), options)
      sinks.set(name, sink)
      return sink
    },
    openThreadedSink(name) {
      const path = place(name)
      const sink = new ThreadedFileSink(openSync(path, "wx"))
      threaded.set(name, sink)
      return sink
    },
    async writeFile(name, bytes) {
      const path = place(name)
      const data = asBytes(bytes)
      const h = await open(path, "wx")
      try {
        await h.writeFile(data)
        await h.sync()
      } finally {
        await h.close()
      }
      done.set(name, { name, sha256: sha256Hex(data), bytes: data.length })
      signal?.throwIfAborted()
    },
    files() {
      // Threaded sinks closed by their writer are recorded here.
      for (const [name, sink] of threaded) {
        const r = sink.closedResult
        if (r === null) continue
        done.set(name, { name, sha256: r.sha256, bytes: r.bytes })
        threaded.delete(name)
      }
      closeSinks()
      hashExternal()
      return list()
    },
    async commit(manifest) {
      if (state !== "open") throw new RunDirectoryWriteError(target, "commit called twice or after abort")
      let old: string | null = null
      try {
        await closeThreaded()
        closeSinks()
        hashExternal()
        signal?.throwIfAborted()
        const text = manifest?.(list()) ?? null
        state = "committing"
        if (text !== null) {
          const h = await open(join(tmp, MANIFEST_FILE), "wx")
          try {
            await h.writeFile(asBytes(text))
            await h.sync()
          } finally {
            await h.close()
          }
        }
        for (const d of [...subdirs].sort((a, b) => b.length - a.length)) await syncDir(d)
        await syncDir(tmp)
        signal?.throwIfAborted() // the last point of return: from here on the write completes

        // Re-checked: something may have appeared since the first look.
        const now = await checkReplaceable(target, overwrite, sealed)
        if (now === "run") {
          // One atomic exchange: at every instant the name holds the old run or the new one.
          const swapped = exchangeDirectories(tmp, target)
          if (swapped.ok) {
            old = tmp
            options?.afterFirstPlacingStep?.()
          }
          else if (!swapped.unsupported) throw new Error(`could not exchange ${tmp} and ${target}: ${swapped.message}`)
          else {
            // No renameat2 here: two renames, with a moment between them when the name is empty.
            old = `${target}.old-${suffix()}`
            await rename(target, old)
            options?.afterFirstPlacingStep?.()
          }
        }
        if (old !== tmp) {
          try {
            // Over nothing, or over an empty directory (rename replaces an empty directory atomically).
            await rename(tmp, target)
          } catch (e) {
            // ENOTEMPTY / EEXIST: a concurrent run renamed its directory into place first (rename is atomic).
            const lost = ["ENOTEMPTY", "EEXIST"].includes(errno(e) ?? "")
            if (old !== null) {
              // Put the previous run back; if the other run took the name, the previous run is superseded.
              const back = await rename(old, target).then(() => true, () => false)
              if (!back && lost) await rm(old, { recursive: true, force: true }).catch(() => undefined)
            }
            old = null
            if (lost) throw new RunDirectoryExists(target, "another run finished writing it first")
            throw e
          }
        }
        await syncDir(parent)
      } catch (e) {
        state = "closed"
        discardSinks()
        return fail(e)
      }
      state = "closed"
      // The new run is in place (after an exchange the old one is at the temporary name); removing it is best-effort tidying.
      if (old !== null) await rm(old, { recursive: true, force: true }).catch(() => undefined)
    },
    async abort() {
      if (state === "closed") return
      state = "closed"
      discardSinks()
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined)
    }
  }
}

const fstatSize = (fd: number): number => fstatSync(fd).size
const closeFdQuietly = (fd: number): void => {
  try {
    closeSync(fd)
  } catch {
    // closing a read descriptor cannot lose data
  }
}

/**
 * Writes `files` into `outDir` atomically: into `<outDir>.tmp-<pid>-<random>` beside it, each file
 * and the directory fsynced, then renamed into place. A failure removes the temporary directory,
 * so `outDir` either does not exist, is the old run, or is the complete new run.
 *
 * Rejects with `InvalidFileName`, `RunDirectoryExists` (exists and `overwrite` not set, or set but
 * the directory does not look like a run, or a concurrent write renamed its directory into place
 * first), `RunDirectoryWriteError` (I/O), or the abort reason of `options.signal`.
 */
export const writeRunDirectory = async (
  outDir: string,
  files: ReadonlyArray<RunFile>,
  options?: WriteRunOptions
): Promise<void> => {
  const seen = new Set<string>()
  for (const f of files) {
    checkName(f.name, seen)
    seen.add(f.name)
  }
  const w = await openRunDirectory(outDir, options)
  try {
    for (const f of files) await w.writeFile(f.name, f.bytes)
  } catch (e) {
    await w.abort()
    if (options?.signal?.aborted) throw options.signal.reason
    throw new RunDirectoryWriteError(w.target, e instanceof Error ? e.message : String(e), e)
  }
  await w.commit()
}

const utf8Fatal = new TextDecoder("utf-8", { fatal: true })

/** The `format` of `dir/manifest.json` when it is a devosim manifest (a regular file, JSON, a format devosim writes); null otherwise. */
const devosimFormatOf = (dir: string): string | null => {
  try {
    const parsed: unknown = JSON.parse(utf8Fatal.decode(readUntrusted(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES)))
    const format = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>)["format"] : undefined
    return typeof format === "string" && /^devosim-(run|replications|compare|export|sweep|sweep-part)\/[0-9]+$/.test(format) ? format : null
  } catch {
    return null
  }
}

/**
 * Why `dir` is not a directory devosim wrote and sealed; null when it is: a manifest.json of a
 * format devosim writes (a run, a replication set, a comparison, an export), every file in the directory
 * sealed by it (no other file, nothing missing, no symlink or special file), every sealed file's
 * sha256 as sealed. Only such a directory may be replaced (`--force`): a web app with a
 * manifest.json of its own, or the working directory, never is.
 */
export const whyNotSealed = (dir: string): string | null => {
  const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))
  let listing
  try {
    listing = listUntrusted(dir)
  } catch (e) {
    return `it could not be listed (${messageOf(e)})`
  }
  const other = listing.others[0]
  if (other !== undefined) return `${JSON.stringify(other.name)} in it is ${other.what}`
  if (!listing.files.includes(MANIFEST_FILE)) return `it has no ${MANIFEST_FILE}`
  let parsed: unknown
  try {
    parsed = JSON.parse(utf8Fatal.decode(readUntrusted(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES)))
  } catch (e) {
    return `its ${MANIFEST_FILE} is not a devosim manifest (${e instanceof UntrustedFile ? e.message.slice(dir.length + 1) : "not JSON"})`
  }
  const m = (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>
  const format = m["format"]
  if (format !== RUN_FORMAT && format !== REPLICATIONS_FORMAT && format !== COMPARE_FORMAT_MANIFEST && format !== EXPORT_FORMAT_MANIFEST && format !== SWEEP_FORMAT_MANIFEST) {
    return `its ${MANIFEST_FILE} is not a devosim manifest (format ${JSON.stringify(format ?? null)})`
  }
  const sealed = new Map<string, string>()
  if (format === RUN_FORMAT) {
    try {
      sealed.set(EVENTS_FILE, checkManifest(join(dir, MANIFEST_FILE), parsed).log_sha256)
    } catch (e) {
      return messageOf(e)
    }
  }
  const files = m["files"]
  if (typeof files !== "object" || files === null || Array.isArray(files)) return `its ${MANIFEST_FILE} seals no files`
  for (const [name, entry] of Object.entries(files as Record<string, unknown>)) {
    const sha = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)["sha256"] : undefined
    if (typeof sha !== "string" || !HEX64.test(sha) || !name.split("/").every(isPlainFileName)) return `its ${MANIFEST_FILE} lists ${JSON.stringify(name)} without a sha256`
    sealed.set(name, sha)
  }
  const present = new Set(listing.files.filter((f) => f !== MANIFEST_FILE))
  for (const f of present) if (!sealed.has(f)) return `${JSON.stringify(f)} in it is not a file its manifest seals`
  for (const [name, sha] of sealed) {
    if (!present.has(name)) return `${JSON.stringify(name)}, sealed by its manifest, is missing`
    let actual: string
    try {
      actual = hashUntrusted(dir, name).sha256
    } catch (e) {
      return messageOf(e)
    }
    if (actual !== sha) return `${JSON.stringify(name)} in it is not the file its manifest seals (sha256 differs)`
  }
  return null
}

/**
 * Refuses to replace anything but a directory devosim wrote, sealed and intact (`whyNotSealed`):
 * `--force --out ~` must not delete a home directory. An empty directory is used as it is.
 * Returns whether `target` is an empty directory.
 */
const checkReplaceable = async (target: string, overwrite: boolean, sealed?: string): Promise<"empty" | "run"> => {
  const at = await exists(target)
  if (at === null) return "empty"
  if (at.link) throw new RunDirectoryExists(target, "it is a symbolic link; devosim will not write through or replace it; choose another output directory", false)
  if (!at.dir) throw new RunDirectoryExists(target, "it is not a directory, so devosim will not replace it; choose another output directory", false)
  if ((await readdir(target)).length === 0) return "empty"
  if (!overwrite) {
    // Only a directory devosim wrote is worth suggesting --force for (sealed or not, replacing checks it).
    if (devosimFormatOf(target) !== null) throw new RunDirectoryExists(target)
    throw new RunDirectoryExists(target, "it is not a directory devosim wrote, so devosim will never replace it; choose another output directory", false)
  }
  // Checked already (at open) and nothing in it changed since (same files, sizes, times, inodes): not hashed again.
  if (sealed !== undefined && fingerprintOf(target) === sealed) return "run"
  const why = whyNotSealed(target)
  if (why !== null) {
    throw new RunDirectoryExists(target, `devosim replaces only a run, replication set, comparison or export it wrote whose manifest verifies, and here ${why}; nothing was changed; choose another output directory`, false)
  }
  return "run"
}

/**
 * What a directory holds, cheaply: every entry's name, type, size, modification time and inode (no
 * contents). Equal fingerprints before and after the write mean the sealed directory was not touched.
 */
const fingerprintOf = (dir: string): string => {
  const parts: Array<string> = []
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`
      const st = lstatSync(join(dir, r))
      parts.push(`${r}\u0000${st.mode}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ino}`)
      if (st.isDirectory()) walk(r)
    }
  }
  walk("")
  return parts.join("\n")
}

/**
 * Refuses a run directory written inside another one (it would add unsealed files to it) and an
 * empty path.
 */
const checkPlacement = async (outDir: string, target: string): Promise<void> => {
  if (outDir.trim() === "") throw new RunDirectoryPlacement(JSON.stringify(outDir), "an empty path names no directory")
  for (let d = dirname(target); ; d = dirname(d)) {
    const m = await exists(join(d, MANIFEST_FILE))
    if (m !== null && !m.dir && !m.link && devosimFormatOf(d) !== null) {
      throw new RunDirectoryPlacement(target, `it is inside ${d}, a directory devosim wrote; writing there would change that run; choose a directory outside it`)
    }
    if (dirname(d) === d) return
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface RunDirectoryContents {
  readonly dir: string
  readonly manifest: Manifest
  /** events.arrow, verified against manifest.log_sha256; decode with `decodeEventLog`. */
  readonly eventsArrow: Uint8Array
}

export interface ReadRunOptions {
  /** Also check every file listed in the manifest (sha256 and size). Default true. */
  readonly verifyFiles?: boolean
}

/** A file of the run read whole, as untrusted input (regular files only, size-limited). */
const readIn = (dir: string, name: string, maxBytes?: number): Uint8Array => {
  try {
    return readUntrusted(dir, name, maxBytes)
  } catch (e) {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") throw new RunFileMissing(dir, name)
    throw e
  }
}

/** The run directory's resolved path and its checked manifest.json. */
const readManifestOf = async (dir: string): Promise<{ readonly path: string; readonly manifest: Manifest }> => {
  const path = resolve(dir)
  // The directory named by the user may be a symlink to one (their choice); nothing inside may be.
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false)
  if (!isDir) throw new RunDirectoryNotFound(path)
  const manifestBytes = readIn(path, MANIFEST_FILE, MAX_MANIFEST_BYTES)
  let parsed: unknown
  try {
    parsed = JSON.parse(utf8Fatal.decode(manifestBytes))
  } catch (e) {
    throw new ManifestInvalid(join(path, MANIFEST_FILE), `not JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  return { path, manifest: checkManifest(join(path, MANIFEST_FILE), parsed) }
}

/**
 * Reads manifest.json and events.arrow and checks their hashes. Rejects with
 * `RunDirectoryNotFound`, `RunFileMissing`, `ManifestInvalid` or `HashMismatch`.
 */
export const readRunDirectory = async (dir: string, options?: ReadRunOptions): Promise<RunDirectoryContents> => {
  const { path, manifest } = await readManifestOf(dir)
  const eventsArrow = readIn(path, EVENTS_FILE)
  const actual = sha256Hex(eventsArrow)
  if (actual !== manifest.log_sha256) throw new HashMismatch(path, EVENTS_FILE, manifest.log_sha256, actual)

  if (options?.verifyFiles ?? true) {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const h = hashFile(path, name)
      if (h.sha256 !== entry.sha256 || h.bytes !== entry.bytes) throw new HashMismatch(path, name, entry.sha256, h.sha256, h.bytes, entry.bytes)
    }
  }
  return { dir: path, manifest, eventsArrow }
}

/** A run directory checked against its manifest without holding its files: read the log with `readEventLogChunks(eventsPath)`. */
export interface CheckedRunDirectory {
  readonly dir: string
  readonly manifest: Manifest
  /** events.arrow, whose sha256 matched manifest.log_sha256 when checked. */
  readonly eventsPath: string
}

/** sha256 and size of a file of the run, read in blocks (files may be larger than memory). */
const hashFile = (dir: string, name: string): { sha256: string; bytes: number } => {
  try {
    return hashUntrusted(dir, name)
  } catch (e) {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") throw new RunFileMissing(dir, name)
    throw e
  }
}

/** As `hashFile`, letting the event loop (a signal handler) in every 64 MB. */
const hashFileYielding = async (dir: string, name: string): Promise<{ sha256: string; bytes: number }> => {
  try {
    return await hashUntrustedAsync(dir, name)
  } catch (e) {
    if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") throw new RunFileMissing(dir, name)
    throw e
  }
}

/**
 * As `readRunDirectory`, but streaming: the manifest is read and every file (events.arrow included)
 * is hashed block by block, so a log of any size is checked in constant memory. Rejects like
 * `readRunDirectory`.
 */
export const checkRunDirectory = async (dir: string, options?: ReadRunOptions): Promise<CheckedRunDirectory> => {
  const { path, manifest } = await readManifestOf(dir)
  const log = await hashFileYielding(path, EVENTS_FILE)
  if (log.sha256 !== manifest.log_sha256) throw new HashMismatch(path, EVENTS_FILE, manifest.log_sha256, log.sha256, log.bytes)
  if (options?.verifyFiles ?? true) {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const h = await hashFileYielding(path, name)
      if (h.sha256 !== entry.sha256 || h.bytes !== entry.bytes) throw new HashMismatch(path, name, entry.sha256, h.sha256, h.bytes, entry.bytes)
    }
  }
  return { dir: path, manifest, eventsPath: join(path, EVENTS_FILE) }
}

