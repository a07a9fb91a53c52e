/**
 * `devosim export DIR [--tables …] [--format arrow|parquet|csv] --out DIR2 [--force]` (DESIGN §6:
 * what is derivable from the log is written when asked for, with stable documented columns).
 *
 * Every table is a projection of the log: events.arrow, decoded and upcast (so the export is the
 * same whatever the on-disk layout of the log), plus its RunStarted, never summary.json. The log is
 * read one record batch at a time and each chunk goes to the tables that need it (the events
 * table, report's `LedgerProjection` for the ledger, `SummaryBuilder` for negotiations and money by
 * locality), each writing its record batches as they fill: memory does not grow with the log. The
 * files go into a temporary directory renamed into place at the end with a manifest.json (format
 * `devosim-export/1`: the source run and a sha256 per file), so DIR2 is absent, the previous
 * export or the complete new one; `--force` replaces only an earlier export that verifies.
 */
import { ENGINE_VERSION, EVENT_KINDS, forTerminal, HOLDERS, type EventKind, type LogChunk, type RecordCell, type RunStarted } from "@devosim/core"
import { classifyFlow, DEVOLUTION_FLOWS, LedgerProjection, localityRow, SUMMARY_TABLES, SummaryBuilder, type Flow, type NegotiationRecord } from "@devosim/report"
import {
  AccountsTable,
  EventsTable,
  EXPORT_FORMAT_MANIFEST,
  InvalidFileName,
  LedgerTable,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  openRunDirectory,
  openTableFile,
  readEventLogChunks,
  readUntrusted,
  RowsTable,
  RunDirectoryExists,
  RunDirectoryPlacement,
  TABLE_FORMATS,
  tableFileName,
  UntrustedFile,
  type FlowClassifier,
  type Manifest,
  type RowColumn,
  type RunDirectoryWriter,
  type TableBatch,
  type TableFileWriter,
  type TableFormat,
  type TableSchema
} from "@devosim/store"
import { Effect } from "effect"
import { readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { badFlag, badInput, failure, UserFacingError } from "./errors.ts"
import { abortable, turn } from "./interrupt.ts"
import { checkedRun, lstatOrNull, readError, refuseReplicationSet } from "./read-runs.ts"
import { say } from "./say.ts"
import { VERIFY_EXIT_CODES } from "./verify.ts"

/** The tables `devosim export` writes, in the order it writes and lists them. */
export const EXPORT_TABLES = ["events", "ledger", "accounts", "negotiations", "localities"] as const
export type ExportTable = (typeof EXPORT_TABLES)[number]

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))
const quoted = (s: string) => forTerminal(JSON.stringify(s))

/** `--tables a,b`: known names, each once, in EXPORT_TABLES order; all of them when not given. */
export const parseTables = (text: string | undefined): Effect.Effect<ReadonlyArray<ExportTable>, UserFacingError> => {
  if (text === undefined) return Effect.succeed(EXPORT_TABLES)
  const expected = `expected a comma-separated list of ${EXPORT_TABLES.join(", ")}`
  const names = text.split(",").map((s) => s.trim())
  const chosen = new Set<ExportTable>()
  for (const name of names) {
    if (name === "") return Effect.fail(badFlag(`--tables ${quoted(text)}: ${expected}; found an empty name`))
    if (!(EXPORT_TABLES as ReadonlyArray<string>).includes(name)) return Effect.fail(badFlag(`--tables ${quoted(text)}: ${expected}; found ${quoted(name)}`))
    chosen.add(name as ExportTable)
  }
  return Effect.succeed(EXPORT_TABLES.filter((t) => chosen.has(t)))
}

/** `--format`: arrow, parquet or csv. */
export const parseFormat = (text: string): Effect.Effect<TableFormat, UserFacingError> =>
  (TABLE_FORMATS as ReadonlyArray<string>).includes(text)
    ? Effect.succeed(text as TableFormat)
    : Effect.fail(badFlag(`--format: expected one of ${TABLE_FORMATS.join(", ")}, found ${quoted(text)}`))

/** The `format` of `dir/manifest.json` when it is a JSON object with one; null otherwise (absent, unreadable, not JSON). */
const manifestFormatOf = (dir: string): { readonly present: boolean; readonly format: string | null } => {
  if (lstatOrNull(path.join(dir, MANIFEST_FILE)) === null) return { present: false, format: null }
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readUntrusted(path.resolve(dir), MANIFEST_FILE, MAX_MANIFEST_BYTES)))
    const format = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)["format"] : undefined
    return { present: true, format: typeof format === "string" ? format : null }
  } catch {
    return { present: true, format: null }
  }
}

const KIND_OF_FORMAT: ReadonlyArray<readonly [RegExp, string]> = [
  [/^devosim-run\//, "a run directory"],
  [/^devosim-replications\//, "a replication set"],
  [/^devosim-compare\//, "a comparison directory"],
  [/^devosim-export\//, "an export directory"]
]
const kindOf = (format: string): string => KIND_OF_FORMAT.find(([re]) => re.test(format))?.[1] ?? `a directory whose ${MANIFEST_FILE} has format ${JSON.stringify(format)}`

/**
 * DIR is a run directory before it is checked file by file (damage is then verify's to report): a
 * directory with a manifest.json that is a run's (a replication set names one of its runs).
 */
const refuseNotARun = (dir: string) =>
  Effect.gen(function* () {
    const expected = `expected a run directory written by devosim run (manifest.json, events.arrow, …)`
    let at
    try {
      at = statSync(dir)
    } catch {
      return yield* badInput(`${forTerminal(dir)}: ${expected}, found nothing there`)
    }
    if (!at.isDirectory()) return yield* badInput(`${forTerminal(dir)}: ${expected}, found a file that is not a directory`)
    yield* refuseReplicationSet(dir)
    const { present, format } = manifestFormatOf(dir)
    if (!present) return yield* badInput(`${forTerminal(dir)}: ${expected}, found a directory without ${MANIFEST_FILE}`)
    // An unreadable or damaged manifest is the run's damage: checkedRun reports it as verify does.
    if (format !== null && !format.startsWith("devosim-run/")) return yield* badInput(`${forTerminal(dir)}: ${expected}, found ${forTerminal(kindOf(format))}`)
  })

/**
 * DIR2 is new, empty, or an earlier export (which only --force replaces; openRunDirectory checks
 * it verifies). A run, comparison or replication set is never replaced by an export.
 */
const refuseOtherOut = (out: string) =>
  Effect.suspend(() => {
    const at = lstatOrNull(out)
    if (at === null || !at.isDirectory()) return Effect.void // absent; a file or a symlink is refused by openRunDirectory
    let empty: boolean
    try {
      empty = readdirSync(out).length === 0
    } catch (e) {
      return Effect.fail(failure(`${forTerminal(out)}: could not be listed (${forTerminal(messageOf(e))})`))
    }
    if (empty) return Effect.void
    const { format } = manifestFormatOf(out)
    if (format !== null && format !== EXPORT_FORMAT_MANIFEST && /^devosim-/.test(format)) {
      return Effect.fail(
        badFlag(`--out ${forTerminal(out)}: expected a new or empty directory, or an earlier export to replace with --force; found ${forTerminal(kindOf(format))}, which export never replaces; choose another --out`)
      )
    }
    return Effect.void
  })

// ---------------------------------------------------------------------------------------------
// The tables

const OUTCOMES: ReadonlyArray<NegotiationRecord["outcome"]> = ["deal", "failed", "negotiating", "queued", "not_eligible"]

type Row = Readonly<Record<string, RecordCell>>

/**
 * The export's negotiations and localities tables: the columns of negotiations.arrow and
 * localities.arrow (report's SUMMARY_TABLES), their id columns dictionary-encoded (listed in the
 * run's order: every locality and tranche id, every outcome).
 */
const summaryTableColumns = (name: "negotiations" | "localities", run: RunStarted): ReadonlyArray<RowColumn<Row>> => {
  const dictionaries: Readonly<Record<string, ReadonlyArray<string>>> = {
    locality: run.localities.map((l) => l.id),
    tranche: run.tranches.map((t) => t.id),
    outcome: OUTCOMES
  }
  return SUMMARY_TABLES[name].fields.map((f): RowColumn<Row> =>
    f.type === "utf8"
      ? { name: f.name, type: "dictionary", values: dictionaries[f.name] ?? [], value: (r) => r[f.name] as string | null }
      : { name: f.name, type: f.type, nullable: f.nullable, value: (r) => r[f.name] as number | null }
  )
}

/**
 * report's `classifyFlow` (the one place that knows the money's flows) tabulated once for every
 * (from holder, to holder, cause kind), so the events table classifies a posting by reading a
 * typed array. Flows are named in order of first appearance in the table.
 */
export const flowClassifier = (): FlowClassifier => {
  const H = HOLDERS.length
  const K = EVENT_KINDS.length
  const flows: Array<Flow> = new Array(H * H * K)
  for (let f = 0; f < H; f++)
    for (let t = 0; t < H; t++)
      for (let k = 0; k < K; k++) {
        // Kind 0 is "Posting", never a cause: it stands for a cause the log does not have.
        flows[(f * H + t) * K + k] = classifyFlow(HOLDERS[f]!, HOLDERS[t]!, k === 0 ? undefined : (EVENT_KINDS[k] as EventKind))
      }
  // Issue 17's flows last, so the others keep the codes they had before it.
  const later = new Set(DEVOLUTION_FLOWS)
  const names: Array<Flow> = []
  for (const flow of flows) if (!later.has(flow) && !names.includes(flow)) names.push(flow)
  for (const flow of flows) if (later.has(flow) && !names.includes(flow)) names.push(flow)
  const table = Uint8Array.from(flows, (flow) => names.indexOf(flow))
  return { names, table }
}

/** Reading the log failed (damage, found as it is decoded): reported as verify reports it. */
class LogReadFailure extends Error {
  readonly error: unknown
  constructor(error: unknown) {
    super(messageOf(error))
    this.error = error
  }
}

interface WrittenTable {
  readonly table: ExportTable
  readonly file: string
  readonly rows: number
  readonly bytes: number
}

interface Exported {
  readonly run: RunStarted
  readonly events: number
  readonly tables: ReadonlyArray<WrittenTable>
}

/**
 * Streams the log at `eventsPath` into the chosen tables of `dir`: each chunk (a record batch of
 * events.arrow) is given to the builders that need it and dropped; every table's batches are
 * written as they fill. Checks the log's counts, scenario and seed against the manifest.
 */
const writeTables = async (
  dir: RunDirectoryWriter,
  source: { readonly dir: string; readonly eventsPath: string; readonly manifest: Manifest },
  tables: ReadonlyArray<ExportTable>,
  format: TableFormat,
  signal: AbortSignal
): Promise<Exported> => {
  const want = new Set(tables)
  const writers = new Map<ExportTable, TableFileWriter>()
  const open = (table: ExportTable, schema: TableSchema): TableFileWriter => {
    const w = openTableFile(format, schema, (options) => dir.openSink(tableFileName(table, format), options))
    writers.set(table, w)
    return w
  }
  const writeAll = async (w: TableFileWriter, batches: Iterable<TableBatch>): Promise<void> => {
    for (const b of batches) await w.write(b)
  }
  let run: RunStarted | undefined
  let events: { readonly table: EventsTable; readonly file: TableFileWriter } | undefined
  let ledger: { readonly table: LedgerTable; readonly projection: LedgerProjection; readonly file: TableFileWriter } | undefined
  let summary: SummaryBuilder | undefined
  let controls = 0
  let postings = 0
  // Every builder folds or copies a chunk before asking for the next: one set of read buffers serves the whole log.
  const chunks = readEventLogChunks(source.eventsPath, { verifyChecksum: false, reuseBuffers: true })
  try {
    for (;;) {
      let next: IteratorResult<LogChunk>
      try {
        next = chunks.next()
      } catch (e) {
        throw new LogReadFailure(e)
      }
      if (next.done === true) break
      signal.throwIfAborted()
      const chunk = next.value
      if (run === undefined) {
        run = chunk.controls[0] as RunStarted
        if (want.has("events")) {
          const table = new EventsTable(run, flowClassifier())
          events = { table, file: open("events", table.schema) }
        }
        if (want.has("ledger")) {
          const table = new LedgerTable(run)
          ledger = { table, projection: new LedgerProjection(run), file: open("ledger", table.schema) }
        }
        if (want.has("accounts")) {
          const table = new AccountsTable(run)
          await writeAll(open("accounts", table.schema), table.batches())
        }
        // Its tables need no pool by period (O(localities × periods) to hold).
        if (want.has("negotiations") || want.has("localities")) summary = new SummaryBuilder(run, { poolsByPeriod: false })
      }
      controls += chunk.controls.length
      postings += chunk.postings.length
      if (events !== undefined) await writeAll(events.file, events.table.append(chunk))
      if (ledger !== undefined) for (const period of ledger.projection.add(chunk)) await writeAll(ledger.file, ledger.table.append(period))
      summary?.add(chunk)
      await turn() // lets a pending SIGINT/SIGTERM in between batches
    }
    if (run === undefined) throw new LogReadFailure(new Error("the log is empty"))
    sameRunAsManifest(source.dir, source.manifest, run, controls, postings)
    if (events !== undefined) await writeAll(events.file, events.table.finish())
    if (ledger !== undefined) {
      for (const period of ledger.projection.finish()) await writeAll(ledger.file, ledger.table.append(period))
      await writeAll(ledger.file, ledger.table.finish())
    }
    if (summary !== undefined) {
      const figures = summary.finish()
      if (want.has("negotiations")) {
        const table = new RowsTable<Row>("negotiations", summaryTableColumns("negotiations", run), figures.negotiations.map((n) => ({ ...n })))
        await writeAll(open("negotiations", table.schema), table.batches())
      }
      if (want.has("localities")) {
        const table = new RowsTable("localities", summaryTableColumns("localities", run), figures.money.localities.map(localityRow))
        await writeAll(open("localities", table.schema), table.batches())
      }
    }
    signal.throwIfAborted()
    const written: Array<WrittenTable> = []
    for (const table of tables) {
      const r = await writers.get(table)!.finish()
      written.push({ table, file: tableFileName(table, format), rows: r.rows, bytes: r.bytes })
    }
    return { run, events: controls + postings, tables: written }
  } catch (e) {
    for (const w of writers.values()) w.abort()
    throw e
  } finally {
    chunks.return()
  }
}

/** The log is the one the manifest describes: its counts, scenario and seed (an edited manifest shows here). */
const sameRunAsManifest = (dir: string, manifest: Manifest, run: RunStarted, controls: number, postings: number): void => {
  const pairs: ReadonlyArray<readonly [string, unknown, unknown]> = [
    ["scenario", run.scenario, manifest.scenario],
    ["seed", run.seed, manifest.seed],
    ["control events", controls, manifest.control_event_count],
    ["postings", postings, manifest.posting_count]
  ]
  for (const [what, has, says] of pairs) {
    if (has !== says) {
      throw new UserFacingError({
        message: `${forTerminal(path.join(dir, MANIFEST_FILE))}: the log has ${what} ${forTerminal(JSON.stringify(has))}, the manifest says ${forTerminal(JSON.stringify(says))} (events.arrow matches the manifest's log_sha256, so the manifest was edited) [manifest does not match]`,
        exitCode: VERIFY_EXIT_CODES.ManifestMismatch
      })
    }
  }
}

const exportManifest = (
  source: { readonly dir: string; readonly manifest: Manifest },
  format: TableFormat,
  exported: Exported,
  files: ReadonlyArray<{ readonly name: string; readonly sha256: string; readonly bytes: number }>
): string =>
  `${JSON.stringify(
    {
      format: EXPORT_FORMAT_MANIFEST,
      engine_version: ENGINE_VERSION,
      source: {
        dir: source.dir,
        scenario: source.manifest.scenario,
        seed: source.manifest.seed,
        engine_version: source.manifest.engine_version,
        event_schema_version: source.manifest.event_schema_version,
        event_count: source.manifest.event_count,
        log_sha256: source.manifest.log_sha256
      },
      table_format: format,
      tables: Object.fromEntries(exported.tables.map((t) => [t.table, { file: t.file, rows: t.rows }])),
      files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, bytes: f.bytes }]))
    },
    null,
    2
  )}\n`

const FORMAT_NAME: Readonly<Record<TableFormat, string>> = { arrow: "Arrow IPC files", parquet: "Parquet", csv: "CSV" }

/** `devosim export DIR --out DIR2`: the run's full tables as Arrow, Parquet or CSV files. */
export const exportCommand = Effect.fn("exportCommand")(function* (args: {
  readonly dir: string
  readonly tables: string | undefined
  readonly format: string
  readonly out: string
  readonly force: boolean
}) {
  const tables = yield* parseTables(args.tables)
  const format = yield* parseFormat(args.format)
  yield* refuseNotARun(args.dir)
  const { manifest, eventsPath } = yield* checkedRun(args.dir)
  yield* refuseOtherOut(args.out)
  const started = performance.now()
  const source = { dir: args.dir, eventsPath, manifest }
  const out = args.out
  const exported = yield* abortable(
    async (signal) => {
      const dir = await openRunDirectory(out, { overwrite: args.force, signal })
      try {
        const done = await writeTables(dir, source, tables, format, signal)
        await dir.commit((files) => exportManifest(source, format, done, files))
        return done
      } catch (e) {
        await dir.abort()
        throw e
      }
    },
    (e) =>
      e instanceof UserFacingError
        ? e
        : e instanceof LogReadFailure
          ? readError(args.dir, e.error)
          : e instanceof RunDirectoryExists
            ? e.replaceable && !args.force
              ? badFlag(`--out ${forTerminal(out)}: an earlier export is there; choose another --out, or pass --force to replace it`)
              : badFlag(`--out ${forTerminal(out)}: ${forTerminal(e.detail)}`)
            : e instanceof RunDirectoryPlacement || e instanceof InvalidFileName || e instanceof UntrustedFile
              ? badInput(forTerminal(e.message))
              : failure(`${forTerminal(out)}: ${forTerminal(messageOf(e))}`),
    out
  )
  const ms = performance.now() - started
  const width = Math.max(...exported.tables.map((t) => t.file.length))
  yield* say(
    [
      `devosim ${ENGINE_VERSION}: exported ${exported.tables.length} table${exported.tables.length === 1 ? "" : "s"} of ${forTerminal(args.dir)} (${exported.events.toLocaleString("en-GB")} events) as ${FORMAT_NAME[format]} in ${ms.toFixed(0)} ms`,
      ...exported.tables.map((t) => `  ${forTerminal(path.join(out, t.file)).padEnd(forTerminal(out).length + 1 + width)}  ${t.rows.toLocaleString("en-GB")} rows, ${t.bytes.toLocaleString("en-GB")} bytes`),
      `  ${forTerminal(path.join(out, MANIFEST_FILE))}: the source run and the sha256 of every file (devosim verify ${forTerminal(out)})`
    ].join("\n")
  )
})
