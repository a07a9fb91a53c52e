/**
 * Snapshots in run directories: `devosim run FILE --snapshot-every MONTHS` writes
 * snapshots/s<seq>.json (core's snapshot format, the state after event <seq>), listed with their
 * sha256 in manifest.json; `devosim replay DIR --from LATEST|SEQ` starts from one of them.
 */
import { forTerminal } from "@devosim/core"
import { readUntrusted, sha256Hex, type Manifest } from "@devosim/store"
import { Effect } from "effect"
import * as path from "node:path"
import { badFlag, badInput, failure } from "./errors.ts"

const SNAPSHOT_NAME = /^snapshots\/s(\d+)\.json$/

export const checkSnapshotEvery = (months: number | undefined) =>
  months === undefined || (Number.isInteger(months) && months >= 1)
    ? Effect.void
    : Effect.fail(badFlag(`--snapshot-every: expected a whole number of months >= 1, found ${months}`))

/**
 * For `replay --from`: the snapshot listed in the manifest nearest at or before `from` (LATEST, or
 * an event seq), read and checked against its manifest hash; null when none is at or before it.
 */
export const chooseSnapshot = Effect.fn("chooseSnapshot")(function* (dir: string, manifest: Manifest, from: string) {
  const listed = Object.keys(manifest.files)
    .flatMap((name) => {
      const m = SNAPSHOT_NAME.exec(name)
      return m === null ? [] : [{ name, lastSeq: Number(m[1]) }]
    })
    .sort((a, b) => a.lastSeq - b.lastSeq)
  let at: number
  if (/^latest$/i.test(from)) {
    if (listed.length === 0) return yield* badInput(`${forTerminal(dir)}: has no snapshots to start from; write some with devosim run FILE --snapshot-every MONTHS`)
    at = Number.POSITIVE_INFINITY
  } else if (/^\d+$/.test(from)) {
    at = Number(from)
    if (at >= manifest.event_count) return yield* badFlag(`--from ${from}: the log has events 0..${manifest.event_count - 1}`)
  } else {
    return yield* badFlag(`--from: expected LATEST or an event seq, found ${JSON.stringify(from)}`)
  }
  const chosen = listed.filter((s) => s.lastSeq <= at).at(-1)
  if (chosen === undefined) return null
  const file = path.join(dir, chosen.name)
  const bytes = yield* Effect.try({ try: () => readUntrusted(path.resolve(dir), chosen.name), catch: (e) => failure(`${forTerminal(file)}: ${forTerminal(e instanceof Error ? e.message : String(e))}`) })
  // The manifest check of the whole directory ran before; check the very bytes we use.
  if (sha256Hex(bytes) !== manifest.files[chosen.name]?.sha256) return yield* failure(`${forTerminal(file)}: sha256 differs from the manifest's`)
  const snapshot = yield* Effect.try({
    try: () => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as unknown,
    catch: () => failure(`${forTerminal(file)}: not JSON`)
  })
  const lastSeq = typeof snapshot === "object" && snapshot !== null ? (snapshot as { lastSeq?: unknown }).lastSeq : undefined
  if (lastSeq !== chosen.lastSeq) return yield* failure(`${forTerminal(file)}: holds the state after event ${JSON.stringify(lastSeq ?? null)}, not ${chosen.lastSeq}`)
  return { name: chosen.name, snapshot }
})
