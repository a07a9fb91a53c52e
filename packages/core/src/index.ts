export * from "./model.ts"
export * from "./events.ts"
export * from "./snapshot.ts"
export * from "./upcast.ts"
