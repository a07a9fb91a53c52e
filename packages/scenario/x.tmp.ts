import { scenarioJsonSchema } from "./src/schema.ts"
console.log(JSON.stringify(scenarioJsonSchema(), null, 1))
