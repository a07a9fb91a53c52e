/**
 * Sweeps on BullMQ workers over Redis (issue 16). `devosim sweep FILE --queue URL` plans the sweep,
 * adds one job per block of rows (id: the spec's hash and the rows, so adding again is a no-op and
 * a restarted coordinator finds the jobs done before), runs the tornado's and switching values'
 * runs itself, waits for every job, and writes exactly what the local sweep writes (writeSweep).
 * `devosim worker --queue URL FILE…` runs the jobs of the files it was given, each on a thread of
 * its own, so the main thread's event loop is free to renew the jobs' locks.
 *
 * BullMQ does the queue's hard parts (atomic moves in Lua, locks renewed while a job runs, stalled
 * jobs of a killed worker moved back after their lock expires, retries, idempotent ids). Every wait
 * is bounded: a connection gives up after a few reconnects, and then the command stops with one line
 * naming the URL (never its password), exit 1.
 */
import { ENGINE_VERSION, forTerminal } from "@devosim/core"
import { siblingModule } from "@devosim/core/sibling"
import { type Job, QueueEvents, Queue, UnrecoverableError, Worker as QueueWorker } from "bullmq"
import { Effect } from "effect"
import { Redis } from "ioredis"
import { hostname } from "node:os"
import * as path from "node:path"
import { Worker } from "node:worker_threads"
import { count, loadOrBadInput } from "./commands.ts"
import { badFlag, failure, UserFacingError } from "./errors.ts"
import { abortable } from "./interrupt.ts"
import { progress } from "./progress.ts"
import { blocksOf, JOB_NAME, jobDataOf, jobIdOf, joinBlocks, parseRedisUrl, QUEUE_NAME, readJobData, readRowsResult, type DecodedRows, type RedisTarget, type RowsJobData, type RowsResult } from "./queue-protocol.ts"
import { RowThreads } from "./row-threads.ts"
import { say, sayJson } from "./say.ts"
import { assembleSweep, checkSweepFlags, planSweep, runExtras, type RowOutcomes, specSha256, type SweepArgs, type SweepSpec, sweepDesign, sweepLines, writeSweep } from "./sweep.ts"

/** Rows per job unless --block says: the queue costs about 20 ms a job (bench/sweep-queue.ts), 16 rows of the examples ≈ 80 ms. */
export const DEFAULT_BLOCK = 16
/** A connection lost is tried again this many times, this far apart, before the command gives up. */
const COORDINATOR_RECONNECTS = 5
const WORKER_RECONNECTS = 10
const RECONNECT_MS = 500
const CONNECT_TIMEOUT_MS = 5000
/** Our connection PINGs this often; unanswered for as long as the reconnects may take, Redis is lost. */
const HEARTBEAT_MS = 1000
const patienceMs = (reconnects: number) => reconnects * RECONNECT_MS + CONNECT_TIMEOUT_MS
/** How often the coordinator asks for the state of the jobs not yet done (besides the queue's events), so a missed event or a vanished job is noticed. */
const RECONCILE_MS = 2000
/** Tries per job for a failure that may pass (a worker thread that died); a deterministic one fails at once. */
const ATTEMPTS = 3
/** A job whose worker died this many times is failed (BullMQ's maxStalledCount). */
const MAX_STALLED = 3
/** Jobs added, or asked about, per round trip. */
const CHUNK = 500

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** ioredis options for a target: bounded reconnects, a connect timeout; commands wait only while a reconnect may still succeed. */
const redisOptions = (t: RedisTarget, reconnects: number) => ({
  host: t.host,
  port: t.port,
  db: t.db,
  ...(t.username === undefined ? {} : { username: t.username }),
  ...(t.password === undefined ? {} : { password: t.password }),
  ...(t.tls ? { tls: { servername: t.host } } : {}),
  connectTimeout: CONNECT_TIMEOUT_MS,
  // null: a command waits for the reconnect (BullMQ's blocking connections require it); the
  // retry strategy bounds that wait, and a connection that gives up rejects what waits.
  maxRetriesPerRequest: null,
  retryStrategy: (times: number) => (times > reconnects ? null : RECONNECT_MS)
})

/** Why a connection failed, for people: refused credentials, or not reached. */
const connectionProblem = (t: RedisTarget, e: unknown): string => {
  const m = forTerminal(messageOf(e))
  return /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(m) ? `redis at ${t.shown} refused the credentials: ${m}` : `cannot reach redis at ${t.shown}: ${m}`
}

/**
 * A connection of our own, open and answering (PING), or why not; `lost` rejects once it gives up
 * reconnecting (the other connections BullMQ opens have the same bounded strategy).
 */
const openRedis = async (t: RedisTarget, reconnects: number): Promise<{ readonly client: Redis; readonly lost: Promise<never> }> => {
  const client = new Redis({ ...redisOptions(t, reconnects), lazyConnect: true })
  let last: unknown
  client.on("error", (e: unknown) => (last = e))
  try {
    await client.connect()
    await client.ping()
  } catch (e) {
    client.disconnect()
    throw new Error(connectionProblem(t, last ?? e))
  }
  const lost = new Promise<never>((_, reject) => {
    const gone = (why: unknown) => {
      clearInterval(heartbeat)
      reject(new Error(`lost the connection to redis at ${t.shown}: ${forTerminal(messageOf(why))}`))
    }
    client.once("end", () => gone(last ?? "closed"))
    // Besides ioredis giving up: a server that stops answering (a PING unanswered for as long as the reconnects may take).
    const heartbeat = setInterval(() => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const silent = new Promise<never>((_, no) => (timer = setTimeout(() => no(last ?? new Error(`no answer for ${patienceMs(reconnects) / 1000} s`)), patienceMs(reconnects))))
      Promise.race([client.ping(), silent]).then(
        () => clearTimeout(timer),
        (e: unknown) => (clearTimeout(timer), client.status === "end" || closing.has(client) ? undefined : gone(e))
      )
    }, HEARTBEAT_MS)
    heartbeat.unref()
    client.once("end", () => clearInterval(heartbeat))
  })
  lost.catch(() => undefined)
  return { client, lost }
}

/** BullMQ's closes, waited for no longer than a lost connection may take to give up. */
const boundedClose = async (closes: ReadonlyArray<Promise<unknown>>): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([Promise.allSettled(closes), new Promise<void>((done) => (timer = setTimeout(done, patienceMs(COORDINATOR_RECONNECTS))))])
  clearTimeout(timer)
}

/** `p`, or a rejection once `signal` aborts (SIGINT/SIGTERM: the jobs stay in Redis for the next start). */
const unlessAborted = <A>(p: Promise<A>, signal: AbortSignal): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) return onAbort()
    signal.addEventListener("abort", onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort))
  })

/** Clients being closed on purpose: their heartbeat failing is no loss. */
const closing = new WeakSet<Redis>()

/** Runs `f` on each of `xs`, `CHUNK` at a time. */
const inChunks = async <T>(xs: ReadonlyArray<T>, f: (x: T) => Promise<unknown>): Promise<void> => {
  for (let i = 0; i < xs.length; i += CHUNK) await Promise.all(xs.slice(i, i + CHUNK).map(f))
}

/** The coordinator's view of a sweep's jobs: added, watched, their results gathered. */
interface QueuedSweep {
  readonly jobs: number
  /** Jobs found done when the sweep was (re)started, and failed ones of an earlier start tried again. */
  readonly doneBefore: number
  readonly retried: number
  /** Workers connected to the queue when the jobs were added (-1: the server would not say). */
  readonly workers: number
  /** Calls `onRows(n)` for the rows done so far, then as more are done. */
  readonly watch: (onRows: (n: number) => void) => void
  /** The rows once every job is done; rejects with the first failed job or a lost connection. */
  readonly rows: Promise<RowOutcomes>
  /** Removes the sweep's jobs (its outputs are written). */
  readonly remove: () => Promise<void>
  readonly close: () => Promise<void>
}

const enqueue = async (t: RedisTarget, spec: SweepSpec, block: number): Promise<QueuedSweep> => {
  const { client, lost } = await openRedis(t, COORDINATOR_RECONNECTS)
  const sha = specSha256(spec)
  const T = sweepDesign(spec).rows
  const blocks = blocksOf(T, block).map(([from, to]) => ({ id: jobIdOf(sha, from, to), from, to }))
  const byId = new Map(blocks.map((b) => [b.id, b]))
  const queue = new Queue(QUEUE_NAME, { connection: client })
  // Run once its connections are up (see the worker's: BullMQ's loop on a failed set-up spins).
  const events = new QueueEvents(QUEUE_NAME, { connection: redisOptions(t, COORDINATOR_RECONNECTS), autorun: false })
  // BullMQ re-emits connection errors; the bounded reconnects decide (lost), so they are only noted.
  queue.on("error", () => undefined)
  events.on("error", () => undefined)
  const close = async () => {
    closing.add(client)
    await boundedClose([events.close(), queue.close()])
    client.disconnect()
  }
  try {
    await Promise.race([events.waitUntilReady().catch((e: unknown) => Promise.reject(new Error(connectionProblem(t, e)))), lost])
    events.run().catch(() => undefined)
    const results = new Map<number, DecodedRows>()
    const pending = new Set(blocks.map((b) => b.id))
    let rowsDone = 0
    let onRows: (n: number) => void = () => undefined
    let fail: (e: Error) => void = () => undefined
    let finish: () => void = () => undefined
    const rows = new Promise<RowOutcomes>((resolve, reject) => {
      fail = reject
      finish = () => resolve(joinBlocks(T, blocks.map((b) => ({ from: b.from, result: results.get(b.from)! }))))
    })
    rows.catch(() => undefined)
    let settledAll = false
    const done = (id: string, value: unknown) => {
      const b = byId.get(id)!
      const result = readRowsResult(value, b.to - b.from)
      if (typeof result === "string") return fail(new Error(`job ${id} (rows ${b.from}..${b.to - 1}) returned what no worker of devosim ${ENGINE_VERSION} returns: ${result}`))
      if (!pending.delete(id)) return
      results.set(b.from, result)
      rowsDone += b.to - b.from
      onRows(b.to - b.from)
      if (pending.size === 0) (settledAll = true, finish())
    }
    /** The job's state now: done (its result kept), failed (the sweep fails, or in the first look, tried again), or still to do. */
    const look = async (id: string, first: boolean): Promise<"done" | "retried" | "pending"> => {
      const missing = () => new Error(`job ${id} is no longer in the queue at ${t.shown} (redis restarted without its data, or the job was removed): run the sweep again`)
      // The state first, then the job: a job read before it completes has no result yet.
      const state = await queue.getJobState(id)
      if (state === "unknown") {
        if (first) return "pending"
        throw missing()
      }
      if (state !== "completed" && state !== "failed") return "pending"
      const job: Job | undefined = await queue.getJob(id)
      if (job === undefined) throw missing()
      if (state === "completed") return (done(id, job.returnvalue), "done")
      if (first) return (await job.retry("failed"), "retried")
      const b = byId.get(id)!
      throw new Error(`job ${id} (rows ${b.from}..${b.to - 1}) failed: ${forTerminal(job.failedReason ?? "no reason given")}`)
    }
    // What an earlier start of the same sweep left: jobs done are kept, failed ones tried again.
    let doneBefore = 0
    let retried = 0
    await Promise.race([
      inChunks(blocks, async (b) => {
        const state = await look(b.id, true)
        if (state === "done") doneBefore++
        if (state === "retried") retried++
      }),
      lost
    ])
    const toAdd = blocks.filter((b) => pending.has(b.id))
    for (let i = 0; i < toAdd.length; i += CHUNK) {
      await Promise.race([
        queue.addBulk(
          toAdd.slice(i, i + CHUNK).map((b) => ({
            name: JOB_NAME,
            data: jobDataOf(spec, sha, b.from, b.to),
            opts: { jobId: b.id, attempts: ATTEMPTS, backoff: { type: "fixed", delay: 1000 }, removeOnComplete: false, removeOnFail: false }
          }))
        ),
        lost
      ])
    }
    const workers = await Promise.race([queue.getWorkersCount().catch(() => -1), lost])
    const checking = new Set<string>()
    const check = (id: string) => {
      if (settledAll || !pending.has(id) || checking.has(id)) return
      checking.add(id)
      look(id, false).then(
        () => checking.delete(id),
        (e: unknown) => fail(e instanceof Error ? e : new Error(String(e)))
      )
    }
    events.on("completed", ({ jobId }) => check(jobId))
    events.on("failed", ({ jobId }) => check(jobId))
    const reconcile = setInterval(() => {
      for (const id of [...pending].slice(0, CHUNK)) check(id)
    }, RECONCILE_MS)
    lost.catch((e: unknown) => fail(e as Error))
    void rows.finally(() => clearInterval(reconcile)).catch(() => undefined)
    if (pending.size === 0) (settledAll = true, finish())
    return {
      jobs: blocks.length,
      doneBefore,
      retried,
      workers,
      watch: (f) => {
        onRows = f
        if (rowsDone > 0) f(rowsDone)
      },
      rows,
      remove: () => Promise.race([inChunks(blocks, (b) => queue.remove(b.id)), lost]),
      close: async () => {
        clearInterval(reconcile)
        await close()
      }
    }
  } catch (e) {
    await close()
    throw e
  }
}

export interface QueueSweepArgs extends SweepArgs {
  readonly queue: string
  readonly block?: number | undefined
}

/** `devosim sweep FILE --queue URL [--block ROWS]`: the sweep's rows on the queue's workers, its extras here, its directory as the local sweep writes it. */
export const queueSweepCommand = Effect.fn("queueSweepCommand")(function* (args: QueueSweepArgs) {
  yield* checkSweepFlags(args)
  const parsed = parseRedisUrl(args.queue)
  if (!parsed.ok) return yield* badFlag(parsed.message)
  const target = parsed.target
  if (args.shard !== undefined) return yield* badFlag("--shard: a queued sweep is cut into jobs already (--block); use one or the other")
  if (args.keepRuns === true) return yield* badFlag("--keep-runs: a queued sweep keeps no runs (its workers return rows); sweep without --queue to keep them")
  const block = args.block ?? DEFAULT_BLOCK
  if (!(Number.isInteger(block) && block >= 1 && block <= 100_000)) return yield* badFlag(`--block: expected a whole number of rows from 1 to 100000, found ${block}`)
  const { plan, spec } = yield* planSweep(args)
  const T = sweepDesign(spec).rows
  const out = args.out ?? path.join("runs", `${path.basename(spec.file).replace(/\.(ya?ml|json)$/i, "")}-sweep`)
  const options = { quiet: args.quiet, workers: args.workers }
  const asFailure = (e: unknown) => (e instanceof UserFacingError ? e : failure(forTerminal(messageOf(e))))

  return yield* Effect.acquireUseRelease(
    abortable(() => enqueue(target, spec, block), asFailure),
    (queued) =>
      Effect.gen(function* () {
        if (!args.quiet) {
          const already = queued.doneBefore > 0 ? `, ${count(queued.doneBefore, "job")} done already` : ""
          const again = queued.retried > 0 ? `, ${count(queued.retried, "failed job")} of an earlier start tried again` : ""
          const idle = queued.workers === 0 ? `; no worker is connected yet: start devosim worker --queue ${target.shown} ${forTerminal(spec.file)} where the file is` : ""
          process.stderr.write(`devosim: queue ${QUEUE_NAME} at ${target.shown}: ${count(queued.jobs, "job")} of up to ${count(block, "row")} (${count(T, "row")})${already}${again}${idle}\n`)
        }
        // The extras run here while the workers run the rows; a failed job stops them.
        const failed = Effect.tryPromise({ try: () => queued.rows.then(() => new Promise<never>(() => undefined)), catch: asFailure })
        const extras = yield* Effect.raceFirst(runExtras(plan, options), failed)
        const bar = progress(`queue: ${count(queued.jobs, "job")} of ${count(T, "row")}`, T, args.quiet)
        queued.watch((n) => {
          for (let i = 0; i < n; i++) bar.tick()
        })
        const rows = yield* abortable((signal) => unlessAborted(queued.rows, signal), asFailure).pipe(Effect.ensuring(Effect.sync(bar.done)))
        const assembled = assembleSweep(spec, rows, extras)
        if (assembled instanceof UserFacingError) return yield* assembled
        const written = yield* writeSweep(out, spec, assembled, { force: args.force, parquet: args.parquet === true, quiet: args.quiet })
        // Written: the jobs have served (a sweep run again is queued afresh).
        yield* abortable(() => queued.remove(), asFailure)
        if (args.json) return yield* sayJson({ command: "sweep", engine_version: ENGINE_VERSION, out, files: written, queue: { url: target.shown, jobs: queued.jobs, block, done_before: queued.doneBefore }, sweep: assembled.report })
        return yield* say(sweepLines(assembled.report, out, written, false))
      }),
    (queued) => Effect.promise(() => queued.close())
  )
})

export interface WorkerArgs {
  readonly queue: string
  readonly files: ReadonlyArray<string>
  readonly concurrency: number
  readonly lockMs?: number | undefined
  readonly quiet: boolean
}

/** BullMQ's default lock (30 s): a killed worker's job is run again once it has expired. */
export const DEFAULT_LOCK_MS = 30_000

/**
 * `devosim worker --queue URL [--concurrency N] [--lock-ms MS] FILE…`: runs the jobs of sweeps of
 * these files (known by their sha256) until SIGINT/SIGTERM, which lets the jobs in hand finish.
 * A job of another file, or another devosim, is refused for good, naming what it asked for.
 */
export const workerCommand = Effect.fn("workerCommand")(function* (args: WorkerArgs) {
  const parsed = parseRedisUrl(args.queue)
  if (!parsed.ok) return yield* badFlag(parsed.message)
  const target = parsed.target
  if (!(Number.isInteger(args.concurrency) && args.concurrency >= 1 && args.concurrency <= 256)) return yield* badFlag(`--concurrency: expected a whole number of jobs at a time from 1 to 256, found ${args.concurrency}`)
  const lockMs = args.lockMs ?? DEFAULT_LOCK_MS
  if (!(Number.isInteger(lockMs) && lockMs >= 500 && lockMs <= 3_600_000)) return yield* badFlag(`--lock-ms: expected a whole number of milliseconds from 500 to 3600000, found ${lockMs}`)
  if (args.files.length === 0) return yield* badFlag("worker: expected the scenario files whose sweeps it runs (devosim worker --queue URL FILE…), found none")
  const files = new Map<string, string>()
  for (const file of args.files) {
    const loaded = yield* loadOrBadInput(file)
    if (!files.has(loaded.inputSha256)) files.set(loaded.inputSha256, file)
  }
  const log = (line: string) => {
    if (!args.quiet) process.stderr.write(`devosim worker: ${line}\n`)
  }
  const who = `${hostname()}:${process.pid}`
  return yield* abortable(
    async (signal) => {
      const { client, lost } = await openRedis(target, WORKER_RECONNECTS)
      const processors = new RowThreads(args.concurrency)
      /** A job refused for good, said in the worker's log too. */
      const refuse = (job: Job, why: string) => {
        log(`job ${forTerminal(String(job.id))}: refused: ${why}`)
        return new UnrecoverableError(`worker ${who} ${why}`)
      }
      const processor = async (job: Job) => {
        const data = readJobData(job.data)
        if (typeof data === "string") throw refuse(job, `refused the job's data: ${data}`)
        if (data.engine_version !== ENGINE_VERSION) throw refuse(job, `runs devosim ${ENGINE_VERSION}, the job is of devosim ${forTerminal(data.engine_version)}`)
        const sha = data.spec.input_sha256
        const file = files.get(sha)
        if (file === undefined) throw refuse(job, `has no scenario file with sha256 ${forTerminal(sha)} (it was given ${[...files.keys()].map((s) => s.slice(0, 12) + "…").join(", ")})`)
        const t0 = performance.now()
        const r = await processors.run(file, data)
        if (!r.ok) {
          log(`job ${job.id}: ${r.message}`)
          throw r.final ? new UnrecoverableError(`worker ${who}: ${r.message}`) : new Error(`worker ${who}: ${r.message}`)
        }
        log(`job ${job.id}: rows ${data.from}..${data.to - 1} in ${((performance.now() - t0) / 1000).toFixed(2)} s`)
        return r.result
      }
      const worker = new QueueWorker(QUEUE_NAME, processor, {
        connection: redisOptions(target, WORKER_RECONNECTS),
        concurrency: args.concurrency,
        lockDuration: lockMs,
        stalledInterval: lockMs,
        maxStalledCount: MAX_STALLED,
        // Run once its connections are up: BullMQ's loop, started on connections whose set-up failed
        // (Redis gone meanwhile), retries at once for ever without yielding to timers or I/O.
        autorun: false
      })
      let lastError = ""
      worker.on("error", (e) => {
        const m = messageOf(e)
        if (m !== lastError) log(`redis: ${forTerminal(m)}`)
        lastError = m
      })
      try {
        await Promise.race([worker.waitUntilReady(), lost])
      } catch (e) {
        closing.add(client)
        await boundedClose([worker.close(true)])
        await processors.close()
        client.disconnect()
        throw e instanceof Error && e.message.startsWith("lost the connection") ? e : new Error(connectionProblem(target, e))
      }
      worker.run().catch((e: unknown) => log(`stopped: ${forTerminal(messageOf(e))}`))
      log(`on queue ${QUEUE_NAME} at ${target.shown}, ${count(args.concurrency, "job")} at a time, for ${[...files].map(([sha, f]) => `${forTerminal(f)} (${sha.slice(0, 12)}…)`).join(", ")}`)
      const stopped = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }))
      try {
        await Promise.race([stopped, lost])
        log("stopping: the jobs in hand finish first")
      } finally {
        closing.add(client)
        // Lost, there is no one to tell the jobs in hand are done: closed at once (their locks expire, and they run again).
        if (signal.aborted) await worker.close()
        else await boundedClose([worker.close(true)])
        await processors.close()
        client.disconnect()
      }
    },
    (e) => (e instanceof UserFacingError ? e : failure(forTerminal(messageOf(e))))
  )
})

