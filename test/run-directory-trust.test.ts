/**
 * Nothing lost, nothing forged: run directories against an adversary, through the real CLI.
 *  - `--force` replaces only a directory devosim wrote and sealed (never a web app with a
 *    manifest.json of its own, never the working directory); an empty directory is used; a run is
 *    never written inside another; a SIGKILL while a run is replaced leaves a whole run at the name.
 *  - A run directory read back is untrusted input: a FIFO, a device, a symlink or a huge file gets
 *    exit 2 (or verify's kind of damage) in bounded time and memory (512 MiB heap), never a hang;
 *    replay, compare, explain and fork check what they read against the manifest, and report damage
 *    with verify's exit code; verify catches re-sealed forgeries (a set listing a run twice, swapped
 *    replications, a transplanted log) and tells an edited file from a cut one.
 *  - What reaches the terminal is escaped, on success lines too.
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { verifyRunDirectory } from "@devosim/store"
import { syntheticScenario } from "../bench/synthetic.ts"
import { ROOT, tempDir } from "./cli-helpers.ts"

const BIN = path.join(ROOT, "node_modules", ".bin", "devosim")
const TINY = path.join(ROOT, "test", "fixtures", "tiny.yaml")
const dir = tempDir("trust")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** `devosim ARGS` with a 512 MiB heap and a time limit (a hang shows as status null). */
const cli = (args: ReadonlyArray<string>, options: { readonly cwd?: string; readonly timeoutMs?: number } = {}): Result => {
  const r = spawnSync(BIN, args, {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    env: { ...process.env, NODE_OPTIONS: `${process.env["NODE_OPTIONS"] ?? ""} --max-old-space-size=512`.trim() }
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex")

/** A fresh run of the tiny scenario at `name` (optionally with another seed). */
const freshRun = (name: string, ...extra: ReadonlyArray<string>): string => {
  const out = path.join(dir, name)
  const r = cli(["run", TINY, "--out", out, "--no-parquet", "--quiet", ...extra])
  expect(r.status, r.stderr).toBe(0)
  return out
}

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, any>
const writeJson = (file: string, v: unknown) => writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`)

/** Re-seals `file` in the manifest of `run` (what a forger does after editing it). */
const reseal = (run: string, file: string) => {
  const m = readJson(path.join(run, "manifest.json"))
  const bytes = readFileSync(path.join(run, file))
  m["files"][file] = { sha256: sha256(bytes), bytes: bytes.length }
  writeJson(path.join(run, "manifest.json"), m)
}

/** Exit 2, one message on stderr, no stack trace, nothing about --force. */
const refused = (r: Result, message: RegExp) => {
  expect(r.status, r.stderr).toBe(2)
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
}

describe("--force replaces only what devosim wrote", () => {
  it("a web app's directory (its own manifest.json) is refused with or without --force, and left as it was", () => {
    const app = path.join(dir, "webapp")
    mkdirSync(path.join(app, "icons"), { recursive: true })
    writeFileSync(path.join(app, "manifest.json"), '{ "name": "My app", "start_url": "/" }\n')
    writeFileSync(path.join(app, "index.html"), "<p>my work</p>")
    writeFileSync(path.join(app, "icons", "a.png"), "png")
    for (const force of [["--force"], []]) {
      const r = cli(["run", TINY, "--out", app, "--no-parquet", ...force])
      refused(r, /not a devosim manifest|not a directory devosim wrote/)
      expect(r.stderr).not.toMatch(/--force/)
    }
    expect(readdirSync(app).sort()).toEqual(["icons", "index.html", "manifest.json"])
    expect(readFileSync(path.join(app, "index.html"), "utf8")).toBe("<p>my work</p>")
    expect(readdirSync(dir).filter((n) => n.startsWith("webapp."))).toEqual([])
  })

  it("--out . --force in a working directory of the user's files is refused", () => {
    const work = path.join(dir, "work")
    mkdirSync(work)
    writeFileSync(path.join(work, "thesis.tex"), "chapter 1")
    const r = cli(["run", TINY, "--out", ".", "--force", "--no-parquet"], { cwd: work })
    refused(r, /has no manifest\.json/)
    expect(r.stderr).not.toMatch(/--force/)
    expect(readdirSync(work)).toEqual(["thesis.tex"])
  })

  it("an empty directory is used as it is; a sealed run is replaced; one with a file of the user's is not; --out \"\" is refused", () => {
    const empty = path.join(dir, "empty")
    mkdirSync(empty)
    expect(cli(["run", TINY, "--out", empty, "--no-parquet"]).status).toBe(0)
    expect(cli(["verify", empty]).status).toBe(0)
    expect(cli(["run", TINY, "--out", empty, "--no-parquet", "--seed", "7", "--force"]).status).toBe(0)
    expect(readJson(path.join(empty, "manifest.json"))["seed"]).toBe(7)
    writeFileSync(path.join(empty, "notes.txt"), "mine")
    refused(cli(["run", TINY, "--out", empty, "--no-parquet", "--force"]), /"notes\.txt" in it is not a file its manifest seals; nothing was changed/)
    expect(readFileSync(path.join(empty, "notes.txt"), "utf8")).toBe("mine")
    refused(cli(["run", TINY, "--out", "", "--no-parquet"]), /empty path/)
  })

  it("a run written inside another run's directory is refused, and the other run stays intact", () => {
    const outer = freshRun("outer")
    refused(cli(["run", TINY, "--out", path.join(outer, "inner"), "--no-parquet"]), /inside .*outer, a directory devosim wrote/)
    refused(cli(["run", TINY, "--out", path.join(outer, "a", "b"), "--no-parquet"]), /inside/)
    expect(cli(["verify", outer]).status).toBe(0)
  })

  it("SIGKILL right after the first step of a replace leaves a whole run at the name", () => {
    const target = freshRun("replaced")
    const next = freshRun("replacement", "--seed", "99")
    const child = spawnSync(process.execPath, [path.join(ROOT, "test", "fixtures", "replace-and-die.ts"), target, next], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    expect(child.signal).toBe("SIGKILL")
    expect(existsSync(target)).toBe(true)
    const verdict = verifyRunDirectory(target)
    expect(verdict.ok).toBe(true)
    expect([20240401, 99]).toContain(readJson(path.join(target, "manifest.json"))["seed"])
  })
})

describe("a run directory is untrusted input", () => {
  const other = () => freshRun(`other-${Math.random().toString(36).slice(2)}`)

  /** The reading commands, each against `run`. */
  const readers = (run: string, second: string): Array<ReadonlyArray<string>> => [
    ["verify", run],
    ["replay", run],
    ["compare", run, second, "--out", path.join(dir, `cmp-${Math.random().toString(36).slice(2)}`)],
    ["explain", run, "--locality", "Kent"],
    ["fork", run, "--at", "1", "--set", "centre.capacity=2", "--out", path.join(dir, `fork-${Math.random().toString(36).slice(2)}`)]
  ]

  it.each([
    ["summary.json", "a FIFO", (f: string) => spawnSync("mkfifo", [f])],
    ["manifest.json", "a FIFO", (f: string) => spawnSync("mkfifo", [f])],
    ["events.arrow", "a FIFO", (f: string) => spawnSync("mkfifo", [f])],
    ["events.arrow", "a symlink to /dev/zero", (f: string) => symlinkSync("/dev/zero", f)],
    ["summary.json", "a symlink outside", (f: string) => symlinkSync("/etc/hostname", f)]
  ])("%s as %s: every reader exits 2 at once, no hang", (file, _what, make) => {
    const run = freshRun(`hostile-${file}-${_what.replace(/\W+/g, "-")}`)
    const second = other()
    unlinkSync(path.join(run, file))
    make(path.join(run, file))
    for (const args of readers(run, second)) {
      const r = cli(args, { timeoutMs: 30_000 })
      expect(r.status, `${args[0]}: ${r.stderr}`).toBe(2)
      expect(r.stderr, args[0]).toMatch(/FIFO|symbolic link/)
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
    }
  })

  it("a huge manifest.json is refused before it is read; a huge summary.json is changed content, found without reading it", () => {
    const run = freshRun("huge-manifest")
    truncateSync(path.join(run, "manifest.json"), 100 * 1024 * 1024)
    for (const args of [["verify", run], ["replay", run]]) refused(cli(args, { timeoutMs: 30_000 }), /more than the 67,108,864 that devosim reads whole/)
    const big = freshRun("huge-summary")
    truncateSync(path.join(big, "summary.json"), 3 * 1024 * 1024 * 1024)
    const v = cli(["verify", big], { timeoutMs: 60_000 })
    expect(v.status, v.stderr).toBe(4)
    expect(v.stderr).toMatch(/summary\.json: bytes changed: 3,221,225,472 bytes/)
    const c = cli(["compare", big, other(), "--out", path.join(dir, "cmp-huge")], { timeoutMs: 60_000 })
    expect(c.status, c.stderr).toBe(4)
  })

  it("compare refuses a tampered summary.json (exit 4, as verify), and a re-sealed {} with a located message (exit 2)", () => {
    const run = freshRun("tampered-summary")
    const file = path.join(run, "summary.json")
    writeFileSync(file, readFileSync(file, "utf8").replace(/"deals": (\d+)/, (_m, n) => `"deals": ${Number(n) + 40}`))
    const c = cli(["compare", run, other(), "--out", path.join(dir, "cmp-t")])
    expect(c.status, c.stderr).toBe(4)
    expect(cli(["verify", run]).status).toBe(4)
    writeFileSync(file, "{}\n")
    reseal(run, "summary.json")
    refused(cli(["compare", run, other(), "--out", path.join(dir, "cmp-t2")]), /summary\.json: not a summary devosim wrote: \(top level\)|summary\.json: not a summary devosim wrote: scenario/)
    // verify rebuilds the summary from the log: a re-sealed summary is not the log's.
    const v = cli(["verify", run])
    expect(v.status).toBe(6)
    expect(v.stderr).toMatch(/summary\.json: not the summary of events\.arrow/)
  })

  it("verify names a re-sealed scenario.yaml that does not compile (not the report it can no longer redraw)", () => {
    const run = freshRun("broken-scenario")
    writeFileSync(path.join(run, "scenario.yaml"), "version: 1\nname: [unclosed\n")
    reseal(run, "scenario.yaml")
    const v = cli(["verify", run])
    expect(v.status).toBe(6)
    expect(v.stderr).toMatch(/scenario\.yaml: does not compile \(/)
    expect(v.stderr).not.toMatch(/report\.html/)
  })

  it("replay checks the manifest's seed, counts and schema, with verify's exit codes", () => {
    const cases: Array<[string, (m: Record<string, any>) => void, number, RegExp]> = [
      ["seed", (m) => (m["seed"] = 1234), 6, /seed/],
      ["posting count", (m) => (m["posting_count"] += 1), 6, /postings/],
      ["control count", (m) => (m["control_event_count"] -= 1), 6, /control events/],
      ["schema", (m) => (m["event_schema_version"] = 99), 7, /event schema version 99/]
    ]
    for (const [what, edit, code, message] of cases) {
      const run = freshRun(`replay-${what.replace(/ /g, "-")}`)
      const m = readJson(path.join(run, "manifest.json"))
      edit(m)
      writeJson(path.join(run, "manifest.json"), m)
      const r = cli(["replay", run])
      expect(r.status, `${what}: ${r.stderr}`).toBe(code)
      expect(r.stderr).toMatch(message)
      expect(cli(["verify", run]).status, what).toBe(code)
    }
  })

  it("verify tells an edited summary (shorter, whole) from a cut one", () => {
    const run = freshRun("edited")
    const file = path.join(run, "summary.json")
    const text = readFileSync(file, "utf8")
    writeFileSync(file, text.replace(/"scenario": "Tiny fixture"/, '"scenario": "Tiny"'))
    const edited = cli(["verify", run])
    expect(edited.status, edited.stderr).toBe(4)
    expect(edited.stderr).toMatch(/\[content changed\]/)
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)))
    const cut = cli(["verify", run])
    expect(cut.status, cut.stderr).toBe(3)
    expect(cut.stderr).toMatch(/\[truncated\]/)
  })

  it("verify catches re-sealed forgeries: a run listed twice, swapped replications, a transplanted log", () => {
    const set = path.join(dir, "set")
    expect(cli(["run", TINY, "--out", set, "--replications", "3", "--keep-runs", "--no-parquet", "--quiet"]).status).toBe(0)
    expect(cli(["verify", set]).status).toBe(0)
    const sealSet = (m: Record<string, any>) => writeJson(path.join(set, "manifest.json"), m)
    const original = readJson(path.join(set, "manifest.json"))

    const twice = structuredClone(original)
    twice["replications"][1] = twice["replications"][0]
    sealSet(twice)
    const t = cli(["verify", set])
    expect(t.status).toBe(6)
    expect(t.stderr).toMatch(/lists replications\/r0000 again/)
    sealSet(original)

    // Swap r0000 and r0001, and re-seal the set's list and hashes around them.
    const a = path.join(set, "replications", "r0000")
    const b = path.join(set, "replications", "r0001")
    renameSync(a, `${a}.x`)
    renameSync(b, a)
    renameSync(`${a}.x`, b)
    const swapped = structuredClone(original)
    for (const [name, entry] of Object.entries(swapped["files"] as Record<string, { sha256: string; bytes: number }>)) {
      const bytes = readFileSync(path.join(set, name))
      entry.sha256 = sha256(bytes)
      entry.bytes = bytes.length
    }
    sealSet(swapped)
    const s = cli(["verify", set])
    expect(s.status, s.stderr).toBe(6)
    expect(s.stderr).toMatch(/runs swapped or moved between sets/)

    // A log transplanted from another run (another seed), with its manifest fields.
    const host = freshRun("host")
    const donor = freshRun("donor", "--seed", "5")
    const dm = readJson(path.join(donor, "manifest.json"))
    cpSync(path.join(donor, "events.arrow"), path.join(host, "events.arrow"))
    const hm = readJson(path.join(host, "manifest.json"))
    for (const k of ["seed", "log_sha256", "event_count", "control_event_count", "posting_count", "state_sha256"]) hm[k] = dm[k]
    writeJson(path.join(host, "manifest.json"), hm)
    const x = cli(["verify", host])
    expect(x.status, x.stderr).toBe(6)
    expect(x.stderr).toMatch(/not the summary of events\.arrow|not the scenario of events\.arrow/)
  })
})

describe("a run of a large JSON scenario", () => {
  it("verifies: its scenario.yaml (JSON text, beyond YAML's token limit) is read as JSON", () => {
    const file = path.join(dir, "large.json")
    writeFileSync(file, JSON.stringify(syntheticScenario({ localities: 25_000, agencies: 2, months: 2, queueOnly: true })))
    const out = path.join(dir, "large")
    const r = cli(["run", file, "--out", out, "--no-parquet", "--quiet"], { timeoutMs: 120_000 })
    expect(r.status, r.stderr).toBe(0)
    const v = cli(["verify", out], { timeoutMs: 120_000 })
    expect(v.status, v.stderr).toBe(0)

    // Its fork (the amendments merged into the parent's scenario) and a run with --seed are
    // written as JSON too, and read back as their inputs were (verify compiles them).
    const fork = path.join(dir, "large-fork")
    const f = cli(["fork", out, "--at", "1", "--set", "centre.capacity=20", "--out", fork, "--no-parquet"], { timeoutMs: 120_000 })
    expect(f.status, f.stderr).toBe(0)
    const seeded = path.join(dir, "large-seeded")
    expect(cli(["run", file, "--seed", "7", "--out", seeded, "--no-parquet", "--quiet"], { timeoutMs: 120_000 }).status).toBe(0)
    for (const run of [fork, seeded]) {
      const text = readFileSync(path.join(run, "scenario.yaml"), "utf8")
      expect(text.startsWith("{")).toBe(true)
      const v2 = cli(["verify", run], { timeoutMs: 120_000 })
      expect(v2.status, v2.stderr).toBe(0)
    }
    expect(JSON.parse(readFileSync(path.join(fork, "scenario.yaml"), "utf8")).centre.capacity).toBe(20)
    expect(JSON.parse(readFileSync(path.join(seeded, "scenario.yaml"), "utf8")).seed).toBe(7)
  })
})

describe("what reaches a terminal is escaped", () => {
  it("a run directory whose name holds ESC, CR, a line break and a bidi override prints them escaped, on success lines too", () => {
    const name = "run\u001b[2K\r\u202eevil\nintact"
    const out = path.join(dir, name)
    const r = cli(["run", TINY, "--out", out, "--no-parquet"])
    expect(r.status, r.stderr).toBe(0)
    const v = cli(["verify", out])
    expect(v.status).toBe(0)
    for (const text of [r.stdout, v.stdout]) {
      expect(text).not.toMatch(/[\u001b\r\u202e]/)
      expect(text).toContain("run\\u001b[2K\\u000d\\u202eevil\\u000aintact")
    }
    // A hostile file name in a run directory, reported by verify.
    writeFileSync(path.join(out, "x\u001b]0;title\u0007.json"), "{}")
    const bad = cli(["verify", out])
    expect(bad.status).toBe(6)
    expect(bad.stderr).not.toMatch(/[\u001b\u0007]/)
    expect(bad.stderr).toContain("x\\u001b]0;title\\u0007.json")
  })
})

describe("exit codes as documented", () => {
  // A real full disk: a 300 KiB tmpfs (needs root, as CI has; elsewhere the test says why it is skipped).
  const full = path.join(dir, "full")
  mkdirSync(full, { recursive: true })
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=300k", "tmpfs", full]).status === 0
  afterAll(() => {
    if (mounted) spawnSync("umount", [full])
  })

  it.skipIf(!mounted)("a full disk is a failure (exit 1), not bad input, and leaves nothing behind", () => {
    for (const args of [
      ["run", path.join(ROOT, "scenarios", "route-map-2010.yaml"), "--out", path.join(full, "r")],
      ["compare", path.join(ROOT, "scenarios", "route-map-rollout-options.yaml"), "--out", path.join(full, "c"), "--quiet"]
    ]) {
      const r = cli(args)
      expect(r.status, r.stderr).toBe(1)
      expect(r.stderr).toMatch(/ENOSPC|no space left/)
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
      expect(readdirSync(full)).toEqual([])
    }
  })

  it("explain refuses --limit -1 and --period -1 (exit 2)", () => {
    const run = freshRun("explain-limits")
    refused(cli(["explain", run, "--locality", "Kent", "--limit=-1"]), /--limit: expected a whole number of postings >= 0, found -1/)
    refused(cli(["explain", run, "--locality", "Kent", "--period=-1"]), /--period: expected a period/)
  })
})
