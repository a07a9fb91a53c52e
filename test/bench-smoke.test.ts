/**
 * The benchmark harness still runs (`node bench/run-all.ts --smoke`): one small case of each kind,
 * results written as JSON. No time is asserted; only that the figures are there and consistent.
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
  })
})
