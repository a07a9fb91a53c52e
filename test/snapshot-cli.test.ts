/** `devosim run --snapshot-every` and `devosim replay --from`, end to end. */
import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const TINY = path.join(ROOT, "test", "fixtures", "tiny.yaml")
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex")

describe("snapshots in run directories", () => {
  const dir = tempDir("snapshots")
  const a = path.join(dir, "a")

  it("run --snapshot-every 3 writes snapshots/s<seq>.json after every third period, listed in the manifest", () => {
    const r = devosim("run", TINY, "--out", a, "--no-parquet", "--snapshot-every", "3")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`4 snapshots (every 3 months) in ${a}/snapshots/`)
    // 12 months: after periods 2, 5, 8 and 11; named by the seq of the last event they hold.
    expect(readdirSync(path.join(a, "snapshots")).sort()).toEqual(["s057.json", "s112.json", "s172.json", "s243.json"])
    const manifest = JSON.parse(readFileSync(path.join(a, "manifest.json"), "utf8"))
    for (const f of readdirSync(path.join(a, "snapshots"))) {
      const bytes = readFileSync(path.join(a, "snapshots", f))
      expect(manifest.files[`snapshots/${f}`]).toEqual({ sha256: sha256(bytes), bytes: bytes.length })
      const snap = JSON.parse(bytes.toString("utf8"))
      expect(snap.format).toBe("devosim-snapshot/1")
      expect(`s${String(snap.lastSeq).padStart(3, "0")}.json`).toBe(f)
    }
    // Same run, same snapshot bytes.
    const b = path.join(dir, "b")
    expect(devosim("run", TINY, "--out", b, "--no-parquet", "--snapshot-every", "3").status).toBe(0)
    expect(readFileSync(path.join(b, "manifest.json"), "utf8")).toBe(readFileSync(path.join(a, "manifest.json"), "utf8"))
  })

  it("replay --from LATEST / SEQ starts from the nearest snapshot at or before, replays the rest and checks the manifest", () => {
    const latest = devosim("replay", a, "--from", "LATEST")
    expect(latest.stderr).toBe("")
    expect(latest.status).toBe(0)
    expect(latest.stdout).toMatch(/started from snapshots\/s243\.json, skipped 244 events and replayed the remaining 1 .* final state matches the manifest/)
    const mid = devosim("replay", a, "--from", "171")
    expect(mid.status).toBe(0)
    expect(mid.stdout).toMatch(/started from snapshots\/s112\.json, skipped 113 events and replayed the remaining 132 .* final state matches the manifest/)
    const early = devosim("replay", a, "--from", "5")
    expect(early.status).toBe(0)
    expect(early.stdout).toMatch(/no snapshot at or before event 5; replayed 245 events .* final state matches the manifest/)
  })

  it("a snapshot that does not lead to the manifest's state is damage (exit 4, as verify reports a changed file), even with a matching hash", () => {
    const c = path.join(dir, "c")
    expect(devosim("run", TINY, "--out", c, "--no-parquet", "--snapshot-every", "3").status).toBe(0)
    const file = path.join(c, "snapshots", "s112.json")
    const snap = JSON.parse(readFileSync(file, "utf8"))
    // Move a penny between two accounts: money is still conserved, the state is wrong.
    snap.balances[0] -= 1
    snap.balances[1] += 1
    const text = `${JSON.stringify(snap)}\n`
    writeFileSync(file, text)
    const changed = devosim("replay", c, "--from", "150")
    expect(changed.status).toBe(4)
    expect(devosim("verify", c).status).toBe(4)
    expect(changed.stderr).toMatch(/snapshots\/s112\.json/)
    // Re-seal the manifest around the forged snapshot: the final check still catches it.
    const manifestFile = path.join(c, "manifest.json")
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"))
    manifest.files["snapshots/s112.json"] = { sha256: sha256(text), bytes: Buffer.byteLength(text) }
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
    const forged = devosim("replay", c, "--from", "150")
    expect(forged.status).toBe(4)
    expect(forged.stderr).toMatch(/replayed state sha256 \w+ differs from the manifest's/)
    // The full replay does not read snapshots.
    expect(devosim("replay", c).status).toBe(0)
  })

  it("bad input: no snapshots, a bad --from, a bad --snapshot-every", () => {
    const plain = path.join(dir, "plain")
    expect(devosim("run", TINY, "--out", plain, "--no-parquet").status).toBe(0)
    const none = devosim("replay", plain, "--from", "LATEST")
    expect(none.status).toBe(2)
    expect(none.stderr).toMatch(/no snapshots to start from; write some with devosim run FILE --snapshot-every MONTHS/)
    expect(devosim("replay", a, "--from", "yesterday").status).toBe(2)
    expect(devosim("replay", a, "--from", "245").status).toBe(2) // the log is events 0..244 (RunEnded last)
    const zero = devosim("run", TINY, "--out", path.join(dir, "zero"), "--snapshot-every", "0")
    expect(zero.status).toBe(2)
    expect(zero.stderr).toMatch(/--snapshot-every: expected a whole number of months >= 1/)
  })

  it("replications get snapshots too", () => {
    const set = path.join(dir, "set")
    expect(devosim("run", TINY, "--out", set, "--no-parquet", "--replications", "2", "--keep-runs", "--snapshot-every", "6", "--quiet").status).toBe(0)
    const r1 = path.join(set, "replications", "r0001")
    expect(readdirSync(path.join(r1, "snapshots")).length).toBeGreaterThan(0)
    expect(devosim("replay", r1, "--from", "LATEST").status).toBe(0)
  })
})
