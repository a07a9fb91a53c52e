/**
 * The command line: flags and help only. Each command's implementation (and with it the engine,
 * Arrow, YAML, the report) is loaded when the command runs, so `devosim --version` and `--help`
 * start in a fraction of the time (issue 13).
 */
import { ENGINE_VERSION } from "@devosim/core/version"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Cause, Console, Effect, Exit, Option } from "effect"
import { Argument, CliOutput, Command, Flag } from "effect/cli"
import { UserFacingError } from "./errors.ts"
import { interruptExitCode, interruptMessage, recordSignals } from "./interrupt.ts"
import { escapeLines } from "./say.ts"
import { usageLine } from "./usage.ts"

type Commands = typeof import("./commands.ts")
/** Runs `f` of the commands module, loading it first. */
const withCommands = <A, E, R>(f: (m: Commands) => Effect.Effect<A, E, R>) => Effect.flatMap(Effect.promise(() => import("./commands.ts")), f)

const scenarioFile = Argument.String("FILE").pipe(
  Argument.withDescription("scenario file (YAML or JSON, version 1); - reads it from stdin; FILE#NAME is its variant NAME (a path that exists as given is the file, # and all)")
)

/** `--set PATH=VALUE` on run and compare: the amendment fork makes, of a scenario read from a file. */
const setFlag = (what: string) =>
  Flag.String("set").pipe(Flag.withDescription(`an amendment PATH=VALUE in the scenario's words, e.g. centre.capacity=4 (repeatable), ${what}`), Flag.atLeast(0))

/** `--json`: one JSON document on stdout for scripts instead of the text for people (README, "--json"). */
const jsonFlag = Flag.Boolean("json").pipe(Flag.withDescription("print one JSON document on stdout (for scripts) instead of the text for people"), Flag.withDefault(false))

const run = Command.make(
  "run",
  {
    file: scenarioFile,
    out: Flag.String("out").pipe(Flag.withDescription("run directory to write (default: runs/<scenario name>)"), Flag.optional),
    seed: Flag.Int("seed").pipe(Flag.withDescription("seed overriding the scenario's"), Flag.optional),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an existing run directory"), Flag.withDefault(false)),
    replications: Flag.Int("replications").pipe(
      Flag.withDescription("run K replications (seeds derived from the scenario's) and summarise every figure in summary.json (in parallel on --workers threads)"),
      Flag.withDefault(1)
    ),
    keepRuns: Flag.Boolean("keep-runs").pipe(
      Flag.withDescription("with --replications: also write each replication's run directory under replications/rNNNN/ (one after another; needed by --parquet, --ledger, --snapshot-every, and to compare or replay the replications)"),
      Flag.withDefault(false)
    ),
    runReports: Flag.Boolean("run-reports").pipe(
      Flag.withDescription("with --keep-runs: also each replication's report.html (the set has one report.html of the figures across replications either way)"),
      Flag.withDefault(false)
    ),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no progress on stderr"), Flag.withDefault(false)),
    json: jsonFlag,
    parquet: Flag.Boolean("parquet").pipe(
      Flag.withDescription("also write events.parquet (and ledger.parquet with --ledger; or later: devosim export DIR --format parquet)"),
      Flag.withDefault(false)
    ),
    noParquet: Flag.Boolean("no-parquet").pipe(Flag.withDescription("no Parquet copies (the default; kept for old scripts)"), Flag.withDefault(false)),
    ledger: Flag.Boolean("ledger").pipe(
      Flag.withDescription("write ledger.arrow (balances and flows per period × account) even when it has over 1,000,000 rows; smaller runs always have it (or later: devosim export DIR --tables ledger)"),
      Flag.withDefault(false)
    ),
    snapshotEvery: Flag.Int("snapshot-every").pipe(
      Flag.withDescription("also write snapshots/s<seq>.json, the state after the last event of every MONTHS-th period (for replay --from)"),
      Flag.optional
    ),
    workers: Flag.Int("workers").pipe(
      Flag.withDescription(
        "worker threads posting the localities' money, one shard each, or with --replications running the replications (default: the machine's cores; small runs stay on the main thread; 0 = none). The output is the same bytes for any N"
      ),
      Flag.optional
    ),
    variant: Flag.String("variant").pipe(Flag.withDescription("run the file's variant NAME instead of its base (or name the file FILE#NAME)"), Flag.optional),
    sets: setFlag("applied to the scenario that runs (the base, or --variant's) and to every replication; scenario.yaml is the amended scenario and the manifest lists the settings")
  },
  ({ file, out, seed, force, replications, keepRuns, runReports, quiet, json, parquet, noParquet, ledger, snapshotEvery, workers, variant, sets }) =>
    withCommands((m) => m.runCommand({
      file,
      out: Option.getOrUndefined(out),
      seed: Option.getOrUndefined(seed),
      force,
      replications,
      quiet,
      parquet: parquet && !noParquet,
      ledger,
      snapshotEvery: Option.getOrUndefined(snapshotEvery),
      workers: Option.getOrUndefined(workers),
      keepRuns,
      runReports,
      json,
      variant: Option.getOrUndefined(variant),
      sets
    }))
).pipe(Command.withDescription("Run a scenario and write a run directory: events.arrow, summary.json and its per-locality tables, report.html, manifest.json"))

const validate = Command.make(
  "validate",
  {
    files: Argument.String("FILE").pipe(Argument.withDescription("scenario files (YAML or JSON, version 1); - reads one from stdin; FILE#NAME checks the base and its variant NAME only"), Argument.atLeast(1)),
    json: jsonFlag
  },
  ({ files, json }) => withCommands((m) => m.validateCommand(files, { json }))
).pipe(Command.withDescription("Check scenario files (and their variants): each file's first problem with file:line:column; exit 2 if any fails"))

const replayCmd = Command.make(
  "replay",
  {
    dir: Argument.String("DIR").pipe(Argument.withDescription("a run directory written by `devosim run`")),
    from: Flag.String("from").pipe(
      Flag.withDescription("start from the nearest snapshot at or before event SEQ (or LATEST) and replay only the rest"),
      Flag.optional
    )
  },
  ({ dir, from }) => withCommands((m) => m.replayCommand(dir, Option.getOrUndefined(from)))
).pipe(Command.withDescription("Rebuild the final state from events.arrow alone (or a snapshot and the rest of the log) and check it against manifest.json"))

const explain = Command.make(
  "explain",
  {
    dir: Argument.String("DIR").pipe(Argument.withDescription("a run directory written by `devosim run`")),
    locality: Flag.String("locality").pipe(Flag.withDescription("the locality id, or a tier's path (Birmingham/Ladywood)")),
    agency: Flag.String("agency").pipe(Flag.withDescription("only this agency's lines"), Flag.optional),
    period: Flag.Int("period").pipe(Flag.withDescription("only this period (months since start)"), Flag.optional),
    month: Flag.String("month").pipe(Flag.withDescription("only this calendar month (YYYY-MM), instead of --period"), Flag.optional),
    limit: Flag.Int("limit").pipe(Flag.withDescription("postings to list"), Flag.withDefault(40)),
    json: jsonFlag
  },
  ({ dir, locality, agency, period, month, limit, json }) =>
    withCommands((m) =>
      m.explainCommand({ dir, locality, agency: Option.getOrUndefined(agency), period: Option.getOrUndefined(period), month: Option.getOrUndefined(month), limit, json })
    )
).pipe(Command.withDescription("List the postings and events that moved a locality's budget, with their causes, newest first"))

const compare = Command.make(
  "compare",
  {
    inputs: Argument.String("INPUT").pipe(
      Argument.withDescription("scenario files (each variant counts; FILE#NAME: that variant alone) or run directories; the first is the baseline"),
      Argument.atLeast(1)
    ),
    replications: Flag.Int("replications").pipe(Flag.withDescription("replications per scenario (common random numbers)"), Flag.withDefault(1)),
    out: Flag.String("out").pipe(Flag.withDescription("directory for compare.json, compare.arrow, report.html"), Flag.withDefault("runs/compare")),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an existing output directory"), Flag.withDefault(false)),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no progress on stderr"), Flag.withDefault(false)),
    json: jsonFlag,
    workers: Flag.Int("workers").pipe(
      Flag.withDescription("worker threads running the replications (default: the machine's cores; a small comparison stays on the main thread; 0 = none). The output is the same bytes for any N"),
      Flag.optional
    ),
    sets: setFlag("applied to every scenario read from a file (its base and each variant); run directories cannot be amended (fork them)")
  },
  ({ inputs, replications, out, force, quiet, json, workers, sets }) =>
    withCommands((m) => m.compareCommand({ inputs, replications, out, force, quiet, json, workers: Option.getOrUndefined(workers), sets }))
).pipe(Command.withDescription("Compare rollout timetables: key figures side by side, paired differences with intervals, winners"))

const fork = Command.make(
  "fork",
  {
    dir: Argument.String("DIR").pipe(Argument.withDescription("the parent run directory")),
    at: Flag.String("at").pipe(Flag.withDescription("the fork point: a month (18, month:18, 2011-10) or an event (seq:1234)")),
    sets: Flag.String("set").pipe(
      Flag.withDescription("an amendment PATH=VALUE in the scenario's words, e.g. centre.capacity=16 or localities.Kent.tranche=forerunners (repeatable)"),
      Flag.atLeast(1)
    ),
    out: Flag.String("out").pipe(Flag.withDescription("the fork's run directory (default: DIR-fork)"), Flag.optional),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an existing run directory"), Flag.withDefault(false)),
    parquet: Flag.Boolean("parquet").pipe(Flag.withDescription("also write events.parquet (and ledger.parquet with --ledger)"), Flag.withDefault(false)),
    noParquet: Flag.Boolean("no-parquet").pipe(Flag.withDescription("no Parquet copies (the default; kept for old scripts)"), Flag.withDefault(false)),
    ledger: Flag.Boolean("ledger").pipe(Flag.withDescription("write ledger.arrow even when it has over 1,000,000 rows"), Flag.withDefault(false))
  },
  ({ dir, at, sets, out, force, parquet, noParquet, ledger }) => withCommands((m) => m.forkCommand({ dir, at, sets, out: Option.getOrUndefined(out), force, parquet: parquet && !noParquet, ledger }))
).pipe(Command.withDescription("What-if: re-run a run from a fork point with an amended scenario, sharing the parent's prefix"))

const exportCmd = Command.make(
  "export",
  {
    dir: Argument.String("DIR").pipe(Argument.withDescription("a run directory written by `devosim run`")),
    tables: Flag.String("tables").pipe(
      Flag.withDescription("comma-separated tables to write: events, ledger, accounts, negotiations, localities (default: all)"),
      Flag.optional
    ),
    format: Flag.String("format").pipe(Flag.withDescription("arrow (Arrow IPC file), parquet or csv"), Flag.withDefault("arrow")),
    out: Flag.String("out").pipe(Flag.withDescription("directory to write the tables into: new or empty (or an earlier export, with --force)")),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an earlier export at --out"), Flag.withDefault(false))
  },
  ({ dir, tables, format, out, force }) =>
    Effect.flatMap(Effect.promise(() => import("./export.ts")), (m) => m.exportCommand({ dir, tables: Option.getOrUndefined(tables), format, out, force }))
).pipe(Command.withDescription("Write a run's full tables (events, ledger, accounts, negotiations, localities) as Arrow, Parquet or CSV files with stable columns: each posting's flow and every row's calendar month included"))

const schema = Command.make("schema", {}, () => withCommands((m) => m.schemaCommand)).pipe(
  Command.withDescription("Print the JSON Schema of scenario files")
)

const VERIFY_HELP = `Check that a run directory is exactly what devosim wrote: every file against manifest.json,
  events.arrow row by row (seq 0..n-1 in order, causes before their postings, time never going back,
  counts as in the manifest), and a replay of the log against the manifest's final state. Works on a
  run, a replication set (every replication), a comparison and an export directory. Prints one line per problem.
  Exit codes (the first problem found decides; events.arrow is checked first):
    0  intact
    1  the directory could not be read (permissions, I/O)
    2  bad input: DIR does not exist or is not a directory, or holds what devosim never writes and will not read
       (a symbolic link, FIFO, device or socket; a manifest over 64 MiB or a file over 2 GiB read whole)
    3  truncated: a file is shorter than the manifest says, or events.arrow stops before the Arrow end marker
    4  content changed: a file's sha256 differs from the manifest's (flipped, edited or appended bytes), or events.arrow fails its own checksum
    5  rows reordered or missing: seq not 0..n-1 in order, a posting's cause after it, time going back, or fewer/more rows than the manifest counts
    6  manifest does not match: manifest.json missing or invalid, a listed file missing, an unlisted file present, or counts or the final state differ from an intact log
    7  newer schema: written by a newer event schema version (or run format) than this engine reads; upgrade devosim`

const verify = Command.make(
  "verify",
  { dir: Argument.String("DIR").pipe(Argument.withDescription("a run directory (or replication set, or comparison) written by devosim")), json: jsonFlag },
  ({ dir, json }) => Effect.flatMap(Effect.promise(() => import("./verify.ts")), (m) => m.verifyCommand(dir, { json }))
).pipe(
  Command.withDescription(VERIFY_HELP),
  Command.withShortDescription("Check a run directory's files, rows and replay against its manifest; an exit code per kind of damage")
)

const sweep = Command.make(
  "sweep",
  {
    file: Argument.String("FILE").pipe(Argument.withDescription("scenario file with an experiments: section (levers and uncertainties to sweep)")),
    design: Flag.String("design").pipe(Flag.withDescription("full_factorial, lhs, sobol (Saltelli) or morris (default: the section's, else lhs)"), Flag.optional),
    samples: Flag.Int("samples").pipe(Flag.withDescription("experiments (lhs), base points (sobol: N × (k + 2) experiments), trajectories (morris: r × (k + 1)), levels per range (full_factorial)"), Flag.optional),
    replications: Flag.Int("replications").pipe(Flag.withDescription("replications per experiment (common random numbers across experiments)"), Flag.withDefault(1)),
    seed: Flag.Int("seed").pipe(Flag.withDescription("seed of the design (default: the section's, else the scenario's)"), Flag.optional),
    out: Flag.String("out").pipe(Flag.withDescription("directory for experiments.arrow, sweep.json (default runs/<file>-sweep)"), Flag.optional),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an existing output directory"), Flag.withDefault(false)),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no progress on stderr"), Flag.withDefault(false)),
    json: jsonFlag,
    workers: Flag.Int("workers").pipe(Flag.withDescription("worker threads running the replications (default: the machine's cores; 0 = none). The output is the same bytes for any N"), Flag.optional),
    where: Flag.String("where").pipe(Flag.withDescription('a condition over outcome columns, e.g. "npv_pence < 0": PRIM finds the box of factor values where it holds'), Flag.optional),
    keepRuns: Flag.Boolean("keep-runs").pipe(Flag.withDescription("also write a run directory per experiment × replication under runs/eNNNN-rNN/ (large: every run's log)"), Flag.withDefault(false)),
    parquet: Flag.Boolean("parquet").pipe(Flag.withDescription("also write experiments.parquet, the same table as Parquet (for DuckDB and others without Arrow IPC)"), Flag.withDefault(false)),
    shard: Flag.String("shard").pipe(Flag.withDescription("i/N: run only shard i of N of the rows (an array job's task) and write a part for devosim merge; shard 0 also runs the tornado and switching values"), Flag.optional),
    queue: Flag.String("queue").pipe(
      Flag.withDescription("redis://[user:password@]HOST:PORT/DB (rediss:// for TLS): run the rows as BullMQ jobs on `devosim worker`s (the tornado and switching values here) and write the same files as the sweep run here; run again to resume"),
      Flag.optional
    ),
    block: Flag.Int("block").pipe(Flag.withDescription("with --queue: rows per job (default 16); a job of a second or more keeps the queue's cost per job (≈ 20 ms) small"), Flag.optional),
    sets: setFlag("applied to the base before any factor: every experiment, the tornado's base case and the switching values' runs")
  },
  ({ file, design, samples, replications, seed, out, force, quiet, json, workers, where, keepRuns, parquet, shard, queue, block, sets }) => {
    const args = {
      file,
      design: Option.getOrUndefined(design),
      samples: Option.getOrUndefined(samples),
      replications,
      seed: Option.getOrUndefined(seed),
      out: Option.getOrUndefined(out),
      force,
      quiet,
      json,
      workers: Option.getOrUndefined(workers),
      where: Option.getOrUndefined(where),
      keepRuns,
      parquet,
      shard: Option.getOrUndefined(shard),
      sets
    }
    const url = Option.getOrUndefined(queue)
    if (url !== undefined) return Effect.flatMap(Effect.promise(() => import("./queue.ts")), (m) => m.queueSweepCommand({ ...args, queue: url, block: Option.getOrUndefined(block) }))
    if (Option.isSome(block)) return Effect.fail(new UserFacingError({ message: "--block: rows per job of a queued sweep; give --queue URL too", exitCode: 2, seeHelp: true }))
    return Effect.flatMap(Effect.promise(() => import("./sweep.ts")), (m) => m.sweepCommand(args))
  }
).pipe(Command.withDescription("Sweep a scenario's experiments (levers and uncertainties) by a design × replications: experiments.arrow, sensitivity, PRIM"))

const merge = Command.make(
  "merge",
  {
    parts: Argument.String("PART").pipe(Argument.withDescription("the parts' directories (devosim sweep … --shard i/N --out PART), all N of them"), Argument.variadic()),
    out: Flag.String("out").pipe(Flag.withDescription("directory for the merged sweep (the same files as the sweep run in one go)")),
    force: Flag.Boolean("force").pipe(Flag.withDescription("replace an existing output directory"), Flag.withDefault(false)),
    parquet: Flag.Boolean("parquet").pipe(Flag.withDescription("also write experiments.parquet"), Flag.withDefault(false)),
    json: jsonFlag
  },
  ({ parts, out, force, parquet, json }) => Effect.flatMap(Effect.promise(() => import("./sweep.ts")), (m) => m.mergeCommand({ parts, out, force, parquet, json }))
).pipe(Command.withDescription("Join the parts of a sharded sweep (checked: one sweep, every shard once, no gap or overlap) into its directory, the same bytes as the sweep run in one go"))

const worker = Command.make(
  "worker",
  {
    files: Argument.String("FILE").pipe(Argument.withDescription("the scenario files whose sweeps' jobs it runs (known by their sha256; a job of another file is refused)"), Argument.atLeast(1)),
    queue: Flag.String("queue").pipe(Flag.withDescription("redis://[user:password@]HOST:PORT/DB (rediss:// for TLS), as given to devosim sweep --queue")),
    concurrency: Flag.Int("concurrency").pipe(Flag.withDescription("jobs at a time, each on a thread of its own (default 1; at most the machine's cores is useful)"), Flag.withDefault(1)),
    lockMs: Flag.Int("lock-ms").pipe(Flag.withDescription("how long a job's lock lasts unrenewed (default 30000, BullMQ's): a killed worker's job runs again once it has expired"), Flag.optional),
    quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("no line per job on stderr"), Flag.withDefault(false))
  },
  ({ files, queue, concurrency, lockMs, quiet }) =>
    Effect.flatMap(Effect.promise(() => import("./queue.ts")), (m) => m.workerCommand({ files, queue, concurrency, lockMs: Option.getOrUndefined(lockMs), quiet }))
).pipe(Command.withDescription("Run the jobs of sweeps queued with devosim sweep --queue (BullMQ over Redis) until SIGINT/SIGTERM, which lets the jobs in hand finish"))

const commands = [run, validate, compare, sweep, merge, worker, fork, replayCmd, explain, exportCmd, schema, verify] as const
const devosim = Command.make("devosim").pipe(
  Command.withDescription("Event-sourced simulation of devolution deals, pooled budgets and who pays, who saves"),
  Command.withSubcommands(commands)
)

/**
 * Help and --version as effect/cli prints them (stdout); a mistake on the command line as one line
 * on stderr naming the command's help (usage.ts), the exit code 2 (below).
 */
const presenter = CliOutput.layerPresenter({
  present: (event) =>
    event._tag === "InvalidInvocation"
      ? Console.error(usageLine(event.commandPath, event.errors, commands.map((c) => c.name)))
      : CliOutput.defaultPresenter.present(event)
})

/** The command on the command line (the first word that names one), for an error that points at its help. */
const commandNamed = (): string => {
  const names: ReadonlyArray<string> = commands.map((c) => c.name)
  return process.argv.slice(2).find((a) => names.includes(a)) ?? ""
}

/** Exit codes (DESIGN §6): 0 success, 1 failure, 2 bad input. The program itself never fails. */
const program = Command.run(devosim, { version: ENGINE_VERSION }).pipe(
  Effect.as(0),
  Effect.catch((e) =>
    e instanceof UserFacingError
      ? e.message === ""
        ? Effect.succeed(e.exitCode)
        : Console.error(`devosim: ${escapeLines(e.message)}${e.seeHelp === true ? `; see devosim ${commandNamed()} --help` : ""}`).pipe(Effect.as(e.exitCode))
      : // Parse errors of the command line were already presented by effect/cli.
        Effect.succeed(2)
  ),
  Effect.catchDefect((d) => Console.error(`devosim: internal error: ${d instanceof Error ? d.stack : String(d)}`).pipe(Effect.as(1))),
  Effect.provide(presenter),
  Effect.provide(NodeServices.layer)
)

recordSignals()
NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    // SIGINT / SIGTERM: runMain interrupted the program; any write in progress has cleaned up (interrupt.ts).
    if (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)) {
      process.stderr.write(`devosim: ${interruptMessage()}\n`)
      return onExit(interruptExitCode())
    }
    onExit(Exit.isSuccess(exit) ? (exit.value as number) : 1)
  }
})
