/**
 * The `data` of the control kinds a run has hundreds of thousands of (the queue's, the periods'),
 * written as bytes straight into a batch's data column: canonical JSON of the event less `_tag`,
 * `seq` and `t` (keys sorted, numbers as JSON writes them), byte for byte what
 * `canonicalJson(withoutHeader(ev))` encodes to, without a string per event. Other kinds, and a
 * field that is missing or not finite (a forged old log in the tests, a bug), are left to the
 * general walk. (control-payload.test pins the equality on generated events.)
 */
import type { ControlEvent } from "@devosim/core"
import { writeUtf8 } from "./columns.ts"

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0))

const P = {
  attempt: ascii('{"attempt":'),
  duration: ascii(',"duration":'),
  locality: ascii(',"locality":'),
  queueLength: ascii(',"queueLength":'),
  retryAt: ascii(',"retryAt":'),
  nul: ascii("null"),
  period: ascii('{"period":'),
  fromPeriod: ascii('{"fromPeriod":'),
  horizon: ascii(',"horizon":'),
  toPeriod: ascii(',"toPeriod":'),
  gainshare: ascii(',"gainshareBasisPoints":'),
  horizonMonths: ascii(',"horizonMonths":'),
  pooledAgencies: ascii(',"pooledAgencies":['),
  pooledFrom: ascii('],"pooledFrom":'),
  reduction: ascii(',"reductionBasisPoints":'),
  close: ascii("}"),
  yes: ascii("true"),
  runAgencies: ascii('{"agencies":['),
  agencyId: ascii('{"id":'),
  name: ascii(',"name":'),
  appraisal: ascii('],"appraisalDiscounting":'),
  capacity: ascii(',"capacity":'),
  coverage: ascii(',"coverage":'),
  coverageLabel: ascii('{"label":'),
  population: ascii(',"population":'),
  discountRate: ascii(',"discountRateBasisPoints":'),
  engineVersion: ascii(',"engineVersion":'),
  runLocalities: ascii(',"localities":['),
  localityLevel: ascii('{"accountabilityLevel":'),
  id: ascii(',"id":'),
  tranche: ascii(',"tranche":'),
  months: ascii('],"months":'),
  scenario: ascii(',"scenario":'),
  seed: ascii(',"seed":'),
  start: ascii(',"start":'),
  tranches: ascii(',"tranches":['),
  opens: ascii(',"opens":'),
  closeList: ascii("]"),
  no: ascii("false")
} as const

/** Thrown while writing when a field is not a finite number or a string: the general walk takes the event. */
const NOT_PLAIN = Symbol("not plain")

/** Room for a safe integer as JSON: "-9007199254740991" is 17 bytes. */
const INTEGER_ROOM = 17

/**
 * Writes payloads into a growing byte buffer. `quoted` holds each locality id as JSON (by locality
 * index), encoded once: every negotiation event names one.
 */
export class ControlPayloadWriter {
  bytes: Uint8Array
  private at = 0
  private readonly quoted: Uint8Array
  private readonly quotedStart: Int32Array

  constructor(localityIds: ReadonlyArray<string>, initialBytes = 1 << 12) {
    this.bytes = new Uint8Array(initialBytes)
    let room = 0
    for (const id of localityIds) room += 6 * id.length + 2
    const quoted = new Uint8Array(room)
    const starts = new Int32Array(localityIds.length + 1)
    let at = 0
    for (let i = 0; i < localityIds.length; i++) {
      starts[i] = at
      at += writeUtf8(JSON.stringify(localityIds[i]!), quoted, at)
    }
    starts[localityIds.length] = at
    this.quoted = quoted.slice(0, at)
    this.quotedStart = starts
  }

  /**
   * Writes `ev`'s payload at byte `at` (its locality's index `loc`, or -1) and returns the offset
   * after it, or -1 when the kind or a field is not one this writes (nothing counted as written).
   */
  write(ev: ControlEvent, loc: number, at: number): number {
    this.at = at
    try {
      return this.payload(ev, loc) ? this.at : -1
    } catch (e) {
      if (e === NOT_PLAIN) return -1
      throw e
    }
  }

  /** `text` (any string) as UTF-8 at byte `at`; returns the offset after it. */
  writeText(text: string, at: number): number {
    this.at = at
    const out = this.room(3 * text.length)
    return at + writeUtf8(text, out, at)
  }

  /** Makes room for `n` more bytes at the write position, keeping what is before it. */
  private room(n: number): Uint8Array {
    const need = this.at + n
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, need))
      grown.set(this.bytes.subarray(0, this.at))
      this.bytes = grown
    }
    return this.bytes
  }

  private lit(b: Uint8Array): void {
    const out = this.room(b.length)
    let at = this.at
    for (let i = 0; i < b.length; i++) out[at++] = b[i]!
    this.at = at
  }

  /** A finite number as JSON.stringify writes it: integers digit by digit, others through String. */
  private num(x: unknown): void {
    if (typeof x !== "number" || !Number.isFinite(x)) throw NOT_PLAIN
    if (Number.isSafeInteger(x)) {
      const out = this.room(INTEGER_ROOM)
      let at = this.at
      let n = x
      if (n < 0) {
        out[at++] = 45
        n = -n
      }
      let digits = 1
      for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++
      for (let p = at + digits - 1; p >= at; p--) {
        const q = Math.floor(n / 10)
        out[p] = 48 + (n - 10 * q)
        n = q
      }
      this.at = at + digits
      return
    }
    // A number's JSON text is ASCII (digits, ".", "e", "+", "-"), up to 25 bytes
    // ("-0.0000010000000142873201"): room for the text itself.
    const s = String(x)
    const out = this.room(s.length)
    let at = this.at
    for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i)
    this.at = at
  }

  private locality(ev: { readonly locality: unknown }, loc: number): void {
    if (loc < 0) return this.str(ev.locality)
    const from = this.quotedStart[loc]!
    const to = this.quotedStart[loc + 1]!
    const out = this.room(to - from)
    let at = this.at
    for (let i = from; i < to; i++) out[at++] = this.quoted[i]!
    this.at = at
  }

  private str(s: unknown): void {
    if (typeof s !== "string") throw NOT_PLAIN
    // Printable ASCII without a quote or backslash is its own JSON, quoted: copied as it is.
    const n = s.length
    const out = this.room(n + 2)
    let at = this.at
    out[at++] = 34
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c < 0x20 || c === 34 || c === 92 || c >= 0x7f) {
        const json = JSON.stringify(s)
        this.at += writeUtf8(json, this.room(3 * json.length), this.at)
        return
      }
      out[at++] = c
    }
    out[at++] = 34
    this.at = at
  }

  /**
   * Any value as canonicalJson writes it (keys sorted, undefined properties dropped, undefined in an
   * array as null), written at byte `at`; returns the offset after it, or -1 when some value is not
   * plain JSON (a number that is not finite, a function…), which canonicalJson then names.
   */
  writeCanonical(v: unknown, at: number): number {
    this.at = at
    try {
      this.value(v)
      return this.at
    } catch (e) {
      if (e === NOT_PLAIN) return -1
      throw e
    }
  }

  private readonly keys = new Map<string, Uint8Array>()

  private value(v: unknown): void {
    if (v === null) return this.lit(P.nul)
    switch (typeof v) {
      case "number":
        return this.num(v)
      case "string":
        return this.str(v)
      case "boolean":
        return this.lit(v ? P.yes : P.no)
      case "object": {
        if (Array.isArray(v)) {
          this.room(1)[this.at++] = 91
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.room(1)[this.at++] = 44
            const x: unknown = v[i]
            this.value(x === undefined ? null : x)
          }
          this.room(1)[this.at++] = 93
          return
        }
        const o = v as Record<string, unknown>
        const keys = Object.keys(o)
        for (let i = 1; i < keys.length; i++) {
          if (keys[i - 1]! > keys[i]!) {
            keys.sort()
            break
          }
        }
        this.room(1)[this.at++] = 123
        let first = true
        for (const k of keys) {
          const x = o[k]
          if (x === undefined) continue
          if (!first) this.room(1)[this.at++] = 44
          first = false
          let key = this.keys.get(k)
          if (key === undefined) {
            const json = `${JSON.stringify(k)}:`
            key = new Uint8Array(3 * json.length)
            key = key.subarray(0, writeUtf8(json, key, 0))
            this.keys.set(k, key)
          }
          this.lit(key)
          this.value(x)
        }
        this.room(1)[this.at++] = 125
        return
      }
      default:
        throw NOT_PLAIN
    }
  }

  private payload(ev: ControlEvent, loc: number): boolean {
    switch (ev._tag) {
      case "NegotiationQueued":
        this.lit(P.attempt)
        this.num(ev.attempt)
        this.lit(P.locality)
        this.locality(ev, loc)
        break
      case "NegotiationStarted":
        this.lit(P.attempt)
        this.num(ev.attempt)
        this.lit(P.duration)
        this.num(ev.duration)
        this.lit(P.locality)
        this.locality(ev, loc)
        this.lit(P.queueLength)
        this.num(ev.queueLength)
        break
      case "NegotiationFailed":
        this.lit(P.attempt)
        this.num(ev.attempt)
        this.lit(P.locality)
        this.locality(ev, loc)
        this.lit(P.retryAt)
        if (ev.retryAt === null) this.lit(P.nul)
        else this.num(ev.retryAt)
        break
      case "PeriodSpent":
        this.lit(P.period)
        this.num(ev.period)
        break
      case "SinglePlaceBudgetReset":
        this.lit(P.fromPeriod)
        this.num(ev.fromPeriod)
        this.lit(P.horizon)
        this.num(ev.horizon)
        this.lit(P.locality)
        this.locality(ev, loc)
        this.lit(P.toPeriod)
        this.num(ev.toPeriod)
        break
      case "DealAgreed": {
        const pooled: unknown = ev.pooledAgencies
        if (!Array.isArray(pooled)) throw NOT_PLAIN
        // A deal's envelope (issue 17) is rare: the general walk writes it.
        if (ev.envelope !== undefined) throw NOT_PLAIN
        this.lit(P.attempt)
        this.num(ev.attempt)
        this.lit(P.gainshare)
        this.num(ev.gainshareBasisPoints)
        this.lit(P.horizonMonths)
        this.num(ev.horizonMonths)
        this.lit(P.locality)
        this.locality(ev, loc)
        this.lit(P.pooledAgencies)
        for (let i = 0; i < pooled.length; i++) {
          if (i > 0) this.room(1)[this.at++] = 44
          this.str(pooled[i])
        }
        this.lit(P.pooledFrom)
        this.num(ev.pooledFrom)
        this.lit(P.reduction)
        this.num(ev.reductionBasisPoints)
        break
      }
      case "RunStarted": {
        // The schema's fields in sorted order (an event is schema-shaped: built by the engine or
        // decoded by core's schema, which drops any other key); what is missing or of another
        // type is left to the general walk.
        const { agencies, localities, tranches, coverage } = ev
        // Uncertain inputs' draws, tiers and running costs are rare and once a log: the general walk writes them.
        if (ev.inputs !== undefined || ev.tiers !== undefined || ev.runningCosts !== undefined) throw NOT_PLAIN
        if (!Array.isArray(agencies) || !Array.isArray(localities) || !Array.isArray(tranches)) throw NOT_PLAIN
        this.lit(P.runAgencies)
        for (let i = 0; i < agencies.length; i++) {
          if (i > 0) this.room(1)[this.at++] = 44
          const a: unknown = agencies[i]
          if (typeof a !== "object" || a === null) throw NOT_PLAIN
          this.lit(P.agencyId)
          this.str((a as { id: unknown }).id)
          this.lit(P.name)
          this.str((a as { name: unknown }).name)
          this.lit(P.close)
        }
        this.lit(P.appraisal)
        this.str(ev.appraisalDiscounting)
        this.lit(P.capacity)
        this.num(ev.capacity)
        this.lit(P.coverage)
        if (coverage === null) this.lit(P.nul)
        else {
          if (typeof coverage !== "object") throw NOT_PLAIN
          this.lit(P.coverageLabel)
          this.str((coverage as { label: unknown }).label)
          this.lit(P.population)
          this.num((coverage as { population: unknown }).population)
          this.lit(P.close)
        }
        this.lit(P.discountRate)
        this.num(ev.discountRateBasisPoints)
        this.lit(P.engineVersion)
        this.str(ev.engineVersion)
        this.lit(P.runLocalities)
        for (let i = 0; i < localities.length; i++) {
          if (i > 0) this.room(1)[this.at++] = 44
          const l: unknown = localities[i]
          if (typeof l !== "object" || l === null) throw NOT_PLAIN
          const info = l as Record<string, unknown>
          this.lit(P.localityLevel)
          this.num(info["accountabilityLevel"])
          this.lit(P.id)
          this.str(info["id"])
          this.lit(P.name)
          this.str(info["name"])
          this.lit(P.population)
          this.num(info["population"])
          this.lit(P.tranche)
          this.str(info["tranche"])
          this.lit(P.close)
        }
        this.lit(P.months)
        this.num(ev.months)
        this.lit(P.scenario)
        this.str(ev.scenario)
        this.lit(P.seed)
        this.num(ev.seed)
        this.lit(P.start)
        this.str(ev.start)
        this.lit(P.tranches)
        for (let i = 0; i < tranches.length; i++) {
          if (i > 0) this.room(1)[this.at++] = 44
          const tr: unknown = tranches[i]
          if (typeof tr !== "object" || tr === null) throw NOT_PLAIN
          this.lit(P.agencyId)
          this.str((tr as { id: unknown }).id)
          this.lit(P.opens)
          this.num((tr as { opens: unknown }).opens)
          this.lit(P.close)
        }
        this.lit(P.closeList)
        break
      }
      default:
        return false
    }
    this.lit(P.close)
    return true
  }
}
