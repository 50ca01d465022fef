import { test, expect } from '../support/fixtures';
import { mainNav, signInAsAdmin } from '../support/ui';

test('signed out, the console shows the sign-in page', async ({ page }) => {
  await page.goto('/console/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in as admin' })).toBeVisible();
  await expect(page.getByLabel('User subject')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in as user' })).toBeVisible();
  await expect(mainNav(page)).toHaveCount(0);
});

test('one click signs in as admin: the users table and every admin page in the menu', async ({
  page,
}) => {
  await signInAsAdmin(page);
  const nav = mainNav(page);
  for (const link of ['Users', 'Roles', 'Authorizations', 'Groups', 'Access', 'Replay', 'My account'])
    await expect(nav.getByRole('link', { name: link, exact: true })).toBeVisible();
  await nav.getByRole('link', { name: 'Roles', exact: true }).click();
  await expect(page).toHaveURL(/\/console\/roles$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Roles' })).toBeVisible();
});

test('sign out returns to the sign-in page, and stays signed out on reload', async ({ page }) => {
  await signInAsAdmin(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.goto('/console/users');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Users' })).toHaveCount(0);
});
