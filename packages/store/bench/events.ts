/**
 * Encode/decode speed of events.arrow for a large synthetic log.
 *   node packages/store/bench/events.ts [postings=2000000]
 * Prints one JSON line of figures.
 */
import type { ControlEvent, RunStarted } from "@devosim/core"
import { accountCount } from "@devosim/core"
import { PostingBuffer } from "@devosim/core"
import { decodeEventLog, encodeEventLog, sha256Hex } from "../src/index.ts"

const N = Number(process.argv[2] ?? 2_000_000)
const L = 40
const A = 6
const run: RunStarted = {
  _tag: "RunStarted",
  seq: 0,
  t: 0,
  engineVersion: "bench",
  scenario: "bench",
  seed: 1,
  start: "2026-04",
  months: 120,
  capacity: 3,
  tranches: [{ id: "T1", opens: 0 }],
  agencies: Array.from({ length: A }, (_, a) => ({ id: `agency-${a}`, name: `Agency ${a}` })),
  localities: Array.from({ length: L }, (_, l) => ({ id: `locality-${l}`, name: `Locality ${l}`, population: 1e5, tranche: "T1" }))
}
const accounts = accountCount({ localityCount: L, agencyCount: A })
const controls: Array<ControlEvent> = [run]
const p = new PostingBuffer(N)
let seq = 1
let cause = 0
let x = 12345
for (let i = 0; i < N; i++) {
  if (i % 1000 === 0) {
    cause = seq
    controls.push({ _tag: "PeriodSpent", seq: seq++, t: i / 1000, period: i / 1000 })
  }
  x = (x * 1103515245 + 12345) % 2147483648
  p.push(seq++, cause === 0 ? 0 : controls.at(-1)!.t, 1 + (x % (accounts - 1)), x % 3 === 0 ? 0 : 1 + ((x >> 8) % (accounts - 1)), x * 1000, cause)
}
const log = { controls, postings: p.seal() }

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now()
  const r = f()
  return [r, performance.now() - t0]
}
const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const enc: Array<number> = []
const dec: Array<number> = []
const hash: Array<number> = []
let bytes: Uint8Array = new Uint8Array(0)
for (let k = 0; k < 5; k++) {
  const [b, te] = time(() => encodeEventLog(log))
  bytes = b
  enc.push(te)
  const [r, td] = time(() => decodeEventLog(bytes))
  if (!r.ok) throw r.error
  dec.push(td)
  hash.push(time(() => sha256Hex(bytes))[1])
}
const events = controls.length + N
console.log(
  JSON.stringify({
    postings: N,
    control_events: controls.length,
    file_bytes: bytes.length,
    bytes_per_event: +(bytes.length / events).toFixed(2),
    encode_ms: +median(enc).toFixed(1),
    decode_ms: +median(dec).toFixed(1),
    sha256_ms: +median(hash).toFixed(1),
    encode_events_per_s: Math.round(events / (median(enc) / 1000)),
    decode_events_per_s: Math.round(events / (median(dec) / 1000))
  })
)
