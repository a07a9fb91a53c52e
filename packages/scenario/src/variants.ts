/**
 * Named variants: `variants[i]` is a partial document deep-merged into the base (the document
 * without `variants`). Mappings merge key by key; scalars and lists replace; a top-level id-keyed
 * list (`tranches`, `localities`, …) may instead be given as a mapping from id to a partial element,
 * merged into the element with that id. A distribution whose kind changes (`{ triangular }` →
 * `{ uniform }`) is replaced whole rather than merged into an invalid two-kind mapping.
 *
 * The merge keeps a provenance tree, so a problem found in the merged document can be located at
 * the value inside the variant when the variant supplied it, else at the base's value.
 */
import { renderFound, type PathSegment } from "./errors.ts"
import type { Problem } from "./issues.ts"
import type { Anchor, Locator, Position } from "./source.ts"

/** Keys a variant may not set: they belong to the file, not to one scenario of it. */
export const RESERVED_VARIANT_KEYS = ["version", "variants"] as const
/** The variant's own keys: its name and description, never merged. */
export const VARIANT_OWN_KEYS = ["name", "description"] as const

/** Top-level lists whose elements have an `id`; a variant may override them element by element. */
export const ID_KEYED_LISTS: Readonly<Record<string, string>> = {
  tranches: "tranche",
  agencies: "agency",
  localities: "locality",
  programmes: "programme",
  transfers: "transfer",
  spending_reviews: "spending review",
  powers: "power"
}

/**
 * Lists without ids whose elements a variant (or `--set centre.schedule.1.capacity=6`) may
 * override by position: a mapping from index to a partial element, every key an index of the base's list.
 */
const INDEX_KEYED_LISTS: ReadonlyArray<ReadonlyArray<string>> = [["centre", "schedule"]]

const isIndexKeyedList = (path: ReadonlyArray<PathSegment>): boolean => INDEX_KEYED_LISTS.some((p) => p.length === path.length && p.every((seg, i) => seg === path[i]))

/** The element index a key names ("0", "1", …: decimal, no sign or leading zero), if it is one of a list of `length`. */
const indexOf = (key: string, length: number): number | undefined => {
  if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined
  const i = Number(key)
  return i < length ? i : undefined
}

const DISTRIBUTION_KINDS: ReadonlySet<string> = new Set(["uniform", "triangular", "lognormal"])

/**
 * Where a part of the merged document came from. `base` / `variant`: the whole subtree, at `path`
 * in the file (variant paths start `["variants", i, …]`). `merged`: a mapping or list built from
 * both; `children` says where the overridden members came from, the others are the base's.
 */
export type Origin =
  | { readonly kind: "base"; readonly path: ReadonlyArray<PathSegment> }
  | { readonly kind: "variant"; readonly path: ReadonlyArray<PathSegment> }
  | {
      readonly kind: "merged"
      readonly base: ReadonlyArray<PathSegment>
      readonly variant: ReadonlyArray<PathSegment>
      readonly children: ReadonlyMap<PathSegment, Origin>
    }

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Sets an own enumerable property, even for a key like "__proto__". */
const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The only key of a one-key mapping naming a distribution kind, else undefined. */
const distributionKind = (v: Record<string, unknown>): string | undefined => {
  const keys = Object.keys(v)
  return keys.length === 1 && DISTRIBUTION_KINDS.has(keys[0]!) ? keys[0] : undefined
}

interface Merged {
  readonly value: unknown
  readonly origin: Origin
}

/** Deep merge: mappings key by key, everything else (scalars, lists, null) replaces. */
const deepMerge = (base: unknown, over: unknown, basePath: ReadonlyArray<PathSegment>, overPath: ReadonlyArray<PathSegment>): Merged => {
  if (Array.isArray(base) && isPlainObject(over) && isIndexKeyedList(basePath) && Object.keys(over).every((k) => indexOf(k, base.length) !== undefined)) {
    // Element by element; a key that is not an index of the list leaves the mapping whole, for the schema to refuse.
    const value = [...(base as ReadonlyArray<unknown>)]
    const children = new Map<PathSegment, Origin>()
    for (const key of Object.keys(over)) {
      const i = indexOf(key, base.length)!
      const m = deepMerge(base[i], over[key], [...basePath, i], [...overPath, key])
      value[i] = m.value
      children.set(i, m.origin)
    }
    return { value, origin: { kind: "merged", base: basePath, variant: overPath, children } }
  }
  if (!isPlainObject(base) || !isPlainObject(over)) return { value: over, origin: { kind: "variant", path: overPath } }
  const baseKind = distributionKind(base)
  const overKind = distributionKind(over)
  if (baseKind !== undefined && overKind !== undefined && baseKind !== overKind) return { value: over, origin: { kind: "variant", path: overPath } }
  const value: Record<string, unknown> = { ...base }
  const children = new Map<PathSegment, Origin>()
  for (const key of Object.keys(over)) {
    const m = Object.hasOwn(base, key)
      ? deepMerge(base[key], over[key], [...basePath, key], [...overPath, key])
      : { value: over[key], origin: { kind: "variant", path: [...overPath, key] } as const }
    setOwn(value, key, m.value)
    children.set(key, m.origin)
  }
  return { value, origin: { kind: "merged", base: basePath, variant: overPath, children } }
}

const listIds = (ids: ReadonlyArray<string>): string => {
  const shown = ids.slice(0, 8).map((id) => renderFound(id))
  return `(${shown.join(", ")}${ids.length > 8 ? `, … ${ids.length - 8} more` : ""})`
}

/** A keyed override (`localities: { Kent: { tranche: t2 } }`) merged into the base's list. */
const mergeKeyed = (
  key: string,
  what: string,
  base: unknown,
  over: Record<string, unknown>,
  overPath: ReadonlyArray<PathSegment>,
  problems: Array<Problem>
): Merged => {
  const list: ReadonlyArray<unknown> = Array.isArray(base) ? base : []
  const index = new Map<string, number>()
  list.forEach((item, i) => {
    const id = isPlainObject(item) ? item["id"] : undefined
    if (typeof id === "string" && !index.has(id)) index.set(id, i)
  })
  const ids = [...index.keys()]
  const value = [...list]
  const children = new Map<PathSegment, Origin>()
  for (const id of Object.keys(over)) {
    const i = index.get(id)
    if (i === undefined) {
      problems.push({
        path: [...overPath, id],
        anchor: "key",
        expected: ids.length === 0 ? `a ${what} id, but the base has no ${key}` : `one of the ${what} ids ${listIds(ids)}`,
        found: `an unknown ${what} ${renderFound(id)}`
      })
      continue
    }
    const m = deepMerge(list[i], over[id], [key, i], [...overPath, id])
    value[i] = m.value
    children.set(i, m.origin)
  }
  return { value, origin: { kind: "merged", base: [key], variant: overPath, children } }
}

export type MergeResult =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly origin: Origin }
  /** Problems with paths inside the variant (`["localities", "Kent"]` for `variants[i].localities.Kent`). */
  | { readonly ok: false; readonly problems: Array<Problem> }

/**
 * Merges `variants[index]` into `base` (the document without `variants`). Problems (a reserved
 * key, an unknown id in a keyed override) have paths relative to the variant.
 */
export const mergeVariant = (base: Record<string, unknown>, variant: Record<string, unknown>, index: number): MergeResult => {
  const root: ReadonlyArray<PathSegment> = ["variants", index]
  const problems: Array<Problem> = []
  const value: Record<string, unknown> = { ...base }
  const children = new Map<PathSegment, Origin>()
  for (const key of Object.keys(variant)) {
    if ((VARIANT_OWN_KEYS as ReadonlyArray<string>).includes(key)) continue
    const overPath = [...root, key]
    if ((RESERVED_VARIANT_KEYS as ReadonlyArray<string>).includes(key)) {
      problems.push({
        path: overPath,
        anchor: "key",
        expected: "a key of the scenario to override (not version, name or variants, which belong to the whole file)",
        found: `an override of ${JSON.stringify(key)}`
      })
      continue
    }
    const over = variant[key]
    const what = Object.hasOwn(ID_KEYED_LISTS, key) ? ID_KEYED_LISTS[key] : undefined
    const m =
      what !== undefined && isPlainObject(over)
        ? mergeKeyed(key, what, base[key], over, overPath, problems)
        : Object.hasOwn(base, key)
          ? deepMerge(base[key], over, [key], overPath)
          : { value: over, origin: { kind: "variant", path: overPath } as const }
    setOwn(value, key, m.value)
    children.set(key, m.origin)
  }
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => ({ ...p, path: p.path.slice(root.length) })) }
  return { ok: true, value, origin: { kind: "merged", base: [], variant: root, children } }
}

/**
 * A locator for the merged document: each path is mapped through the provenance tree to the
 * file's own path (inside the variant, or in the base) and located there.
 */
export const mergedLocator = (file: Locator, origin: Origin): Locator => ({
  locate: (path: ReadonlyArray<PathSegment>, anchor: Anchor): Position | undefined => {
    let o = origin
    for (let i = 0; i < path.length; i++) {
      if (o.kind !== "merged") return file.locate([...o.path, ...path.slice(i)], anchor)
      const seg = path[i]!
      const child = o.children.get(seg)
      if (child === undefined) {
        // Missing in the merged mapping means missing in the variant too: point at the variant's.
        if (i === path.length - 1 && anchor === "missing") return file.locate([...o.variant, seg], anchor)
        return file.locate([...o.base, ...path.slice(i)], anchor)
      }
      o = child
    }
    return file.locate(o.kind === "merged" ? o.variant : o.path, anchor)
  }
})
