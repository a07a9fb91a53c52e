/**
 * Every number in a summary, by a readable path: objects by key, lists of records by their id
 * (`negotiations[Kent].deal`, `money.localities[Kent].agencies[nhs].actual_pence`), other lists by
 * index (`money.by_period.actual_pence[5]`). Replication statistics are taken path by path.
 */
const ID_KEYS = ["locality", "agency", "measure", "scenario", "figure"] as const

const idOf = (x: unknown): string | undefined => {
  if (typeof x !== "object" || x === null) return undefined
  const r = x as Record<string, unknown>
  // A tier's path names its locality already ("Birmingham/Ladywood"); a personal budget's id is the run's.
  if (typeof r["tier"] === "string") return r["tier"]
  if (typeof r["personal_budget"] === "string") return r["personal_budget"]
  const parts = ID_KEYS.filter((k) => typeof r[k] === "string").map((k) => r[k] as string)
  // Cost-shift rows are keyed by three ids (locality, payer, beneficiary).
  if (typeof r["payer"] === "string" && typeof r["beneficiary"] === "string") parts.push(`${r["payer"]}→${r["beneficiary"]}`)
  return parts.length > 0 ? parts.join("/") : undefined
}

export const flattenNumbers = (value: unknown, prefix = "", out = new Map<string, number>()): Map<string, number> => {
  if (typeof value === "number") out.set(prefix, value)
  else if (Array.isArray(value)) {
    value.forEach((v, i) => flattenNumbers(v, `${prefix}[${idOf(v) ?? i}]`, out))
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) flattenNumbers(v, prefix === "" ? k : `${prefix}.${k}`, out)
  }
  return out
}
