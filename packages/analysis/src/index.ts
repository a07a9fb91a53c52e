/**
 * Deep-uncertainty analysis over experiments × outcomes: experiment designs, sensitivity
 * estimators, scenario discovery. Pure (no I/O, no clock, no Math.random): every random choice
 * comes from a RandomStream passed in (core's streamFor), so a design is a function of its seed.
 */
export * from "./factors.ts"
export * from "./sobol-sequence.ts"
export * from "./designs.ts"
export * from "./sensitivity.ts"
export * from "./prim.ts"
export * from "./condition.ts"
