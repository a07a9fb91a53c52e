/**
 * A log larger than 2 GiB (the most Node reads into one buffer) is written, verified, replayed,
 * explained and forked (issue 13), each in bounded memory: every command reads it record batch by
 * record batch. About 4.5 GB of disk while it runs, removed after; a few minutes.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { syntheticScenario } from "../bench/synthetic.ts"
import { measuredDevosim, tempDir } from "./cli-helpers.ts"

const dir = tempDir("large-log")
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const GiB = 2 ** 30

/** devosim in a child: exit status, output and peak RSS. */
const measured = (...args: ReadonlyArray<string>) => measuredDevosim(dir, args, 600_000)

describe("a log over 2 GiB", () => {
  const file = path.join(dir, "large.json")
  const run = path.join(dir, "run")
  const fork = path.join(dir, "fork")
  // 10,000 localities × 8 agencies × 240 months with a programme each: 43 million events, 2.16 GB.
  writeFileSync(file, JSON.stringify(syntheticScenario({ localities: 10_000, agencies: 8, months: 240, programmesPerLocality: 1 })))

  it("is written, verified, replayed, explained and forked", () => {
    const made = measured("run", file, "--out", run, "--quiet")
    expect(made.status, made.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(path.join(run, "manifest.json"), "utf8"))
    expect(statSync(path.join(run, "events.arrow")).size).toBeGreaterThan(2 * GiB)
    expect(made.peakRss).toBeLessThan(1.5 * GiB)

    const verified = measured("verify", run)
    expect(verified.status, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(new RegExp(`intact run: \\d+ files match the manifest; ${manifest.event_count} events in order`))
    expect(verified.peakRss).toBeLessThan(1.5 * GiB)

    const replayed = measured("replay", run)
    expect(replayed.status, replayed.stderr).toBe(0)
    expect(replayed.stdout).toMatch(new RegExp(`replayed ${manifest.event_count} events .* final state matches the manifest`))

    const explained = measured("explain", run, "--locality", "locality-004242", "--limit", "1")
    expect(explained.status, explained.stderr).toBe(0)
    // Every line of the locality is funded and spends each of its 240 periods.
    const moved = Number(/^locality-004242: (\d+) postings moved this budget/.exec(explained.stdout)?.[1])
    expect(moved).toBeGreaterThanOrEqual(8 * 240 * 2)
    expect(explained.peakRss).toBeLessThan(1 * GiB)

    const forked = measured("fork", run, "--at", "200", "--set", "centre.capacity=20", "--out", fork)
    expect(forked.status, forked.stderr).toBe(0)
    const info = JSON.parse(readFileSync(path.join(fork, "fork.json"), "utf8"))
    expect(info.shared_prefix_events).toBeGreaterThan(manifest.event_count / 2)
    expect(info.parent_log_sha256).toBe(manifest.log_sha256)
    expect(forked.peakRss).toBeLessThan(2 * GiB)
    expect(measured("verify", fork).status).toBe(0)
    rmSync(fork, { recursive: true, force: true })
  }, 1_800_000)
})
