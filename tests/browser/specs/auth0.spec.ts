// A server in production mode names an Auth0 application in config.json: the sign-in page
// offers only "Sign in with Auth0", which sends the browser to the tenant's /authorize with an
// authorization code + PKCE request for the API's audience. The tenant is never reached: every
// request off this machine's loopback is answered here by a stub.
import { test, expect } from '../support/fixtures';
import { startServer, type RunningServer } from '../support/server';

const TENANT = 'tenant.example.invalid';
const AUDIENCE = 'https://usermgmt.example.invalid/graphql';
let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({
    USERMGMT_ENV: 'production',
    USERMGMT_AUTH0_DOMAIN: TENANT,
    USERMGMT_AUTH0_AUDIENCE: AUDIENCE,
    USERMGMT_CONSOLE_CLIENT_ID: 'console-spa',
  });
});

test.afterAll(async () => {
  await server?.stop();
});

test('Auth0 mode: one button, to /authorize with code + PKCE and the audience', async ({
  page,
}) => {
  const offMachine: URL[] = [];
  await page.context().route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      offMachine.push(new URL(route.request().url()));
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<title>tenant</title>' });
    },
  );
  await page.goto(`${server.url}/console/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in as admin' })).toHaveCount(0);
  await expect(page.getByLabel('User subject')).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign in with Auth0' }).click();

  await expect.poll(() => offMachine.find((url) => url.pathname === '/authorize')).toBeTruthy();
  const authorize = offMachine.find((url) => url.pathname === '/authorize')!;
  expect(authorize.host).toBe(TENANT);
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    client_id: 'console-spa',
    audience: AUDIENCE,
    response_type: 'code',
    code_challenge_method: 'S256',
  });
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  expect(authorize.searchParams.get('redirect_uri')).toContain(`${server.url}/console/`);
});
