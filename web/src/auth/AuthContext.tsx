// Who is signed in, and the ways to sign in and out, for the whole app.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import type { Config } from "../config";
import { navigate } from "../router";
import { completeAuth0Redirect, signInWithAuth0, signOutOfAuth0 } from "./auth0";
import { fetchLocalToken, type LocalRole } from "./local";
import { forgetSession, sessionOf, storeSession, storedSession, type Session } from "./session";

export interface Auth {
  config: Config;
  session: Session | null;
  /** True while an Auth0 redirect is being completed. */
  pending: boolean;
  error: string | null;
  signInLocal(asked: LocalRole): Promise<void>;
  signInAuth0(): Promise<void>;
  signOut(): void;
}

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error("useAuth outside AuthProvider");
  return auth;
}

/** The signed-in session; only for pages rendered when signed in. */
export function useSession(): Session {
  const { session } = useAuth();
  if (session === null) throw new Error("useSession while signed out");
  return session;
}

export function AuthProvider({ config, children }: { config: Config; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => storedSession(config));
  const [pending, setPending] = useState<boolean>(() => isAuth0Redirect(config));
  const [error, setError] = useState<string | null>(null);

  const adopt = useCallback(
    (token: string, method: Session["method"]) => {
      const next = sessionOf(token, method, config);
      if (next === null) throw new Error("The token could not be read (no subject, or expired)");
      storeSession(next);
      setSession(next);
      setError(null);
    },
    [config],
  );

  useEffect(() => {
    const auth0 = config.auth0;
    if (auth0 === null || !isAuth0Redirect(config)) return;
    completeAuth0Redirect(auth0)
      .then((token) => token !== null && adopt(token, "auth0"))
      .catch((failure: unknown) => setError(messageOf(failure)))
      .finally(() => setPending(false));
  }, [config, adopt]);

  // A token that expires signs the tab out at that moment (the server would refuse it).
  useEffect(() => {
    if (session?.expiresAt == null) return;
    const timer = window.setTimeout(
      () => {
        forgetSession();
        setSession(null);
      },
      Math.max(0, session.expiresAt - Date.now()),
    );
    return () => window.clearTimeout(timer);
  }, [session]);

  const auth = useMemo<Auth>(
    () => ({
      config,
      session,
      pending,
      error,
      async signInLocal(asked) {
        try {
          adopt(await fetchLocalToken(asked), "local");
        } catch (failure) {
          setError(messageOf(failure));
        }
      },
      async signInAuth0() {
        if (config.auth0 === null) return;
        try {
          await signInWithAuth0(config.auth0);
        } catch (failure) {
          setError(messageOf(failure));
        }
      },
      signOut() {
        const method = session?.method;
        forgetSession();
        setSession(null);
        navigate("/", { replace: true });
        if (method === "auth0" && config.auth0 !== null) {
          void signOutOfAuth0(config.auth0);
        }
      },
    }),
    [config, session, pending, error, adopt],
  );

  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

function isAuth0Redirect(config: Config): boolean {
  if (config.auth0 === null) return false;
  const params = new URLSearchParams(window.location.search);
  return params.has("code") && params.has("state");
}

export function messageOf(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}
