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
  return () => rmSync(root, { recursive: true, force: true })
}
