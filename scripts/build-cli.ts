// Bundles the command line into packages/cli/dist/ (gitignored) with esbuild, so `devosim` starts
// from a handful of JavaScript files instead of linking ~300 TypeScript and effect modules
// (README, "How the CLI is built and run"). Run by `pnpm install` (postinstall) and `pnpm test`.
//
//   node scripts/build-cli.ts [--analyze]     (--analyze: what each output file holds, by input)
//
// Entry points: packages/cli/src/main.ts and every worker thread's module, found in the sources as
// `siblingModule(import.meta.url, "NAME")` (@devosim/core/sibling), the one way a `new Worker` is
// created: NAME.ts beside the caller becomes dist/NAME.js beside every chunk. Code splitting keeps
// each command's implementation in chunks of its own, loaded when the command runs.
//
// The bundle is written to a temporary sibling and renamed into place, and dist/main.js gets the
// build's start time as its mtime: packages/cli/bin/entry.js runs the bundle only while no file
// under packages/*/src is newer, so a source edited during or after the build is never shadowed.
import * as esbuild from "esbuild"
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync } from "node:fs"
import * as path from "node:path"

const ROOT = path.resolve(import.meta.dirname, "..")
const PACKAGES = path.join(ROOT, "packages")
const DIST = path.join(PACKAGES, "cli", "dist")
const started = new Date()

/** Every TypeScript file under packages/<pkg>/src. */
const sources = (): Array<string> =>
  readdirSync(PACKAGES).flatMap((pkg) => {
    const src = path.join(PACKAGES, pkg, "src")
    if (!existsSync(src)) return []
    return readdirSync(src, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => path.join(src, f))
  })

/** The worker modules: `siblingModule(import.meta.url, "NAME")` in a source names NAME.ts beside it. */
const workerEntries = (): Record<string, string> => {
  const entries: Record<string, string> = {}
  for (const file of sources()) {
    const text = readFileSync(file, "utf8")
    const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
    for (const line of code) {
      for (const m of line.matchAll(/new Worker\((?!siblingModule\(import\.meta\.url, "[\w-]+"\))/g)) {
        throw new Error(`${path.relative(ROOT, file)}: ${line.slice(m.index).trim()}: use new Worker(siblingModule(import.meta.url, "NAME"), …) so the bundle has the worker`)
      }
    }
    for (const m of text.matchAll(/siblingModule\(import\.meta\.url, "([\w-]+)"\)/g)) {
      const name = m[1]!
      const entry = path.join(path.dirname(file), `${name}.ts`)
      if (!existsSync(entry)) throw new Error(`${path.relative(ROOT, file)}: no ${name}.ts beside it`)
      if (entries[name] !== undefined && entries[name] !== entry) throw new Error(`two worker modules named ${name}: ${entries[name]} and ${entry}`)
      entries[name] = entry
    }
  }
  return entries
}

/**
 * What a barrel re-exports: `export * as X from "./X.js"` (a namespace) and `export { a, b as c }
 * from "./F.js"` (names), each with the file it comes from.
 */
const barrelExports = (file: string): Map<string, { readonly file: string; readonly name: string | null }> => {
  const text = readFileSync(file, "utf8")
  const exports = new Map<string, { readonly file: string; readonly name: string | null }>()
  const from = (spec: string) => path.resolve(path.dirname(file), spec)
  for (const m of text.matchAll(/^export \* as (\w+) from "(\.[^"]+)";?$/gm)) exports.set(m[1]!, { file: from(m[2]!), name: null })
  for (const m of text.matchAll(/^export \{([^}]*)\} from "(\.[^"]+)";?$/gm)) {
    for (const spec of m[1]!.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
      const [name, as] = spec.split(/\s+as\s+/)
      exports.set(as ?? name!, { file: from(m[2]!), name: name! })
    }
  }
  return exports
}

/**
 * `import { Effect, Schema } from "effect"` (and from "effect/cli") in our sources, read as
 * `import * as Effect from ".../effect/dist/Effect.js"`: the same module objects, but esbuild can
 * then keep only the functions used. Through the barrel each namespace is an object holding every
 * export of its module, so all of Effect, Schema (with its crypto, network and HTTP schemas) and
 * the rest were kept and loaded: 2.5 MB of bundle, 1.2 MB of it before `--version` could answer.
 * Rewritten, 1.9 MB and 0.66 MB. Specifiers the barrel does not re-export stay as they were.
 */
const effectNamespaces: esbuild.Plugin = {
  name: "effect-namespaces",
  setup(build) {
    const barrels = new Map<string, ReturnType<typeof barrelExports>>()
    build.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, async (args) => {
      const text = readFileSync(args.path, "utf8")
      const imports = [...text.matchAll(/^import \{([^}]*)\} from "(effect|effect\/cli)";?$/gm)]
      if (imports.length === 0) return undefined
      let contents = text
      for (const m of imports) {
        const resolved = await build.resolve(m[2]!, { kind: "import-statement", resolveDir: path.dirname(args.path) })
        if (resolved.errors.length > 0) return undefined
        let barrel = barrels.get(resolved.path)
        if (barrel === undefined) barrels.set(resolved.path, (barrel = barrelExports(resolved.path)))
        const kept: Array<string> = []
        const rewritten: Array<string> = []
        for (const spec of m[1]!.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
          if (spec.startsWith("type ")) continue // erased
          const [name, as] = spec.split(/\s+as\s+/)
          const found = barrel.get(name!)
          if (found === undefined) kept.push(spec)
          else if (found.name === null) rewritten.push(`import * as ${as ?? name} from ${JSON.stringify(found.file)};`)
          else rewritten.push(`import { ${found.name} as ${as ?? name} } from ${JSON.stringify(found.file)};`)
        }
        if (kept.length > 0) rewritten.push(`import { ${kept.join(", ")} } from "${m[2]}";`)
        // On one line, so the rest of the file keeps its line numbers.
        contents = contents.replace(m[0], () => rewritten.join(" "))
      }
      return { contents, loader: "ts" }
    })
  }
}

const entryPoints = { main: path.join(PACKAGES, "cli", "src", "main.ts"), ...workerEntries() }
const tmp = `${DIST}.tmp-${process.pid}`
rmSync(tmp, { recursive: true, force: true })
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints,
  outdir: tmp,
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  // Loads its .wasm from beside itself; resolved from the store package's directory at run time
  // (packages/store/src/package-require.ts).
  external: ["parquet-wasm"],
  // CommonJS dependencies (yaml, seedrandom) call require() for Node's built-ins.
  banner: { js: `import { createRequire as __devosimCreateRequire } from "node:module"; const require = __devosimCreateRequire(import.meta.url);` },
  plugins: [effectNamespaces],
  metafile: true,
  logLevel: "warning"
})

// The bundle's entry gets the build's start time, so anything edited since is newer than it.
utimesSync(path.join(tmp, "main.js"), started, started)
// Swapped in with two renames (a process starting in between runs from source). Another build
// swapping at the same time can take DIST away (ENOENT) or put one back (ENOTEMPTY): try again.
const old = `${DIST}.old-${process.pid}`
for (let attempt = 0; ; attempt++) {
  try {
    if (existsSync(DIST)) renameSync(DIST, old)
    renameSync(tmp, DIST)
    break
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (attempt >= 20 || (code !== "ENOENT" && code !== "ENOTEMPTY" && code !== "EEXIST")) throw e
    rmSync(old, { recursive: true, force: true })
  }
}
rmSync(old, { recursive: true, force: true })

const outputs = Object.entries(result.metafile.outputs)
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0)
console.error(
  `build-cli: ${Object.keys(entryPoints).join(", ")} → ${path.relative(ROOT, DIST)}/ (${outputs.length} files, ${(bytes / 1e6).toFixed(1)} MB) in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s`
)
if (process.argv.includes("--analyze")) console.log((await esbuild.analyzeMetafile(result.metafile)).replaceAll(path.basename(tmp), path.basename(DIST)))
