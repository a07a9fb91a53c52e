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
