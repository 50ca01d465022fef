// GraphQL Code Generator: typed operations for a front end, from the schema the code serves.
//   npx graphql-codegen        (reads schema.graphql and clients/operations/**/*.graphql)
// Custom scalars travel as JSON, so DateTime and Date are ISO strings and JSON is any JSON value:
// mapped here, they come out as `string` and `JsonValue` rather than `any`.
import type { CodegenConfig } from "@graphql-codegen/cli";

const JSON_VALUE = [
  "/** Any JSON value: what a JSON scalar (an event's `data`) holds. */",
  "export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };",
].join("\n");

// CODEGEN_OUT lets a check generate elsewhere and compare (tests/integration/test_codegen.py).
const out = process.env.CODEGEN_OUT ?? "clients/generated";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: "clients/operations/**/*.graphql",
  generates: {
    [`${out}/graphql.ts`]: {
      plugins: [{ add: { content: JSON_VALUE } }, "typescript-operations"],
      config: {
        scalars: {
          DateTime: { input: "string", output: "string" },
          Date: { input: "string", output: "string" },
          JSON: { input: "JsonValue", output: "JsonValue" },
        },
        strictScalars: true, // a new custom scalar without a mapping fails the build
        enumsAsTypes: true, // CommandStatus as a union of strings: no runtime code
        useTypeImports: true,
      },
    },
  },
};

export default config;
