/**
 * @devosim/scenario: scenario files (YAML/JSON, format version 1) → core's `Scenario`, with
 * errors that name the file, line:column, the path inside the file, what was expected and found.
 */
export {
  loadScenario,
  compileScenarioText,
  compileScenarioBytes,
  MAX_SCENARIO_BYTES,
  type LoadedScenario,
  type LoadOptions,
  type CompileOutcome
} from "./load.ts"
export { ScenarioError, formatScenarioError, formatPath, type ScenarioErrorFields, type PathSegment } from "./errors.ts"
export { scenarioJsonSchema, ScenarioFile } from "./schema.ts"
export { amountToPence } from "./compile.ts"
export { MAX_ALIAS_COUNT } from "./source.ts"
