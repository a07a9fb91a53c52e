/**
 * @devosim/scenario: scenario files (YAML/JSON, format version 1) → core's `Scenario`, with
 * errors that name the file, line:column, the path inside the file, what was expected and found.
 */
export {
  loadScenario,
  loadScenarioVariants,
  compileScenarioText,
  compileScenarioBytes,
  compileScenarioVariantsText,
  compileScenarioVariantsBytes,
  runScenarioFormat,
  scenarioAmender,
  AMENDMENT_VARIANT,
  type ScenarioAmender,
  isUnknownVariant,
  type LoadedScenario,
  type LoadedVariant,
  type LoadOptions,
  type VariantsLoadOptions,
  type CompileOutcome,
  type CompileVariantsOutcome
} from "./load.ts"
export { ID_KEYED_LISTS, RESERVED_VARIANT_KEYS } from "./variants.ts"
export { ScenarioError, formatScenarioError, formatPath, type ScenarioErrorFields, type PathSegment } from "./errors.ts"
export { ScenarioFile } from "./schema.ts"
export { amountToPence } from "./compile.ts"
export * from "./limits.ts"
export { compileScenarioWithSettings, FORBIDDEN_SEGMENTS, formatSettingPath, overrideOf, parseSetting, type Setting, type SettingResult } from "./override.ts"
export { scenarioJsonSchema, UNCERTAIN_FIELDS, resolveInputs, drawInput, parseDistribution, isDistributionValue, DISTRIBUTION_FORMS, type ResolvedInputs } from "./uncertain.ts"
export { experimentsOfText, sweepBaseText, type ExperimentFactorSpec, type ExperimentsSection } from "./experiments.ts"
