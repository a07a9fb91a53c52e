import { Worker } from "node:worker_threads"
const t0 = performance.now()
const w = new Worker(new URL("./w1.ts", import.meta.url))
w.on("message", (m) => { console.log("worker ready after", Math.round(performance.now() - t0), "ms; import took", m); w.terminate() })
