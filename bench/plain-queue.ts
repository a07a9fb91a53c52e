/**
 * The plain-queue anchor (issue 13): the work of `devosim run` on a queue-only scenario, without
 * devosim's code. Run as its own process and timed end to end like devosim's:
 *
 *   node bench/plain-queue.ts SCENARIO.json OUT
 *
 * Reads and JSON.parses the file; validates the fields it needs into typed arrays (months, capacity,
 * tranches' opening months, each locality's id, tranche, ready month and fixed negotiation months);
 * ranks ids by code point; runs the capacity-C queue (eligible = max(tranche opens, ready), served
 * in (eligible, rank) order; a slot freed at t is usable at t; ends at one instant in rank order)
 * with binary heaps over typed arrays, to the last deal (as devosim projects the queue beyond the
 * horizon); writes the events (one row per queued/started/deal before the horizon) and a
 * negotiations table (id, eligible, start, deal, wait) as binary columns to OUT, sealed with its
 * sha256 and fsynced. Prints {"localities", "events", "deals", "makespan"} as JSON.
 *
 * It handles what the benchmark's queue cases use and refuses anything else (agencies, drawn
 * durations, failures, month strings): it is an anchor, not a second engine.
 */
import { createHash } from "node:crypto"
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs"

const [file, out] = process.argv.slice(2)
if (file === undefined || out === undefined) {
  process.stderr.write("usage: node bench/plain-queue.ts SCENARIO.json OUT\n")
  process.exit(2)
}
const fail = (what: string): never => {
  process.stderr.write(`plain-queue: ${file}: ${what}\n`)
  process.exit(1)
}

// ---------------------------------------------------------------------------------------------
// Read and validate into typed arrays.

const doc = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const month = (v: unknown, what: string): number =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fail(`${what}: expected months since the start (a number >= 0), found ${JSON.stringify(v)}`)
if (!isObject(doc) || doc["version"] !== 1) fail("expected a version 1 scenario")
const months = doc["months"]
if (typeof months !== "number" || !Number.isSafeInteger(months) || months < 1) fail("months: expected a whole number >= 1")
const centre = doc["centre"]
const capacity = isObject(centre) ? centre["capacity"] : undefined
if (typeof capacity !== "number" || !Number.isSafeInteger(capacity) || capacity < 1) fail("centre.capacity: expected a whole number >= 1")
const C = capacity as number
const M = months as number
if (Array.isArray(doc["agencies"]) && doc["agencies"].length > 0) fail("agencies: the plain queue has no money")
for (const k of ["programmes", "transfers", "spending_reviews", "powers", "variants"]) if (doc[k] !== undefined) fail(`${k}: not handled by the plain queue`)

const tranchesIn = doc["tranches"]
if (!Array.isArray(tranchesIn) || tranchesIn.length === 0) fail("tranches: expected a list")
const trancheIndex = new Map<string, number>()
const opens = new Float64Array((tranchesIn as Array<unknown>).length)
;(tranchesIn as Array<unknown>).forEach((t, k) => {
  if (!isObject(t) || typeof t["id"] !== "string" || t["id"].length === 0) fail(`tranches[${k}].id: expected an id`)
  const id = (t as Record<string, string>)["id"]!
  if (trancheIndex.has(id)) fail(`tranches[${k}].id: ${id} used before`)
  trancheIndex.set(id, k)
  opens[k] = month((t as Record<string, unknown>)["opens"], `tranches[${k}].opens`)
})

const localitiesIn = doc["localities"]
if (!Array.isArray(localitiesIn) || localitiesIn.length === 0) fail("localities: expected a list")
const list = localitiesIn as Array<unknown>
const L = list.length
const ids: Array<string> = new Array(L)
const eligible = new Float64Array(L)
const duration = new Float64Array(L)
const seen = new Set<string>()
for (let i = 0; i < L; i++) {
  const l = list[i]
  if (!isObject(l)) fail(`localities[${i}]: expected a mapping`)
  const x = l as Record<string, unknown>
  const id = x["id"]
  if (typeof id !== "string" || id.length === 0) fail(`localities[${i}].id: expected an id`)
  if (seen.has(id as string)) fail(`localities[${i}].id: ${String(id)} used before`)
  seen.add(id as string)
  ids[i] = id as string
  const k = trancheIndex.get(x["tranche"] as string)
  if (k === undefined) fail(`localities[${i}].tranche: expected one of the tranches' ids, found ${JSON.stringify(x["tranche"])}`)
  const ready = x["ready"] === undefined ? 0 : month(x["ready"], `localities[${i}].ready`)
  eligible[i] = Math.max(ready, opens[k!]!)
  const n = x["negotiation"]
  if (!isObject(n)) fail(`localities[${i}].negotiation: expected a mapping`)
  const neg = n as Record<string, unknown>
  if (neg["fail_probability"] !== undefined && neg["fail_probability"] !== 0) fail(`localities[${i}].negotiation.fail_probability: the plain queue has no failures`)
  duration[i] = month(neg["months"], `localities[${i}].negotiation.months (fixed months only)`)
}

// Code-point order of ids: UTF-16 order except that a surrogate (an astral code point) is above
// every other unit.
const byCodePoint = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length)
  for (let j = 0; j < n; j++) {
    const x = a.charCodeAt(j)
    const y = b.charCodeAt(j)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    return xs === ys ? x - y : xs ? 1 : -1
  }
  return a.length - b.length
}
const order = Int32Array.from({ length: L }, (_, i) => i).sort((a, b) => byCodePoint(ids[a]!, ids[b]!))
const rank = new Int32Array(L)
for (let r = 0; r < L; r++) rank[order[r]!] = r

// ---------------------------------------------------------------------------------------------
// The queue: binary min-heaps of (time, rank) over typed arrays.

class Heap {
  readonly t: Float64Array
  readonly r: Int32Array
  readonly v: Int32Array
  size = 0
  constructor(n: number) {
    this.t = new Float64Array(n)
    this.r = new Int32Array(n)
    this.v = new Int32Array(n)
  }
  private less(i: number, j: number): boolean {
    const ti = this.t[i]!
    const tj = this.t[j]!
    return ti < tj || (ti === tj && this.r[i]! < this.r[j]!)
  }
  private swap(i: number, j: number): void {
    const { t, r, v } = this
    const a = t[i]!
    t[i] = t[j]!
    t[j] = a
    const b = r[i]!
    r[i] = r[j]!
    r[j] = b
    const c = v[i]!
    v[i] = v[j]!
    v[j] = c
  }
  push(time: number, rk: number, value: number): void {
    let i = this.size++
    this.t[i] = time
    this.r[i] = rk
    this.v[i] = value
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }
  /** The smallest time (Infinity when empty). */
  top(): number {
    return this.size > 0 ? this.t[0]! : Number.POSITIVE_INFINITY
  }
  pop(): number {
    const value = this.v[0]!
    const n = --this.size
    if (n > 0) {
      this.t[0] = this.t[n]!
      this.r[0] = this.r[n]!
      this.v[0] = this.v[n]!
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        let m = i
        if (l < n && this.less(l, m)) m = l
        if (l + 1 < n && this.less(l + 1, m)) m = l + 1
        if (m === i) break
        this.swap(i, m)
        i = m
      }
    }
    return value
  }
}

const QUEUED = 0
const STARTED = 1
const DEAL = 2
const evKind = new Uint8Array(3 * L)
const evT = new Float64Array(3 * L)
const evLocality = new Int32Array(3 * L)
let E = 0
const emit = (kind: number, t: number, i: number) => {
  if (t >= M) return // beyond the horizon: projected, not an event
  evKind[E] = kind
  evT[E] = t
  evLocality[E] = i
  E++
}

const start = new Float64Array(L).fill(Number.NaN)
const deal = new Float64Array(L).fill(Number.NaN)
const joins = new Heap(L)
for (let i = 0; i < L; i++) joins.push(eligible[i]!, rank[i]!, i)
const running = new Heap(C)
// Joins come out of their heap in (eligible, rank) order, so the waiting line is first in, first out.
const waiting = new Int32Array(L)
let head = 0
let tail = 0
let active = 0
let deals = 0
let makespan = 0
for (;;) {
  const t = Math.min(joins.top(), running.top())
  if (t === Number.POSITIVE_INFINITY) break
  while (running.size > 0 && running.top() === t) {
    const i = running.pop()
    deal[i] = t
    makespan = t
    if (t < M) deals++
    active--
    emit(DEAL, t, i)
  }
  while (joins.size > 0 && joins.top() === t) {
    const i = joins.pop()
    emit(QUEUED, t, i)
    waiting[tail++] = i
  }
  while (active < C && head < tail) {
    const i = waiting[head++]!
    start[i] = t
    emit(STARTED, t, i)
    running.push(t + duration[i]!, rank[i]!, i)
    active++
  }
}

// ---------------------------------------------------------------------------------------------
// Write: a header, the event columns, the negotiations table (ids as UTF-8 with offsets), sha256.

const idBytes = Buffer.from(ids.join(""), "utf8")
const idOffsets = new Int32Array(L + 1)
{
  let o = 0
  for (let i = 0; i < L; i++) {
    idOffsets[i] = o
    o += Buffer.byteLength(ids[i]!, "utf8")
  }
  idOffsets[L] = o
}
const wait = new Float64Array(L)
for (let i = 0; i < L; i++) wait[i] = start[i]! - eligible[i]!
const header = Buffer.from(JSON.stringify({ format: "plain-queue/1", localities: L, events: E, months: M, capacity: C }).padEnd(120) + "\n")
const pad8 = (n: number) => Buffer.alloc((8 - (n % 8)) % 8)
const parts: Array<Uint8Array> = [header]
let written = header.length
const put = (a: ArrayBufferView) => {
  const p = pad8(written)
  parts.push(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
  written += p.length + a.byteLength
}
put(evT.subarray(0, E))
put(evLocality.subarray(0, E))
put(evKind.subarray(0, E))
put(eligible)
put(start)
put(deal)
put(wait)
put(idOffsets)
put(idBytes)
const hash = createHash("sha256")
for (const p of parts) hash.update(p)
parts.push(Buffer.from(`\nsha256 ${hash.digest("hex")}\n`))
const fd = openSync(out, "w")
for (const p of parts) for (let o = 0; o < p.byteLength; ) o += writeSync(fd, p, o)
fsyncSync(fd)
closeSync(fd)
process.stdout.write(JSON.stringify({ localities: L, events: E, deals, makespan }) + "\n")
