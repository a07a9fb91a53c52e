#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively; the workspace pins Node 24 (README, "Node").
// The compile cache (in the OS temp dir) saves most of the start-up on later runs. The bundle in
// ../dist starts in half the time of the sources; entry.js says which one runs (README, "How the
// CLI is built and run").
import { enableCompileCache } from "node:module"
import { pathToFileURL } from "node:url"
import { setFlagsFromString } from "node:v8"
import { cliEntry } from "./entry.js"

// Baseline (Sparkplug) code compiled on the main thread, not a V8 worker: at exit Node joins its
// worker threads, and one compiling there while it waits for a garbage collection that only the
// exiting main thread could run never returns, so the process hangs for ever, deaf to SIGTERM
// (seen in the tests, a refused 60 MB input under a 512 MiB heap; nodejs/node#54918, #64560).
// Sparkplug compiles are small and quick; the optimising compilers stay concurrent.
setFlagsFromString("--no-concurrent-sparkplug")
enableCompileCache?.()
if (process.argv.length === 3 && process.argv[2] === "--version") {
  // The version alone needs none of the CLI: answered before it (and its argument parser) loads,
  // in the words the CLI's own --version uses (test/bundle.test.ts compares the two).
  const { ENGINE_VERSION } = await import("@devosim/core/version")
  process.stdout.write(`devosim v${ENGINE_VERSION}\n`)
} else {
  await import(pathToFileURL(cliEntry()).href)
}
