// Compiled by tests/integration/test_codegen.py against freshly generated types: it does not
// compile if a custom scalar comes out as `any` or `unknown` instead of its JSON type.
import type {
  CommandStatusSubscription,
  JsonValue,
  UserWithHistoryQuery,
  UserWithHistoryQueryVariables,
} from "./generated/graphql";

type IsAny<T> = 0 extends 1 & T ? true : false;
type Same<A, B> =
  IsAny<A> extends true ? false : [A] extends [B] ? ([B] extends [A] ? true : false) : false;

type User = NonNullable<UserWithHistoryQuery["user"]>;
type HistoryEvent = UserWithHistoryQuery["history"]["edges"][number]["node"];

export const checks: [true, true, true, true, true] = [
  true as Same<User["createdAt"], string>, // DateTime
  true as Same<User["birthDate"], string | null>, // Date, nullable
  true as Same<HistoryEvent["data"], JsonValue>, // JSON
  true as Same<NonNullable<UserWithHistoryQueryVariables["asOf"]>, string>, // DateTime input
  true as Same<CommandStatusSubscription["commandStatus"]["updatedAt"], string>,
];

// A JSON value is usable without a cast once narrowed, unlike `unknown` from an unmapped scalar.
export function eventField(event: HistoryEvent, key: string): JsonValue | undefined {
  const data = event.data;
  return data !== null && typeof data === "object" && !Array.isArray(data) ? data[key] : undefined;
}
