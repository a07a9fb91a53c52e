import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EVENT_SCHEMA_VERSION } from "@devosim/core"
import {
  decodeEventLog,
  encodeAccounts,
  encodeEventLog,
  HashMismatch,
  InvalidFileName,
  makeManifest,
  ManifestInvalid,
  manifestJson,
  openRunDirectory,
  readRunDirectory,
  RunDirectoryExists,
  RunDirectoryNotFound,
  RunDirectoryPlacement,
  RunDirectoryWriteError,
  RunFileMissing,
  sha256Hex,
  writeRunDirectory,
  type RunFile
} from "../src/index.ts"
import { makeLog, run } from "./fixture.ts"

let root = ""
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "devosim-store-"))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const runFiles = (summary = '{"ok":true}\n', more: ReadonlyArray<RunFile> = []): Array<RunFile> => {
  const log = makeLog()
  const eventsArrow = encodeEventLog(log)
  const files: Array<RunFile> = [
    { name: "scenario.yaml", bytes: "version: 1\nname: two-places\n" },
    { name: "events.arrow", bytes: eventsArrow },
    { name: "accounts.arrow", bytes: encodeAccounts(run) },
    { name: "summary.json", bytes: summary },
    ...more
  ]
  const manifest = makeManifest({ log, eventsArrow, inputSha256: sha256Hex("version: 1\n"), stateSha256: "ab".repeat(32), files })
  return [...files, { name: "manifest.json", bytes: manifestJson(manifest) }]
}

/** Entries of `root` other than the ones named: temp or old directories left behind. */
const leftovers = async (keep: ReadonlyArray<string>) => (await readdir(root)).filter((e) => !keep.includes(e))

describe("manifest", () => {
  it("has fixed keys, counts from the log, hashes of the other files, and no timestamps", () => {
    const files = runFiles()
    const m = JSON.parse(String(files.at(-1)!.bytes))
    expect(Object.keys(m)).toEqual([
      "format",
      "engine_version",
      "event_schema_version",
      "scenario",
      "seed",
      "input_sha256",
      "event_count",
      "control_event_count",
      "posting_count",
      "state_sha256",
      "log_sha256",
      "files"
    ])
    const log = makeLog()
    expect(m).toMatchObject({
      format: "devosim-run/1",
      engine_version: run.engineVersion,
      event_schema_version: EVENT_SCHEMA_VERSION,
      scenario: "two-places",
      seed: 42,
      event_count: log.controls.length + log.postings.length,
      control_event_count: log.controls.length,
      posting_count: log.postings.length,
      log_sha256: sha256Hex(encodeEventLog(log))
    })
    // Sorted by name; events.arrow (log_sha256) and manifest.json itself are not listed.
    expect(Object.keys(m.files)).toEqual(["accounts.arrow", "scenario.yaml", "summary.json"])
    expect(m.files["summary.json"]).toEqual({ sha256: sha256Hex('{"ok":true}\n'), bytes: 12 })
    expect(String(files.at(-1)!.bytes)).toBe(String(runFiles().at(-1)!.bytes)) // reproducible
  })

  it("cross-checks scenario and seed when given", () => {
    const log = makeLog()
    const args = { log, eventsArrow: encodeEventLog(log), inputSha256: "", stateSha256: "", files: [] }
    expect(() => makeManifest({ ...args, seed: 7 })).toThrow(/seed/)
    expect(makeManifest({ ...args, seed: 42, scenario: "two-places" }).seed).toBe(42)
  })

  it("sha256Hex hashes strings as UTF-8", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(sha256Hex("abc"))
  })
})

describe("writeRunDirectory", () => {
  it("writes every file and leaves no temporary directory", async () => {
    const out = join(root, "a")
    const files = runFiles()
    await writeRunDirectory(out, files)
    expect((await readdir(out)).sort()).toEqual(files.map((f) => f.name).sort())
    expect(await readFile(join(out, "summary.json"), "utf8")).toBe('{"ok":true}\n')
    expect(await leftovers(["a"])).toEqual([])
    const back = await readRunDirectory(out)
    const decoded = decodeEventLog(back.eventsArrow)
    expect(decoded.ok && decoded.log).toEqual(makeLog())
    expect(back.manifest.posting_count).toBe(makeLog().postings.length)
  })

  it("refuses an existing directory without overwrite, and leaves it as it was", async () => {
    const out = join(root, "b")
    await writeRunDirectory(out, runFiles('{"n":1}\n'))
    await expect(writeRunDirectory(out, runFiles('{"n":2}\n'))).rejects.toBeInstanceOf(RunDirectoryExists)
    expect(await readFile(join(out, "summary.json"), "utf8")).toBe('{"n":1}\n')
    expect(await leftovers(["a", "b"])).toEqual([])
  })

  it("replaces an existing run with overwrite, leaving nothing else behind", async () => {
    const out = join(root, "c")
    await writeRunDirectory(out, runFiles('{"n":1}\n', [{ name: "report.html", bytes: "<p>old</p>" }]))
    await writeRunDirectory(out, runFiles('{"n":2}\n'), { overwrite: true })
    expect(await readFile(join(out, "summary.json"), "utf8")).toBe('{"n":2}\n')
    expect((await readdir(out)).includes("report.html")).toBe(false)
    expect(await leftovers(["a", "b", "c"])).toEqual([])
  })

  it("will not overwrite a directory that is not a run", async () => {
    const out = join(root, "not-a-run")
    await mkdir(out)
    await writeFile(join(out, "precious.txt"), "keep me")
    await expect(writeRunDirectory(out, runFiles(), { overwrite: true })).rejects.toThrow(/has no manifest\.json/)
    expect(await readFile(join(out, "precious.txt"), "utf8")).toBe("keep me")
    await rm(out, { recursive: true })
  })

  it("will not overwrite a directory with a manifest.json that is not devosim's (a web app), nor a run with a file it does not seal", async () => {
    const app = join(root, "webapp")
    await mkdir(app)
    await writeFile(join(app, "manifest.json"), '{"name":"My app","start_url":"/"}\n')
    await writeFile(join(app, "index.html"), "<p>keep me</p>")
    const refused = writeRunDirectory(app, runFiles(), { overwrite: true })
    await expect(refused).rejects.toBeInstanceOf(RunDirectoryExists)
    await expect(writeRunDirectory(app, runFiles(), { overwrite: true })).rejects.toThrow(/not a devosim manifest/)
    expect((await readdir(app)).sort()).toEqual(["index.html", "manifest.json"])
    const err = await writeRunDirectory(app, runFiles()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RunDirectoryExists)
    expect((err as RunDirectoryExists).replaceable).toBe(false)

    const run = join(root, "run-plus-notes")
    await writeRunDirectory(run, runFiles())
    await writeFile(join(run, "notes.txt"), "my notes")
    await expect(writeRunDirectory(run, runFiles('{"n":3}\n'), { overwrite: true })).rejects.toThrow(/"notes\.txt" in it is not a file its manifest seals/)
    expect(await readFile(join(run, "notes.txt"), "utf8")).toBe("my notes")
    await writeFile(join(run, "summary.json"), '{"edited":true}\n')
    await rm(join(run, "notes.txt"))
    await expect(writeRunDirectory(run, runFiles('{"n":3}\n'), { overwrite: true })).rejects.toThrow(/"summary\.json" in it is not the file its manifest seals/)
    expect(await leftovers(["a", "b", "c", "webapp", "run-plus-notes"])).toEqual([])
  })

  it("a sealed run that changes between the first look and the commit is checked again, and kept", async () => {
    const out = join(root, "changing")
    await writeRunDirectory(out, runFiles())
    const w = await openRunDirectory(out, { overwrite: true })
    for (const f of runFiles('{"n":9}\n')) if (f.name !== "manifest.json") await w.writeFile(f.name, f.bytes)
    await writeFile(join(out, "added-meanwhile.txt"), "mine")
    await expect(w.commit()).rejects.toThrow(/"added-meanwhile\.txt" in it is not a file its manifest seals/)
    expect(await readFile(join(out, "added-meanwhile.txt"), "utf8")).toBe("mine")
    await rm(out, { recursive: true })
  })

  it("writes into an empty existing directory, with or without overwrite; never through a symlink", async () => {
    const out = join(root, "empty")
    await mkdir(out)
    await writeRunDirectory(out, runFiles('{"n":5}\n'))
    expect(await readFile(join(out, "summary.json"), "utf8")).toBe('{"n":5}\n')
    await symlink(out, join(root, "link"))
    await expect(writeRunDirectory(join(root, "link"), runFiles(), { overwrite: true })).rejects.toThrow(/symbolic link/)
    await rm(join(root, "link"))
  })

  it("refuses a run directory inside another run directory, and an empty path", async () => {
    const parent = join(root, "parent-run")
    await writeRunDirectory(parent, runFiles())
    await expect(writeRunDirectory(join(parent, "inner"), runFiles())).rejects.toBeInstanceOf(RunDirectoryPlacement)
    await expect(writeRunDirectory(join(parent, "deeper", "inner"), runFiles())).rejects.toThrow(/inside .*parent-run/)
    expect((await readdir(parent)).sort()).toEqual(runFiles().map((f) => f.name).sort())
    await expect(writeRunDirectory("", runFiles())).rejects.toBeInstanceOf(RunDirectoryPlacement)
  })

  it("rejects names that are not plain file names, before writing anything", async () => {
    for (const name of ["../escape", "sub/../x", "/abs", "sub//file", "", ".", "..", "a\\b"]) {
      await expect(writeRunDirectory(join(root, "d"), [{ name, bytes: "x" }])).rejects.toBeInstanceOf(InvalidFileName)
    }
    await expect(writeRunDirectory(join(root, "d"), [{ name: "x", bytes: "1" }, { name: "x", bytes: "2" }])).rejects.toBeInstanceOf(
      InvalidFileName
    )
    expect(await leftovers(["a", "b", "c", "webapp", "run-plus-notes", "empty", "parent-run"])).toEqual([])
  })

  it("removes the temporary directory when a write fails midway", async () => {
    const files: Array<RunFile> = [
      { name: "first.txt", bytes: "written" },
      { name: "second.txt", bytes: 42 as unknown as string } // not bytes: the write throws
    ]
    await expect(writeRunDirectory(join(root, "e"), files)).rejects.toBeInstanceOf(RunDirectoryWriteError)
    expect(await leftovers(["a", "b", "c", "webapp", "run-plus-notes", "empty", "parent-run"])).toEqual([])
  })

  it("writes nested names (replications/r0000/…) into subdirectories, atomically with the rest", async () => {
    const out = join(root, "nested")
    await writeRunDirectory(out, [...runFiles(), { name: "replications/r0000/summary.json", bytes: "{}" }])
    expect(await readFile(join(out, "replications", "r0000", "summary.json"), "utf8")).toBe("{}")
    await rm(out, { recursive: true })
  })

  it("creates missing parent directories", async () => {
    await writeRunDirectory(join(root, "deep", "er", "run"), runFiles())
    expect((await readRunDirectory(join(root, "deep", "er", "run"))).manifest.scenario).toBe("two-places")
    await rm(join(root, "deep"), { recursive: true })
  })
})

describe("readRunDirectory", () => {
  const fresh = async (name: string) => {
    const out = join(root, name)
    await writeRunDirectory(out, runFiles())
    return out
  }

  it("reports a missing directory or file", async () => {
    await expect(readRunDirectory(join(root, "nope"))).rejects.toBeInstanceOf(RunDirectoryNotFound)
    const out = await fresh("r1")
    await rm(join(out, "events.arrow"))
    await expect(readRunDirectory(out)).rejects.toBeInstanceOf(RunFileMissing)
    const out2 = await fresh("r2")
    await rm(join(out2, "manifest.json"))
    await expect(readRunDirectory(out2)).rejects.toThrow(/has no manifest.json/)
  })

  it("reports a changed events.arrow or other listed file", async () => {
    const out = await fresh("r3")
    const events = await readFile(join(out, "events.arrow"))
    events[100] = events[100]! ^ 1
    await writeFile(join(out, "events.arrow"), events)
    const err = await readRunDirectory(out).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HashMismatch)
    expect((err as HashMismatch).file).toBe("events.arrow")

    const out2 = await fresh("r4")
    await writeFile(join(out2, "summary.json"), '{"ok":false}\n')
    await expect(readRunDirectory(out2)).rejects.toThrow(/summary.json/)
    await expect(readRunDirectory(out2, { verifyFiles: false })).resolves.toBeDefined()
  })

  it("reports a manifest that is not JSON or not a run manifest", async () => {
    const out = await fresh("r5")
    await writeFile(join(out, "manifest.json"), "{ not json")
    await expect(readRunDirectory(out)).rejects.toBeInstanceOf(ManifestInvalid)
    await writeFile(join(out, "manifest.json"), JSON.stringify({ format: "something-else/1" }))
    await expect(readRunDirectory(out)).rejects.toThrow(/format/)
  })
})
