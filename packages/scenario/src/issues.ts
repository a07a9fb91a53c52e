/**
 * Effect Schema issues → flat problems with a path, an `expected` and a `found`.
 * The text comes from the `expected` annotations in `schema.ts`, the found value from the input.
 */
import { SchemaAST, type SchemaIssue } from "effect"
import { renderFound, type PathSegment } from "./errors.ts"
import type { Anchor } from "./source.ts"

export interface Problem {
  readonly path: ReadonlyArray<PathSegment>
  /** Point at the value (default) or at the key (an unknown key). */
  readonly anchor: Anchor
  readonly expected: string
  readonly found: string
  /** A second place the problem involves (the first of two equal ids), located in the message too. */
  readonly related?: ReadonlyArray<PathSegment>
}

const expectedOf = (ast: SchemaAST.AST): string => {
  const e = ast.annotations?.["expected"]
  if (typeof e === "string") return e
  switch (ast._tag) {
    case "String":
      return "text"
    case "Number":
      return "a number"
    case "Objects":
      return "a mapping"
    case "Arrays":
      return "a list"
    case "Literal":
      return JSON.stringify(ast.literal)
    default:
      return ast._tag.toLowerCase()
  }
}

const valueAt = (root: unknown, path: ReadonlyArray<PathSegment>): unknown => {
  let v = root
  for (const seg of path) {
    if (typeof v !== "object" || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[seg]
  }
  return v
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The schema of member `seg` of a struct or tuple, to describe a missing key. */
const memberAst = (parent: SchemaAST.AST | undefined, seg: PathSegment): SchemaAST.AST | undefined => {
  if (parent === undefined) return undefined
  if (SchemaAST.isObjects(parent)) return parent.propertySignatures.find((p) => p.name === seg)?.type
  if (SchemaAST.isArrays(parent) && typeof seg === "number") return parent.elements[seg]
  return undefined
}

const knownKeys = (ast: SchemaAST.AST): string =>
  SchemaAST.isObjects(ast) ? ast.propertySignatures.map((p) => String(p.name)).join(", ") : ""

/** Does a union member's failure say "this is not the member you meant" (wrong or missing keys)? */
const isShapeMismatch = (issue: SchemaIssue.Issue): boolean =>
  issue._tag === "Composite" &&
  SchemaAST.isObjects(issue.ast) &&
  issue.issues.some((i) => i._tag === "Pointer" && (i.issue._tag === "UnexpectedKey" || i.issue._tag === "MissingKey"))

/** Flattens an issue tree into problems, in the order Effect reports them. */
export const problemsOf = (root: SchemaIssue.Issue, input: unknown): Array<Problem> => {
  const out: Array<Problem> = []
  const visit = (issue: SchemaIssue.Issue, path: ReadonlyArray<PathSegment>, parent: SchemaAST.AST | undefined): void => {
    const here = (expected: string): Problem => ({ path, anchor: "value", expected, found: renderFound(valueAt(input, path)) })
    switch (issue._tag) {
      case "Pointer":
        visit(issue.issue, [...path, ...(issue.path as ReadonlyArray<PathSegment>)], parent)
        return
      case "Composite":
        for (const i of issue.issues) visit(i, path, issue.ast)
        return
      case "Encoding":
        visit(issue.issue, path, parent)
        return
      case "AnyOf": {
        // Descend into the one member the input plainly meant (e.g. the `uniform` member for
        // `{ uniform: [5, 3] }`, or the only member of the input's type); otherwise name the union.
        const value = valueAt(input, path)
        const meant = isPlainObject(value) ? issue.issues.filter((i) => !isShapeMismatch(i)) : issue.issues
        if (meant.length === 1) visit(meant[0]!, path, issue.ast)
        else out.push(here(expectedOf(issue.ast)))
        return
      }
      case "Filter": {
        const e = issue.filter.annotations?.expected
        out.push(here(typeof e === "string" ? e : typeof issue.filter.annotations?.message === "string" ? issue.filter.annotations.message : "a valid value"))
        return
      }
      case "InvalidType":
        out.push(here(expectedOf(issue.ast)))
        return
      case "MissingKey": {
        const key = path[path.length - 1]
        const member = key === undefined ? undefined : memberAst(parent, key)
        const what = member ? expectedOf(member) : "a value"
        out.push({
          path,
          anchor: "missing",
          expected: typeof key === "number" ? what : `a key "${String(key)}" with ${what}`,
          found: "nothing"
        })
        return
      }
      case "UnexpectedKey": {
        const key = path[path.length - 1]
        const keys = knownKeys(issue.ast)
        out.push({
          path,
          anchor: "key",
          expected: keys === "" ? "no further elements" : `only the keys ${keys}`,
          found: typeof key === "number" ? `an extra element ${renderFound(valueAt(input, path))}` : `an unknown key ${renderFound(key)}`
        })
        return
      }
      case "InvalidValue":
      case "Forbidden": {
        const a = issue.annotations
        out.push(here(typeof a?.expected === "string" ? a.expected : typeof a?.message === "string" ? a.message : "a valid value"))
        return
      }
      case "OneOf":
        out.push(here(expectedOf(issue.ast)))
        return
    }
  }
  visit(root, [], undefined)
  return out
}
