/**
 * A worker thread that posts one shard of localities (engine's LocalityShard): it receives the
 * centre's decisions once, then a window of slots at a time, and sends the postings back as
 * transferred typed arrays (no copy); the main thread hands each window's buffers back once it
 * has merged them, and the next window is posted into them.
 */
import { parentPort, workerData } from "node:worker_threads"
import { LocalityShard } from "@devosim/engine/shard"
import type { ControlEvent } from "@devosim/core"
import type { CentreDecisions, RecycledPostings } from "@devosim/engine"

interface ShardWorkerData {
  readonly decisions: Pick<CentreDecisions, "scenarios" | "slots"> & { readonly controls: ReadonlyArray<ControlEvent | undefined> }
  readonly firstLocality: number
  readonly endLocality: number
}

const data = workerData as ShardWorkerData
const shard = new LocalityShard(data.decisions, data.firstLocality, data.endLocality)
const port = parentPort!
port.on("message", (message: { readonly from: number; readonly to: number } | { readonly recycle: RecycledPostings }) => {
  // A window's buffers handed back by the main thread: the next window is posted into them (no reply).
  if ("recycle" in message) return shard.recycle(message.recycle)
  try {
    const r = shard.post(message.from, message.to)
    port.postMessage({ ok: true, postings: r }, [r.counts.buffer, r.from.buffer, r.to.buffer, r.amount.buffer, r.cause.buffer])
  } catch (e) {
    port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) })
  }
})
