/**
 * "The module NAME next to this one", for `new Worker(…)`: from source, beside `here` is
 * `NAME.ts`; in the bundled CLI (packages/cli/dist, every entry and chunk in one directory) it is
 * `NAME.js`. The extension is the one of the calling module, so the same call works both ways.
 * Pass `import.meta.url`.
 */
export const siblingModule = (here: string, name: string): URL => {
  const url = new URL(here)
  const ext = /\.[cm]?[jt]s$/.exec(url.pathname)?.[0] ?? ".js"
  return new URL(`./${name}${ext}`, url)
}
