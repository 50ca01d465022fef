import { readFile } from 'node:fs/promises';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { expectStatus, mainNav, section, signInAsUser } from '../support/ui';

test('a user token sees only "My account", and /console/users shows no admin data', async ({
  page,
}) => {
  const someoneElse = await api.createUser(api.person('Secret', 'Person'));
  const me = await api.createUser(api.person('Ursula', 'User'));
  await signInAsUser(page, me.id);
  const nav = mainNav(page);
  await expect(nav.getByRole('link', { name: 'My account' })).toBeVisible();
  await expect(nav.getByRole('link')).toHaveCount(1);
  await expect(page.getByText(me.email).first()).toBeVisible();

  for (const path of ['/console/users', `/console/users/${encodeURIComponent(someoneElse.id)}`, '/console/groups']) {
    await page.goto(path);
    await expect(mainNav(page)).toBeVisible();
    await expect(page.getByText(someoneElse.email)).toHaveCount(0);
    await expect(page.getByText('Secret Person')).toHaveCount(0);
    await expect(page.getByRole('table', { name: 'Users' }).getByRole('row')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Create user' })).toHaveCount(0);
  }
});

test('sign up on first login (registerMe), then edit and see own permissions', async ({ page }) => {
  const sub = api.unique('auth0|newcomer');
  const email = `${sub.replace('|', '.')}@example.com`;
  await signInAsUser(page, sub);
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Sign up' }) });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('First name').fill('Nora');
  await form.getByLabel('Last name').fill('Newcomer');
  await form.getByLabel('Birth date').fill('1990-01-02');
  await form.getByRole('button', { name: 'Sign up' }).click();
  await expectStatus(page, 'APPLIED');
  await expect(page.getByText(email).first()).toBeVisible();
  await expect(page.getByText('Newcomer').first()).toBeVisible();
  expect(await api.userById(sub)).toMatchObject({ email, firstName: 'Nora', status: 'ACTIVE' });
  await expect(page.getByRole('heading', { name: 'Your permissions' })).toBeVisible();

  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save' }) });
  await edit.getByLabel('First name').fill('Norah');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expectStatus(page, 'APPLIED');
  await expect(page.getByText('Norah').first()).toBeVisible();
  await expect.poll(() => api.userById(sub)).toMatchObject({ firstName: 'Norah' });
});

test('own permissions with their reason; export my data', async ({ page }) => {
  const authName = api.unique('tickets:read');
  const authId = await api.createAuthorization(authName);
  const roleName = api.unique('Helper');
  const roleId = await api.createRole(roleName, [authId]);
  const me = await api.createUser({ ...api.person('Pat', 'Permitted'), roleIds: [roleId] });
  await signInAsUser(page, me.id);
  const permissions = section(page, 'Your permissions');
  await expect(permissions).toContainText(authName);
  await expect(permissions).toContainText(`via role ${roleName}`);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export my data' }).click();
  const exported = JSON.parse(await readFile(await (await download).path(), 'utf8'));
  expect(exported).toMatchObject({ userId: me.id, user: { email: me.email } });
});

test('erase my account after typing ERASE', async ({ page }) => {
  const me = await api.createUser(api.person('Ezra', 'Erasing'));
  await signInAsUser(page, me.id);
  await page.getByRole('button', { name: 'Erase my account' }).click();
  const submit = page.getByRole('button', { name: 'Erase my account' }).last();
  await expect(submit).toBeDisabled();
  await page.getByLabel('Type ERASE to confirm').fill('ERASE');
  await expect(submit).toBeEnabled();
  await submit.click();
  await expectStatus(page, 'APPLIED');
  expect(await api.userById(me.id)).toBeNull();
});
