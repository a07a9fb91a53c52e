#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively; the workspace pins Node 24 (README, "Node").
// The compile cache (in the OS temp dir) saves most of the start-up on later runs. The bundle in
// ../dist starts in half the time of the sources; entry.js says which one runs (README, "How the
// CLI is built and run").
import { enableCompileCache } from "node:module"
import { pathToFileURL } from "node:url"
import { cliEntry } from "./entry.js"

enableCompileCache?.()
await import(pathToFileURL(cliEntry()).href)
