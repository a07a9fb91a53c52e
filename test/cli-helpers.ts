import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
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
  const r = spawnSync(BIN, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL" })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

export const tempDir = (prefix: string): string => mkdtempSync(path.join(tmpdir(), `devosim-${prefix}-`))

/**
 * devosim in a child process with test/peak-rss.ts preloaded: its exit status, output and peak
 * resident set size in bytes (written to a file in `dir` at the child's exit).
 */
export const measuredDevosim = (dir: string, args: ReadonlyArray<string>, timeout = 300_000): CliResult & { readonly peakRss: number } => {
  const rssFile = path.join(dir, `rss-${Math.random().toString(36).slice(2)}`)
  const node = path.join(ROOT, "node_modules", ".bin", "node")
  const bin = path.join(ROOT, "packages", "cli", "bin", "devosim.js")
  const r = spawnSync(node, ["--import", path.join(ROOT, "test", "peak-rss.ts"), bin, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout,
    killSignal: "SIGKILL",
    env: { ...process.env, DEVOSIM_PEAK_RSS_FILE: rssFile }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, peakRss: Number(readFileSync(rssFile, "utf8")) }
}

/** `devosim` with `input` on its stdin (for `-` in place of a scenario file). */
export const devosimWithInput = (input: string | Uint8Array, ...args: ReadonlyArray<string>): CliResult => {
  const r = spawnSync(BIN, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000, killSignal: "SIGKILL", input })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
