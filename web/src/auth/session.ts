// The signed-in session: the bearer token, kept in sessionStorage (one tab, gone when it
// closes), and what the console reads from its claims. The server verifies the token; the
// claims here only choose which pages show.
import { isObject, type Config } from "../config";

export type SignInMethod = "local" | "auth0";

export interface Session {
  token: string;
  sub: string;
  admin: boolean;
  /** Milliseconds since the epoch; null when the token has no exp. */
  expiresAt: number | null;
  method: SignInMethod;
}

const TOKEN_KEY = "usermgmt.console.token";
const METHOD_KEY = "usermgmt.console.method";

export function claimsOf(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (payload === undefined) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObject(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** As the server decides (infra/auth/verifier.py): the configured claim holds the admin value,
 * as a list or as a space-separated string. */
export function holdsAdmin(claims: Record<string, unknown>, config: Config): boolean {
  const value = claims[config.adminClaim];
  if (typeof value === "string") return value.split(/\s+/).includes(config.adminValue);
  if (Array.isArray(value)) return value.includes(config.adminValue);
  return false;
}

export function sessionOf(token: string, method: SignInMethod, config: Config): Session | null {
  const claims = claimsOf(token);
  if (claims === null) return null;
  const sub = claims["sub"];
  if (typeof sub !== "string" || sub === "") return null;
  const exp = claims["exp"];
  const expiresAt = typeof exp === "number" ? exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= Date.now()) return null;
  return { token, sub, admin: holdsAdmin(claims, config), expiresAt, method };
}

export function storedSession(config: Config): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const method = sessionStorage.getItem(METHOD_KEY) === "auth0" ? "auth0" : "local";
  if (token === null) return null;
  const session = sessionOf(token, method, config);
  if (session === null) forgetSession();
  return session;
}

export function storeSession(session: Session): void {
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(METHOD_KEY, session.method);
}

export function forgetSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(METHOD_KEY);
}
