import { Schema } from "effect"
console.log(JSON.stringify(Schema.toJsonSchemaDocument(Schema.String.check(Schema.isPattern(/^a$/))).schema))
console.log(JSON.stringify(Schema.toJsonSchemaDocument(Schema.String.check(Schema.isPattern(/^a$/, {expected: "x"}))).schema))
console.log(JSON.stringify(Schema.toJsonSchemaDocument(Schema.String.annotate({expected: "y"}).check(Schema.isPattern(/^a$/, {expected: "x"}))).schema))
