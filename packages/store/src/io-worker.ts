/**
 * The I/O thread of a `ThreadedFileSink`: writes the bytes it is sent to one file descriptor, keeps
 * their running sha256, seals an Arrow file's self-checksum into its tail and fsyncs. Only
 * Node's built-ins, so it starts in milliseconds.
 */
import { createHash } from "node:crypto"
import { fsyncSync, writeSync } from "node:fs"
import { parentPort, workerData } from "node:worker_threads"

export type IoRequest =
  | { readonly op: "write"; readonly bytes: Uint8Array }
  | { readonly op: "seal"; readonly tail: Uint8Array; readonly markers: ReadonlyArray<number> }
  | { readonly op: "close"; readonly sync: boolean }
  | { readonly op: "discard" }

export type IoReply =
  | { readonly op: "written"; readonly bytes: number }
  | { readonly op: "closed"; readonly sha256: string; readonly bytes: number }
  | { readonly op: "failed"; readonly message: string }

const fd = (workerData as { readonly fd: number }).fd
const port = parentPort!
const hash = createHash("sha256")
let position = 0
let failed = false

const writeAll = (bytes: Uint8Array) => {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done)
  position += bytes.length
}

port.on("message", (m: IoRequest) => {
  if (failed) return
  try {
    switch (m.op) {
      case "write":
        hash.update(m.bytes)
        writeAll(m.bytes)
        port.postMessage({ op: "written", bytes: m.bytes.length } satisfies IoReply)
        break
      case "seal": {
        // The self-checksum: sha256 of the whole file with its markers' hex as zeros (they are, in
        // the tail as sent), then filled in.
        const hex = Buffer.from(hash.copy().update(m.tail).digest("hex"), "latin1")
        const tail = Buffer.from(m.tail.buffer, m.tail.byteOffset, m.tail.byteLength)
        for (const at of m.markers) hex.copy(tail, at)
        hash.update(tail)
        writeAll(tail)
        port.postMessage({ op: "written", bytes: tail.length } satisfies IoReply)
        break
      }
      case "close":
        // The descriptor is closed by the thread that opened it.
        if (m.sync) fsyncSync(fd)
        port.postMessage({ op: "closed", sha256: hash.digest("hex"), bytes: position } satisfies IoReply)
        break
      case "discard":
        port.postMessage({ op: "closed", sha256: "", bytes: position } satisfies IoReply)
        break
    }
  } catch (e) {
    failed = true
    port.postMessage({ op: "failed", message: e instanceof Error ? e.message : String(e) } satisfies IoReply)
  }
})
