// exportUser: every page of it (events beyond 100 continue with `next`) as one document, and
// the record it holds (how a deleted user's page reads them: user(id) is null once deleted).
import type { Client } from "@urql/core";
import { isObject } from "../../config";
import { ExportUserDocument, type JsonValue } from "../../gql/graphql";

export interface ExportedUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  status: string;
  version: number | null;
  block: { reason: string; until: string | null } | null;
}

export interface ExportSummary {
  erased: boolean;
  user: ExportedUser | null;
}

export function summaryOf(document: JsonValue | undefined): ExportSummary {
  if (!isObject(document)) return { erased: false, user: null };
  const user = document["user"];
  return { erased: document["erased"] === true, user: isObject(user) ? recordOf(user) : null };
}

function recordOf(user: Record<string, unknown>): ExportedUser {
  const text = (key: string) => (typeof user[key] === "string" ? (user[key] as string) : "");
  const block = user["block"];
  return {
    id: text("id"),
    email: text("email"),
    firstName: text("firstName"),
    lastName: text("lastName"),
    birthDate: text("birthDate") || null,
    status: text("status"),
    version: typeof user["version"] === "number" ? user["version"] : null,
    block: isObject(block)
      ? {
          reason: typeof block["reason"] === "string" ? block["reason"] : "",
          until: typeof block["until"] === "string" ? block["until"] : null,
        }
      : null,
  };
}

type JsonObject = { [key: string]: JsonValue };

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function eventsOf(page: JsonObject): JsonValue[] {
  const events = page["events"];
  return Array.isArray(events) ? events : [];
}

/** The whole export: the first page, with the events of the following pages appended. */
export async function fetchExport(client: Client, id: string): Promise<JsonValue> {
  const first = await client.query(ExportUserDocument, { id }).toPromise();
  if (first.error) throw first.error;
  const whole = first.data?.exportUser ?? null;
  if (!isJsonObject(whole)) return whole;
  const events = [...eventsOf(whole)];
  let next = whole["next"];
  while (typeof next === "string") {
    const page = await client.query(ExportUserDocument, { id, after: next }).toPromise();
    if (page.error) throw page.error;
    const more = page.data?.exportUser;
    if (!isJsonObject(more)) break;
    events.push(...eventsOf(more));
    next = more["next"];
  }
  return { ...whole, events, next: null };
}

export function download(name: string, document: JsonValue): void {
  const blob = new Blob([JSON.stringify(document, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(window.document.createElement("a"), { href: url, download: name });
  window.document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
