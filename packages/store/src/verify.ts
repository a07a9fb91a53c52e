/**
 * Verifying a run directory (DESIGN §4, §6): is it exactly what devosim wrote, and if not, what
 * kind of damage is it? Pure over a `RunSource` (names and bytes), so tests can check thousands of
 * mutations in memory; `verifyRunDirectory` reads a real directory.
 *
 * What is checked, in order (the verdict lists every problem found; the first decides its kind):
 *
 *  1. manifest.json: present, JSON, a known format (`devosim-run/1`, a replication set, a
 *     comparison) and not newer than this engine reads.
 *  2. events.arrow (the truth): its sha256 against the manifest's `log_sha256`; when it differs,
 *     whether it was cut short (no Arrow end marker), had bytes appended (an intact file ends
 *     before the end) or was damaged (its embedded content checksum fails). A file whose own checksum passes although the manifest's hash does not (someone
 *     re-sealed it) is decoded and checked row by row: seq 0..n−1 in order, every posting's cause
 *     an earlier control event, times never going backwards, counts equal to the manifest's. Then
 *     the log is replayed and the final state's sha256 compared with the manifest's.
 *  3. every other file the manifest lists: present, not shorter than listed, same sha256.
 *  4. no file in the directory that the manifest does not list.
 */
import { applyLog, canonicalState, EVENT_SCHEMA_VERSION, initialState, POSTING_KIND, replay, replicationSeed, type EventLog, type LogChunk, type RunStarted, type State } from "@devosim/core"
import { statSync } from "node:fs"
import { resolve } from "node:path"
import { verifyChecksum } from "./checksum.ts"
import { int64At } from "./columns.ts"
import { RunDirectoryNotFound, LogReadError, UntrustedFile, type LogReadReason } from "./errors.ts"
import { decodeEventLog, encodeEventLog, META_EVENT_SCHEMA_VERSION, readEventLogChunksFromFd } from "./event-log.ts"
import { dictionaryCodes, int64Words, isInt, isUtf8Dictionary, isValid, metadataOf, openArrowFile, requireColumn, validityBits } from "./read.ts"
import { checkManifest, COMPARE_FORMAT_MANIFEST, EVENTS_FILE, EXPORT_FORMAT_MANIFEST, MANIFEST_FILE, SWEEP_FORMAT_MANIFEST, SWEEP_PART_FORMAT_MANIFEST, REPLICATIONS_FORMAT, RUN_FORMAT, sha256Hex, type Manifest } from "./run-dir.ts"
import { hashUntrusted, listUntrusted, MAX_MANIFEST_BYTES, MAX_WHOLE_FILE_BYTES, openUntrusted, readUntrusted } from "./untrusted.ts"
import { closeSync } from "node:fs"

/** The kinds of damage, one exit code each in the CLI. */
export type DamageKind =
  /** A file is shorter than the manifest says, or events.arrow stops before the Arrow end marker. */
  | "Truncated"
  /** Bytes differ from what the manifest sealed (flipped, edited, appended), or a file's own checksum fails. */
  | "ContentChanged"
  /** Event rows reordered, missing or added: seq not 0..n−1 in order, a cause after its posting, counts off. */
  | "RowsDisordered"
  /** manifest.json missing, unreadable, or at odds with intact files (file list, counts, final state). */
  | "ManifestMismatch"
  /** Written by a newer event schema (or run format) than this engine reads. */
  | "NewerSchema"

export interface Problem {
  readonly kind: DamageKind
  /** The file at fault, relative to the directory ('/'-joined). */
  readonly file: string
  /** One line, saying what was found and what was expected. */
  readonly message: string
}

export type Verdict =
  | {
      readonly ok: true
      /** The manifest's format: `devosim-run/1`, `devosim-replications/1` or `devosim-compare/1`. */
      readonly format: string
      /** Run directories checked (a replication set has several), each replayed. */
      readonly runs: number
      /** Events decoded and replayed, over all runs. */
      readonly events: number
      /** Files whose sha256 was checked, manifest.json excluded. */
      readonly files: number
      /** The replayed final state's sha256, for a single run. */
      readonly stateSha256: string | null
    }
  | { readonly ok: false; readonly problems: readonly [Problem, ...Array<Problem>] }

/**
 * A directory's files: every regular file, as '/'-joined paths relative to it, a reader, and (for
 * files that may be large) their size and streamed sha256, so a file much larger than sealed is
 * judged without reading it whole.
 */
export interface RunSource {
  readonly names: ReadonlyArray<string>
  readonly read: (name: string) => Uint8Array
  readonly size: (name: string) => number
  readonly hash: (name: string) => string
  /** An event log record batch by record batch, for one too large to read whole (default: `read` and decode). */
  readonly chunks?: (name: string) => Iterable<LogChunk>
}

export { COMPARE_FORMAT_MANIFEST, REPLICATIONS_FORMAT }

/** A source over files in memory (for tests and tools that already hold the bytes). */
export const sourceFromFiles = (files: ReadonlyMap<string, Uint8Array | string>): RunSource => {
  const utf8 = new TextEncoder()
  const read = (name: string): Uint8Array => {
    const b = files.get(name)
    if (b === undefined) throw new Error(`no file ${name}`)
    return typeof b === "string" ? utf8.encode(b) : b
  }
  return { names: [...files.keys()], read, size: (name) => read(name).length, hash: (name) => sha256Hex(read(name)) }
}

/** A source over a directory on disk; throws `RunDirectoryNotFound` when it is not a directory. */
export const sourceFromDirectory = (dir: string): RunSource => {
  const root = resolve(dir)
  let isDir = false
  try {
    isDir = statSync(root).isDirectory()
  } catch {
    isDir = false
  }
  if (!isDir) throw new RunDirectoryNotFound(root)
  // Run directories are untrusted input: a symlink, FIFO or device in one is refused (UntrustedFile), never followed or read.
  const { files, others } = listUntrusted(root)
  const other = others[0]
  if (other !== undefined) throw new UntrustedFile(root, other.name, `${other.what}; devosim writes only regular files`)
  return {
    names: files,
    read: (name) => readUntrusted(root, name, name.endsWith(MANIFEST_FILE) ? MAX_MANIFEST_BYTES : MAX_WHOLE_FILE_BYTES),
    size: (name) => {
      const { fd, size } = openUntrusted(root, name)
      closeSync(fd)
      return size
    },
    hash: (name) => hashUntrusted(root, name).sha256,
    chunks: function* (name) {
      const { fd } = openUntrusted(root, name)
      try {
        // Only a log whose sha256 is the manifest's is streamed: its own checksum is then intact too.
        yield* readEventLogChunksFromFd(fd, { verifyChecksum: false, reuseBuffers: true }) // folded chunk by chunk
      } finally {
        closeSync(fd)
      }
    }
  }
}

/** Verifies a run directory, a replication set or a comparison directory on disk. */
export const verifyRunDirectory = (dir: string): Verdict => verifyRun(sourceFromDirectory(dir))

// ---------------------------------------------------------------------------------------------

const problem = (kind: DamageKind, file: string, message: string): Problem => ({ kind, file, message })

interface Checked {
  readonly problems: Array<Problem>
  runs: number
  events: number
  readonly files: Set<string>
  stateSha256: string | null
}

const HEX64 = /^[0-9a-f]{64}$/
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))
const count = (n: number): string => n.toLocaleString("en-GB")

/** Verifies the files of a source (a run directory, a replication set or a comparison). Never throws on bad content. */
export const verifyRun = (src: RunSource): Verdict => {
  const c: Checked = { problems: [], runs: 0, events: 0, files: new Set(), stateSha256: null }
  const format = checkAny(src, c)
  const [first, ...rest] = c.problems
  if (first !== undefined) return { ok: false, problems: [first, ...rest] }
  return { ok: true, format: format ?? "", runs: c.runs, events: c.events, files: c.files.size, stateSha256: c.runs === 1 ? c.stateSha256 : null }
}

/** Reads and dispatches on manifest.json; returns its format when it could be read. */
const checkAny = (src: RunSource, c: Checked, prefix = ""): string | null => {
  const manifestName = `${prefix}${MANIFEST_FILE}`
  if (!src.names.includes(manifestName)) {
    c.problems.push(problem("ManifestMismatch", manifestName, `missing: not a run directory, or its manifest was removed`))
    return null
  }
  const text = src.read(manifestName)
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(text))
  } catch (e) {
    // Cut short: brackets or a string left open, and the parser ran out of text (not a bad byte earlier).
    const at = /position (\d+)/.exec(messageOf(e))
    const atEnd = /end of JSON input/i.test(messageOf(e)) || (at !== null && Number(at[1]) >= Buffer.from(text).toString("utf8").trimEnd().length)
    const cut = unclosedJson(text) && (atEnd || at === null)
    c.problems.push(
      cut
        ? problem("Truncated", manifestName, `cut short (${count(text.length)} bytes, the JSON stops before its end)`)
        : problem("ManifestMismatch", manifestName, `not valid JSON (${messageOf(e)})`)
    )
    return null
  }
  const format = isRecord(parsed) ? parsed["format"] : undefined
  if (typeof format !== "string") {
    c.problems.push(problem("ManifestMismatch", manifestName, "not a devosim manifest (no \"format\")"))
    return null
  }
  const newer = /^devosim-(run|replications|compare|export|sweep|sweep-part)\/([0-9]+)$/.exec(format)
  if (newer !== null && Number(newer[2]) > 1) {
    c.problems.push(problem("NewerSchema", manifestName, `format ${JSON.stringify(format)} is newer than this engine reads (version 1); upgrade devosim`))
    return format
  }
  if (format === RUN_FORMAT) checkRun(src, c, prefix, parsed)
  else if (format === REPLICATIONS_FORMAT) checkReplications(src, c, prefix, parsed as Record<string, unknown>)
  else if (format === COMPARE_FORMAT_MANIFEST) checkListed(src, c, prefix, parsed as Record<string, unknown>, [])
  else if (format === SWEEP_FORMAT_MANIFEST) checkSweep(src, c, prefix, parsed as Record<string, unknown>)
  else if (format === EXPORT_FORMAT_MANIFEST || format === SWEEP_PART_FORMAT_MANIFEST) checkListed(src, c, prefix, parsed as Record<string, unknown>, [])
  else c.problems.push(problem("ManifestMismatch", manifestName, `unknown format ${JSON.stringify(format)}`))
  return format
}

/** Does the text stop inside a string or before closing every bracket it opened (JSON cut short)? */
const unclosedJson = (text: Uint8Array): boolean => {
  let depth = 0
  let inString = false
  let seen = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (inString) {
      if (ch === 0x5c) i++ // backslash: skip the escaped character
      else if (ch === 0x22) inString = false
    } else if (ch === 0x22) inString = true
    else if (ch === 0x7b || ch === 0x5b) {
      depth++
      seen = true
    } else if (ch === 0x7d || ch === 0x5d) depth--
  }
  return !seen || inString || depth > 0
}

// ---------------------------------------------------------------------------------------------
// One run

const checkRun = (src: RunSource, c: Checked, prefix: string, parsed: unknown): void => {
  const manifestName = `${prefix}${MANIFEST_FILE}`
  let m: Manifest
  try {
    m = checkManifest(manifestName, parsed)
  } catch (e) {
    c.problems.push(problem("ManifestMismatch", manifestName, messageOf(e).replace(/^.*?invalid manifest: /, "invalid: ")))
    return
  }
  if (m.event_schema_version > EVENT_SCHEMA_VERSION) {
    c.problems.push(
      problem("NewerSchema", manifestName, `written with event schema version ${m.event_schema_version}; this engine reads up to ${EVENT_SCHEMA_VERSION}: upgrade devosim`)
    )
    return
  }
  c.runs++
  const eventsName = `${prefix}${EVENTS_FILE}`
  if (!src.names.includes(eventsName)) {
    c.problems.push(problem("ManifestMismatch", eventsName, "missing: the manifest seals it (log_sha256) but the directory has no such file"))
  } else {
    // Hashed as it is read (constant memory); read whole only when sealed or small enough to examine.
    const logSha256 = src.hash(eventsName)
    const size = src.size(eventsName)
    const sealed = logSha256 === m.log_sha256
    const found =
      !sealed && size > MAX_WHOLE_FILE_BYTES
        ? {
            problem: problem("ContentChanged", eventsName, `bytes changed: its sha256 differs from the manifest's log_sha256 (${count(src.size(eventsName))} bytes, too large to examine further)`),
            events: 0,
            stateSha256: null
          }
        : sealed && size > STREAM_SEALED_LOG_BYTES && src.chunks !== undefined
          ? checkSealedLogInChunks(src.chunks(eventsName), m, eventsName)
          : checkEventLog(src.read(eventsName), logSha256, m, eventsName)
    if (found.problem !== null) c.problems.push(found.problem)
    else {
      c.events += found.events
      c.stateSha256 = found.stateSha256
    }
    c.files.add(eventsName)
  }
  checkListed(src, c, prefix, m as unknown as Record<string, unknown>, [EVENTS_FILE])
}

/** Does `bytes` stop where no whole file of its kind (by its name) can: JSON, YAML and HTML end with a line break after their last bracket or tag, Arrow and Parquet with their end markers. */
const looksCut = (name: string, bytes: Uint8Array): boolean => {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 16))).toString("latin1")
  if (name.endsWith(".arrow")) return cutShort(bytes)
  if (name.endsWith(".parquet")) return !tail.endsWith("PAR1")
  if (name.endsWith(".json")) return unclosedJson(bytes) || !/[}\]]\n$/.test(tail)
  if (name.endsWith(".html")) return !/<\/html>\n?$/.test(tail)
  return !tail.endsWith("\n")
}

/** Does the file stop before the Arrow end marker? A single damaged byte in the marker is damage, not a cut. */
const cutShort = (bytes: Uint8Array): boolean => {
  const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31] // "ARROW1"
  const n = bytes.length
  if (n < 6) return true
  let diff = 0
  for (let i = 0; i < 6; i++) if (bytes[n - 6 + i] !== MAGIC[i]) diff++
  // The smallest Arrow file (magic, an empty schema, footer, length, magic) is well over 26 bytes.
  if (diff === 0) return n < 26
  return diff > 1
}

/** Where an intact Arrow file ends inside `bytes` when something was appended to it; null if none does. */
const appendedAfter = (bytes: Uint8Array): number | null => {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = Buffer.from("ARROW1", "latin1")
  for (let at = buf.lastIndexOf(magic); at > 8; at = buf.lastIndexOf(magic, at - 1)) {
    const end = at + magic.length
    if (end < buf.length && verifyChecksum(buf.subarray(0, end)) === "ok") return end
  }
  return null
}

const readReasonKind = (reason: LogReadReason): DamageKind =>
  reason === "Truncated"
    ? "Truncated"
    : reason === "UnsupportedVersion"
      ? "NewerSchema"
      : reason === "BadSequence"
        ? "RowsDisordered"
        : "ContentChanged"

interface LogCheck {
  readonly problem: Problem | null
  readonly events: number
  readonly stateSha256: string | null
}

/** The first of RunStarted's scenario, seed and engine that differs from the manifest's, described; null if none. */
const runStartedDiffers = (run: RunStarted, m: Manifest): string | null => {
  const same: Array<readonly [string, unknown, unknown]> = [
    ["scenario", run.scenario, m.scenario],
    ["seed", run.seed, m.seed],
    ["engine version", run.engineVersion, m.engine_version]
  ]
  for (const [what, has, says] of same) {
    if (has !== says) return `RunStarted has ${what} ${JSON.stringify(has)}, the manifest says ${JSON.stringify(says)}`
  }
  return null
}

/** The first of the log's event counts that differs from the manifest's: what, the log's, the manifest's; null if none. */
const countDiffers = (controls: number, postings: number, m: Manifest): readonly [string, number, number] | null => {
  const counts: Array<readonly [string, number, number]> = [
    ["events", controls + postings, m.event_count],
    ["control events", controls, m.control_event_count],
    ["postings", postings, m.posting_count]
  ]
  return counts.find(([, has, says]) => has !== says) ?? null
}

/** Checks events.arrow's bytes (whose sha256 is `actual`, hashed once as they were read) against the manifest. */
const checkEventLog = (bytes: Uint8Array, actual: string, m: Manifest, file: string): LogCheck => {
  const fail = (kind: DamageKind, message: string): LogCheck => ({ problem: problem(kind, file, message), events: 0, stateSha256: null })
  const sealed = actual === m.log_sha256
  // When the bytes are not the ones the manifest sealed, an inconsistency inside the file is damage
  // to the file; when they are, it is the manifest that disagrees with what was written.
  const blame: DamageKind = sealed ? "ManifestMismatch" : "ContentChanged"
  const blamed = (what: string): string => (sealed ? `${what} (events.arrow matches the manifest's log_sha256, so the manifest was edited)` : what)

  if (!sealed) {
    if (cutShort(bytes)) {
      const end = appendedAfter(bytes)
      return end === null
        ? fail("Truncated", `cut short: ${count(bytes.length)} bytes, and it does not end with the Arrow end marker (sha256 differs from the manifest's)`)
        : fail("ContentChanged", `bytes changed: ${count(bytes.length - end)} bytes appended after the Arrow file's end (at byte ${count(end)})`)
    }
    const sum = verifyChecksum(bytes)
    if (sum !== "ok") {
      return fail(
        "ContentChanged",
        `bytes changed: its sha256 differs from the manifest's log_sha256 and its own content checksum ${sum === "absent" ? "is gone (the schema was damaged)" : "does not match"}`
      )
    }
  }

  // The bytes are self-consistent: read the rows.
  let table
  try {
    table = openArrowFile(bytes, { requireChecksum: true })
  } catch (e) {
    if (e instanceof LogReadError) return fail(readReasonKind(e.reason), e.message)
    return fail("ContentChanged", `unreadable: ${messageOf(e)}`)
  }
  const versionText = metadataOf(table)[META_EVENT_SCHEMA_VERSION] ?? ""
  if (/^[0-9]+$/.test(versionText) && Number(versionText) > EVENT_SCHEMA_VERSION) {
    return fail("NewerSchema", `written with event schema version ${versionText}; this engine reads up to ${EVENT_SCHEMA_VERSION}: upgrade devosim`)
  }
  const decoded = decodeEventLog(bytes)
  if (!decoded.ok) {
    const e = decoded.error
    if (e.reason === "BadPosting") {
      const forward = forwardCause(table)
      if (forward !== null) return fail("RowsDisordered", `rows out of order: ${forward}`)
    }
    if (e.reason === "BadSequence") return fail("RowsDisordered", `rows reordered or missing: ${e.message}`)
    return fail(readReasonKind(e.reason), e.message)
  }
  const log = decoded.log
  const disorder = timeOrder(log)
  if (disorder !== null) return fail("RowsDisordered", `rows out of order: ${disorder}`)

  const n = log.controls.length + log.postings.length
  const counted = countDiffers(log.controls.length, log.postings.length, m)
  if (counted !== null) {
    const [what, has, says] = counted
    return sealed
      ? fail("ManifestMismatch", blamed(`has ${count(has)} ${what}, the manifest says ${count(says)}`))
      : fail("RowsDisordered", `rows missing or added: ${count(has)} ${what}, the manifest says ${count(says)}`)
  }
  const run = log.controls[0]
  if (run !== undefined && run._tag === "RunStarted") {
    const differs = runStartedDiffers(run, m)
    if (differs !== null) return fail(blame, blamed(differs))
  }

  let stateSha: string
  try {
    const state = replay(log)
    if (state.applied !== n) return fail(blame, blamed(`replay applied ${count(state.applied)} of ${count(n)} events`))
    stateSha = sha256Hex(canonicalState(state))
  } catch (e) {
    return fail("ContentChanged", `replay failed: ${messageOf(e)}`)
  }
  if (stateSha !== m.state_sha256) {
    return fail(blame, blamed(`replayed final state has sha256 ${stateSha}, the manifest says ${m.state_sha256}`))
  }
  if (!sealed) {
    // Every row is in order and replays to the manifest's state: either the manifest's log_sha256
    // was edited (the file is byte for byte what devosim writes for this log) or the rows were
    // rewritten in a way replay cannot see.
    let canonical = false
    try {
      canonical = Buffer.from(encodeEventLog(log)).equals(Buffer.from(bytes))
    } catch {
      canonical = false
    }
    return canonical
      ? fail("ManifestMismatch", `sha256 is ${actual} but the manifest says ${m.log_sha256}, although the file is intact (its checksum, rows and replay all agree): the manifest's log_sha256 was edited`)
      : fail("ContentChanged", `rewritten: its sha256 differs from the manifest's log_sha256 (its rows are well formed, but it is not the file that was sealed)`)
  }
  return { problem: null, events: n, stateSha256: stateSha }
}

/**
 * Sealed logs larger than this are checked record batch by record batch (constant memory; any
 * size, beyond the 2 GiB a whole read allows); smaller ones, and damaged ones, whole.
 */
export const STREAM_SEALED_LOG_BYTES = 256 * 2 ** 20

/**
 * A large sealed log (its sha256 is the manifest's), checked record batch by
 * record batch in constant memory: the rows as the decoder checks them, time order, the counts,
 * RunStarted against the manifest, and a replay to the manifest's final state. What fails is the
 * manifest's fault, or (rows out of order) the writer's, as `checkEventLog` judges a sealed log.
 */
const checkSealedLogInChunks = (chunks: Iterable<LogChunk>, m: Manifest, file: string): LogCheck => {
  const fail = (kind: DamageKind, message: string): LogCheck => ({ problem: problem(kind, file, message), events: 0, stateSha256: null })
  const blamed = (what: string): string => `${what} (events.arrow matches the manifest's log_sha256, so the manifest was edited)`
  let state: State | undefined
  let controls = 0
  let postings = 0
  let lastT = Number.NEGATIVE_INFINITY
  let lastSeq = -1
  try {
    for (const chunk of chunks) {
      if (state === undefined) {
        const run = chunk.controls[0] as RunStarted
        const differs = runStartedDiffers(run, m)
        if (differs !== null) return fail("ManifestMismatch", blamed(differs))
        state = initialState(run)
      }
      // Time never goes back: controls and postings merged by seq.
      const p = chunk.postings
      let i = 0
      for (let k = 0; k <= chunk.controls.length; k++) {
        const c = chunk.controls[k]
        const until = c === undefined ? Number.POSITIVE_INFINITY : c.seq
        for (; i < p.length && p.seq[i]! < until; i++) {
          if (p.t[i]! < lastT) return fail("RowsDisordered", `rows out of order: seq ${p.seq[i]} (Posting) is at t=${p.t[i]}, before seq ${lastSeq} at t=${lastT}`)
          lastT = p.t[i]!
          lastSeq = p.seq[i]!
        }
        if (c !== undefined) {
          if (c.t < lastT) return fail("RowsDisordered", `rows out of order: seq ${c.seq} (${c._tag}) is at t=${c.t}, before seq ${lastSeq} at t=${lastT}`)
          lastT = c.t
          lastSeq = c.seq
        }
      }
      controls += chunk.controls.length
      postings += p.length
      applyLog(state, chunk)
    }
  } catch (e) {
    if (e instanceof LogReadError) return fail(e.reason === "BadSequence" ? "RowsDisordered" : readReasonKind(e.reason), e.message)
    return fail("ContentChanged", `replay failed: ${messageOf(e)}`)
  }
  if (state === undefined) return fail("ManifestMismatch", blamed("the log is empty"))
  const n = controls + postings
  const counted = countDiffers(controls, postings, m)
  if (counted !== null) return fail("ManifestMismatch", blamed(`has ${count(counted[1])} ${counted[0]}, the manifest says ${count(counted[2])}`))
  if (state.applied !== n) return fail("ManifestMismatch", blamed(`replay applied ${count(state.applied)} of ${count(n)} events`))
  const stateSha = sha256Hex(canonicalState(state))
  if (stateSha !== m.state_sha256) return fail("ManifestMismatch", blamed(`replayed final state has sha256 ${stateSha}, the manifest says ${m.state_sha256}`))
  return { problem: null, events: n, stateSha256: stateSha }
}

/** The first posting whose cause is not an earlier control event, described; null when there is none. */
const forwardCause = (table: ReturnType<typeof openArrowFile>): string | null => {
  try {
    const seq = int64Words("seq", requireColumn(table, "seq", "Int64", isInt(64)))
    const causeV = requireColumn(table, "cause_seq", "Int64", isInt(64))
    const cause = int64Words("cause_seq", causeV)
    const ok = validityBits(causeV)
    const { values, codes } = dictionaryCodes("kind", requireColumn(table, "kind", "Dictionary<Utf8>", isUtf8Dictionary))
    const posting = values.indexOf(POSTING_KIND)
    for (let r = 0; r < table.numRows; r++) {
      if (codes[r] !== posting || !isValid(ok, r)) continue
      const s = int64At(seq, r)
      const k = int64At(cause, r)
      if (!(k < s)) return `row ${r}: the posting at seq ${s} names seq ${k} as its cause, which comes after it`
      if (!(k >= 0 && k < table.numRows) || codes[k] === posting) return `row ${r}: the posting's cause ${k} is not an earlier control event`
    }
  } catch {
    return null
  }
  return null
}

/** The first row whose time is before the previous row's, described; null when time never goes back. */
const timeOrder = (log: EventLog): string | null => {
  const { controls, postings: p } = log
  const n = controls.length + p.length
  const t = new Float64Array(n)
  const kind: Array<string> = new Array(n).fill(POSTING_KIND)
  for (const e of controls) {
    t[e.seq] = e.t
    kind[e.seq] = e._tag
  }
  for (let i = 0; i < p.length; i++) t[p.seq[i]!] = p.t[i]!
  for (let r = 1; r < n; r++) {
    if (t[r]! < t[r - 1]!) return `seq ${r} (${kind[r]}) is at t=${t[r]}, before seq ${r - 1} (${kind[r - 1]}) at t=${t[r - 1]}`
  }
  return null
}

// ---------------------------------------------------------------------------------------------
// Files listed in a manifest; replication sets

/**
 * Checks every file a manifest's `files` lists (sha256, and size when given), then that the
 * directory holds nothing else. `implicit`: files sealed elsewhere in the manifest (events.arrow).
 */
const checkListed = (src: RunSource, c: Checked, prefix: string, m: Record<string, unknown>, implicit: ReadonlyArray<string>): void => {
  const manifestName = `${prefix}${MANIFEST_FILE}`
  const files = m["files"]
  if (!isRecord(files)) {
    c.problems.push(problem("ManifestMismatch", manifestName, "invalid: files is not an object"))
    return
  }
  const present = new Set(src.names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)))
  for (const name of Object.keys(files).sort()) {
    const entry = files[name]
    const at = `${prefix}${name}`
    const sha = isRecord(entry) ? entry["sha256"] : undefined
    const size = isRecord(entry) ? entry["bytes"] : undefined
    if (typeof sha !== "string" || !HEX64.test(sha) || (size !== undefined && typeof size !== "number")) {
      c.problems.push(problem("ManifestMismatch", manifestName, `invalid: files[${JSON.stringify(name)}] needs a sha256 hex digest`))
      continue
    }
    if (!present.has(name)) {
      c.problems.push(problem("ManifestMismatch", at, "missing: the manifest lists it but the directory has no such file"))
      continue
    }
    c.files.add(at)
    const actualSize = src.size(at)
    if (typeof size === "number" && actualSize !== size) {
      // Shorter than sealed: cut short only when it stops where a whole file of its kind cannot (an
      // edit that shortens a file leaves it whole, and is a change).
      const cut = actualSize < size && looksCut(name, src.read(at))
      c.problems.push(
        cut
          ? problem("Truncated", at, `cut short: ${count(actualSize)} bytes, the manifest says ${count(size)}`)
          : problem("ContentChanged", at, `bytes changed: ${count(actualSize)} bytes, the manifest says ${count(size)}`)
      )
      continue
    }
    const actual = src.hash(at)
    if (actual !== sha) c.problems.push(problem("ContentChanged", at, `bytes changed: sha256 is ${actual}, the manifest says ${sha}`))
  }
  const listed = new Set([...Object.keys(files), ...implicit, MANIFEST_FILE])
  for (const name of [...present].sort()) {
    if (!listed.has(name)) {
      c.problems.push(problem("ManifestMismatch", `${prefix}${name}`, "not listed in the manifest (added after the run, or the manifest was edited)"))
    }
  }
}

/**
 * A sweep: its files as listed; with --keep-runs also each kept run (runs/eNNNN-rNN), checked as
 * a run in itself first and listed once each, in (experiment, replication) order.
 */
const checkSweep = (src: RunSource, c: Checked, prefix: string, m: Record<string, unknown>): void => {
  const manifestName = `${prefix}${MANIFEST_FILE}`
  const runs = m["runs"]
  if (runs !== undefined) {
    if (!Array.isArray(runs)) c.problems.push(problem("ManifestMismatch", manifestName, "invalid: runs is not a list"))
    else {
      const seen = new Set<string>()
      for (const [i, r] of runs.entries()) {
        const dir = isRecord(r) ? r["dir"] : undefined
        if (typeof dir !== "string" || !/^runs\/e[0-9]+-r[0-9]+$/.test(dir) || seen.has(dir)) {
          c.problems.push(problem("ManifestMismatch", manifestName, `invalid: runs[${i}].dir is not a runs/eNNNN-rNN listed once`))
          continue
        }
        seen.add(dir)
        const sub = `${prefix}${dir}/`
        if (!src.names.includes(`${sub}${MANIFEST_FILE}`)) {
          c.problems.push(problem("ManifestMismatch", `${sub}${MANIFEST_FILE}`, "missing: the sweep lists this run but it has no manifest"))
          continue
        }
        const before = c.problems.length
        const format = checkAny(src, c, sub)
        if (c.problems.length === before && format !== RUN_FORMAT) c.problems.push(problem("ManifestMismatch", `${sub}${MANIFEST_FILE}`, `a sweep's run must be a run (format ${RUN_FORMAT}), found ${JSON.stringify(format)}`))
      }
    }
  }
  const found = new Set(c.problems.map((p) => p.file))
  const before = c.problems.length
  checkListed(src, c, prefix, m, [])
  const listed = c.problems.splice(before).filter((p) => !found.has(p.file))
  c.problems.push(...listed)
}

const checkReplications = (src: RunSource, c: Checked, prefix: string, m: Record<string, unknown>): void => {
  const manifestName = `${prefix}${MANIFEST_FILE}`
  const reps = m["replications"]
  if (!Array.isArray(reps) || reps.length === 0) {
    c.problems.push(problem("ManifestMismatch", manifestName, "invalid: replications is not a non-empty list"))
    return
  }
  // Each replication first, with its own manifest (so a re-sealed log is diagnosed as such), then
  // the set's list, which also seals the replications' manifests; one problem per file.
  // Replication r is at replications/r<r, padded> with seed replicationSeed(seed, r), each listed
  // once: a set re-sealed after its runs were swapped, copied or repeated does not verify.
  const width = Math.max(4, String(reps.length - 1).length)
  const setSeed = m["seed"]
  const seedProblem = (i: number, seed: unknown) =>
    problem("ManifestMismatch", manifestName, `replications[${i}].seed is ${JSON.stringify(seed ?? null)}, expected ${typeof setSeed === "number" ? replicationSeed(setSeed, i) : "a number"} (replication ${i} of seed ${JSON.stringify(setSeed ?? null)})`)
  if (!reps.some((r) => isRecord(r) && "dir" in r)) {
    // Written without --keep-runs: no run per replication, each listed by its seed alone; the set's
    // files (summary.json, scenario.yaml) are sealed like any other, and nothing else may be there.
    for (const [i, r] of reps.entries()) {
      const seed = isRecord(r) ? r["seed"] : undefined
      if (typeof setSeed !== "number" || seed !== replicationSeed(setSeed, i)) c.problems.push(seedProblem(i, seed))
    }
    checkListed(src, c, prefix, m, [])
    return
  }
  for (const [i, r] of reps.entries()) {
    const dir = isRecord(r) ? r["dir"] : undefined
    if (typeof dir !== "string" || !/^replications\/r[0-9]+$/.test(dir)) {
      c.problems.push(problem("ManifestMismatch", manifestName, `invalid: replications[${i}].dir is not replications/rNNNN`))
      continue
    }
    const expectedDir = `replications/r${String(i).padStart(width, "0")}`
    if (dir !== expectedDir) {
      const again = reps.findIndex((o) => isRecord(o) && o["dir"] === dir) < i
      c.problems.push(
        problem("ManifestMismatch", manifestName, again ? `replications[${i}] lists ${dir} again (a set lists each run once)` : `replications[${i}] is ${dir}, expected ${expectedDir} (runs are listed in order)`)
      )
      continue
    }
    const seed = isRecord(r) ? r["seed"] : undefined
    if (typeof setSeed !== "number" || seed !== replicationSeed(setSeed, i)) {
      c.problems.push(seedProblem(i, seed))
      continue
    }
    const sub = `${prefix}${dir}/`
    if (!src.names.includes(`${sub}${MANIFEST_FILE}`)) {
      c.problems.push(problem("ManifestMismatch", `${sub}${MANIFEST_FILE}`, "missing: the set lists this replication but it has no manifest"))
      continue
    }
    const before = c.problems.length
    const format = checkAny(src, c, sub)
    if (c.problems.length === before && format !== RUN_FORMAT) {
      c.problems.push(problem("ManifestMismatch", `${sub}${MANIFEST_FILE}`, `a replication must be a run (format ${RUN_FORMAT}), found ${JSON.stringify(format)}`))
    } else if (c.problems.length === before) {
      // The run is intact in itself: is it this set's replication i?
      const own = JSON.parse(new TextDecoder().decode(src.read(`${sub}${MANIFEST_FILE}`))) as Record<string, unknown>
      for (const key of ["seed", "scenario", "input_sha256", "engine_version"] as const) {
        const want = key === "seed" ? seed : m[key]
        if (own[key] !== want) {
          c.problems.push(problem("ManifestMismatch", `${sub}${MANIFEST_FILE}`, `${key} is ${JSON.stringify(own[key] ?? null)}, the set says ${JSON.stringify(want ?? null)} for replication ${i} (runs swapped or moved between sets)`))
          break
        }
      }
    }
  }
  const found = new Set(c.problems.map((p) => p.file))
  const before = c.problems.length
  checkListed(src, c, prefix, m, [])
  const listed = c.problems.splice(before).filter((p) => !found.has(p.file))
  c.problems.push(...listed)
}
