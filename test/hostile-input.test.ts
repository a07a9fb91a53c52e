/**
 * Hostile scenario files through the real CLI (`devosim run FILE --out DIR`): a file over the size
 * limit, a large YAML file under it, an alias bomb, 100,000 levels of nesting, ids that are paths
 * or hold control characters. Each bad file gets exit 2 and one line on stderr naming the file,
 * with no stack trace, and nothing is written: the --out directory does not exist and nothing else
 * appeared in the temporary directory or the repository. The children run with a 512 MiB heap
 * (NODE_OPTIONS), so "bounded memory" is checked too: a parser that built a gigabyte tree would
 * abort instead of exiting 2. The in-process fuzz of the same promise is
 * packages/scenario/test/fuzz.test.ts.
 */
import { closeSync, existsSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MAX_SCENARIO_BYTES } from "@devosim/scenario"
import { devosim, ROOT, tempDir } from "./cli-helpers.ts"

const HEADER = `version: 1
name: hostile
start: 2010-04
months: 12
seed: 1
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
localities:
  - { id: Kent, name: Kent, population: 1400000, tranche: t1, negotiation: { months: 3 } }
`

/** Writes `head`, then `filler` repeated to about `bytes`, then `tail`, without building it in memory. */
const writeLarge = (file: string, head: string, filler: string, bytes: number, tail = ""): void => {
  const chunk = Buffer.from(filler.repeat(Math.max(1, Math.floor((1 << 20) / filler.length))))
  const fd = openSync(file, "w")
  try {
    writeSync(fd, head)
    for (let written = head.length; written < bytes; written += chunk.length) writeSync(fd, chunk)
    writeSync(fd, tail)
  } finally {
    closeSync(fd)
  }
}

const timings: Array<string> = []

describe("hostile scenario files: exit 2, one line, nothing written, bounded time and memory", () => {
  const dir = tempDir("hostile")
  const nodeOptions = process.env["NODE_OPTIONS"]

  beforeAll(() => {
    process.env["NODE_OPTIONS"] = `${nodeOptions ?? ""} --max-old-space-size=512`.trim()
  })
  afterAll(() => {
    if (nodeOptions === undefined) delete process.env["NODE_OPTIONS"]
    else process.env["NODE_OPTIONS"] = nodeOptions
    console.log(`devosim run, wall time per case:\n  ${timings.join("\n  ")}`)
    rmSync(dir, { recursive: true, force: true })
  })

  /** Runs `devosim run FILE --out DIR` and checks the refusal; returns stderr's one line. */
  const refused = (name: string, file: string, message: RegExp, limitSeconds = 30): string => {
    const out = path.join(dir, `out-${name}`)
    const before = readdirSync(dir).sort()
    const t0 = performance.now()
    const r = devosim("run", file, "--out", out)
    const seconds = (performance.now() - t0) / 1000
    timings.push(`${name}: ${seconds.toFixed(2)} s, exit ${r.status}`)
    expect(r.status).toBe(2)
    expect(r.stdout).toBe("")
    const lines = r.stderr.trimEnd().split("\n")
    expect(lines).toHaveLength(1)
    const line = lines[0]!
    expect(line.startsWith(`devosim: ${file}`)).toBe(true)
    expect(line).toMatch(message)
    expect(line).not.toContain("    at ")
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/u) // no raw control character reaches the terminal
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(dir).sort()).toEqual(before) // no temporary sibling, nothing else
    // Nor where a run would go by default (runs/<file name>).
    expect(existsSync(path.join(ROOT, "runs", path.basename(file).replace(/\.(ya?ml|json)$/i, "")))).toBe(false)
    expect(seconds).toBeLessThan(limitSeconds)
    if (readdirSync(dir).includes(path.basename(file))) rmSync(file) // big inputs: free the disk
    return line
  }

  it("a 100 MB file is refused by its size before it is read", () => {
    const file = path.join(dir, "huge.yaml")
    writeLarge(file, `${HEADER}# padding\n`, `#${"x".repeat(1022)}\n`, 100 * 1024 * 1024)
    refused("100 MB file", file, new RegExp(`expected a scenario file of at most ${MAX_SCENARIO_BYTES} bytes \\(64 MiB\\), found a file of \\d+ bytes$`), 10)
  })

  it("a 60 MB YAML list under the size limit is refused by its token count, fast", () => {
    const file = path.join(dir, "long-list.yaml")
    writeLarge(file, `${HEADER}programmes:\n`, "  - 0\n", 60 * 1024 * 1024)
    refused("60 MB YAML list", file, /:\d+:\d+: expected a YAML file of at most 500,000 tokens \(write larger scenarios as JSON\)/, 15)
  })

  it("a 60 MB JSON list under the size limit is refused before JSON.parse builds it", () => {
    const file = path.join(dir, "long-list.json")
    writeLarge(file, '{"version": 1, "x": [', "0,", 60 * 1024 * 1024, "0]}")
    refused("60 MB JSON list", file, /:1:\d+: expected lists and mappings of at most 1,000,000 entries/, 15)
  })

  it("a 60 MB YAML file of comments under the limit runs, in bounded time", () => {
    const file = path.join(dir, "commented.yaml")
    writeLarge(file, `${HEADER}# padding\n`, `#${"x".repeat(1022)}\n`, 60 * 1024 * 1024)
    const out = path.join(dir, "out-commented")
    const t0 = performance.now()
    const r = devosim("run", file, "--out", out, "--no-parquet", "--quiet")
    const seconds = (performance.now() - t0) / 1000
    timings.push(`60 MB of comments (runs): ${seconds.toFixed(2)} s, exit ${r.status}`)
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(existsSync(path.join(out, "summary.json"))).toBe(true)
    expect(seconds).toBeLessThan(30)
    rmSync(file)
    rmSync(out, { recursive: true })
  })

  it("the billion laughs", () => {
    const file = path.join(dir, "laughs.yaml")
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for (let i = 1; i < 9; i++) {
      const [name, prev] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)]
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`)
    }
    writeFileSync(file, `${levels.join("\n")}\n${HEADER.replace("name: hostile", "name: *i")}`)
    refused("billion laughs", file, /:1:1: expected at most 1,000 alias expansions/)
  })

  it("100,000 levels of nesting, YAML and JSON", () => {
    const yaml = path.join(dir, "deep.yaml")
    writeFileSync(yaml, `${HEADER}spending_reviews: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`)
    refused("100k-deep YAML", yaml, /:11:\d+: expected at most 64 levels of nested lists and mappings/)
    const json = path.join(dir, "deep.json")
    writeFileSync(json, `{"version": 1, "localities": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`)
    refused("100k-deep JSON", json, /:1:\d+: expected at most 64 levels of nested lists and mappings/)
  })

  it('an id "../../etc/x"', () => {
    const file = path.join(dir, "dotdot.yaml")
    writeFileSync(file, HEADER.replace("{ id: Kent,", '{ id: "../../etc/x",'))
    refused("id ../../etc/x", file, /:10:\d+: localities\[0\]\.id: expected an id without "\/" or "\\" \(ids may become file path segments\), found "\.\.\/\.\.\/etc\/x"$/)
  })

  it('a locality id "/tmp/x", and a tranche id "C:\\x"', () => {
    const file = path.join(dir, "absolute.yaml")
    writeFileSync(file, HEADER.replace("{ id: Kent,", '{ id: "/tmp/x",'))
    refused("id /tmp/x", file, /localities\[0\]\.id: expected an id without "\/" or "\\".*found "\/tmp\/x"$/)
    const windows = path.join(dir, "windows.yaml")
    writeFileSync(windows, HEADER.replace("{ id: t1, opens: 0 }", '{ id: "C:\\\\x", opens: 0 }'))
    refused("id C:\\x", windows, /tranches\[0\]\.id: expected an id without "\/" or "\\"/)
  })

  it("ids with control characters (an escape sequence, a NUL) are refused and shown escaped", () => {
    const esc = path.join(dir, "escape.yaml")
    writeFileSync(esc, HEADER.replace("{ id: Kent,", '{ id: "Kent\\e[2J",'))
    const line = refused("id with ESC", esc, /localities\[0\]\.id: expected a non-empty printable id, found "Kent\\u001b\[2J"$/)
    expect(line).not.toContain("\u001b")
    const nul = path.join(dir, "nul.json")
    writeFileSync(nul, JSON.stringify({ version: 1, name: "x", start: "2010-04", months: 12, seed: 1, centre: { capacity: 1 }, tranches: [{ id: "t\u0000", opens: 0 }] }))
    refused("id with NUL", nul, /tranches\[0\]\.id: expected a non-empty printable id, found "t\\u0000"$/)
  })

  it("a variant name that is a path", () => {
    const file = path.join(dir, "variant.yaml")
    writeFileSync(file, `${HEADER}variants:\n  - { name: ../../x, centre: { capacity: 3 } }\n`)
    refused("variant name ../../x", file, /variants\[0\]\.name: expected a non-empty printable variant name without "\/" or "\\"/)
  })
})
