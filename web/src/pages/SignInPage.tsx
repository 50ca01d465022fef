// Signed out: local sign-in (one click as admin, or as a given user) when the server offers it,
// and Auth0 when config.json names a tenant.
import { useState } from "react";
import type { FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";
import { TextField } from "../components/fields";

export function SignInPage() {
  const { config, error, signInLocal, signInAuth0 } = useAuth();
  const [sub, setSub] = useState("");
  const [busy, setBusy] = useState(false);

  async function asUser(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await signInLocal({ role: "user", sub: sub.trim() });
    setBusy(false);
  }

  async function asAdmin() {
    setBusy(true);
    await signInLocal({ role: "admin" });
    setBusy(false);
  }

  return (
    <main className="sign-in">
      <h1>Sign in</h1>
      {config.auth0 !== null ? (
        <section aria-label="Auth0">
          <button type="button" onClick={() => void signInAuth0()}>
            Sign in with Auth0
          </button>
        </section>
      ) : null}
      {config.localSignIn ? (
        <section aria-label="Local sign-in" className="local-sign-in">
          <p>Local server: sign in with a token its own key signs.</p>
          <button type="button" disabled={busy} onClick={() => void asAdmin()}>
            Sign in as admin
          </button>
          <form onSubmit={(event) => void asUser(event)}>
            <TextField
              label="User subject"
              value={sub}
              onChange={setSub}
              required
              placeholder="auth0|123"
              autoComplete="off"
            />
            <button type="submit" disabled={busy || sub.trim() === ""}>
              Sign in as user
            </button>
          </form>
        </section>
      ) : null}
      {config.auth0 === null && !config.localSignIn ? (
        <p role="alert">
          No way to sign in is configured (config.json has no auth0 and no localSignIn).
        </p>
      ) : null}
      {error !== null ? <p role="alert">{error}</p> : null}
    </main>
  );
}
