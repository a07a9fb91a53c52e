/**
 * Array-job shards without a broker (issue 16, item 3): `devosim sweep … --shard i/N --out part-i`
 * runs a fixed slice of the rows; `devosim merge part-* --out DIR` checks the parts and writes the
 * same bytes as the sweep run in one go. Given three parts of the example's sweep, when merged (in
 * any order on the command line), then every file equals the local sweep's; a missing, repeated,
 * foreign or damaged part is refused with one line, exit 2, nothing written.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const EXAMPLE = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const dir = tempDir("shards")
const at = (...p: Array<string>) => path.join(dir, ...p)
const SWEEP = ["sweep", EXAMPLE, "--samples", "4", "--replications", "2", "--where", "coverage_50pct_months > 30", "--quiet", "--workers", "0"]

beforeAll(() => {
  expect(devosim(...SWEEP, "--out", at("local")).status).toBe(0)
  for (const i of [0, 1, 2]) {
    const r = devosim(...SWEEP, "--shard", `${i}/3`, "--out", at(`part-${i}`))
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
  }
})

const refused = (r: ReturnType<typeof devosim>, pattern: RegExp, out: string) => {
  expect(r.status).toBe(2)
  expect(r.stderr.trim().split("\n")).toHaveLength(1)
  expect(r.stderr).toMatch(pattern)
  expect(existsSync(out)).toBe(false)
}

describe("sweep --shard i/N and merge", () => {
  it("the parts tile the rows: 40 rows as 13, 13 and 14", () => {
    const rows = [0, 1, 2].map((i) => (JSON.parse(readFileSync(at(`part-${i}`, "part.json"), "utf8")) as { rows: [number, number] }).rows)
    expect(rows).toEqual([
      [0, 13],
      [13, 26],
      [26, 40]
    ])
  })

  it("merged in any order, the parts give the local sweep's files byte for byte, and verify passes", () => {
    const r = devosim("merge", at("part-2"), at("part-0"), at("part-1"), "--out", at("merged"))
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/merged 3 parts .*: 40 rows/)
    for (const f of ["experiments.arrow", "sweep.json", "report.html", "manifest.json"]) expect(readFileSync(at("merged", f)).equals(readFileSync(at("local", f)))).toBe(true)
    expect(devosim("verify", at("merged")).status).toBe(0)
  })

  it("a missing shard is named", () => {
    refused(devosim("merge", at("part-0"), at("part-2"), "--out", at("m-missing")), /expected all 3 shards, missing 1\/3/, at("m-missing"))
  })

  it("a shard given twice is refused", () => {
    cpSync(at("part-1"), at("part-1-copy"), { recursive: true })
    refused(devosim("merge", at("part-0"), at("part-1"), at("part-1-copy"), at("part-2"), "--out", at("m-twice")), /shard 1\/3 again/, at("m-twice"))
  })

  it("a part of another sweep (another --seed) is refused", () => {
    expect(devosim(...SWEEP, "--seed", "7", "--shard", "1/3", "--out", at("other-1")).status).toBe(0)
    refused(devosim("merge", at("part-0"), at("other-1"), at("part-2"), "--out", at("m-other")), /a part of another sweep/, at("m-other"))
  })

  it("a part cut into N differently is refused", () => {
    expect(devosim(...SWEEP, "--shard", "1/2", "--out", at("half-1")).status).toBe(0)
    refused(devosim("merge", at("part-0"), at("half-1"), at("part-2"), "--out", at("m-half")), /shard 1\/2, but .* is one of 3/, at("m-half"))
  })

  it("a damaged part is refused with verify's finding", () => {
    cpSync(at("part-2"), at("part-2-bad"), { recursive: true })
    const rows = at("part-2-bad", "rows.arrow")
    const bytes = readFileSync(rows)
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff
    writeFileSync(rows, bytes)
    refused(devosim("merge", at("part-0"), at("part-1"), at("part-2-bad"), "--out", at("m-bad")), /not an intact part of a sweep: rows\.arrow/, at("m-bad"))
  })

  it("--shard with a bad value, or with --keep-runs, is a flag error", () => {
    refused(devosim(...SWEEP, "--shard", "3/3", "--out", at("bad-shard")), /--shard: expected i\/N with 0 <= i < N/, at("bad-shard"))
    refused(devosim(...SWEEP, "--shard", "0/3", "--keep-runs", "--out", at("bad-keep")), /--keep-runs: a shard keeps no runs/, at("bad-keep"))
  })
})
