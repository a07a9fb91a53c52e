import { parentPort } from "node:worker_threads"
const t0 = performance.now()
await import("@devosim/engine/shard")
parentPort!.postMessage(Math.round(performance.now() - t0))
