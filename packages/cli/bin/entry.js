// Which code `devosim` runs: the bundle (packages/cli/dist/main.js, built by scripts/build-cli.ts)
// when it exists and nothing it was built from has changed since, else the TypeScript sources.
//
// "Changed since": any file or directory under packages/*/src, or a packages/*/package.json, with
// an mtime later than dist/main.js's (the build gives it its start time). An edit changes the
// file's mtime; adding, removing or renaming a file changes its directory's. About 100 stat calls:
// 1–2 ms. So an edited source is never shadowed by a stale bundle; `pnpm install` and `pnpm test`
// rebuild it. DEVOSIM_FROM_SOURCE=1 forces the sources.
import { readdirSync, statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const CLI = fileURLToPath(new URL("..", import.meta.url))
const PACKAGES = join(CLI, "..")
export const BUNDLE = join(CLI, "dist", "main.js")
export const SOURCE = join(CLI, "src", "main.ts")

const mtime = (p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs

/** Is anything in the tree at `dir` (the directory itself included) newer than `t`? */
const newerIn = (dir, t) => {
  const own = mtime(dir)
  if (own === undefined) return false
  if (own > t) return true
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    if (e.isDirectory() ? newerIn(p, t) : (mtime(p) ?? 0) > t) return true
  }
  return false
}

/** True when dist/main.js exists and no source under packages/<pkg>/src (or a package.json) is newer. */
export const bundleIsFresh = () => {
  const built = mtime(BUNDLE)
  if (built === undefined) return false
  for (const pkg of readdirSync(PACKAGES)) {
    if ((mtime(join(PACKAGES, pkg, "package.json")) ?? 0) > built) return false
    if (newerIn(join(PACKAGES, pkg, "src"), built)) return false
  }
  return true
}

/** The module to import: the bundle if fresh (and not DEVOSIM_FROM_SOURCE=1), else the sources. */
export const cliEntry = (env = process.env) => (env.DEVOSIM_FROM_SOURCE !== "1" && bundleIsFresh() ? BUNDLE : SOURCE)
