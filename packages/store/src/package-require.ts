/**
 * `require` relative to this package's own directory (its package.json, found by name), not to
 * `import.meta.url`: in the bundled CLI this code runs from a chunk in packages/cli/dist, where
 * the store's dependencies (parquet-wasm, which loads its .wasm from beside itself) are not
 * resolvable. From source it is the same directory either way.
 */
import { createRequire } from "node:module"

let required: NodeJS.Require | undefined
export const packageRequire = (): NodeJS.Require =>
  (required ??= createRequire(createRequire(import.meta.url).resolve("@devosim/store/package.json")))
