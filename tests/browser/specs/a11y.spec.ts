// axe-core on every page, signed in as admin and as a user: no serious or critical violation.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { open, signInAsAdmin, signInAsUser } from '../support/ui';

async function expectNoSeriousViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious, `axe on ${page.url()}`).toEqual([]);
}

let seeded: { userId: string; blockedId: string };

test.beforeAll(async () => {
  const authId = await api.createAuthorization(api.unique('a11y:read'));
  const roleId = await api.createRole(api.unique('A11y role'), [authId]);
  const parentId = await api.createGroup(api.unique('A11y parent'), { roleIds: [roleId] });
  const groupId = await api.createGroup(api.unique('A11y child'), { parentId });
  const user = await api.createUser({ ...api.person('Alex', 'Axe'), roleIds: [roleId], groupIds: [groupId] });
  const blocked = await api.createUser(api.person('Bo', 'Blocked'));
  await api.blockUser(blocked.id, 'a11y check');
  seeded = { userId: user.id, blockedId: blocked.id };
});

test('the sign-in page', async ({ page }) => {
  await page.goto('/console/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expectNoSeriousViolations(page);
});

// Each page with what shows it has loaded its data (axe checks the page a person sees).
const ADMIN_PAGES: [string, string, (page: Page) => Locator][] = [
  ['/console/users', 'Users', (page) => page.getByRole('table', { name: 'Users' }).getByRole('row').nth(1)],
  ['/console/roles', 'Roles', (page) => page.getByRole('table', { name: 'Roles' }).getByRole('row').nth(1)],
  ['/console/authorizations', 'Authorizations', (page) => page.getByRole('table', { name: 'Authorizations' }).getByRole('row').nth(1)],
  ['/console/groups', 'Groups', (page) => page.getByRole('tree', { name: 'Groups' }).getByRole('treeitem').first()],
  ['/console/access', 'Access checker', (page) => page.getByRole('button', { name: 'Check' })],
  ['/console/replay', 'Replay', (page) => page.getByLabel('From')],
  ['/console/me', 'My account', (page) => page.getByRole('heading', { level: 1, name: 'My account' })],
];

for (const [path, heading, loaded] of ADMIN_PAGES) {
  test(`admin: ${path}`, async ({ page }) => {
    await signInAsAdmin(page);
    await open(page, path, heading);
    await expect(loaded(page)).toBeVisible();
    await page.waitForLoadState('networkidle');
    await expectNoSeriousViolations(page);
  });
}

test("admin: a user's page, with its forms open", async ({ page }) => {
  await signInAsAdmin(page);
  await open(page, `/console/users/${encodeURIComponent(seeded.userId)}`, 'Alex Axe');
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page);
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  await expectNoSeriousViolations(page);
});

test('admin: the create user form', async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByLabel('First name')).toBeVisible();
  await expectNoSeriousViolations(page);
});

test('user: my account', async ({ page }) => {
  await signInAsUser(page, seeded.userId);
  await expect(page.getByText('Alex').first()).toBeVisible();
  await expectNoSeriousViolations(page);
});

test('user: the sign-up form', async ({ page }) => {
  await signInAsUser(page, api.unique('auth0|a11y'));
  await expect(page.getByRole('button', { name: 'Sign up' })).toBeVisible();
  await expectNoSeriousViolations(page);
});

test('user: blocked', async ({ page }) => {
  await signInAsUser(page, seeded.blockedId);
  await expect(page.getByRole('alert')).toContainText('Your account is blocked');
  await expectNoSeriousViolations(page);
});

test('user: an admin route', async ({ page }) => {
  await signInAsUser(page, seeded.userId);
  await page.goto('/console/users');
  await page.waitForLoadState('networkidle');
  await expectNoSeriousViolations(page);
});
