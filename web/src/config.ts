// The run-time configuration: /console/config.json beside the app, written by the server
// (`usermgmt serve` makes it from its settings; `make deploy` uploads it on AWS).

export interface Auth0Config {
  domain: string;
  clientId: string;
  audience: string;
}

export interface Config {
  apiUrl: string;
  /** null or absent: derived from the page's location and apiUrl (ws:// or wss://). */
  wsUrl: string | null;
  auth0: Auth0Config | null;
  localSignIn: boolean;
  /** The claim and value that give the admin right (the server's USERMGMT_ADMIN_CLAIM and
   * USERMGMT_ADMIN_VALUE); optional, with the server's defaults. Only decides which pages
   * show: the server refuses admin fields to a token without the right anyway. */
  adminClaim: string;
  adminValue: string;
}

export class ConfigError extends Error {}

export const CONFIG_URL = `${import.meta.env.BASE_URL}config.json`;

export async function loadConfig(url: string = CONFIG_URL): Promise<Config> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  } catch (error) {
    throw new ConfigError(`${url} could not be fetched: ${String(error)}`);
  }
  if (!response.ok) {
    throw new ConfigError(`${url} answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON`);
  }
  return parseConfig(body, url);
}

export function parseConfig(body: unknown, url: string = CONFIG_URL): Config {
  if (!isObject(body)) throw new ConfigError(`${url} is not a JSON object`);
  const apiUrl = body["apiUrl"];
  if (typeof apiUrl !== "string" || apiUrl === "") {
    throw new ConfigError(`${url}: "apiUrl" must be a non-empty string`);
  }
  const wsUrl = body["wsUrl"] ?? null;
  if (wsUrl !== null && typeof wsUrl !== "string") {
    throw new ConfigError(`${url}: "wsUrl" must be a string or null`);
  }
  return {
    apiUrl,
    wsUrl: wsUrl === "" ? null : wsUrl,
    auth0: parseAuth0(body["auth0"] ?? null, url),
    localSignIn: body["localSignIn"] === true,
    adminClaim: optionalString(body["adminClaim"]) ?? "permissions",
    adminValue: optionalString(body["adminValue"]) ?? "usermgmt:admin",
  };
}

function parseAuth0(value: unknown, url: string): Auth0Config | null {
  if (value === null) return null;
  if (!isObject(value)) throw new ConfigError(`${url}: "auth0" must be null or an object`);
  const fields = ["domain", "clientId", "audience"] as const;
  for (const name of fields) {
    if (typeof value[name] !== "string" || value[name] === "") {
      throw new ConfigError(`${url}: "auth0.${name}" must be a non-empty string`);
    }
  }
  return {
    domain: String(value["domain"]),
    clientId: String(value["clientId"]),
    audience: String(value["audience"]),
  };
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The WebSocket URL of subscriptions: config.wsUrl, else apiUrl on this page's host. */
export function wsUrlOf(config: Config, location: Location = window.location): string {
  const url = new URL(config.wsUrl ?? config.apiUrl, location.href);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  return url.toString();
}

/** apiUrl made absolute against the page (fetch takes relative URLs; this is for messages). */
export function apiUrlOf(config: Config, location: Location = window.location): string {
  return new URL(config.apiUrl, location.href).toString();
}
