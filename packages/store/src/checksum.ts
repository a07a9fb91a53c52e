/**
 * A whole-file sha256 carried inside the Arrow file itself, checked before the Arrow reader sees
 * the bytes. Why: Arrow JS trusts flatbuffer vector lengths, so one damaged byte in a message
 * header can make it loop for minutes or exhaust memory; with this check any damage is reported
 * at once (and a flipped byte in a value, which Arrow cannot notice, is caught too).
 *
 * The digest sits in the schema metadata as `devosim-sha256:<64 hex>` (Arrow JS writes it once,
 * in the footer; other writers may repeat the schema). It is the sha256 of the file with every such digest's hex replaced
 * by "0"s, so it can be computed after writing and patched in without changing the layout.
 */
import { createHash } from "node:crypto"
import { readSync } from "node:fs"
import { LogWriteError } from "./errors.ts"

export const CHECKSUM_KEY = "devosim.content_sha256"
const PREFIX = Buffer.from("devosim-sha256:", "latin1")
const HEX_LEN = 64
const ZEROS = Buffer.alloc(HEX_LEN, 0x30)
export const CHECKSUM_PLACEHOLDER = `${PREFIX.toString("latin1")}${"0".repeat(HEX_LEN)}`

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Where the schema can be: the first message (after the 8-byte file magic) and the footer (located
 * from the file's last 10 bytes). Searching only there keeps sealing and checking O(metadata) and
 * means a string in the data can never pass for a marker.
 */
const schemaRegions = (buf: Buffer): Array<readonly [number, number]> => {
  const n = buf.length
  if (n < 18) return []
  const clamp = (x: number) => Math.max(0, Math.min(n, x))
  const continued = buf.readInt32LE(8) === -1 // IPC continuation marker before the length
  const first = continued ? 16 : 12
  const firstLen = buf.readInt32LE(continued ? 12 : 8)
  const footerLen = buf.readInt32LE(n - 10)
  return [
    [first, clamp(first + firstLen)],
    [clamp(n - 10 - footerLen), n - 10]
  ]
}

/** Start offsets of the hex digits of every `devosim-sha256:` marker in the schema regions. */
const markers = (buf: Buffer): Array<number> => {
  const out: Array<number> = []
  let last = -1
  for (const [start, end] of schemaRegions(buf)) {
    const region = buf.subarray(start, end)
    for (let at = region.indexOf(PREFIX); at >= 0; at = region.indexOf(PREFIX, at + 1)) {
      const hexAt = start + at + PREFIX.length
      if (hexAt > last && hexAt + HEX_LEN <= end) out.push((last = hexAt)) // regions may overlap
    }
  }
  return out
}

const digestWithout = (buf: Buffer, hexAt: ReadonlyArray<number>): string => {
  const h = createHash("sha256")
  let from = 0
  for (const at of hexAt) {
    h.update(buf.subarray(from, at))
    h.update(ZEROS)
    from = at + HEX_LEN
  }
  h.update(buf.subarray(from))
  return h.digest("hex")
}

/** Fills in the digest of a file written with `CHECKSUM_PLACEHOLDER` as a metadata value (in place). */
export const sealChecksum = (bytes: Uint8Array): Uint8Array => {
  const buf = view(bytes)
  const at = markers(buf)
  const placeholder = (a: number) => buf.subarray(a, a + HEX_LEN).equals(ZEROS)
  if (at.length === 0 || !at.every(placeholder)) throw new LogWriteError("checksum marker missing from the Arrow schema")
  const hex = Buffer.from(digestWithout(buf, at), "latin1")
  for (const a of at) hex.copy(buf, a)
  return bytes
}

export type ChecksumStatus = "ok" | "absent" | "mismatch"

/** Checks the embedded digest, without parsing the file. */
export const verifyChecksum = (bytes: Uint8Array): ChecksumStatus => {
  const buf = view(bytes)
  const at = markers(buf)
  if (at.length === 0) return "absent"
  const claimed = buf.subarray(at[0]!, at[0]! + HEX_LEN).toString("latin1")
  if (!/^[0-9a-f]{64}$/.test(claimed)) return "mismatch"
  for (const a of at) if (buf.subarray(a, a + HEX_LEN).toString("latin1") !== claimed) return "mismatch"
  return digestWithout(buf, at) === claimed ? "ok" : "mismatch"
}

/**
 * `verifyChecksum` over a file on disk, in one streaming pass (the file may be larger than memory):
 * the marker regions are located from a few small positional reads, then the file is hashed in
 * 4 MiB pieces with each marker's hex read as "0"s.
 */
export const verifyChecksumFile = (fd: number, size: number): ChecksumStatus => {
  const readAt = (at: number, length: number): Buffer => {
    const buf = Buffer.alloc(Math.max(0, Math.min(length, size - at)))
    let done = 0
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, at + done)
      if (n === 0) break
      done += n
    }
    return buf.subarray(0, done)
  }
  if (size < 18) return "absent"
  const head = readAt(8, 8)
  const tail = readAt(size - 10, 4)
  const continued = head.readInt32LE(0) === -1
  const first = continued ? 16 : 12
  const firstLen = head.readInt32LE(continued ? 4 : 0)
  const footerLen = tail.readInt32LE(0)
  const clamp = (x: number) => Math.max(0, Math.min(size, x))
  const regions: Array<readonly [number, number]> = [
    [first, clamp(first + firstLen)],
    [clamp(size - 10 - footerLen), size - 10]
  ]
  // Markers in each region, found in pieces that overlap by a marker's length.
  const at: Array<number> = []
  let last = -1
  const PIECE = 1 << 22
  const span = PREFIX.length + HEX_LEN
  for (const [start, end] of regions) {
    for (let from = start; from < end; from += PIECE) {
      const piece = readAt(from, Math.min(end, from + PIECE + span) - from)
      for (let i = piece.indexOf(PREFIX); i >= 0 && i < PIECE; i = piece.indexOf(PREFIX, i + 1)) {
        const hexAt = from + i + PREFIX.length
        if (hexAt > last && hexAt + HEX_LEN <= end) at.push((last = hexAt))
      }
    }
  }
  at.sort((a, b) => a - b)
  if (at.length === 0) return "absent"
  const claimed = readAt(at[0]!, HEX_LEN).toString("latin1")
  if (!/^[0-9a-f]{64}$/.test(claimed)) return "mismatch"
  for (const a of at) if (readAt(a, HEX_LEN).toString("latin1") !== claimed) return "mismatch"
  const h = createHash("sha256")
  const buf = Buffer.alloc(Math.min(size, 1 << 22))
  for (let pos = 0; pos < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos)
    if (n === 0) return "mismatch"
    for (const a of at) {
      const lo = Math.max(a, pos)
      const hi = Math.min(a + HEX_LEN, pos + n)
      if (lo < hi) buf.fill(0x30, lo - pos, hi - pos)
    }
    h.update(buf.subarray(0, n))
    pos += n
  }
  return h.digest("hex") === claimed ? "ok" : "mismatch"
}
