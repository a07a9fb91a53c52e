/**
 * What goes over the queue (queue-protocol.ts): the Redis URL as read and as shown (never its
 * password), the blocks and job ids, a job's data as checked by a worker, and a job's result
 * through JSON: joined in row order, the blocks give back the sweep's rows bit for bit (−0 and
 * NaNs of any bits included) and its outcomes in the order they first appear, for any cut into blocks.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { blocksOf, encodeRows, jobIdOf, joinBlocks, parseRedisUrl, readJobData, readRowsResult } from "../src/queue-protocol.ts"
import type { RowOutcomes } from "../src/sweep.ts"

describe("--queue URLs", () => {
  it("redis:// with user, password and database; the password never shown", () => {
    const r = parseRedisUrl("redis://alice:s%40cret@10.0.0.5:6380/3")
    expect(r).toEqual({ ok: true, target: { host: "10.0.0.5", port: 6380, db: 3, username: "alice", password: "s@cret", tls: false, shown: "redis://alice@10.0.0.5:6380/3" } })
  })

  it("defaults: port 6379, database 0; a password alone (redis://:pw@); rediss:// is TLS; IPv6 in brackets", () => {
    expect(parseRedisUrl("redis://127.0.0.1")).toMatchObject({ ok: true, target: { port: 6379, db: 0, username: undefined, password: undefined, shown: "redis://127.0.0.1:6379/0" } })
    expect(parseRedisUrl("redis://:pw@h:1/0")).toMatchObject({ ok: true, target: { username: undefined, password: "pw", shown: "redis://h:1/0" } })
    expect(parseRedisUrl("rediss://h:6390/1")).toMatchObject({ ok: true, target: { tls: true, shown: "rediss://h:6390/1" } })
    expect(parseRedisUrl("redis://[::1]:6379/0")).toMatchObject({ ok: true, target: { host: "::1", shown: "redis://[::1]:6379/0" } })
  })

  it("refused: another scheme, no host, a database that is not a number, options; the password masked in the message", () => {
    const message = (u: string) => {
      const r = parseRedisUrl(u)
      return r.ok ? "" : r.message
    }
    expect(message("http://h:6379/0")).toMatch(/the scheme is http$/)
    expect(message("redis:///0")).toMatch(/no host$/)
    expect(message("redis://h:6379/x")).toMatch(/the database "x" is not a whole number$/)
    expect(message("redis://h:6379/0?tls=1")).toMatch(/options after \? or # are not read$/)
    expect(message("http://bob:hunter2@h/0")).not.toContain("hunter2")
    expect(message("not a url")).toMatch(/not a URL$/)
  })
})

describe("jobs", () => {
  it("blocks tile the rows in order; ids name the sweep and the rows, with no ':' (BullMQ refuses one)", () => {
    expect(blocksOf(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10]
    ])
    expect(jobIdOf("ab".repeat(32), 4, 8)).toBe(`${"ab".repeat(32)}_4-8`)
  })

  it("a job's data: what a coordinator writes is read back; anything else is refused with what was expected", () => {
    const spec = { file: "f.yaml", input_sha256: "0".repeat(64), scenario: "s", scenario_seed: 1, design: "lhs", samples: 4, seed: 1, replications: 2, settings: [], factors: [], where: null }
    const data = { spec, spec_sha256: "a".repeat(64), from: 0, to: 4, engine_version: "x" }
    expect(readJobData(JSON.parse(JSON.stringify(data)))).toEqual(data)
    expect(readJobData(null)).toMatch(/^expected an object/)
    expect(readJobData({ ...data, from: 4, to: 4 })).toMatch(/^expected rows from < to/)
    expect(readJobData({ ...data, spec_sha256: "nope" })).toMatch(/^expected spec_sha256/)
    expect(readJobData({ ...data, spec: { ...spec, settings: [1] } })).toMatch(/^expected spec\.settings/)
  })
})

/** A NaN as 0/0 computes it on x86: the sign bit set, not Number.NaN's bits. */
const COMPUTED_NAN = ((z: number) => z / z)(Number("0"))

/** A sweep's rows: some outcomes absent from some rows (NaN), some values NaN or −0. */
const rowsArb = fc.integer({ min: 1, max: 30 }).chain((T) =>
  fc
    .record({
      seeds: fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: T, maxLength: T }),
      names: fc.uniqueArray(fc.constantFrom("npv_pence", "savings_realised_pence", "coverage_50pct_months", "net_position_nhs_pence", "runs"), { minLength: 1, maxLength: 5 }),
      cells: fc.array(fc.array(fc.oneof(fc.double(), fc.constant(-0), fc.constant(Number.NaN), fc.constant(COMPUTED_NAN)), { minLength: T, maxLength: T }), { minLength: 5, maxLength: 5 }),
      // Where each outcome first appears (rows before it have none).
      starts: fc.array(fc.integer({ min: 0, max: T - 1 }), { minLength: 5, maxLength: 5 }),
      block: fc.integer({ min: 1, max: T })
    })
    .map(({ seeds, names, cells, starts, block }) => ({ T, seeds, names, cells, starts, block }))
)

describe("results", () => {
  it("the blocks' results through JSON, joined in row order, are the rows: the same outcomes in first-appearance order, the same bits", () => {
    fc.assert(
      fc.property(rowsArb, ({ T, seeds, names, cells, starts, block }) => {
        // The whole sweep's rows, as rowOutcomesOf gives them: an outcome ordered by the row it first appears in.
        const order = names.map((n, j) => ({ n, j, start: starts[j]! })).sort((a, b) => a.start - b.start || a.j - b.j)
        const whole: RowOutcomes = {
          seeds: Float64Array.from(seeds),
          outcomes: order.map((o) => o.n),
          columns: order.map((o) => Float64Array.from(cells[o.j]!, (v, i) => (i < o.start ? Number.NaN : v)))
        }
        const parts = blocksOf(T, block).map(([from, to]) => {
          // A block's own rows: the outcomes present in them, in their first-appearance order.
          const present = order.filter((o) => o.start < to)
          const rows: RowOutcomes = {
            seeds: whole.seeds.slice(from, to),
            outcomes: present.map((o) => o.n),
            columns: present.map((o) => whole.columns[order.indexOf(o)]!.slice(from, to))
          }
          const result = readRowsResult(JSON.parse(JSON.stringify(encodeRows(rows))), to - from)
          if (typeof result === "string") throw new Error(result)
          return { from, result }
        })
        const joined = joinBlocks(T, parts)
        expect(joined.outcomes).toEqual(whole.outcomes)
        expect(Buffer.from(joined.seeds.buffer)).toEqual(Buffer.from(whole.seeds.buffer))
        // Bit for bit (experiments.arrow holds the bits): −0, and NaNs whatever their bits.
        joined.columns.forEach((col, j) => expect(Buffer.from(col.buffer)).toEqual(Buffer.from(whole.columns[j]!.buffer)))
      })
    )
  })

  it("a result of the wrong length or shape is refused", () => {
    const one = Buffer.from(new Float64Array([1]).buffer).toString("base64")
    expect(readRowsResult({ seeds: [1], outcomes: ["a"], values: [one] }, 2)).toBe("expected 2 seeds")
    expect(readRowsResult({ seeds: [1], outcomes: ["a"], values: [] }, 1)).toMatch(/^expected a column of values per outcome/)
    expect(readRowsResult({ seeds: [1, 2], outcomes: ["a"], values: [one] }, 2)).toMatch(/^expected each column to hold 2 float64s/)
    expect(readRowsResult({ seeds: [1], outcomes: ["a"], values: [[1]] }, 1)).toMatch(/^expected each column to hold 1 float64s/)
  })
})
