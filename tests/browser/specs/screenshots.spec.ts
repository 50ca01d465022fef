// The main pages as a person sees them, into docs/console/*.png (the README shows them).
import path from 'node:path';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { SCREENSHOTS } from '../support/paths';
import { formWithButton, open, signInAsAdmin, signInAsUser } from '../support/ui';

const shot = (name: string) => ({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

test('screenshots of the main pages', async ({ page, secondPage: them }) => {
  const authName = 'tickets:refund';
  const authId = await api
    .createAuthorization(authName, 'refund a ticket')
    .catch(() => api.createAuthorization(api.unique(authName)));
  const roleId = await api.createRole(api.unique('Support'), [authId]);
  const care = await api.createGroup(api.unique('Customer care'), { roleIds: [roleId] });
  const night = await api.createGroup(api.unique('Night shift'), { parentId: care });
  await api.createGroup(api.unique('Escalations'), { parentId: care });
  const ada = await api.createUser({
    id: api.unique('auth0|ada'),
    email: `${api.unique('ada')}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    groupIds: [night],
  });
  await api.updateUser({ id: ada.id, lastName: 'King' });
  await api.updateUser({ id: ada.id, lastName: 'Lovelace' });

  await signInAsAdmin(page);
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row').nth(1)).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('users'));

  await open(page, `/console/users/${encodeURIComponent(ada.id)}`, 'Ada Lovelace');
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('user'));

  await open(page, '/console/groups', 'Groups');
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('groups'));

  await open(page, '/console/access', 'Access checker');
  const check = formWithButton(page, 'Check');
  await check.getByLabel('User id').fill(ada.id);
  await check.getByLabel('Authorization').fill(authName);
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByText(/^Allowed\b/)).toBeVisible();
  await page.screenshot(shot('access'));

  await signInAsUser(them, ada.id);
  await expect(them.getByText('Lovelace').first()).toBeVisible();
  await them.waitForLoadState('networkidle');
  await them.screenshot(shot('my-account'));
});
