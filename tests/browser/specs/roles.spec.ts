import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { chooseMany, expectStatus, namedForm, open, rowWith, signInAsAdmin } from '../support/ui';

test('roles are listed with their authorizations; create one with a multi-select', async ({
  page,
}) => {
  const read = api.unique('orders:read');
  const write = api.unique('orders:write');
  await api.createAuthorization(read);
  await api.createAuthorization(write);
  const name = api.unique('Clerk');

  await signInAsAdmin(page);
  await open(page, '/console/roles', 'Roles');
  const table = page.getByRole('table', { name: 'Roles' });
  for (const header of ['Name', 'Description', 'Authorizations'])
    await expect(table.getByRole('columnheader', { name: header })).toBeVisible();
  await page.getByRole('button', { name: 'Create role' }).click();
  const form = namedForm(page, 'Create role');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Description').fill('handles orders');
  await chooseMany(form, 'Authorizations', [read, write]);
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectStatus(page, 'APPLIED');
  const row = rowWith(table, name);
  await expect(row).toContainText('handles orders');
  await expect(row).toContainText(read);
  await expect(row).toContainText(write);
});

test('a role is deleted from its row', async ({ page }) => {
  const name = api.unique('Temp');
  await api.createRole(name);
  await signInAsAdmin(page);
  await open(page, '/console/roles', 'Roles');
  const table = page.getByRole('table', { name: 'Roles' });
  await rowWith(table, name).getByRole('button', { name: /delete/i }).click();
  await expectStatus(page, 'APPLIED');
  await expect(rowWith(table, name)).toHaveCount(0);
});

test('a role is edited from its row', async ({ page }) => {
  const name = api.unique('Draft');
  await api.createRole(name);
  await signInAsAdmin(page);
  await open(page, '/console/roles', 'Roles');
  const table = page.getByRole('table', { name: 'Roles' });
  await rowWith(table, name).getByRole('button', { name: /edit/i }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save' }) });
  await form.getByLabel('Description').fill('edited in the console');
  await form.getByRole('button', { name: 'Save' }).click();
  await expectStatus(page, 'APPLIED');
  await expect(rowWith(table, name)).toContainText('edited in the console');
});

test('a role still held cannot be deleted: REJECTED, the reason in the status', async ({ page }) => {
  const name = api.unique('Held');
  const roleId = await api.createRole(name);
  await api.createUser({ ...api.person('Holly', 'Holder'), roleIds: [roleId] });
  await signInAsAdmin(page);
  await open(page, '/console/roles', 'Roles');
  const table = page.getByRole('table', { name: 'Roles' });
  await rowWith(table, name).getByRole('button', { name: /delete/i }).click();
  // No input names the fault (the reference), so the message is in the status itself.
  const status = page.getByRole('status').filter({ hasText: 'REJECTED' });
  await expect(status).toBeVisible();
  await expect(status).toContainText(/referenced by 1 user/);
  await expect(rowWith(table, name)).toBeVisible();
});
