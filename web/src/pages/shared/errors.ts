// A query's refusal, as the page shows it: the first GraphQL error's message and code.
import type { CombinedError } from "@urql/core";
import { isObject } from "../../config";

export interface QueryError {
  code: string | null;
  message: string;
  field: string | null;
}

export function queryErrorOf(error: CombinedError | undefined): QueryError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (!first)
    return { code: null, message: error.networkError?.message ?? error.message, field: null };
  const extensions = isObject(first.extensions) ? first.extensions : {};
  const code = extensions["code"];
  const field = extensions["field"];
  return {
    code: typeof code === "string" ? code : null,
    message: first.message,
    field: typeof field === "string" ? (field.split(".").pop() ?? field) : null,
  };
}
