import { siblingModule } from "@devosim/core/sibling"
import { Worker } from "node:worker_threads"
import type { RowsJobData, RowsResult } from "./queue-protocol.ts"

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Worker threads of queue-processor.ts, each running one block of a sweep's rows at a time
 * (queue-rows.ts: the plan rebuilt from the file, the rows compiled and run there): devosim
 * worker's job slots, and the local sweep's pool. One that dies is replaced for the next block.
 */
export class RowThreads {
  private readonly idle: Array<Worker> = []
  private readonly all = new Set<Worker>()
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.idle.push(this.spawn())
  }
  private spawn(): Worker {
    const w = new Worker(siblingModule(import.meta.url, "queue-processor"))
    this.all.add(w)
    w.on("exit", () => this.all.delete(w))
    // A thread that fails to load reports it to the job it is given (below).
    w.on("error", () => undefined)
    return w
  }
  /** The job's result, or its failure: `final` when it would fail again (anything the thread reports), not when the thread died. */
  run(file: string, job: RowsJobData): Promise<{ readonly ok: true; readonly result: RowsResult } | { readonly ok: false; readonly final: boolean; readonly message: string }> {
    const w = this.idle.pop() ?? this.spawn()
    return new Promise((resolve) => {
      const onMessage = (m: { ready: true } | { ok: true; result: RowsResult } | { ok: false; message: string }) => {
        if ("ready" in m) return
        off()
        this.idle.push(w)
        resolve(m.ok ? m : { ok: false, final: true, message: m.message })
      }
      const onExit = (code: number) => {
        off()
        resolve({ ok: false, final: false, message: `its worker thread exited (code ${code})` })
      }
      const onError = (e: unknown) => {
        off()
        void w.terminate()
        resolve({ ok: false, final: false, message: `its worker thread failed: ${messageOf(e)}` })
      }
      const off = () => {
        w.off("message", onMessage)
        w.off("exit", onExit)
        w.off("error", onError)
      }
      w.on("message", onMessage)
      w.on("exit", onExit)
      w.on("error", onError)
      w.postMessage({ file, job })
    })
  }
  close(): Promise<unknown> {
    return Promise.allSettled([...this.all].map((w) => w.terminate()))
  }
}

