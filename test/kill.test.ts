/**
 * Atomic run directories under signals (DESIGN §6: a failed or interrupted run never leaves one
 * that looks complete). A scenario big enough that `devosim run` takes a few seconds is started
 * again and again and killed after a random (seeded) delay: SIGKILL, which cannot be handled, and
 * SIGINT / SIGTERM, which must stop cleanly (exit 130 / 143, one line, temporary directory gone).
 * Afterwards `<out>` either does not exist or passes `verify`. Also: two runs racing for one --out.
 */
import { spawn } from "node:child_process"
import { existsSync, readdirSync, watch, writeFileSync } from "node:fs"
import * as path from "node:path"
import seedrandom from "seedrandom"
import { describe, expect, it } from "vitest"
import { RunDirectoryExists, verifyRunDirectory, writeRunDirectory } from "@devosim/store"
import { syntheticScenario } from "../bench/synthetic.ts"
import { ROOT, tempDir } from "./cli-helpers.ts"

/**
 * The CLI entry run by this very Node binary. Not node_modules/.bin/devosim: that shim runs
 * node_modules/.bin/node, a shell script (npm package `node`) that starts Node as its child
 * without exec, so a signal sent to the spawned pid would reach the shell, not devosim.
 */
const ENTRY = path.join(ROOT, "packages", "cli", "bin", "devosim.js")

interface Ended {
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
  readonly ms: number
}

/** Starts `devosim ARGS`; `kill(sig)` signals it, `ended` settles when it exits. */
const start = (args: ReadonlyArray<string>) => {
  const t0 = performance.now()
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] })
  let stderr = ""
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d))
  const ended = new Promise<Ended>((done) =>
    child.on("close", (status, signal) => done({ status, signal, stderr, ms: performance.now() - t0 }))
  )
  return { ended, kill: (sig: NodeJS.Signals) => child.kill(sig) }
}

const siblings = (dir: string, name: string): Array<string> => readdirSync(dir).filter((e) => e === name || e.startsWith(`${name}.`))

describe("devosim run under signals", () => {
  const dir = tempDir("kill")
  const file = path.join(dir, "big.json")
  writeFileSync(file, JSON.stringify(syntheticScenario({ localities: 300, agencies: 8, months: 120 })))
  const run = (out: string) => start(["run", file, "--out", out, "--no-parquet", "--quiet"])

  it("a killed run leaves no <out> or a complete one; SIGINT/SIGTERM exit 130/143 and leave no temporary directory", async () => {
    const t0 = performance.now()
    // One whole run: it verifies, and its phases scale the kill delays (start-up and compute, then
    // the write, from the temporary directory's appearance to the exit).
    const started = performance.now()
    let tmpAt = Number.NaN
    const watchWhole = watch(dir, (_event, entry) => {
      if (Number.isNaN(tmpAt) && String(entry).startsWith("whole.tmp-")) tmpAt = performance.now() - started
    })
    const whole = await run(path.join(dir, "whole")).ended
    watchWhole.close()
    expect(whole.status, whole.stderr).toBe(0)
    expect(verifyRunDirectory(path.join(dir, "whole")).ok).toBe(true)
    const span = Math.min(whole.ms * 1.1, 5000)
    const writing = Number.isNaN(tmpAt) ? 300 : Math.max(20, whole.ms - tmpAt)

    const rng = seedrandom.alea("kill.test")
    const signals: ReadonlyArray<NodeJS.Signals> = ["SIGKILL", "SIGKILL", "SIGINT", "SIGINT", "SIGKILL", "SIGKILL", "SIGTERM", "SIGTERM"]
    const outcomes: Array<string> = []
    for (let i = 0; i < 12; i++) {
      if (performance.now() - t0 > 50_000) break // the time bound, on a slow or busy machine
      const name = `k${i}`
      const out = path.join(dir, name)
      const sig = signals[i % signals.length]!
      // Even iterations: any time from start-up to the end. Odd ones: while the directory is being
      // written (from the moment its temporary sibling appears), when a kill matters most.
      const whileWriting = i % 2 === 1
      const delay = Math.floor(rng() * (whileWriting ? writing * 1.2 : span))
      const child = run(out)
      let timer: ReturnType<typeof setTimeout> | undefined
      const watcher = whileWriting
        ? watch(dir, (_event, entry) => {
            if (timer === undefined && String(entry).startsWith(`${name}.tmp-`)) timer = setTimeout(() => child.kill(sig), delay)
          })
        : undefined
      if (!whileWriting) timer = setTimeout(() => child.kill(sig), delay)
      const r = await child.ended
      clearTimeout(timer)
      watcher?.close()

      const left = siblings(dir, name)
      const complete = existsSync(out)
      if (complete) {
        const v = verifyRunDirectory(out)
        expect(v.ok, `${name} (${sig} after ${delay} ms) exists but does not verify: ${JSON.stringify(v)}`).toBe(true)
      }
      // Never anything but <out> and, after SIGKILL, one temporary sibling.
      expect(left.filter((e) => e !== name && !e.startsWith(`${name}.tmp-`)), `${name}: ${left}`).toEqual([])
      expect(left.filter((e) => e.startsWith(`${name}.tmp-`)).length).toBeLessThanOrEqual(sig === "SIGKILL" ? 1 : 0)

      let how: string
      if (r.status === 0) how = "finished first" // the signal came after the run had ended
      else if (r.signal === sig) how = "killed" // SIGKILL, or SIGINT/SIGTERM during start-up before devosim handles them
      else {
        expect(sig).not.toBe("SIGKILL")
        expect(r.status, r.stderr).toBe(sig === "SIGINT" ? 130 : 143)
        const line = r.stderr.trim()
        expect(line).toMatch(new RegExp(`^devosim: interrupted by ${sig}; (nothing written|\\S+ had already been written in full)$`))
        expect(complete).toBe(!line.endsWith("nothing written"))
        how = `exit ${r.status}`
      }
      if (how === "finished first") expect(complete).toBe(true)
      outcomes.push(`${sig} ${delay} ms after ${whileWriting ? "the write began" : "start"}: ${how}, ${complete ? "complete <out>" : "no <out>"}${left.some((e) => e.includes(".tmp-")) ? " + tmp" : ""}`)
    }
    const seconds = (performance.now() - t0) / 1000
    console.log(`kill test (${whole.ms.toFixed(0)} ms per run, ${writing.toFixed(0)} ms of it writing; ${seconds.toFixed(1)} s in all):\n  ${outcomes.join("\n  ")}`)
    expect(outcomes.length).toBeGreaterThanOrEqual(6)
  }, 90_000)

  it("two runs aimed at one --out: one writes it, the other refuses with exit 2", async () => {
    const out = path.join(dir, "race")
    const small = path.join(ROOT, "scenarios", "route-map-2010.yaml")
    const [a, b] = await Promise.all([0, 1].map(() => start(["run", small, "--out", out, "--no-parquet", "--quiet"]).ended))
    expect([a!.status, b!.status].sort()).toEqual([0, 2])
    expect((a!.status === 2 ? a! : b!).stderr).toMatch(/already exists/)
    expect(verifyRunDirectory(out).ok).toBe(true)
    expect(siblings(dir, "race")).toEqual(["race"])
  })
})

describe("writeRunDirectory: races and aborts", () => {
  const dir = tempDir("atomic")
  const files = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.txt`, bytes: `file ${i}\n`.repeat(1000) }))
  files.push({ name: "manifest.json", bytes: "{}\n" })

  it("eight concurrent writers to one directory: exactly one wins, the rest refuse (RunDirectoryExists), nothing left over", async () => {
    for (let round = 0; round < 5; round++) {
      const out = path.join(dir, `race${round}`)
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => writeRunDirectory(out, files)))
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1)
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RunDirectoryExists)
      expect(readdirSync(out).sort()).toEqual(files.map((f) => f.name).sort())
      expect(siblings(dir, `race${round}`)).toEqual([`race${round}`])
    }
  })

  it("an abort at any step before the rename leaves nothing; after it, the complete directory", async () => {
    const rng = seedrandom.alea("abort")
    let aborted = 0
    for (let i = 0; i < 30; i++) {
      const out = path.join(dir, `abort${i}`)
      const controller = new AbortController()
      const writing = writeRunDirectory(out, files, { signal: controller.signal })
      // Abort after a random number of event-loop turns (each file write is a few).
      const turns = Math.floor(rng() * 120)
      const abortLater = (async () => {
        for (let t = 0; t < turns; t++) await new Promise((r) => setImmediate(r))
        controller.abort()
      })()
      const r = await writing.then(
        () => "written",
        (e: unknown) => e
      )
      await abortLater
      if (r === "written") {
        expect(readdirSync(out).sort()).toEqual(files.map((f) => f.name).sort())
      } else {
        aborted++
        expect((r as Error).name).toBe("AbortError")
        expect(existsSync(out)).toBe(false)
      }
      expect(siblings(dir, `abort${i}`).filter((e) => e !== `abort${i}`)).toEqual([])
    }
    expect(aborted).toBeGreaterThan(0)
  })
})
