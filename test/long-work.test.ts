/**
 * Long work honours signals and stays in bounded memory (issue "Nothing lost, nothing forged",
 * points 3 and 7):
 *  - SIGINT or SIGTERM stops `compare` (600 replications, on worker threads), `run
 *    --replications` (on worker threads, and with --keep-runs), `verify` and `replay` within a
 *    second, exit 130 / 143, one line, nothing written, no "intact".
 *    Each command is first run whole to learn how long it takes; the signal is sent halfway.
 *  - `compare` at 2,000 replications runs under a 512 MiB heap: it keeps each replication's
 *    figures, not its summary (before, ~0.6 MB a replication here: 2.4 GB for 4,000 runs).
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { syntheticScenario } from "../bench/synthetic.ts"
import { ROOT, tempDir } from "./cli-helpers.ts"

/** The CLI entry run by this Node binary (the bin shim's shell would take the signal instead). */
const ENTRY = path.join(ROOT, "packages", "cli", "bin", "devosim.js")
const dir = tempDir("long")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Ended {
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** When it ended, ms after it started. */
  readonly ms: number
}

const start = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const t0 = performance.now()
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } })
  let stdout = ""
  let stderr = ""
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d))
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
  const ended = new Promise<Ended>((done) => child.on("close", (status, signal) => done({ status, signal, stdout, stderr, ms: performance.now() - t0 })))
  return { ended, kill: (sig: NodeJS.Signals) => child.kill(sig), t0 }
}

const queueFile = path.join(dir, "wide.json")
writeFileSync(queueFile, JSON.stringify(syntheticScenario({ localities: 400, agencies: 2, months: 3 })))
const bigFile = path.join(dir, "big.json")
// 18 M events: replay of 12 M took 1.4 s once reading got faster, too short to land a signal in its middle.
writeFileSync(bigFile, JSON.stringify(syntheticScenario({ localities: 4500, agencies: 8, months: 240 })))
const bigRun = path.join(dir, "big-run")

/**
 * Runs `args` whole, then again with `sig` halfway through (or at another fraction `at` of the
 * whole run's time); returns the interrupted run and how long after the signal it ended.
 */
const interruptHalfway = async (args: (k: number) => ReadonlyArray<string>, sig: NodeJS.Signals, at = 0.5) => {
  const whole = await start(args(0)).ended
  expect(whole.status, whole.stderr).toBe(0)
  const child = start(args(1))
  const delay = whole.ms * at
  let sentAt = Number.NaN
  const timer = setTimeout(() => {
    sentAt = performance.now() - child.t0
    child.kill(sig)
  }, delay)
  const r = await child.ended
  clearTimeout(timer)
  return { whole, r, afterSignalMs: r.ms - sentAt }
}

describe("signals stop long work within a second", () => {
  // A third of the way in: the first run may load the sources before the compile cache has them.
  it("SIGINT during a 600-replication compare (worker threads)", async () => {
    const out = (k: number) => path.join(dir, `cmp-${k}`)
    const { whole, r, afterSignalMs } = await interruptHalfway((k) => ["compare", queueFile, queueFile, "--replications", "600", "--workers", "2", "--out", out(k), "--quiet"], "SIGINT", 1 / 3)
    console.log(`compare 600 replications: ${whole.ms.toFixed(0)} ms whole; stopped ${afterSignalMs.toFixed(0)} ms after SIGINT`)
    expect(whole.ms).toBeGreaterThan(3000) // long enough that the signal lands in the middle
    expect(r.status, r.stderr).toBe(130)
    expect(r.stderr.trim()).toBe("devosim: interrupted by SIGINT; nothing written")
    expect(afterSignalMs).toBeLessThan(1000)
    expect(existsSync(out(1))).toBe(false)
    expect(readdirSync(dir).filter((n) => n.startsWith("cmp-1."))).toEqual([])
  }, 120_000)

  it("SIGTERM during run --replications (worker threads, and --keep-runs)", async () => {
    for (const [name, args] of [
      ["reps", ["--replications", "600", "--workers", "2"]],
      ["kept", ["--replications", "40", "--keep-runs"]]
    ] as const) {
      const out = (k: number) => path.join(dir, `${name}-${k}`)
      const { whole, r, afterSignalMs } = await interruptHalfway((k) => ["run", queueFile, ...args, "--out", out(k), "--no-parquet", "--quiet"], "SIGTERM", 1 / 3)
      console.log(`run ${args.join(" ")}: ${whole.ms.toFixed(0)} ms whole; stopped ${afterSignalMs.toFixed(0)} ms after SIGTERM`)
      expect(whole.ms, name).toBeGreaterThan(2000) // long enough that the signal lands in the middle
      expect(r.status, r.stderr).toBe(143)
      expect(r.stderr.trim()).toBe("devosim: interrupted by SIGTERM; nothing written")
      expect(afterSignalMs).toBeLessThan(1000)
      expect(existsSync(out(1))).toBe(false)
      expect(readdirSync(dir).filter((n) => n.startsWith(`${name}-1.`))).toEqual([])
    }
  }, 240_000)

  it("SIGINT during verify and during replay of an 18-million-event run: exit 130, never 'intact'", async () => {
    const made = spawnSync(process.execPath, [ENTRY, "run", bigFile, "--out", bigRun, "--no-parquet", "--quiet"], { cwd: ROOT, encoding: "utf8" })
    expect(made.status, made.stderr).toBe(0)
    for (const command of ["verify", "replay"]) {
      const { whole, r, afterSignalMs } = await interruptHalfway(() => [command, bigRun], "SIGINT")
      console.log(`${command} of ${bigRun}: ${whole.ms.toFixed(0)} ms whole; stopped ${afterSignalMs.toFixed(0)} ms after SIGINT`)
      expect(whole.ms, command).toBeGreaterThan(1500)
      expect(r.status, `${command}: ${r.stderr}`).toBe(130)
      expect(r.stdout).not.toMatch(/intact|matches the manifest/)
      expect(afterSignalMs, command).toBeLessThan(1000)
    }
  }, 180_000)
})

describe("compare memory does not grow with replications", () => {
  it("2,000 replications of two 400-locality scenarios under a 512 MiB heap", async () => {
    const out = path.join(dir, "cmp-2000")
    const r = await start(["compare", queueFile, queueFile, "--replications", "2000", "--out", out, "--quiet"], { NODE_OPTIONS: "--max-old-space-size=512" }).ended
    console.log(`compare 2,000 replications × 2 under a 512 MiB heap: ${(r.ms / 1000).toFixed(1)} s`)
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/outputs in/)
    expect(existsSync(path.join(out, "compare.arrow"))).toBe(true)
  }, 300_000)

  it("--replications beyond 100,000 is refused (exit 2)", () => {
    const r = spawnSync(process.execPath, [ENTRY, "compare", queueFile, queueFile, "--replications", "100001", "--out", path.join(dir, "x")], { cwd: ROOT, encoding: "utf8" })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/--replications: expected a whole number from 1 to 100,000, found 100001/)
  })
})
