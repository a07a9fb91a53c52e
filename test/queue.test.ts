/**
 * Sweeps on BullMQ workers over a real Redis (issue 16, items 1, 2 and 4). Each case starts its own
 * Debian `redis-server` on 127.0.0.1 at a free port, without persistence, in a temporary
 * directory; the coordinator (`devosim sweep … --queue`) and the workers (`devosim worker`) are
 * separate processes. Given the example's sweep (4 samples × 2 replications: 40 rows, 10 jobs of
 * 4), the queued sweep's files equal the local sweep's byte for byte: with a worker killed
 * (SIGKILL) holding a job, after a restart of the coordinator, and behind a password. A job for a
 * scenario its worker lacks, a stopped or unreachable Redis and a wrong password end the
 * coordinator with exit 1, one line naming the URL (never the password), and nothing written.
 * Every wait is bounded; every child and server is killed at the end.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"
import { startRedis as startRedisIn, until, type RedisServer } from "./redis-server.ts"

/**
 * The CLI entry run by this Node binary (not node_modules/.bin/devosim, a shell that starts Node
 * as its child: a SIGKILL sent to it would not reach devosim; see kill.test.ts).
 */
const ENTRY = path.join(ROOT, "packages", "cli", "bin", "devosim.js")
const EXAMPLE = path.join(ROOT, "scenarios", "route-map-rollout-options.yaml")
const OTHER = path.join(ROOT, "scenarios", "route-map-2010.yaml")
const SWEEP = ["sweep", EXAMPLE, "--samples", "4", "--replications", "2", "--workers", "0"]
const FILES = ["experiments.arrow", "sweep.json", "report.html", "manifest.json"]
const ACTIVE = "bull:devosim-sweep:active"
const COMPLETED = "bull:devosim-sweep:completed"

const haveRedis = spawnSync("redis-server", ["--version"]).status === 0
if (!haveRedis) console.warn("test/queue.test.ts: skipped: redis-server is not installed (scripts/setup.sh installs Debian's)")

const dir = tempDir("queue")
const at = (...p: Array<string>) => path.join(dir, ...p)
const children = new Set<ChildProcess>()

interface Started {
  readonly child: ChildProcess
  readonly output: () => string
  readonly ended: Promise<{ readonly status: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>
}

const launch = (command: string, args: ReadonlyArray<string>): Started => {
  const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
  children.add(child)
  let stdout = ""
  let stderr = ""
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d))
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d))
  const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on("close", (status, signal) => {
      children.delete(child)
      done({ status, signal, stdout, stderr })
    })
  )
  return { child, output: () => stderr, ended }
}

const cli = (...args: Array<string>) => launch(process.execPath, [ENTRY, ...args])

/** The child's exit, or a failure after `ms` (the child killed). */
const exitOf = async (s: Started, ms = 60_000) => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.child.kill("SIGKILL")
      reject(new Error(`a child did not exit within ${ms} ms; its stderr: ${s.output()}`))
    }, ms)
  })
  try {
    return await Promise.race([s.ended, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** A redis-server of this test's own on 127.0.0.1, no persistence, answering PING. */
const startRedis = (password?: string): Promise<RedisServer> => startRedisIn(tempDir("redis"), password)

const sameAsLocal = (out: string) => {
  for (const f of FILES) expect(readFileSync(path.join(out, f)).equals(readFileSync(at("local", f))), f).toBe(true)
}

const jobLines = (log: string) => [...log.matchAll(/job (\S+): rows/g)].map((m) => m[1]!)

beforeAll(() => {
  if (!haveRedis) return
  const r = devosim(...SWEEP, "--quiet", "--out", at("local"))
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
})

afterAll(() => {
  for (const c of children) c.kill("SIGKILL")
})

describe.skipIf(!haveRedis)("devosim sweep --queue and devosim worker over a real Redis", () => {
  it("given three workers, when one is killed holding a job, then its job runs again on another and the output equals the local sweep byte for byte", async () => {
    const redis = await startRedis()
    try {
      const coordinator = cli(...SWEEP, "--queue", redis.url, "--block", "4", "--out", at("killed"))
      const a = cli("worker", "--queue", redis.url, "--lock-ms", "1000", EXAMPLE)
      // Worker a alone takes jobs: frozen (SIGSTOP) while it holds one, the job is certainly its; then killed.
      let held = ""
      await until("worker a holding a job", () => {
        if (redis.cli("llen", ACTIVE) === "0") return false
        a.child.kill("SIGSTOP")
        held = redis.cli("lrange", ACTIVE, "0", "-1")
        if (held === "") a.child.kill("SIGCONT")
        return held !== ""
      })
      a.child.kill("SIGKILL")
      const aEnded = await exitOf(a, 10_000)
      expect(aEnded.signal).toBe("SIGKILL")
      expect(jobLines(aEnded.stderr)).not.toContain(held)
      const b = cli("worker", "--queue", redis.url, "--lock-ms", "1000", EXAMPLE)
      const c = cli("worker", "--queue", redis.url, "--lock-ms", "1000", EXAMPLE)
      const done = await exitOf(coordinator)
      expect(done.status, done.stderr).toBe(0)
      expect(done.stdout).toMatch(/outputs in .*killed\/: experiments\.arrow, report\.html, sweep\.json, manifest\.json/)
      sameAsLocal(at("killed"))
      // The killed worker's job was run again by b or c once its lock expired.
      expect([...jobLines(b.output()), ...jobLines(c.output())]).toContain(held)
      // Written, the sweep's jobs are removed.
      expect(redis.cli("zcard", COMPLETED)).toBe("0")
      for (const w of [b, c]) w.child.kill("SIGTERM")
      for (const w of [b, c]) {
        const ended = await exitOf(w, 20_000)
        expect(ended.status).toBe(143)
        expect(ended.stderr).toMatch(/stopping: the jobs in hand finish first/)
      }
    } finally {
      await redis.stop()
    }
  })

  it("a restarted coordinator finishes from the jobs done while it was away", async () => {
    const redis = await startRedis()
    try {
      const first = cli(...SWEEP, "--queue", redis.url, "--block", "4", "--out", at("restarted"))
      await until("the first coordinator's jobs", () => /devosim: queue devosim-sweep at .*: 10 jobs of up to 4 rows \(40 rows\); no worker is connected yet/.test(first.output()))
      first.child.kill("SIGKILL")
      await exitOf(first, 10_000)
      const w = cli("worker", "--queue", redis.url, EXAMPLE)
      await until("the ten jobs done", () => redis.cli("zcard", COMPLETED) === "10")
      w.child.kill("SIGTERM")
      await exitOf(w, 20_000)
      // No worker now: every row comes from the jobs done before.
      const second = await exitOf(cli(...SWEEP, "--queue", redis.url, "--block", "4", "--out", at("restarted")))
      expect(second.status, second.stderr).toBe(0)
      expect(second.stderr).toMatch(/10 jobs of up to 4 rows \(40 rows\), 10 jobs done already/)
      sameAsLocal(at("restarted"))
    } finally {
      await redis.stop()
    }
  })

  it("SIGTERM stops a waiting coordinator at once (exit 143), nothing written, its jobs kept for the next start", async () => {
    const redis = await startRedis()
    try {
      const c = cli(...SWEEP, "--queue", redis.url, "--block", "4", "--out", at("terminated"))
      await until("the coordinator's jobs", () => /10 jobs of up to 4 rows/.test(c.output()))
      c.child.kill("SIGTERM")
      const ended = await exitOf(c, 20_000)
      expect(ended.status).toBe(143)
      expect(ended.stderr.trim().split("\n").at(-1)).toBe("devosim: interrupted by SIGTERM; nothing written")
      expect(existsSync(at("terminated"))).toBe(false)
      expect(redis.cli("llen", "bull:devosim-sweep:wait")).toBe("10")
    } finally {
      await redis.stop()
    }
  })

  it("a worker without the scenario refuses the job naming its hash; the coordinator reports it once, exits 1 and writes nothing", async () => {
    const redis = await startRedis()
    try {
      const sha = createHash("sha256").update(readFileSync(EXAMPLE)).digest("hex")
      const w = cli("worker", "--queue", redis.url, OTHER)
      const done = await exitOf(cli(...SWEEP, "--queue", redis.url, "--block", "4", "--quiet", "--out", at("refused")))
      expect(done.status).toBe(1)
      const lines = done.stderr.trim().split("\n")
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(new RegExp(`^devosim: job [0-9a-f]{64}_\\d+-\\d+ \\(rows \\d+\\.\\.\\d+\\) failed: worker .* has no scenario file with sha256 ${sha}`))
      expect(existsSync(at("refused"))).toBe(false)
      // Refused for good: in the failed set, tried once (BullMQ's attemptsMade), not retried.
      const failed = redis.cli("zrange", "bull:devosim-sweep:failed", "0", "-1").split("\n")
      expect(failed.length).toBeGreaterThanOrEqual(1)
      for (const id of failed) expect(redis.cli("hget", `bull:devosim-sweep:${id}`, "atm")).toBe("1")
      // The worker says so in its log too.
      await until("the worker's refusal", () => new RegExp(`refused: has no scenario file with sha256 ${sha}`).test(w.output()), 10_000)
      w.child.kill("SIGTERM")
      await exitOf(w, 20_000)
    } finally {
      await redis.stop()
    }
  })

  it("Redis stopped mid-run: the coordinator exits 1 with one line naming the URL, nothing written; unreachable at the start, the same", async () => {
    const redis = await startRedis()
    const coordinator = cli(...SWEEP, "--queue", redis.url, "--block", "4", "--out", at("stopped"))
    await until("the coordinator's jobs", () => /10 jobs of up to 4 rows/.test(coordinator.output()))
    await redis.stop()
    const done = await exitOf(coordinator, 30_000)
    expect(done.status).toBe(1)
    expect(done.stderr.trim().split("\n").at(-1)).toMatch(new RegExp(`^devosim: lost the connection to redis at redis://127\\.0\\.0\\.1:${redis.port}/0`))
    expect(existsSync(at("stopped"))).toBe(false)

    const nowhere = await exitOf(cli(...SWEEP, "--queue", `redis://127.0.0.1:${redis.port}/0`, "--quiet", "--out", at("nowhere")), 30_000)
    expect(nowhere.status).toBe(1)
    expect(nowhere.stderr).toMatch(new RegExp(`^devosim: cannot reach redis at redis://127\\.0\\.0\\.1:${redis.port}/0: .*ECONNREFUSED.*\\n$`))
    expect(existsSync(at("nowhere"))).toBe(false)
  })

  it("Redis stopped under a waiting worker: the worker exits 1 with one line naming the URL", async () => {
    const redis = await startRedis()
    const w = cli("worker", "--queue", redis.url, EXAMPLE)
    await until("the worker's first line", () => /devosim worker: on queue devosim-sweep/.test(w.output()))
    await redis.stop()
    const ended = await exitOf(w, 30_000)
    expect(ended.status).toBe(1)
    expect(ended.stderr.trim().split("\n").at(-1)).toMatch(new RegExp(`^devosim: lost the connection to redis at redis://127\\.0\\.0\\.1:${redis.port}/0`))
  })

  it("a password-protected Redis: redis://:pw@… works, a wrong password is refused without showing it", async () => {
    const redis = await startRedis("s3cret-pw")
    try {
      const w = cli("worker", "--queue", redis.url, "--quiet", EXAMPLE)
      const done = await exitOf(cli(...SWEEP, "--queue", redis.url, "--block", "4", "--quiet", "--out", at("password")))
      expect(done.status, done.stderr).toBe(0)
      sameAsLocal(at("password"))
      w.child.kill("SIGTERM")
      await exitOf(w, 20_000)

      for (const url of [`redis://:wrong-pw@127.0.0.1:${redis.port}/0`, `redis://127.0.0.1:${redis.port}/0`]) {
        const refused = await exitOf(cli(...SWEEP, "--queue", url, "--quiet", "--out", at("wrong")), 30_000)
        expect(refused.status).toBe(1)
        expect(refused.stderr).toMatch(new RegExp(`^devosim: redis at redis://127\\.0\\.0\\.1:${redis.port}/0 refused the credentials: (WRONGPASS|NOAUTH)`))
        expect(refused.stderr).not.toMatch(/wrong-pw|s3cret/)
        expect(existsSync(at("wrong"))).toBe(false)
      }
      const worker = await exitOf(cli("worker", "--queue", `redis://:wrong-pw@127.0.0.1:${redis.port}/0`, EXAMPLE), 30_000)
      expect(worker.status).toBe(1)
      expect(worker.stderr).toMatch(/refused the credentials: WRONGPASS/)
    } finally {
      await redis.stop()
    }
  })

  it("flags: a URL that is not redis://, --block without --queue, --queue with --shard are refused (exit 2)", () => {
    const notRedis = devosim(...SWEEP, "--queue", "http://127.0.0.1:6379/0", "--out", at("bad-url"))
    expect(notRedis.status).toBe(2)
    expect(notRedis.stderr).toMatch(/--queue: expected redis:\/\/\[user:password@\]HOST:PORT\/DB .*the scheme is http/)
    expect(devosim(...SWEEP, "--block", "4", "--out", at("bad-block")).stderr).toMatch(/--block: rows per job of a queued sweep; give --queue URL too/)
    expect(devosim(...SWEEP, "--queue", "redis://127.0.0.1:1/0", "--shard", "0/2", "--out", at("bad-shard")).status).toBe(2)
    expect(existsSync(at("bad-url")) || existsSync(at("bad-block")) || existsSync(at("bad-shard"))).toBe(false)
  })
})
