#!/usr/bin/env node
// Node >= 22.18 strips TypeScript types natively; the workspace pins Node 24 (README, "Node").
// The compile cache (in the OS temp dir) saves most of the start-up on later runs.
import { enableCompileCache } from "node:module"

enableCompileCache?.()
await import("../src/main.ts")
