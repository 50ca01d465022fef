// The signed-in frame: the "Main" navigation (admin pages for an admin token, only "My
// account" for a user token), the sign-out button, and the page.
import type { ReactNode } from "react";
import { useAuth, useSession } from "./auth/AuthContext";
import { Link, routeOf, usePath } from "./router";

const ADMIN_LINKS = [
  { to: "/users", label: "Users", pages: ["users", "user"] },
  { to: "/roles", label: "Roles", pages: ["roles"] },
  { to: "/authorizations", label: "Authorizations", pages: ["authorizations"] },
  { to: "/groups", label: "Groups", pages: ["groups"] },
  { to: "/access", label: "Access", pages: ["access"] },
  { to: "/replay", label: "Replay", pages: ["replay"] },
] as const;
const ME_LINK = { to: "/me", label: "My account", pages: ["me"] } as const;

export function Layout({ children }: { children: ReactNode }) {
  const { signOut } = useAuth();
  const session = useSession();
  const page = routeOf(usePath()).page;
  const links = session.admin ? [...ADMIN_LINKS, ME_LINK] : [ME_LINK];
  return (
    <div className="layout">
      <header className="top">
        <span className="brand">usermgmt console</span>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.to}>
                <Link
                  to={link.to}
                  aria-current={
                    (link.pages as readonly string[]).includes(page) ? "page" : undefined
                  }
                >
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {session.admin ? "Admin" : "User"} <code>{session.sub}</code>
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}
