/**
 * The `experiments` section of a scenario file, read back for `devosim sweep` once the file has
 * compiled (so it has been validated with the rest, with line:column errors); run and compare
 * ignore it.
 */
import { parse as parseYaml, parseDocument } from "yaml"
import type { Experiments } from "./schema.ts"

export type ExperimentsSection = typeof Experiments.Type
export type ExperimentFactorSpec = typeof import("./schema.ts").ExperimentFactor.Type

/** The section of a compiled scenario's text (YAML or JSON), or undefined when it has none. */
export const experimentsOfText = (text: string): ExperimentsSection | undefined => {
  const doc: unknown = parseYaml(text, { maxAliasCount: 0 })
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined
  const section = (doc as Record<string, unknown>)["experiments"]
  return section === undefined ? undefined : (section as ExperimentsSection)
}

/**
 * The base of a YAML scenario without its variants and experiments: what each experiment amends
 * (an experiment is the base amended, so the file's variants need not be merged and checked again
 * for every experiment). JSON, or text that does not parse, is returned as it is.
 */
export const sweepBaseText = (text: string): string => {
  if (/^\s*[{[]/.test(text)) return text
  const doc = parseDocument(text)
  if (doc.errors.length > 0) return text
  doc.delete("variants")
  doc.delete("experiments")
  return String(doc)
}
