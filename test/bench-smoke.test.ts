/**
 * The benchmark harness still runs (`node bench/run-all.ts --smoke`): one small case of each kind,
 * results written as JSON, each figure beside its anchors (the bare loop, the plain queue) as
 * ratios, and the targets table. No time is asserted; only that the figures are there and consistent.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { ROOT, tempDir } from "./cli-helpers.ts"

describe("bench smoke run", () => {
  it("times every stage and the CLI on a small scenario and writes bench results as JSON", () => {
    const results = tempDir("bench")
    const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "node"), ["bench/run-all.ts", "--smoke"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, DEVOSIM_BENCH_RESULTS: results }
    })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const stages = JSON.parse(readFileSync(path.join(results, "smoke.json"), "utf8"))
    const e2e = JSON.parse(readFileSync(path.join(results, "smoke-e2e.json"), "utf8"))
    const [s] = stages.rows
    const [e] = e2e.rows
    expect(s.events).toBe(e.events)
    expect(s.postings).toBe(e.postings)
    expect(s.events).toBeGreaterThan(s.postings)
    for (const k of ["load_s", "centre_s", "post_s", "write_s", "replay_s", "apply_postings_per_s", "bytes_per_event"]) expect(s[k]).toBeGreaterThan(0)
    for (const k of ["wall_s", "cpu_s", "peak_rss_mib", "events_arrow_bytes"]) expect(e[k]).toBeGreaterThan(0)
    expect(e.bytes_per_event).toBe(s.bytes_per_event)
    expect(stages.machine.commit).toMatch(/^[0-9a-f]{7,}$|^unknown$/)

    // Every row has its bare-loop ratio, on the run's postings (or its events when it has none).
    const read = (suite: string) => JSON.parse(readFileSync(path.join(results, `${suite}.json`), "utf8"))
    // The sweep's row: 4 × (3 + 2) experiments × 2 replications, its postings counted, a bare-loop ratio.
    const [sw] = read("smoke-sweep").rows
    expect([sw.experiments, sw.runs]).toEqual([20, 40])
    for (const k of ["postings", "wall_s", "runs_per_s", "x_bare"]) expect(sw[k]).toBeGreaterThan(0)
    for (const row of [s, e]) {
      for (const k of ["x_bare", "bare_s", "bare_postings_per_s"]) expect(row[k]).toBeGreaterThan(0)
      expect(row.bare_basis).toBe("postings")
    }
    for (const k of ["x_bare_post", "x_bare_replay", "x_bare_apply"]) expect(s[k]).toBeGreaterThan(0)

    // The queue beside the plain queue: the same deal times, so the anchor did the same work.
    const queue = read("smoke-queue")
    const [q] = queue.rows
    expect(q.postings).toBe(0)
    expect(q.bare_basis).toBe("events")
    expect(q.deals).toBe(q.localities)
    expect(q.plain_deals_equal).toBe(`${q.localities}/${q.localities}`)
    for (const k of ["wall_s", "peak_rss_mib", "plain_s", "plain_peak_rss_mib", "x_plain", "x_bare"]) expect(q[k]).toBeGreaterThan(0)
    if (q.simpy_s === null) expect(queue.simpy).toMatch(/^unavailable/)
    else expect(q.simpy_deals_equal).toBe(q.plain_deals_equal)

    // Replay as a process and decoding in-process, of the e2e run.
    const [replay, decode] = read("smoke-replay").rows
    for (const r of [replay, decode]) {
      expect(r.events).toBe(e.events)
      expect(r.postings).toBe(e.postings)
      for (const k of ["wall_s", "postings_per_s", "events_per_s", "x_bare"]) expect(r[k]).toBeGreaterThan(0)
    }
    expect(replay.peak_rss_mib).toBeGreaterThan(0)

    const [startup] = read("smoke-startup").rows
    for (const k of ["wall_s", "node_startup_s", "x_node", "peak_rss_mib"]) expect(startup[k]).toBeGreaterThan(0)
    expect(startup.x_bare).toBeNull()

    const [small] = read("smoke-small").rows
    expect(small.runs).toBe(small.variants * small.replications)
    for (const k of ["runs_per_s", "postings", "x_bare", "peak_rss_mib"]) expect(small[k]).toBeGreaterThan(0)

    // The targets table: each of issue 13's targets, with its figure (or null) and met/missed.
    const targets = read("smoke-targets")
    expect(targets.rows.length).toBeGreaterThanOrEqual(9)
    for (const t of targets.rows) {
      expect(typeof t.target).toBe("string")
      expect(["lower", "higher"]).toContain(t.better)
      expect(t.met === null ? t.measured : typeof t.met).toBe(t.met === null ? null : "boolean")
    }
    expect(targets.rows.filter((t: { measured: unknown }) => t.measured !== null).length).toBeGreaterThanOrEqual(6)
  })
})
