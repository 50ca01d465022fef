import { readFile } from 'node:fs/promises';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import {
  chooseMany,
  expectStatus,
  localDateTime,
  namedForm,
  open,
  section,
  signInAsAdmin,
  signInAsUser,
} from '../support/ui';

const userPath = (id: string) => `/console/users/${encodeURIComponent(id)}`;

test("a user's page: profile, status, permissions with their reason, history", async ({ page }) => {
  const authName = api.unique('reports:read');
  const authId = await api.createAuthorization(authName);
  const roleName = api.unique('Analyst');
  const roleId = await api.createRole(roleName, [authId]);
  const parentName = api.unique('Finance');
  const parentId = await api.createGroup(parentName, { roleIds: [roleId] });
  const childName = api.unique('Payroll');
  const childId = await api.createGroup(childName, { parentId });
  const user = await api.createUser({ ...api.person('Mary', 'Jackson'), groupIds: [childId] });

  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Mary Jackson');
  await expect(section(page, 'Profile')).toContainText(user.email);
  await expect(page.getByText('ACTIVE', { exact: true }).first()).toBeVisible();
  const permissions = section(page, 'Effective permissions');
  const permission = permissions.getByRole('listitem').filter({ hasText: authName });
  // The chain as the API gives it: from the user's group up to the one granting the role.
  await expect(permission).toContainText(
    `via role ${roleName} through group ${childName} › ${parentName}`,
  );
  const history = section(page, 'History');
  await expect(history.getByRole('listitem').first()).toContainText('UserCreated');
  await expect(history.getByRole('listitem').first()).toContainText('admin');
});

test("edit a user's profile, roles and groups", async ({ page }) => {
  const roles = [api.unique('Buyer'), api.unique('Seller')];
  const groups = [api.unique('North'), api.unique('South')];
  for (const role of roles) await api.createRole(role);
  for (const group of groups) await api.createGroup(group);
  const user = await api.createUser(api.person('Edith', 'Clarke'));

  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Edith Clarke');
  await section(page, 'Profile').getByRole('button', { name: 'Edit' }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save' }) });
  await form.getByLabel('Last name').fill('Clarke-Smith');
  await chooseMany(form, 'Roles', roles);
  await chooseMany(form, 'Groups', groups);
  await form.getByRole('button', { name: 'Save' }).click();
  await expectStatus(page, 'APPLIED');
  await expect(page.getByRole('heading', { level: 1, name: 'Edith Clarke-Smith' })).toBeVisible();

  const { user: saved } = await api.gql<{
    user: { lastName: string; roles: { name: string }[]; groups: { name: string }[] };
  }>('query($id: ID!) { user(id: $id) { lastName roles { name } groups { name } } }', { id: user.id });
  expect(saved.lastName).toBe('Clarke-Smith');
  expect(saved.roles.map((r) => r.name).sort()).toEqual([...roles].sort());
  expect(saved.groups.map((g) => g.name).sort()).toEqual([...groups].sort());
});

test('block with a reason: the user sees "Your account is blocked" and can still export; unblock', async ({
  page,
  secondPage: them,
}) => {
  const user = await api.createUser(api.person('Bea', 'Blocked'));
  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Bea Blocked');
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Block user' }) });
  await form.getByLabel('Reason').fill('unpaid invoices');
  await form.getByRole('button', { name: 'Block user' }).click();
  await expectStatus(page, 'APPLIED');
  await expect(page.getByText('BLOCKED').first()).toBeVisible();
  await expect(page.getByText('unpaid invoices').first()).toBeVisible();

  await signInAsUser(them, user.id);
  await expect(them.getByRole('alert')).toContainText('Your account is blocked');
  const download = them.waitForEvent('download');
  await them.getByRole('button', { name: 'Export my data' }).click();
  const exported = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  expect(exported).toMatchObject({ userId: user.id, user: { status: 'BLOCKED' } });
  await expect(them.getByRole('button', { name: 'Erase my account' })).toBeVisible();

  await page.getByRole('button', { name: 'Unblock', exact: true }).click();
  await expectStatus(page, 'APPLIED');
  await expect(page.getByText('ACTIVE', { exact: true }).first()).toBeVisible();
  await them.reload();
  await expect(them.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
  await expect(them.getByRole('alert').filter({ hasText: 'blocked' })).toHaveCount(0);
  await expect(them.getByText(user.email).first()).toBeVisible();
});

test('time travel shows the user as they were before a rename', async ({ page }) => {
  const user = await api.createUser(api.person('Ada', 'King'));
  const before = new Date();
  // The instant must fall strictly between the two events, at the input's one-second step.
  await new Promise((resolve) => setTimeout(resolve, 1100 - before.getMilliseconds()));
  await api.updateUser({ id: user.id, lastName: 'Lovelace' });

  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Ada Lovelace');
  await page.getByLabel('As of').fill(localDateTime(new Date(before.getTime() + 1000)));
  await page.getByRole('button', { name: 'Show' }).click();
  const then = section(page, /^As of/);
  await expect(then).toContainText('Ada');
  await expect(then).toContainText('King');
  await expect(then).not.toContainText('Lovelace');
  await expect(then).toContainText(user.email);
});

test("erase asks for the user's id typed in the page, then the user is gone", async ({ page }) => {
  const user = await api.createUser(api.person('Erin', 'Erased'));
  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Erin Erased');
  await page.getByRole('button', { name: 'Erase', exact: true }).click();
  const confirm = page.getByLabel("Type the user's id to confirm");
  const erase = page.getByRole('button', { name: 'Erase user' });
  await expect(erase).toBeDisabled();
  await confirm.fill(user.id.slice(0, -1));
  await expect(erase).toBeDisabled();
  await confirm.fill(user.id);
  await expect(erase).toBeEnabled();
  await erase.click();
  await expectStatus(page, 'APPLIED');
  expect(await api.userById(user.id)).toBeNull();
  await open(page, '/console/users', 'Users');
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await expect(page.getByRole('table', { name: 'Users' }).getByText('Erin Erased')).toHaveCount(0);
});

test('export downloads the user as user-<id>.json', async ({ page }) => {
  const user = await api.createUser(api.person('Ella', 'Exported'));
  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Ella Exported');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`user-${user.id}.json`);
  const exported = JSON.parse(await readFile(await file.path(), 'utf8'));
  expect(exported).toMatchObject({ format: 1, userId: user.id, user: { email: user.email } });
  expect(exported.events[0]).toMatchObject({ type: 'UserCreated' });
});

test('a REJECTED block names its field: an end in the past on "Until"', async ({ page }) => {
  const user = await api.createUser(api.person('Una', 'Until'));
  await signInAsAdmin(page);
  await open(page, userPath(user.id), 'Una Until');
  await page.getByRole('button', { name: 'Block', exact: true }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Block user' }) });
  await form.getByLabel('Reason').fill('testing');
  await form.getByLabel('Until').fill(localDateTime(new Date(Date.now() - 3_600_000)).slice(0, 16));
  await form.getByRole('button', { name: 'Block user' }).click();
  await expect(form.getByLabel('Until')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Until')).toHaveAccessibleDescription(/.+/);
  expect(await api.userById(user.id)).toMatchObject({ status: 'ACTIVE' });
});
