/**
 * What goes over the queue (issue 16), as plain data: the Redis URL, a job's id and data, a job's
 * result, and how the coordinator joins results in row order. No BullMQ here (pure; unit-tested).
 * A job's data is data only: a worker builds everything it runs from its own scenario file.
 */
import { ENGINE_VERSION } from "@devosim/core"
import type { RowOutcomes, SweepSpec } from "./sweep.ts"

/** The one queue every sweep's jobs go to (BullMQ's default key prefix `bull`). */
export const QUEUE_NAME = "devosim-sweep"
export const JOB_NAME = "rows"

/** Where Redis is, for ioredis, and how it is named in messages (never with its password). */
export interface RedisTarget {
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username: string | undefined
  readonly password: string | undefined
  readonly tls: boolean
  /** `redis://user@host:port/db`: for messages; the password left out. */
  readonly shown: string
}

/** `redis://[user:password@]HOST[:PORT][/DB]` or `rediss://…` (TLS). */
export const parseRedisUrl = (text: string): { readonly ok: true; readonly target: RedisTarget } | { readonly ok: false; readonly message: string } => {
  const bad = (why: string) => ({ ok: false as const, message: `--queue: expected redis://[user:password@]HOST:PORT/DB (or rediss:// for TLS), found ${JSON.stringify(text.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@"))}: ${why}` })
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return bad("not a URL")
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") return bad(`the scheme is ${url.protocol.replace(/:$/, "")}`)
  if (url.hostname === "") return bad("no host")
  const port = url.port === "" ? 6379 : Number(url.port)
  const dbText = url.pathname.replace(/^\//, "")
  const db = dbText === "" ? 0 : Number(dbText)
  if (!(Number.isInteger(db) && db >= 0 && /^\d*$/.test(dbText))) return bad(`the database ${JSON.stringify(dbText)} is not a whole number`)
  if (url.search !== "" || url.hash !== "") return bad("options after ? or # are not read")
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1")
  const username = url.username === "" ? undefined : decodeURIComponent(url.username)
  const password = url.password === "" ? undefined : decodeURIComponent(url.password)
  const shown = `${url.protocol}//${username === undefined ? "" : `${encodeURIComponent(username)}@`}${url.hostname}:${port}/${db}`
  return { ok: true, target: { host, port, db, username, password, tls: url.protocol === "rediss:", shown } }
}

/** A job: rows [from, to) of the sweep named by its spec's hash. */
export interface RowsJobData {
  readonly spec: SweepSpec
  readonly spec_sha256: string
  readonly from: number
  readonly to: number
  readonly engine_version: string
}

/**
 * The job id of a block: the sweep's hash and its rows, so adding it again is a no-op. BullMQ
 * refuses a custom id with one `:` (its own ids of repeatable jobs have that form), hence `_`.
 */
export const jobIdOf = (specSha: string, from: number, to: number): string => `${specSha}_${from}-${to}`

/** Blocks of `size` rows tiling [0, T), in row order. */
export const blocksOf = (T: number, size: number): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  for (let from = 0; from < T; from += size) out.push([from, Math.min(T, from + size)])
  return out
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x)
const isRowIndex = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0

/**
 * A job's data as read from the queue: checked to be the shape a coordinator writes (the spec's
 * own fields are checked again when the worker rebuilds it from its file), else why not.
 */
export const readJobData = (data: unknown): RowsJobData | string => {
  if (!isObject(data)) return "expected an object { spec, spec_sha256, from, to, engine_version }"
  const { spec, spec_sha256, from, to, engine_version } = data
  if (typeof engine_version !== "string") return "expected engine_version, a string"
  if (typeof spec_sha256 !== "string" || !/^[0-9a-f]{64}$/.test(spec_sha256)) return "expected spec_sha256, 64 hex digits"
  if (!isRowIndex(from) || !isRowIndex(to) || !(from < to)) return `expected rows from < to, whole numbers, found ${JSON.stringify(from)} and ${JSON.stringify(to)}`
  if (!isObject(spec)) return "expected spec, an object"
  const s = spec
  if (typeof s["file"] !== "string" || typeof s["input_sha256"] !== "string" || typeof s["design"] !== "string") return "expected spec.file, spec.input_sha256 and spec.design, strings"
  if (typeof s["samples"] !== "number" || typeof s["seed"] !== "number" || typeof s["replications"] !== "number") return "expected spec.samples, spec.seed and spec.replications, numbers"
  if (!Array.isArray(s["settings"]) || !s["settings"].every((x) => typeof x === "string")) return "expected spec.settings, a list of PATH=VALUE strings"
  if (s["where"] !== null && typeof s["where"] !== "string") return "expected spec.where, a string or null"
  if (!Array.isArray(s["factors"])) return "expected spec.factors, a list"
  return { spec: spec as unknown as SweepSpec, spec_sha256, from, to, engine_version }
}

/** The job data a coordinator adds. */
export const jobDataOf = (spec: SweepSpec, specSha: string, from: number, to: number): RowsJobData => ({ spec, spec_sha256: specSha, from, to, engine_version: ENGINE_VERSION })

/**
 * A job's result: each row's seed, the outcomes in the order they first appear in its rows, and
 * each outcome's column as the base64 of its float64s, little-endian: the very bits
 * experiments.arrow holds. JSON's numbers would lose some (−0; a NaN computed as 0/0 is not
 * Number.NaN's bits), and the queued sweep must be byte-identical to the local one.
 */
export interface RowsResult {
  readonly seeds: ReadonlyArray<number>
  readonly outcomes: ReadonlyArray<string>
  readonly values: ReadonlyArray<string>
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f

/** The float64s' bytes, little-endian, whatever this machine's order. */
const littleEndianBytes = (col: Float64Array): Uint8Array => {
  const bytes = new Uint8Array(col.buffer.slice(col.byteOffset, col.byteOffset + col.byteLength))
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 8) bytes.subarray(i, i + 8).reverse()
  return bytes
}

const float64sOf = (base64: string): Float64Array | undefined => {
  const bytes = Buffer.from(base64, "base64")
  if (bytes.length % 8 !== 0) return undefined
  const copy = new Uint8Array(bytes)
  if (!LITTLE_ENDIAN) for (let i = 0; i < copy.length; i += 8) copy.subarray(i, i + 8).reverse()
  return new Float64Array(copy.buffer)
}

export const encodeRows = (rows: RowOutcomes): RowsResult => ({
  seeds: Array.from(rows.seeds),
  outcomes: rows.outcomes,
  values: rows.columns.map((col) => Buffer.from(littleEndianBytes(col)).toString("base64"))
})

/** A job's result as a worker returned it, its columns decoded; checked to hold `rows` rows, else why not. */
export const readRowsResult = (x: unknown, rows: number): { readonly seeds: ReadonlyArray<number>; readonly outcomes: ReadonlyArray<string>; readonly columns: ReadonlyArray<Float64Array> } | string => {
  if (!isObject(x)) return "expected an object { seeds, outcomes, values }"
  const { seeds, outcomes, values } = x
  if (!Array.isArray(seeds) || seeds.length !== rows || !seeds.every((s) => typeof s === "number")) return `expected ${rows} seeds`
  if (!Array.isArray(outcomes) || !outcomes.every((o) => typeof o === "string")) return "expected outcomes, a list of names"
  if (!Array.isArray(values) || values.length !== outcomes.length) return `expected a column of values per outcome (${outcomes.length})`
  const columns: Array<Float64Array> = []
  for (const v of values) {
    const col = typeof v === "string" ? float64sOf(v) : undefined
    if (col === undefined || col.length !== rows) return `expected each column to hold ${rows} float64s (base64)`
    columns.push(col)
  }
  return { seeds: seeds as Array<number>, outcomes: outcomes as Array<string>, columns }
}

export type DecodedRows = Exclude<ReturnType<typeof readRowsResult>, string>

/** The sweep's rows from its blocks' results: sweep.ts's join, the one the local sweep and merge use. */
export { joinBlocks } from "./sweep.ts"
