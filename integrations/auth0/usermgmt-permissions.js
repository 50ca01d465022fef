/**
 * Auth0 post-login Action: put the logging-in user's effective permissions, as usermgmt
 * computes them (roles, and roles through groups), in the access token, so that an app can
 * check a permission locally without calling anything.
 *
 * The Action asks usermgmt's GraphQL API `effectivePermissions(userId)` with a
 * machine-to-machine token (client credentials of an Auth0 application that holds the check
 * right, `usermgmt:check`, on the usermgmt API), kept in `api.cache` until shortly before it
 * expires, so most logins cost one call.
 *
 * Secrets (Actions > this Action > Secrets):
 *   USERMGMT_URL       the service, e.g. https://abc.execute-api.eu-west-1.amazonaws.com
 *   AUTH0_DOMAIN       the tenant, e.g. tenant.eu.auth0.com (where the token is asked for)
 *   CLIENT_ID          the machine-to-machine application's client id
 *   CLIENT_SECRET      ... and its secret
 *   AUDIENCE           the usermgmt API's identifier in Auth0
 *   CLAIM_NAMESPACE    optional, default "https://usermgmt/": the claim is NAMESPACE + "permissions"
 *   DENY_ON_ERROR      optional, "true": refuse the login when the permissions cannot be read
 *                      (default: the login goes on and the token has no permissions claim)
 *   TOKEN_URL          optional, default https://AUTH0_DOMAIN/oauth/token
 *
 * A token carries the permissions of the moment it was issued: a change in usermgmt reaches an
 * app when the user's next token is issued (login or refresh), not before.
 *
 * A user usermgmt has blocked (`userStatus` BLOCKED, asked in the same request) is denied the
 * login, with a message that never carries the block's reason (it lands in Auth0's logs).
 */

const CACHE_KEY = "usermgmt-service-token";
const EARLY_S = 60; // a cached token is renewed this long before it expires
const TIMEOUT_MS = 5000;
const QUERY =
  "query($id: ID!) { userStatus(userId: $id) " +
  "effectivePermissions(userId: $id) { authorization { name } } }";
const BLOCKED_MESSAGE = "Your account is blocked. Contact your administrator.";

async function serviceToken(secrets, api) {
  const cached = api.cache && api.cache.get(CACHE_KEY);
  if (cached && cached.value) {
    return cached.value;
  }
  const url = secrets.TOKEN_URL || `https://${secrets.AUTH0_DOMAIN}/oauth/token`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: secrets.CLIENT_ID,
      client_secret: secrets.CLIENT_SECRET,
      audience: secrets.AUDIENCE,
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) {
    throw new Error(`the token endpoint answered ${response.status}`);
  }
  const { access_token: token, expires_in: expiresIn } = await response.json();
  if (typeof token !== "string" || !token) {
    throw new Error("the token endpoint gave no access_token");
  }
  if (api.cache) {
    const lifetime = Math.max((Number(expiresIn) || 0) - EARLY_S, 0);
    api.cache.set(CACHE_KEY, token, { expires_at: Date.now() + lifetime * 1000 });
  }
  return token;
}

async function effectivePermissions(secrets, token, userId) {
  const base = String(secrets.USERMGMT_URL || "").replace(/\/+$/, "");
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query: QUERY, variables: { id: userId } }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok || payload.errors || !payload.data) {
    const code = payload.errors && payload.errors[0] && payload.errors[0].extensions;
    throw new Error(`usermgmt answered ${response.status} ${code ? code.code : ""}`.trim());
  }
  return {
    blocked: payload.data.userStatus === "BLOCKED",
    names: payload.data.effectivePermissions.map((p) => p.authorization.name),
  };
}

exports.onExecutePostLogin = async (event, api) => {
  const secrets = event.secrets || {};
  const claim = `${secrets.CLAIM_NAMESPACE || "https://usermgmt/"}permissions`;
  let found;
  try {
    const token = await serviceToken(secrets, api);
    found = await effectivePermissions(secrets, token, event.user.user_id);
  } catch (error) {
    // No personal data in the log: the reason only.
    console.log(`usermgmt permissions unavailable: ${error.message}`);
    if (secrets.DENY_ON_ERROR === "true") {
      api.access.deny("Your permissions could not be read; try again shortly.");
    }
    return;
  }
  if (found.blocked) {
    api.access.deny(BLOCKED_MESSAGE);
    return;
  }
  api.accessToken.setCustomClaim(claim, found.names);
};
