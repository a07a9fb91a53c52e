/**
 * A worker thread of `replicateAll` (replicate.ts); what it does is `serveReplications`
 * (replication.ts). It turns on Node's compile cache first (a thread does not share the main
 * thread's), so that a thread loads the engine from the cache after the first time.
 */
import { enableCompileCache, flushCompileCache } from "node:module"

enableCompileCache?.()
const { serveReplications } = await import("./replication.ts")
flushCompileCache?.()
serveReplications()
