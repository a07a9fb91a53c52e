#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively; the workspace pins Node 24 (README, "Node").
// The compile cache (in the OS temp dir) saves most of the start-up on later runs. The bundle in
// ../dist starts in half the time of the sources; entry.js says which one runs (README, "How the
// CLI is built and run").
import { enableCompileCache } from "node:module"
import { pathToFileURL } from "node:url"
import { cliEntry } from "./entry.js"

enableCompileCache?.()
if (process.argv.length === 3 && process.argv[2] === "--version") {
  // The version alone needs none of the CLI: answered before it (and its argument parser) loads,
  // in the words the CLI's own --version uses (test/bundle.test.ts compares the two).
  const { ENGINE_VERSION } = await import("@devosim/core/version")
  process.stdout.write(`devosim v${ENGINE_VERSION}\n`)
} else {
  await import(pathToFileURL(cliEntry()).href)
}
