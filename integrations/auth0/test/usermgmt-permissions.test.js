// The post-login Action against a running usermgmt server, with a fake `event` and `api`.
// Run by tests/integration/test_auth0_action.py, which starts the server, gives a user a right
// and passes (environment): USERMGMT_URL, USERMGMT_SERVICE_TOKEN (`usermgmt token --service
// auth0-action`), USERMGMT_TEST_USER and USERMGMT_TEST_PERMISSIONS (a JSON array), and
// USERMGMT_TEST_BLOCKED_USER (a user blocked with USERMGMT_TEST_BLOCK_REASON).
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");

const { onExecutePostLogin } = require("../usermgmt-permissions.js");

const CLAIM = "https://usermgmt/permissions";
const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through tests/integration/test_auth0_action.py`);
  return value;
};

function fakeApi(cached) {
  const store = new Map();
  if (cached) {
    store.set("usermgmt-service-token", { value: cached, expires_at: Date.now() + 3600e3 });
  }
  const api = {
    claims: {},
    denied: [],
    store,
    cache: {
      get: (key) => store.get(key),
      set: (key, value, options) => {
        store.set(key, { value, ...options });
        return { type: "success" };
      },
    },
    accessToken: {
      setCustomClaim: (name, value) => {
        api.claims[name] = value;
      },
    },
    access: { deny: (reason) => api.denied.push(reason) },
  };
  return api;
}

function fakeEvent(userId, secrets) {
  return {
    user: { user_id: userId, email: "someone@example.com" },
    secrets: { USERMGMT_URL: env("USERMGMT_URL"), ...secrets },
  };
}

// A stand-in for Auth0's token endpoint: client credentials in, the service token out.
let tokenEndpoint;
const asked = [];
before(async () => {
  tokenEndpoint = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      asked.push(JSON.parse(body));
      response.writeHead(200, { "content-type": "application/json" });
      const token = env("USERMGMT_SERVICE_TOKEN");
      response.end(JSON.stringify({ access_token: token, expires_in: 86400, token_type: "Bearer" }));
    });
  });
  await new Promise((resolve) => tokenEndpoint.listen(0, "127.0.0.1", resolve));
});
after(() => tokenEndpoint.close());

const credentials = () => ({
  TOKEN_URL: `http://127.0.0.1:${tokenEndpoint.address().port}/oauth/token`,
  CLIENT_ID: "the-client",
  CLIENT_SECRET: "the-secret",
  AUDIENCE: "https://usermgmt.local/api",
});

test("puts the user's effective permissions in the access token", async () => {
  const api = fakeApi(env("USERMGMT_SERVICE_TOKEN"));
  await onExecutePostLogin(fakeEvent(env("USERMGMT_TEST_USER"), {}), api);
  assert.deepEqual(api.claims, { [CLAIM]: JSON.parse(env("USERMGMT_TEST_PERMISSIONS")) });
  assert.deepEqual(api.denied, []);
});

test("asks for a token by client credentials once, then uses the cached one", async () => {
  const api = fakeApi(null);
  const event = fakeEvent(env("USERMGMT_TEST_USER"), credentials());
  const before = asked.length;
  await onExecutePostLogin(event, api);
  await onExecutePostLogin(event, api);
  assert.equal(asked.length - before, 1);
  assert.deepEqual(asked[asked.length - 1], {
    grant_type: "client_credentials",
    client_id: "the-client",
    client_secret: "the-secret",
    audience: "https://usermgmt.local/api",
  });
  const cached = api.store.get("usermgmt-service-token");
  assert.equal(cached.value, env("USERMGMT_SERVICE_TOKEN"));
  assert.ok(cached.expires_at > Date.now() + 3600e3, "kept until shortly before it expires");
  assert.deepEqual(api.claims[CLAIM], JSON.parse(env("USERMGMT_TEST_PERMISSIONS")));
});

test("the claim's namespace is a setting", async () => {
  const api = fakeApi(env("USERMGMT_SERVICE_TOKEN"));
  const event = fakeEvent(env("USERMGMT_TEST_USER"), { CLAIM_NAMESPACE: "https://example.com/" });
  await onExecutePostLogin(event, api);
  assert.deepEqual(Object.keys(api.claims), ["https://example.com/permissions"]);
});

test("a user usermgmt does not know gets an empty list", async () => {
  const api = fakeApi(env("USERMGMT_SERVICE_TOKEN"));
  await onExecutePostLogin(fakeEvent("auth0|not-registered-yet", {}), api);
  assert.deepEqual(api.claims, { [CLAIM]: [] });
});

test("a refused token leaves the claim out, or refuses the login when told to", async () => {
  const api = fakeApi("not-a-token");
  await onExecutePostLogin(fakeEvent(env("USERMGMT_TEST_USER"), {}), api);
  assert.deepEqual(api.claims, {});
  assert.deepEqual(api.denied, []);

  const strict = fakeApi("not-a-token");
  await onExecutePostLogin(fakeEvent(env("USERMGMT_TEST_USER"), { DENY_ON_ERROR: "true" }), strict);
  assert.deepEqual(strict.claims, {});
  assert.equal(strict.denied.length, 1);
});

test("a blocked user is denied the login, without the block's reason", async () => {
  const api = fakeApi(env("USERMGMT_SERVICE_TOKEN"));
  await onExecutePostLogin(fakeEvent(env("USERMGMT_TEST_BLOCKED_USER"), {}), api);
  assert.deepEqual(api.claims, {});
  assert.equal(api.denied.length, 1);
  assert.match(api.denied[0], /blocked/);
  assert.ok(!api.denied[0].includes(env("USERMGMT_TEST_BLOCK_REASON")), "the reason stays out");
});
