/**
 * Streaming and sharding through the CLI: `--workers N` writes the same bytes for every N, and a
 * run's (and a replay's) memory does not grow with the length of its log: the log is written and
 * read as record batches while the run proceeds.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { syntheticScenario } from "../bench/synthetic.ts"
import { devosim, measuredDevosim, tempDir } from "./cli-helpers.ts"

const dir = tempDir("streaming")
// About 1 GB of runs: removed after.
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const scenario = (name: string, o: Parameters<typeof syntheticScenario>[0]): string => {
  const file = path.join(dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(syntheticScenario(o)))
  return file
}

/** Runs devosim in a child and returns its exit status and peak RSS in bytes. */
const measured = (...args: ReadonlyArray<string>) => measuredDevosim(dir, args)

describe("--workers N", () => {
  let file: string
  beforeAll(() => {
    // Enough localities and months for several windows and every kind of posting.
    file = scenario("shards", { localities: 37, agencies: 5, months: 50, programmesPerLocality: 1, capacity: 8 })
  })

  it("writes the same events.arrow, ledger.arrow and manifest for N = 0 (in-process), 1, 2, 3 and 4", () => {
    const hashes = [0, 1, 2, 3, 4].map((n) => {
      const out = path.join(dir, `w${n}`)
      const r = devosim("run", file, "--out", out, "--workers", String(n), "--no-parquet", "--quiet")
      // The synthetic programmes claim more than some lines spend: only those warnings may appear.
      expect(r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("devosim: warning: "))).toEqual([])
      expect(r.status).toBe(0)
      return ["events.arrow", "ledger.arrow", "summary.json", "manifest.json"].map((f) => readFileSync(path.join(out, f)).toString("base64"))
    })
    for (const h of hashes.slice(1)) expect(h).toEqual(hashes[0])
    expect(devosim("verify", path.join(dir, "w3")).status).toBe(0)
  })

  it("refuses a bad worker count with exit 2", () => {
    const r = devosim("run", file, "--out", path.join(dir, "bad"), "--workers", "-1")
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--workers: expected a whole number/)
  })
})

describe("bounded memory", () => {
  it("a log three times longer costs the run and the replay far less than the extra log in memory", () => {
    // Both logs span several record batches (2^19 rows each), so both runs hold the same batch sizes.
    const runs = [120, 360].map((months) => {
      const file = scenario(`long-${months}`, { localities: 1000, agencies: 8, months, capacity: 200 })
      // (1,000 localities × 8 agencies: 2.8M events over 120 months, 8.6M over 360.)
      const out = path.join(dir, `long-${months}`)
      const run = measured("run", file, "--out", out, "--no-parquet", "--quiet", "--workers", "2")
      expect(run.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("devosim: warning: "))).toEqual([])
      expect(run.status).toBe(0)
      const replay = measured("replay", out)
      expect(replay.status).toBe(0)
      return { log: statSync(path.join(out, "events.arrow")).size, run: run.peakRss, replay: replay.peakRss }
    })
    const [short, long] = runs as [(typeof runs)[0], (typeof runs)[0]]
    const extraLog = long.log - short.log
    // The longer log is hundreds of MB more; holding it, decoded, would cost about that much again
    // (44 bytes a posting in memory against 50 on disk). Peak RSS also depends on when V8 collects
    // the garbage of each batch, hence the margin (measured on a quiet machine: +35 MB for the run
    // and +14 MB for the replay per +148 MB of log).
    expect(extraLog).toBeGreaterThan(250 * 2 ** 20)
    expect(long.run - short.run).toBeLessThan(extraLog / 2)
    expect(long.replay - short.replay).toBeLessThan(extraLog / 2)
  })
})
