/**
 * The test run's own temporary directory: every test's files (tempDir, mkdtemp, the CLI's children)
 * go under it, through TMPDIR, and the whole of it is removed when the run ends, so no run leaves
 * its gigabytes behind (the kill test alone made 500 MB a run).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"

export default function setup(): () => void {
  const root = mkdtempSync(path.join(tmpdir(), "devosim-tests-"))
  process.env["TMPDIR"] = root
  return () => {
    try {
      rmSync(root, { recursive: true, force: true })
    } catch (e) {
      // Still in use (a test's tmpfs left mounted by a crash): say where, do not fail the run.
      process.stderr.write(`test/global-tmp.ts: could not remove ${root}: ${String(e)}\n`)
    }
  }
}
