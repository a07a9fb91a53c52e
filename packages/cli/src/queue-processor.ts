/**
 * A worker thread of `devosim worker` (queue.ts): one job at a time, `{ file, job }` in, the
 * job's rows' result (or why not) out; it stays up for the next job. The runs are synchronous,
 * so they are here and not on the main thread, whose event loop renews the jobs' locks.
 */
import { enableCompileCache, flushCompileCache } from "node:module"
import { parentPort } from "node:worker_threads"

enableCompileCache?.()
const { runRowsJob } = await import("./queue-rows.ts")
flushCompileCache?.()
const port = parentPort!
const never = new AbortController().signal
port.on("message", (m: { readonly file: string; readonly job: import("./queue-protocol.ts").RowsJobData }) => {
  runRowsJob(m.file, m.job, never).then(
    (result) => port.postMessage({ ok: true, result }),
    (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) })
  )
})
port.postMessage({ ready: true })
