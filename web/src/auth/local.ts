// Local sign-in: the local server's token endpoint (local mode, loopback only) mints a token
// signed by its own key: as admin, or as the user with the given subject.
import { isObject } from "../config";

export type LocalRole = { role: "admin" } | { role: "user"; sub: string };

export const TOKEN_URL = `${import.meta.env.BASE_URL}token`;

export async function fetchLocalToken(asked: LocalRole): Promise<string> {
  const response = await fetch(TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(asked),
  });
  if (!response.ok) {
    const detail = response.status === 403 ? " (only from localhost)" : "";
    throw new Error(`The token endpoint answered HTTP ${response.status}${detail}`);
  }
  const body: unknown = await response.json();
  const token = isObject(body) ? body["token"] : undefined;
  if (typeof token !== "string" || token === "") {
    throw new Error("The token endpoint answered without a token");
  }
  return token;
}
