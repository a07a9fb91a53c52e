/**
 * `devosim verify` against damaged run directories: one real run of the route-map scenario, then
 * hundreds of mutations (flipped bytes everywhere in events.arrow, truncations, rows swapped or
 * dropped and the file re-sealed so its own checksum passes, manifest edits, newer schemas). Each
 * must get its own exit code, every time, with a one-line message and no stack trace. The bulk
 * runs the store's verifier in process; a handful go through the CLI.
 */
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import seedrandom from "seedrandom"
import { beforeAll, describe, expect, it } from "vitest"
import { EVENT_SCHEMA_VERSION } from "@devosim/core"
import type { EventLog } from "@devosim/core"
import { decodeEventLog, decodeTable, sourceFromDirectory, sourceFromFiles, verifyRun, type TableValue, type Verdict } from "@devosim/store"
import {
  bitmap,
  dictionaryColumn,
  float64Column,
  int32Column,
  int64Column,
  int64FromFloat64,
  utf8FromStrings,
  writeArrowFile,
  type ColumnSpec
} from "../packages/store/src/columns.ts"
import { eventLogColumns, eventLogMetadata, META_EVENT_SCHEMA_VERSION } from "../packages/store/src/event-log.ts"
import { VERIFY_EXIT_CODES } from "../packages/cli/src/verify.ts"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const ROUTE_MAP = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const EVENTS = "events.arrow"
const MANIFEST = "manifest.json"

const TRUNCATED = 3
const CHANGED = 4
const ROWS = 5
const MANIFEST_MISMATCH = 6
const NEWER = 7

const dir = tempDir("verify")
const runDir = path.join(dir, "run")
let original: ReadonlyMap<string, Uint8Array>
let events: Uint8Array
let log: EventLog
/** events.arrow's cells, column by column. */
let cells: Readonly<Record<string, ReadonlyArray<TableValue>>>

beforeAll(() => {
  const r = devosim("run", ROUTE_MAP, "--out", runDir, "--quiet")
  expect(r.status, r.stderr).toBe(0)
  const src = sourceFromDirectory(runDir)
  original = new Map(src.names.map((n) => [n, new Uint8Array(src.read(n))]))
  events = original.get(EVENTS)!
  const decoded = decodeEventLog(events)
  if (!decoded.ok) throw decoded.error
  log = decoded.log
  cells = decodeTable(events).columns
})

const codeOf = (v: Verdict): number => (v.ok ? 0 : VERIFY_EXIT_CODES[v.problems[0].kind])

/** Verifies the run with some files replaced (a string or bytes) or removed (null). */
const verifyWith = (changes: Record<string, Uint8Array | string | null>): Verdict => {
  const files = new Map<string, Uint8Array | string>(original)
  for (const [name, bytes] of Object.entries(changes)) {
    if (bytes === null) files.delete(name)
    else files.set(name, bytes)
  }
  return verifyRun(sourceFromFiles(files))
}

/** The verdict's first problem is of the expected code; every message is one line with no stack. */
const expectCode = (v: Verdict, code: number, what: string): void => {
  const problems = v.ok ? [] : v.problems
  expect(codeOf(v), `${what}: ${problems.map((p) => `${p.kind} ${p.file}: ${p.message}`).join(" | ")}`).toBe(code)
  for (const p of problems) {
    expect(p.message).not.toMatch(/\n|\s+at \S+ \(|\.ts:\d+/)
  }
}

const manifestWith = (edit: (m: Record<string, any>) => void): string => {
  const m = JSON.parse(Buffer.from(original.get(MANIFEST)!).toString("utf8"))
  edit(m)
  return JSON.stringify(m, null, 2) + "\n"
}

// ---------------------------------------------------------------------------------------------
// Forging events.arrow from the store's column helpers, re-sealed (its own checksum passes)

/**
 * events.arrow with its rows in `order` (indices into the original rows; leave some out to drop
 * them). `renumber`: rewrite seq to 0..m−1 and causes to match, as a careful forger would.
 */
const forge = (order: ReadonlyArray<number>, options: { renumber?: boolean; metadata?: ReadonlyArray<readonly [string, string]> } = {}): Uint8Array => {
  const m = order.length
  const newIndex = new Map(order.map((old, i) => [old, i]))
  const cols = eventLogColumns(log).map((c): ColumnSpec => {
    const column = cells[c.name]!
    const rows = order.map((r) => column[r] ?? null)
    const nulls = bitmap(m, (i) => rows[i] !== null)
    const int64 = (value: (i: number) => number) => int64Column(int64FromFloat64(c.name, m, value), nulls)
    switch (c.name) {
      case "seq":
        return { ...c, data: int64((i) => (options.renumber ? i : Number(rows[i]))) }
      case "cause_seq":
        return { ...c, data: int64((i) => (rows[i] === null ? 0 : options.renumber ? (newIndex.get(Number(rows[i])) ?? Number(rows[i])) : Number(rows[i]))) }
      case "amount_pence":
        return { ...c, data: int64((i) => Number(rows[i] ?? 0)) }
      case "t":
        return { ...c, data: float64Column(Float64Array.from(rows, Number)) }
      case "kind": {
        const codes = c.data.values as Int8Array
        const dictionary = c.data.dictionary!
        const dict = Array.from({ length: dictionary.length }, (_, i) => String(dictionary.get(i)))
        return { ...c, data: dictionaryColumn(0, Int8Array.from(order, (r) => codes[r]!), dict) }
      }
      case "from_account":
      case "to_account":
        return { ...c, data: int32Column(Int32Array.from(rows, (x) => Number(x ?? 0)), nulls) }
      case "locality": {
        // A dictionary over the run's locality ids: keep it, re-index the rows.
        const dictionary = c.data.dictionary!
        const ids = Array.from({ length: dictionary.length }, (_, i) => String(dictionary.get(i)))
        const indices = Int32Array.from(rows, (x) => (x === null ? 0 : ids.indexOf(String(x))))
        // Arrow's buffer order: value offsets, values, validity, type ids.
        return { ...c, data: c.data.clone(c.data.type, 0, m, nulls.nullCount, [undefined as never, indices, (nulls.nullCount > 0 ? nulls.bits : undefined) as never, undefined as never]) }
      }
      default:
        return { ...c, data: utf8FromStrings(rows.map((x) => (x === null ? null : String(x)))) }
    }
  })
  return writeArrowFile(cols, options.metadata ?? eventLogMetadata())
}

const identity = (): Array<number> => Array.from({ length: log.controls.length + log.postings.length }, (_, i) => i)
const swapped = (a: number, b: number): Array<number> => {
  const o = identity()
  ;[o[a], o[b]] = [o[b]!, o[a]!]
  return o
}
const without = (r: number): Array<number> => identity().filter((i) => i !== r)
const isPosting = (seq: number): boolean => !log.controls.some((c) => c.seq === seq)
const firstPostingAfter = (seq: number): number => {
  let s = seq + 1
  while (!isPosting(s)) s++
  return s
}

// ---------------------------------------------------------------------------------------------

describe("verify: an intact run", () => {
  it("passes in process: every file checked, the log replayed to the manifest's state", () => {
    const v = verifyWith({})
    expect(v.ok).toBe(true)
    if (v.ok) {
      expect(v.events).toBe(log.controls.length + log.postings.length)
      expect(v.files).toBe(original.size - 1) // all but manifest.json
      expect(v.stateSha256).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  it("a forged file from the unchanged rows is byte for byte the original (the forging is faithful)", () => {
    expect(Buffer.from(forge(identity())).equals(Buffer.from(events))).toBe(true)
  })
})

describe("verify: events.arrow damaged", () => {
  it("flips one byte at each of ~200 positions, schema and footer included: exit 4 every time", () => {
    const n = events.length
    const rng = seedrandom.alea("verify/flips")
    const positions = new Set<number>()
    for (let i = 0; i < 40; i++) positions.add(i) // magic, schema message header and schema
    for (let i = n - 40; i < n; i++) positions.add(i) // footer, footer length, end magic
    for (let i = 0; i < 60; i++) positions.add(Math.floor((i * n) / 60)) // spread evenly
    while (positions.size < 200) positions.add(Math.floor(rng() * n))
    // The footer (schema again, with the checksum) and the first message, found from the file itself.
    const footerLen = Buffer.from(events).readInt32LE(n - 10)
    for (let i = n - 10 - footerLen; i < n - 10; i += Math.max(1, Math.floor(footerLen / 20))) positions.add(i)
    for (const at of positions) {
      const bytes = new Uint8Array(events)
      bytes[at] = bytes[at]! ^ (1 + Math.floor(rng() * 255))
      expectCode(verifyWith({ [EVENTS]: bytes }), CHANGED, `flip at ${at} of ${n}`)
    }
    expect(positions.size).toBeGreaterThanOrEqual(200)
  })

  it("truncates at ~50 lengths, from 0 to one byte short: exit 3 every time", () => {
    const n = events.length
    const rng = seedrandom.alea("verify/truncations")
    const lengths = new Set([0, 1, 5, 6, 7, 8, 16, 100, n - 1, n - 2, n - 6, n - 7, n - 10, n - 11])
    while (lengths.size < 50) lengths.add(Math.floor(rng() * n))
    for (const len of lengths) {
      expectCode(verifyWith({ [EVENTS]: events.subarray(0, len) }), TRUNCATED, `truncated to ${len} of ${n}`)
    }
  })

  it("bytes appended after the end: exit 4, not mistaken for a truncation", () => {
    for (const extra of [1, 8, 1000]) {
      const longer = new Uint8Array(events.length + extra)
      longer.set(events)
      expectCode(verifyWith({ [EVENTS]: longer }), CHANGED, `${extra} bytes appended`)
    }
  })

  it("two rows swapped, re-sealed so the file's own checksum passes: exit 5 (seq out of order)", () => {
    const n = log.controls.length + log.postings.length
    const p0 = firstPostingAfter(0)
    const pairs: Array<readonly [number, number]> = [
      [0, 1], // RunStarted and the next event
      [p0, p0 + 1], // two adjacent postings
      [1, n - 1], // far apart
      [Math.floor(n / 2), Math.floor(n / 2) + 7],
      [n - 2, n - 1]
    ]
    for (const [a, b] of pairs) expectCode(verifyWith({ [EVENTS]: forge(swapped(a, b)) }), ROWS, `swap rows ${a} and ${b}`)
  })

  it("two rows swapped and seq renumbered 0..n-1: still exit 5 (a cause after its posting, or time going back)", () => {
    const control = log.controls.find((c) => c.seq > 0 && isPosting(c.seq + 1))!.seq
    // A control event and the posting it causes: the posting now comes first.
    expectCode(verifyWith({ [EVENTS]: forge(swapped(control, control + 1), { renumber: true }) }), ROWS, "swap cause and posting")
    // An early posting with a late one: time goes back.
    const n = log.controls.length + log.postings.length
    const late = n - 1 - [...Array(n).keys()].reverse().findIndex((s) => isPosting(n - 1 - s))
    expectCode(verifyWith({ [EVENTS]: forge(swapped(firstPostingAfter(0), late), { renumber: true }) }), ROWS, "swap early and late postings")
  })

  it("a row dropped, re-sealed: exit 5 (a gap in seq), also when seq and causes are renumbered (counts differ from the manifest)", () => {
    const n = log.controls.length + log.postings.length
    for (const r of [firstPostingAfter(0), Math.floor(n / 3), n - 1]) {
      expectCode(verifyWith({ [EVENTS]: forge(without(r)) }), ROWS, `drop row ${r}`)
      expectCode(verifyWith({ [EVENTS]: forge(without(r), { renumber: true }) }), ROWS, `drop row ${r}, renumbered`)
    }
  })

  it("written by a newer event schema: exit 7 (the file says so, the manifest says so, or both)", () => {
    const newer = eventLogMetadata().map(([k, v]): readonly [string, string] => [k, k === META_EVENT_SCHEMA_VERSION ? String(EVENT_SCHEMA_VERSION + 1) : v])
    const file = forge(identity(), { metadata: newer })
    expectCode(verifyWith({ [EVENTS]: file }), NEWER, "newer file")
    expectCode(verifyWith({ [MANIFEST]: manifestWith((m) => (m.event_schema_version = EVENT_SCHEMA_VERSION + 1)) }), NEWER, "newer manifest")
    expectCode(verifyWith({ [MANIFEST]: manifestWith((m) => (m.format = "devosim-run/2")) }), NEWER, "newer run format")
  })
})

describe("verify: the manifest and the other files", () => {
  it("a manifest that does not match intact files: exit 6", () => {
    const cases: Record<string, string | null> = {
      "event count": manifestWith((m) => (m.event_count += 1)),
      "posting count": manifestWith((m) => (m.posting_count -= 1)),
      "final state": manifestWith((m) => (m.state_sha256 = "0".repeat(64))),
      "log sha256": manifestWith((m) => (m.log_sha256 = "1".repeat(64))),
      "seed": manifestWith((m) => (m.seed += 1)),
      "a file left out": manifestWith((m) => delete m.files["summary.json"]),
      "a file that is not there": manifestWith((m) => (m.files["extra.json"] = { sha256: "2".repeat(64), bytes: 3 })),
      "not JSON": "{ this is not json }\n",
      "another format": manifestWith((m) => (m.format = "something-else/1")),
      "missing": null
    }
    for (const [what, manifest] of Object.entries(cases)) expectCode(verifyWith({ [MANIFEST]: manifest }), MANIFEST_MISMATCH, what)
    expectCode(verifyWith({ "notes.txt": "added later\n" }), MANIFEST_MISMATCH, "an unlisted file")
    expectCode(verifyWith({ [EVENTS]: null }), MANIFEST_MISMATCH, "events.arrow removed")
    expectCode(verifyWith({ "ledger.arrow": null }), MANIFEST_MISMATCH, "ledger.arrow removed")
  })

  it("a manifest cut short: exit 3", () => {
    const text = original.get(MANIFEST)!
    for (const len of [0, 10, Math.floor(text.length / 2), text.length - 3]) {
      expectCode(verifyWith({ [MANIFEST]: text.subarray(0, len) }), TRUNCATED, `manifest truncated to ${len}`)
    }
  })

  it("every other listed file: a flipped byte is exit 4, a cut is exit 3", () => {
    const rng = seedrandom.alea("verify/others")
    for (const name of [...original.keys()].filter((f) => f !== EVENTS && f !== MANIFEST)) {
      const bytes = original.get(name)!
      for (let k = 0; k < 5; k++) {
        const flipped = new Uint8Array(bytes)
        const at = Math.floor(rng() * bytes.length)
        flipped[at] = flipped[at]! ^ 0x20
        expectCode(verifyWith({ [name]: flipped }), CHANGED, `${name}: flip at ${at}`)
      }
      expectCode(verifyWith({ [name]: bytes.subarray(0, Math.floor(bytes.length / 2)) }), TRUNCATED, `${name} truncated`)
    }
  })
})

/** As `devosim()`, without blocking, so several can run at once. */
const devosimAsync = (...args: ReadonlyArray<string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile(path.join(ROOT, "node_modules", ".bin", "devosim"), args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      done({ status: code, stdout, stderr })
    })
  })

describe("verify: the CLI", () => {
  const cases = path.join(dir, "cases")

  /** A copy of the run with some files replaced, on disk. */
  const damaged = (name: string, changes: Record<string, Uint8Array | string | null>): string => {
    const d = path.join(cases, name)
    mkdirSync(d, { recursive: true })
    for (const [f, bytes] of original) if (!(f in changes)) writeFileSync(path.join(d, f), bytes)
    for (const [f, bytes] of Object.entries(changes)) if (bytes !== null) writeFileSync(path.join(d, f), bytes)
    return d
  }

  it("exits 0, 2, 3, 4, 5, 6, 7 with one line on stderr and no stack trace", async () => {
    rmSync(cases, { recursive: true, force: true })
    const flipped = new Uint8Array(events)
    flipped[Math.floor(events.length / 2)]! ^= 0x01
    const newer = eventLogMetadata().map(([k, v]): readonly [string, string] => [k, k === META_EVENT_SCHEMA_VERSION ? String(EVENT_SCHEMA_VERSION + 1) : v])
    const expected: Array<readonly [string, number, RegExp]> = [
      [runDir, 0, /intact/],
      [path.join(dir, "no-such-run"), 2, /no such directory/],
      [damaged("truncated", { [EVENTS]: events.subarray(0, 1000) }), TRUNCATED, /events\.arrow: cut short/],
      [damaged("flipped", { [EVENTS]: flipped }), CHANGED, /events\.arrow: bytes changed/],
      [damaged("swapped", { [EVENTS]: forge(swapped(5, 9)) }), ROWS, /events\.arrow: rows reordered or missing/],
      [damaged("manifest", { [MANIFEST]: manifestWith((m) => (m.event_count = 1)) }), MANIFEST_MISMATCH, /the manifest says 1/],
      [damaged("newer", { [EVENTS]: forge(identity(), { metadata: newer }) }), NEWER, /newer|upgrade devosim/]
    ]
    // In parallel: each is a Node start-up.
    const results = await Promise.all(expected.map(([d]) => devosimAsync("verify", d)))
    for (const [i, [d, code, message]] of expected.entries()) {
      const r = results[i]!
      const out = code === 0 ? r.stdout : r.stderr
      expect(r.status, `${d}: ${r.stdout}${r.stderr}`).toBe(code)
      expect(out).toMatch(message)
      if (code !== 0) {
        expect(r.stderr).toMatch(/^devosim: /)
        expect(r.stderr.trim().split("\n")).toHaveLength(1)
      }
      expect(r.stderr).not.toMatch(/\s+at \S+ \(|internal error/)
    }
  })

  it("a replication set: intact is 0; a damaged replication's log is caught", () => {
    const set = path.join(dir, "set")
    expect(devosim("run", ROUTE_MAP, "--out", set, "--replications", "2", "--keep-runs", "--no-parquet", "--quiet").status).toBe(0)
    const src = sourceFromDirectory(set)
    const files = new Map(src.names.map((n) => [n, new Uint8Array(src.read(n))]))
    const v = verifyRun(sourceFromFiles(files))
    expect(v.ok && v.runs).toBe(2)
    const name = "replications/r0001/events.arrow"
    const bytes = new Uint8Array(files.get(name)!)
    bytes[100]! ^= 0xff
    files.set(name, bytes)
    const bad = verifyRun(sourceFromFiles(files))
    expectCode(bad, CHANGED, "flip in a replication")
    expect(bad.ok ? [] : bad.problems.map((p) => p.file)).toContain(name)
    writeFileSync(path.join(set, name), bytes)
    expect(devosim("verify", set).status).toBe(CHANGED)
  })
})

// The run directory itself is kept intact by every in-process case.
describe("verify: the original stays intact", () => {
  it("still verifies on disk", () => {
    expect(readFileSync(path.join(runDir, EVENTS)).equals(Buffer.from(events))).toBe(true)
  })
})
