/**
 * Files read back from a run directory are untrusted input (DESIGN §6), like scenario files: a
 * FIFO would block a read for good, a symlink to /dev/zero would never end, a huge manifest would
 * exhaust memory. Every read of a run directory goes through here: each path segment is checked
 * with lstat (no symlinks, directories only), the file is opened with O_NOFOLLOW | O_NONBLOCK (a
 * FIFO cannot block the open) and must be a regular file, and what is read whole has a size limit
 * checked before a byte is read.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs"
import { join } from "node:path"
import { createHash } from "node:crypto"
import { UntrustedFile } from "./errors.ts"
import { hashFd } from "./sink.ts"

/** manifest.json: a replication set of 10,000 runs lists about 100,000 files, a few MB. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024

/** Any other file read whole into memory (summary.json, scenario.yaml, snapshots, an events.arrow checked in memory): Node's own limit for one read. */
export const MAX_WHOLE_FILE_BYTES = 2 * 1024 * 1024 * 1024 - 1

/** The `code` of a Node file-system error (ENOENT, ELOOP, …). */
export const errno = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined

const kindOf = (s: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): string =>
  s.isSymbolicLink()
    ? "a symbolic link (devosim writes none, and follows none out of a run directory)"
    : s.isFIFO()
      ? "a FIFO (named pipe)"
      : s.isCharacterDevice() || s.isBlockDevice()
        ? "a device"
        : s.isSocket()
          ? "a socket"
          : s.isDirectory()
            ? "a directory"
            : "not a regular file"

/** What is at `dir/name` ('/'-joined), without following a symlink: "file", "missing", or why it is neither. */
const checkSegments = (dir: string, segments: ReadonlyArray<string>, name: string): void => {
  let at = dir
  for (const seg of segments.slice(0, -1)) {
    at = join(at, seg)
    const s = lstatSync(at)
    if (!s.isDirectory()) throw new UntrustedFile(dir, name, `${seg}/ is ${kindOf(s)}, expected a directory`)
  }
}

/** An open descriptor of the regular file `dir/name`, and its size. Throws ENOENT as is (the caller knows what a missing file means). */
export const openUntrusted = (dir: string, name: string): { readonly fd: number; readonly size: number } => {
  const segments = name.split("/")
  checkSegments(dir, segments, name)
  let fd: number
  try {
    fd = openSync(join(dir, ...segments), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (e) {
    if (errno(e) === "ELOOP") throw new UntrustedFile(dir, name, kindOf(lstatSync(join(dir, ...segments))))
    throw e
  }
  const s = fstatSync(fd)
  if (!s.isFile()) {
    closeSync(fd)
    throw new UntrustedFile(dir, name, `${kindOf(s)}, expected a regular file`)
  }
  return { fd, size: s.size }
}

/** The whole regular file `dir/name`, refused before reading when larger than `maxBytes`. */
export const readUntrusted = (dir: string, name: string, maxBytes = MAX_WHOLE_FILE_BYTES): Uint8Array => {
  const { fd, size } = openUntrusted(dir, name)
  try {
    if (size > maxBytes) throw new UntrustedFile(dir, name, `${size.toLocaleString("en-GB")} bytes, more than the ${maxBytes.toLocaleString("en-GB")} that devosim reads whole`)
    const bytes = new Uint8Array(size)
    let at = 0
    // A file that shrinks while read gives what it has; one that grows is read to its size at open.
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at)
      if (n === 0) break
      at += n
    }
    return at === size ? bytes : bytes.subarray(0, at)
  } finally {
    closeSync(fd)
  }
}

/** sha256 and size of the regular file `dir/name`, read in blocks (any size, constant memory). */
export const hashUntrusted = (dir: string, name: string): { readonly sha256: string; readonly bytes: number } => {
  const { fd, size } = openUntrusted(dir, name)
  try {
    return { sha256: hashFd(fd, size), bytes: size }
  } finally {
    closeSync(fd)
  }
}

/**
 * As `hashUntrusted`, yielding to the event loop every 64 MB, so a signal handler can run while a
 * large log is hashed (about 50 ms between turns).
 */
export const hashUntrustedAsync = async (dir: string, name: string): Promise<{ readonly sha256: string; readonly bytes: number }> => {
  const { fd, size } = openUntrusted(dir, name)
  try {
    const h = createHash("sha256")
    const buf = new Uint8Array(Math.min(Math.max(size, 1), 1 << 22))
    let at = 0
    for (let blocks = 1; at < size; blocks++) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at)
      if (n === 0) break
      h.update(buf.subarray(0, n))
      at += n
      if (blocks % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return { sha256: h.digest("hex"), bytes: at }
  } finally {
    closeSync(fd)
  }
}

export interface DirectoryListing {
  /** Regular files, '/'-joined relative paths, sorted. */
  readonly files: ReadonlyArray<string>
  /** Everything else found (symlinks, FIFOs, devices, sockets), with what it is. */
  readonly others: ReadonlyArray<{ readonly name: string; readonly what: string }>
}

/** Lists a directory tree without following symlinks. */
export const listUntrusted = (dir: string): DirectoryListing => {
  const files: Array<string> = []
  const others: Array<{ name: string; what: string }> = []
  const walk = (rel: ReadonlyArray<string>): void => {
    for (const e of readdirSync(join(dir, ...rel), { withFileTypes: true })) {
      const name = [...rel, e.name].join("/")
      if (e.isDirectory()) walk([...rel, e.name])
      else if (e.isFile()) files.push(name)
      else others.push({ name, what: kindOf(lstatSync(join(dir, ...rel, e.name))) })
    }
  }
  walk([])
  files.sort()
  return { files, others }
}
