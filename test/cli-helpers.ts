import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"

export const ROOT = path.resolve(import.meta.dirname, "..")
const BIN = path.join(ROOT, "node_modules", ".bin", "devosim")

export interface CliResult {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the installed `devosim` bin as outside tools do (node_modules/.bin/devosim). */
export const devosim = (...args: ReadonlyArray<string>): CliResult => {
  const r = spawnSync(BIN, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export const tempDir = (prefix: string): string => mkdtempSync(path.join(tmpdir(), `devosim-${prefix}-`))
