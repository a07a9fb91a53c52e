/**
 * Swapping two directories atomically (Linux renameat2 with RENAME_EXCHANGE), so replacing a run
 * directory never leaves its name empty: two renames (old away, new in) would leave no run at the
 * name if the process were killed between them. Node has no binding for renameat2, and a native
 * addon would need a build toolchain on every machine; Python's ctypes reaches libc's renameat2
 * (glibc ≥ 2.28) in one short child process. Where neither exists (or the file system cannot
 * exchange), the caller falls back to two renames.
 */
import { spawnSync } from "node:child_process"

const SCRIPT = `
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
f = getattr(libc, "renameat2", None)
if f is None: sys.exit(3)
if f(-100, os.fsencode(sys.argv[1]), -100, os.fsencode(sys.argv[2]), 2) != 0:
    e = ctypes.get_errno()
    sys.stderr.write(os.strerror(e))
    sys.exit(3 if e in (errno.EINVAL, errno.ENOSYS, errno.EPERM) else 1)
`

export type ExchangeOutcome = { readonly ok: true } | { readonly ok: false; readonly unsupported: boolean; readonly message: string }

/** Exchanges the names of the directories `a` and `b` in one step. */
export const exchangeDirectories = (a: string, b: string): ExchangeOutcome => {
  if (process.platform !== "linux") return { ok: false, unsupported: true, message: "renameat2 is Linux-only" }
  const r = spawnSync("python3", ["-c", SCRIPT, a, b], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "ignore", "pipe"] })
  if (r.error !== undefined) return { ok: false, unsupported: true, message: r.error.message }
  if (r.status === 0) return { ok: true }
  return { ok: false, unsupported: r.status === 3, message: r.stderr.trim() || `exit ${r.status}` }
}
