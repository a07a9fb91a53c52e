/**
 * The files of one run, written while its log streams in (DESIGN §6): each chunk of the log goes
 * to events.arrow (record batches), the ledger projection (ledger.arrow, period by period, when
 * asked for), the summary fold and the state fold (snapshots, the manifest's state hash) and is then dropped, so a
 * run whose log is larger than memory completes in bounded memory. The small files follow, and a
 * manifest that seals them.
 */
import { accountCount, applyLog, canonicalState, layoutOf, initialState, snapshotJson, SnapshotFold, type LogChunk, type PeriodSnapshot, type RunStarted } from "@devosim/core"
import { LedgerProjection, PowersBuilder, powerFactsOf, renderRunReport, SUMMARY_TABLES, SummaryBuilder, summaryFile, summaryTables, type Summary } from "@devosim/report"
import type { LoadedScenario } from "@devosim/scenario"
import {
  encodeAccounts,
  encodeRecordTable,
  EventLogWriter,
  LedgerWriter,
  makeManifest,
  manifestJson,
  prettyJsonPieces,
  sha256Hex,
  writeParquetCopy,
  type RunDirectoryWriter,
  type RunFile
} from "@devosim/store"
import { closeSync, openSync } from "node:fs"
import { turn } from "./interrupt.ts"
import type { RunProgress } from "./progress.ts"
import * as path from "node:path"

/**
 * Rows (periods × accounts) up to which a run writes ledger.arrow without being asked: a small
 * ledger costs next to nothing and scripts read it; a large one is as large as the log (10,000
 * localities × 8 agencies × 120 months: 1 GB), and `devosim export DIR --tables ledger` derives it.
 */
export const LEDGER_DEFAULT_ROWS = 1_000_000

/** Whether a run writes ledger.arrow: asked for (--ledger), or small. */
export const writesLedger = (run: RunStarted, asked: boolean): boolean => asked || run.months * accountCount(layoutOf(run)) <= LEDGER_DEFAULT_ROWS

export interface RunOutputOptions {
  readonly parquet: boolean
  /** Write ledger.arrow even when it is large (see `writesLedger`). */
  readonly ledger: boolean
  readonly snapshotEvery?: number | undefined
  /** More files for the run (a fork's fork.json), sealed by its manifest like the rest; made once the log is written. */
  readonly extra?: () => ReadonlyArray<RunFile>
  /** Write report.html (default true; a replication set's runs have one only when asked). */
  readonly report?: boolean
  /** Told each stage and how far the log has got (a terminal's progress line). */
  readonly progress?: RunProgress
  /** The input file's variant that ran and the `--set` amendments, for the manifest (only when there are any). */
  readonly variant?: string | undefined
  readonly settings?: ReadonlyArray<string> | undefined
}

export interface WrittenRun {
  readonly summary: Summary
  readonly events: number
  readonly snapshots: number
  /** The run's files, as the manifest names them (manifest.json last). */
  readonly files: ReadonlyArray<string>
}

/**
 * Pretty JSON written piece by piece: the summary of 100,000 localities is hundreds of MB, which
 * as one string (and again as its bytes) would double the run's peak memory.
 */
const writeJsonFile = (dir: RunDirectoryWriter, file: string, value: unknown): void => {
  const sink = dir.openSink(file)
  const encoder = new TextEncoder()
  let pending = ""
  for (const piece of prettyJsonPieces(value)) {
    pending += piece
    if (pending.length >= 1 << 20) {
      sink.write(encoder.encode(pending))
      pending = ""
    }
  }
  sink.write(encoder.encode(`${pending}\n`))
  sink.close()
}


/**
 * Writes one run under `prefix` ("" for the directory itself, "replications/r0003" inside a
 * replication set) of an open run directory, consuming `chunks` (the log from seq 0, in order),
 * and its manifest.json. Stops with `signal.reason` when aborted between chunks.
 */
export const writeRunFiles = async (
  dir: RunDirectoryWriter,
  prefix: string,
  loaded: LoadedScenario,
  run: RunStarted,
  chunks: AsyncIterable<LogChunk> | Iterable<LogChunk>,
  options: RunOutputOptions,
  signal?: AbortSignal
): Promise<WrittenRun> => {
  const name = (file: string) => (prefix === "" ? file : `${prefix}/${file}`)
  // The two big files are written, hashed and fsynced on I/O threads while this one frames them.
  const eventsSink = dir.openThreadedSink(name("events.arrow"))
  const events = new EventLogWriter(run, eventsSink)
  const ledgerSink = writesLedger(run, options.ledger) ? dir.openThreadedSink(name("ledger.arrow")) : null
  const ledger = ledgerSink === null ? null : new LedgerWriter(run, ledgerSink)
  const summary = new SummaryBuilder(run)
  // The deals' powers for the report (none when no report is written): the log's events with the scenario's menu and elections.
  const powers = options.report === false ? null : new PowersBuilder(run, powerFactsOf(loaded.scenario))
  const projection = ledger === null ? null : new LedgerProjection(run)
  const state = initialState(run)
  const fold = options.snapshotEvery === undefined ? null : new SnapshotFold(state, options.snapshotEvery)
  const snapshots: Array<PeriodSnapshot> = []
  const progress = options.progress

  progress?.stage("writing the log")
  for await (const chunk of chunks) {
    if (signal?.aborted) throw signal.reason
    events.append(chunk)
    summary.add(chunk)
    if (powers !== null) for (const e of chunk.controls) powers.add(e)
    if (projection !== null) for (const period of projection.add(chunk)) ledger!.append(period)
    if (fold === null) applyLog(state, chunk)
    else snapshots.push(...fold.add(chunk))
    if (progress !== undefined) {
      const p = chunk.postings
      const lastControl = chunk.controls[chunk.controls.length - 1]?.t ?? 0
      progress.log(chunk.firstSeq + chunk.controls.length + p.length, Math.max(lastControl, p.length > 0 ? p.t[p.length - 1]! : 0))
    }
    // Bounded memory: wait when the disk is behind (and let a pending signal in).
    await eventsSink.drain()
    await ledgerSink?.drain()
    await turn()
  }
  if (signal?.aborted) throw signal.reason
  const log = events.finish()
  const logFile = await eventsSink.close()
  if (projection !== null && ledger !== null && ledgerSink !== null) {
    for (const period of projection.finish()) ledger.append(period)
    ledger.finish()
    await ledgerSink.close()
  }
  if (fold !== null) snapshots.push(...fold.finish())
  progress?.stage("summary")
  const figures = summary.finish()

  await dir.writeFile(name("scenario.yaml"), loaded.asRunText)
  await dir.writeFile(name("accounts.arrow"), encodeAccounts(run))
  // Aggregates in summary.json; what there is one of per locality in Arrow tables beside it.
  writeJsonFile(dir, name("summary.json"), summaryFile(figures))
  // One table's rows at a time, encoded before the next is built.
  for (const { name: table, table: records } of summaryTables(figures)) {
    await dir.writeFile(name(SUMMARY_TABLES[table].file), encodeRecordTable(records, SUMMARY_TABLES[table].format))
  }
  if (powers !== null) {
    progress?.stage("report")
    await dir.writeFile(name("report.html"), renderRunReport(figures, { powers: powers.finish() }))
  }
  if (options.parquet) {
    progress?.stage("parquet copies")
    // Streamed from the Arrow files batch by batch: any size of log.
    for (const table of ledger === null ? ["events"] : ["events", "ledger"]) {
      const fd = openSync(path.join(dir.tmp, name(`${table}.arrow`)), "r")
      try {
        const sink = dir.openSink(name(`${table}.parquet`))
        await writeParquetCopy(fd, sink)
        sink.close()
      } finally {
        closeSync(fd)
      }
    }
  }
  // Seq numbers in snapshot names are padded to one width, known once the log is complete.
  const width = String(log.events - 1).length
  for (const { snapshot } of snapshots) {
    await dir.writeFile(name(`snapshots/s${String(snapshot.lastSeq).padStart(width, "0")}.json`), snapshotJson(snapshot))
  }
  for (const f of options.extra?.() ?? []) await dir.writeFile(name(f.name), f.bytes)
  progress?.stage("manifest")

  const mine = dir
    .files()
    .filter((f) => prefix === "" || f.name.startsWith(`${prefix}/`))
    .map((f) => ({ ...f, name: prefix === "" ? f.name : f.name.slice(prefix.length + 1) }))
  const manifest = makeManifest({
    run,
    controlEventCount: log.controls,
    postingCount: log.postings,
    logSha256: logFile.sha256,
    inputSha256: loaded.inputSha256,
    stateSha256: sha256Hex(canonicalState(state)),
    variant: options.variant,
    settings: options.settings,
    files: mine
  })
  await dir.writeFile(name("manifest.json"), manifestJson(manifest))
  return { summary: figures, events: log.events, snapshots: snapshots.length, files: [...mine.map((f) => f.name), "manifest.json"] }
}
