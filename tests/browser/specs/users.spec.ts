import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import {
  chooseMany,
  expectStatus,
  namedForm,
  open,
  rowWith,
  signInAsAdmin,
  usersTable,
} from '../support/ui';

test('the users table lists users with their status, roles and groups', async ({ page }) => {
  const roleName = api.unique('Support');
  const groupName = api.unique('Night shift');
  const roleId = await api.createRole(roleName);
  const groupId = await api.createGroup(groupName);
  const grace = await api.createUser({ ...api.person('Grace', 'Hopper'), roleIds: [roleId], groupIds: [groupId] });

  await signInAsAdmin(page);
  const table = usersTable(page);
  for (const header of ['Name', 'Email', 'Status', 'Roles', 'Groups'])
    await expect(table.getByRole('columnheader', { name: header })).toBeVisible();
  await page.getByLabel('Email', { exact: true }).fill(grace.email);
  const row = rowWith(table, grace.email);
  await expect(row).toBeVisible();
  await expect(row).toContainText('ACTIVE');
  await expect(row).toContainText(roleName);
  await expect(row).toContainText(groupName);
  await row.getByRole('link', { name: 'Grace Hopper' }).click();
  await expect(page).toHaveURL(new RegExp(`/console/users/${encodeURIComponent(grace.id)}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Grace Hopper' })).toBeVisible();
});

test('filters by role and by group narrow the table', async ({ page }) => {
  const roleName = api.unique('Auditor');
  const groupName = api.unique('Audit team');
  const roleId = await api.createRole(roleName);
  const groupId = await api.createGroup(groupName);
  const withRole = await api.createUser({ ...api.person('Role', 'Holder'), roleIds: [roleId] });
  const inGroup = await api.createUser({ ...api.person('Group', 'Member'), groupIds: [groupId] });

  await signInAsAdmin(page);
  const table = usersTable(page);
  await page.getByLabel('Role', { exact: true }).selectOption({ label: roleName });
  await expect(rowWith(table, withRole.email)).toBeVisible();
  await expect(rowWith(table, inGroup.email)).toHaveCount(0);
  await page.getByLabel('Role', { exact: true }).selectOption({ index: 0 });
  await page.getByLabel('Group', { exact: true }).selectOption({ label: groupName });
  await expect(rowWith(table, inGroup.email)).toBeVisible();
  await expect(rowWith(table, withRole.email)).toHaveCount(0);
});

test('create a user: the row appears and its live status reaches APPLIED', async ({ page }) => {
  const roleName = api.unique('Editor');
  const groupName = api.unique('Writers');
  await api.createRole(roleName);
  await api.createGroup(groupName);
  const id = api.unique('a-create'); // "a-…" sorts first: the row is on the table's first page
  const email = `${id}@example.com`;

  await signInAsAdmin(page);
  // The status comes live over the commandStatus subscription (graphql-ws), not by polling.
  const frames: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', (frame) => frames.push(`sent ${frame.payload}`));
    socket.on('framereceived', (frame) => frames.push(`received ${frame.payload}`));
  });
  await page.getByRole('button', { name: 'Create user' }).click();
  const form = namedForm(page, 'Create user');
  await form.getByLabel('Id', { exact: true }).fill(id);
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('First name').fill('Katherine');
  await form.getByLabel('Last name').fill('Johnson');
  await form.getByLabel('Birth date').fill('1918-08-26');
  await chooseMany(form, 'Roles', [roleName]);
  await chooseMany(form, 'Groups', [groupName]);
  await form.getByRole('button', { name: 'Create', exact: true }).click();

  const row = rowWith(usersTable(page), email);
  await expectStatus(row, 'APPLIED');
  await expect(row).toContainText('Katherine Johnson');
  expect(frames.some((f) => f.startsWith('sent') && f.includes('commandStatus'))).toBe(true);
  expect(frames.some((f) => f.startsWith('received') && f.includes('"APPLIED"'))).toBe(true);
  expect(await api.userById(id)).toMatchObject({ email, firstName: 'Katherine', status: 'ACTIVE' });
  const { user } = await api.gql<{ user: { roles: { name: string }[]; groups: { name: string }[] } }>(
    'query($id: ID!) { user(id: $id) { roles { name } groups { name } } }',
    { id },
  );
  expect(user.roles.map((r) => r.name)).toEqual([roleName]);
  expect(user.groups.map((g) => g.name)).toEqual([groupName]);
});

test('a taken email is shown on the Email field of the create form', async ({ page }) => {
  const taken = await api.createUser();
  await signInAsAdmin(page);
  await page.getByRole('button', { name: 'Create user' }).click();
  const form = namedForm(page, 'Create user');
  await form.getByLabel('Id', { exact: true }).fill(api.unique('a-dup'));
  await form.getByLabel('Email', { exact: true }).fill(taken.email.toUpperCase());
  await form.getByLabel('First name').fill('Second');
  await form.getByLabel('Last name').fill('Comer');
  await form.getByRole('button', { name: 'Create', exact: true }).click();

  await expectStatus(page, 'REJECTED');
  const email = form.getByLabel('Email', { exact: true });
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/taken/i);
  await expect(form.getByLabel('First name')).not.toHaveAttribute('aria-invalid', 'true');
});

test('deleted users are listed by the DELETED status filter, and restored from there', async ({
  page,
}) => {
  const user = await api.createUser(api.person('Dora', 'Deleted'));
  await signInAsAdmin(page);
  await open(page, `/console/users/${encodeURIComponent(user.id)}`, 'Dora Deleted');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expectStatus(page, 'APPLIED');

  await open(page, '/console/users', 'Users');
  const table = usersTable(page);
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await expect(rowWith(table, 'Dora Deleted')).toHaveCount(0);
  await page.getByLabel('Email', { exact: true }).fill('');
  await page.getByLabel('Status', { exact: true }).selectOption('DELETED');
  const row = rowWith(table, 'Dora Deleted');
  await expect(row).toContainText('DELETED');
  await row.getByRole('link', { name: 'Dora Deleted' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dora Deleted' })).toBeVisible();
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await expectStatus(page, 'APPLIED');
  expect(await api.userById(user.id)).toMatchObject({ status: 'ACTIVE', email: user.email });
});

test('100 users a page: "Next page" shows the rest, "Previous page" the first again', async ({
  page,
}) => {
  await api.ensureUsers(101);
  const total = await api.usersCount();
  await signInAsAdmin(page);
  const rows = usersTable(page).getByRole('row').filter({ has: page.getByRole('cell') });
  await expect(rows).toHaveCount(100);
  const first = await rows.first().textContent();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(rows).toHaveCount(Math.min(total - 100, 100));
  await expect(rows.first()).not.toHaveText(first!);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(rows).toHaveCount(100);
  await expect(rows.first()).toHaveText(first!);
});
