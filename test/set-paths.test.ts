/**
 * `devosim fork --set` through the real CLI: a path that names a prototype (`__proto__.nhs=100bn`,
 * which once gave a locality a £100bn NHS line and a fork that verified intact) and malformed
 * paths are refused with exit 2 and one line naming the setting, no stack, no fork directory; an
 * id with `=`, `.`, `"` or brackets is reached by the quoted form. And ids that cannot be told
 * apart ("." and "..", ids of invisible characters, ids equal after NFC normalisation) are
 * refused by `devosim run` with a located message.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { devosim, tempDir } from "./cli-helpers.ts"

const scenario = (localities: string) => `version: 1
name: set paths
start: 2010-04
months: 12
seed: 1
centre: { capacity: 2 }
tranches:
  - { id: t1, opens: 0 }
agencies:
  - { id: nhs, name: NHS }
localities:
${localities}`

const KENT = "  - { id: Kent, name: Kent, population: 1400000, tranche: t1, negotiation: { months: 3 }, baseline: { nhs: 1m } }\n"
/** An id with every character the path syntax gives a meaning to (but "\", which ids may not hold). */
const ODD_ID = 'a=b.c[d]"e'
const ODD = `  - { id: ${JSON.stringify(ODD_ID)}, name: Odd, population: 1, tranche: t1, negotiation: { months: 3 }, baseline: { nhs: 1m } }\n`

/** Exit 2, nothing on stdout, one line on stderr matching `message`, without a stack or raw controls. */
const refusedLine = (r: ReturnType<typeof devosim>, message: RegExp): string => {
  expect(r.stdout).toBe("")
  const lines = r.stderr.trimEnd().split("\n")
  expect(lines, r.stderr).toHaveLength(1)
  const line = lines[0]!
  expect(line).toMatch(message)
  expect(line).not.toMatch(/internal error|    at |\bError\b/)
  expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/u)
  expect(r.status, line).toBe(2)
  return line
}

describe("devosim fork --set: paths", () => {
  const dir = tempDir("set-paths")
  const parent = path.join(dir, "parent")

  beforeAll(() => {
    const file = path.join(dir, "s.yaml")
    writeFileSync(file, scenario(KENT + ODD))
    const r = devosim("run", file, "--out", parent, "--no-parquet")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const refusedFork = (set: string, message: RegExp): string => {
    const out = path.join(dir, `fork-${Buffer.from(set).toString("hex")}`)
    const line = refusedLine(devosim("fork", parent, "--at", "1", "--set", set, "--out", out, "--no-parquet"), message)
    expect(existsSync(out)).toBe(false)
    expect(existsSync(`${parent}-fork`)).toBe(false)
    return line
  }

  it("__proto__, constructor and prototype are refused, naming the setting and the character", () => {
    expect(refusedFork("__proto__.nhs=100bn", /./)).toBe(
      'devosim: --set "__proto__.nhs=100bn": at character 1: expected a key other than __proto__, constructor or prototype (they name no part of a scenario), found "__proto__"; see devosim fork --help'
    )
    refusedFork("localities.Kent.baseline.__proto__.nhs=100bn", /^devosim: --set "localities\.Kent\.baseline\.__proto__\.nhs=100bn": at character 26: expected a key other than __proto__/)
    refusedFork('localities["constructor"].ready=1', /at character 11: expected a key other than __proto__, constructor or prototype .*found "constructor"; see devosim fork --help$/)
    refusedFork("centre.prototype.capacity=3", /at character 8: .*found "prototype"; see devosim fork --help$/)
  })

  it("malformed paths get a located error, never an internal error", () => {
    expect(refusedFork("localities..x=1", /./)).toBe(
      'devosim: --set "localities..x=1": at character 12: expected a key (a name like capacity, or a quoted one like ["St. Helens"]), found "."; see devosim fork --help'
    )
    expect(refusedFork("a[=1", /./)).toBe('devosim: --set "a[=1": at character 3: expected a quoted key after "[" (like ["St. Helens"]), found "="; see devosim fork --help')
    refusedFork('localities["Kent.ready=1', /^devosim: --set ".*": at character 12: expected a quoted key closed by ", found no closing quote; see devosim fork --help$/)
    refusedFork("centre.capacity", /^devosim: --set "centre\.capacity": at character 16: expected PATH=VALUE/)
    refusedFork("centre.capacity=[", /^devosim: --set "centre\.capacity=\[": at character 17: expected a YAML value after the path's =/)
    refusedFork("\u001b[2J=1", /^devosim: --set "\\u001b\[2J=1": at character 3: expected a quoted key after "\["/)
  })

  it("a VALUE with a __proto__ key is an unknown key, and the fork is not written", () => {
    refusedFork('localities.Kent={ "__proto__": { baseline: { nhs: 100bn } } }', /^devosim: --set: localities\[0\]\.__proto__: expected only the keys id, name, .* found an unknown key "__proto__"; see devosim fork --help$/)
  })

  it("an id with =, ., a quote and brackets is reached by the quoted form", () => {
    const out = path.join(dir, "odd")
    const r = devosim("fork", parent, "--at", "1", "--set", `localities[${JSON.stringify(ODD_ID)}].baseline.nhs=2m`, "--out", out, "--no-parquet")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const info = JSON.parse(readFileSync(path.join(out, "fork.json"), "utf8")) as { settings: Array<string> }
    expect(info.settings).toEqual([`localities["a=b.c[d]\\"e"].baseline.nhs=2m`])
    expect(readFileSync(path.join(out, "scenario.yaml"), "utf8")).toMatch(/nhs: 2m/)
  })
})

describe("devosim run: ids that cannot be told apart", () => {
  const dir = tempDir("ids")
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const refusedRun = (name: string, localities: string, message: RegExp): void => {
    const file = path.join(dir, `${name}.yaml`)
    writeFileSync(file, scenario(localities))
    const out = path.join(dir, `out-${name}`)
    const line = refusedLine(devosim("run", file, "--out", out, "--no-parquet"), message)
    expect(line.startsWith(`devosim: ${file}:`)).toBe(true)
    expect(existsSync(out)).toBe(false)
  }
  const locality = (id: string) => `  - { id: ${JSON.stringify(id)}, name: X, population: 1, tranche: t1, negotiation: { months: 3 } }\n`

  it('"." and ".."', () => {
    refusedRun("dot", KENT + locality("."), /:13:11: localities\[1\]\.id: expected an id other than "\." or "\.\." \(ids may become file path segments\), found "\."$/)
    refusedRun("dotdot", locality(".."), /:12:11: localities\[0\]\.id: expected an id other than "\." or "\.\." .*found "\.\."$/)
  })

  it("zero-width and other invisible characters alone", () => {
    refusedRun("zero-width", KENT + locality("\u200b\u200c"), /:13:11: localities\[1\]\.id: expected an id with a character that shows \(not only spaces, zero-width, format or combining characters\), found "/)
    refusedRun("combining", KENT + locality("\u0301"), /:13:11: localities\[1\]\.id: expected an id with a character that shows/)
    refusedRun("bidi", KENT + locality("\u200f"), /:13:11: localities\[1\]\.id: expected an id with a character that shows .*found "\\u200f"$/)
  })

  it("two ids equal after NFC normalisation: the second refused, the first located too", () => {
    refusedRun(
      "nfc",
      locality("Ynys Mo\u0302n") + locality("Ynys M\u00f4n"),
      /:13:11: localities\[1\]\.id: expected a locality id not used before, compared after Unicode NFC normalisation \(localities\[0\] already has "Ynys Mo\u0302n", U\+0059 .*\), found "Ynys M\u00f4n", U\+0059 .* \(the first at 12:11\)$/
    )
  })
})
