// A tiny router on the History API under the app's base (/console/): no router library, to
// keep the initial JS small. Paths here are relative to the base: "/users", "/users/<id>".
import { useSyncExternalStore } from "react";
import type { AnchorHTMLAttributes, MouseEvent } from "react";

const BASE = import.meta.env.BASE_URL.replace(/\/$/, ""); // "/console"
const CHANGE = "console:navigate";

export type Route =
  | { page: "home" }
  | { page: "users" }
  | { page: "user"; id: string }
  | { page: "roles" }
  | { page: "authorizations" }
  | { page: "groups" }
  | { page: "access" }
  | { page: "replay" }
  | { page: "me" }
  | { page: "notFound"; path: string };

const SIMPLE = ["users", "roles", "authorizations", "groups", "access", "replay", "me"] as const;

export function routeOf(path: string): Route {
  const parts = path.split("/").filter((part) => part !== "");
  if (parts.length === 0) return { page: "home" };
  const [first, second, ...rest] = parts;
  if (first === "users" && second !== undefined && rest.length === 0) {
    return { page: "user", id: decodeURIComponent(second) };
  }
  if (second === undefined) {
    const simple = SIMPLE.find((name) => name === first);
    if (simple !== undefined) return { page: simple };
  }
  return { page: "notFound", path };
}

export function hrefOf(path: string): string {
  return `${BASE}${path.startsWith("/") ? path : `/${path}`}`;
}

export function userPath(id: string): string {
  return `/users/${encodeURIComponent(id)}`;
}

function currentPath(): string {
  const { pathname } = window.location;
  return pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : pathname;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The current path (relative to the base), re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

export function navigate(path: string, { replace = false } = {}): void {
  const href = hrefOf(path);
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new Event(CHANGE));
  if (!replace) window.scrollTo(0, 0);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An <a> that navigates in place (a modified click, or a middle click, opens a new tab). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  function follow(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={hrefOf(to)} onClick={follow} {...rest} />;
}
