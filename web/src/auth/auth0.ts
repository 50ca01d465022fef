// Auth0 sign-in: authorization code with PKCE, for an access token of the API (audience).
// @auth0/auth0-spa-js is imported only here, dynamically, so local mode never loads it.
import type { Auth0Client } from "@auth0/auth0-spa-js";
import type { Auth0Config } from "../config";

let client: Promise<Auth0Client> | null = null;

function redirectUri(): string {
  return `${window.location.origin}${import.meta.env.BASE_URL}`;
}

export function auth0Client(config: Auth0Config): Promise<Auth0Client> {
  // The constructor, not createAuth0Client: that one first asks Auth0 silently (a hidden
  // iframe) whether a session exists, which the sign-in button need not wait for.
  client ??= import("@auth0/auth0-spa-js").then(
    ({ Auth0Client }) =>
      new Auth0Client({
        domain: config.domain,
        clientId: config.clientId,
        authorizationParams: { audience: config.audience, redirect_uri: redirectUri() },
        cacheLocation: "memory",
        useRefreshTokens: false,
      }),
  );
  return client;
}

export async function signInWithAuth0(config: Auth0Config): Promise<void> {
  const auth0 = await auth0Client(config);
  await auth0.loginWithRedirect({
    authorizationParams: { audience: config.audience, redirect_uri: redirectUri() },
  });
}

/** After Auth0 redirected back (?code=&state=): the access token, and the URL cleaned. */
export async function completeAuth0Redirect(config: Auth0Config): Promise<string | null> {
  const params = new URLSearchParams(window.location.search);
  if (!params.has("code") || !params.has("state")) return null;
  const auth0 = await auth0Client(config);
  await auth0.handleRedirectCallback();
  window.history.replaceState(null, "", import.meta.env.BASE_URL);
  const token = await auth0.getTokenSilently({
    authorizationParams: { audience: config.audience },
  });
  return token ?? null;
}

export async function signOutOfAuth0(config: Auth0Config): Promise<void> {
  const auth0 = await auth0Client(config);
  await auth0.logout({ logoutParams: { returnTo: redirectUri() } });
}
