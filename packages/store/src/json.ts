/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit, which for our ASCII keys is code-point
 * order), no whitespace, undefined properties dropped. The same value always gives the same bytes,
 * whatever order its keys were built in.
 */
export const canonicalJson = (value: unknown): string => {
  const out: Array<string> = []
  write(value, out, "$")
  return out.join("")
}

const write = (v: unknown, out: Array<string>, path: string): void => {
  if (v === null) {
    out.push("null")
  } else if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`${path}: ${v} cannot be stored as JSON`)
    out.push(JSON.stringify(v))
  } else if (typeof v === "string" || typeof v === "boolean") {
    out.push(JSON.stringify(v))
  } else if (Array.isArray(v)) {
    out.push("[")
    v.forEach((x, i) => {
      if (i > 0) out.push(",")
      write(x === undefined ? null : x, out, `${path}[${i}]`)
    })
    out.push("]")
  } else if (typeof v === "object") {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
    out.push("{")
    keys.forEach((k, i) => {
      if (i > 0) out.push(",")
      out.push(JSON.stringify(k), ":")
      write((v as Record<string, unknown>)[k], out, `${path}.${k}`)
    })
    out.push("}")
  } else {
    throw new TypeError(`${path}: a ${typeof v} cannot be stored as JSON`)
  }
}
