/**
 * A worker thread for one long synchronous task (verify's hashing, decoding and replay), so the
 * main thread stays free to act on SIGINT/SIGTERM at once: it terminates this thread.
 */
import { parentPort, workerData } from "node:worker_threads"
import { verifyRunDirectory, type Verdict } from "@devosim/store"
import { checkDerivedFiles } from "./derived.ts"

const { task, dir } = workerData as { readonly task: "verify"; readonly dir: string }
const port = parentPort!
try {
  if (task !== "verify") throw new Error(`unknown task ${String(task)}`)
  const verdict: Verdict = verifyRunDirectory(dir)
  if (!verdict.ok) port.postMessage({ ok: true, value: verdict })
  else {
    const [first, ...rest] = checkDerivedFiles(dir, verdict.format)
    port.postMessage({ ok: true, value: first === undefined ? verdict : { ok: false, problems: [first, ...rest] } })
  }
} catch (e) {
  const tag = typeof e === "object" && e !== null && "_tag" in e ? String((e as { _tag: unknown })._tag) : "Error"
  port.postMessage({ ok: false, tag, message: e instanceof Error ? e.message : String(e) })
}
