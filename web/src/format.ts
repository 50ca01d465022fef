// Times: the API speaks ISO-8601 UTC; people read and type local times (datetime-local).

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A datetime-local value ("2026-12-07T10:30") as an ISO instant, or null when empty/invalid. */
export function isoFromLocal(local: string): string | null {
  if (local === "") return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Now as a datetime-local value, to the minute. */
export function localNow(): string {
  const now = new Date();
  const offset = now.getTimezoneOffset() * 60_000;
  return new Date(now.getTime() - offset).toISOString().slice(0, 16);
}

/** A unique id for a client-made commandId or a default user id. */
export function randomId(): string {
  return crypto.randomUUID();
}
