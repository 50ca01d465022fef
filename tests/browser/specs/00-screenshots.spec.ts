// The main pages as a person sees them, into docs/console/*.png (the README shows them). Its
// file name sorts first, so the pages show only the small team it seeds, not the other tests'.
import path from 'node:path';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { SCREENSHOTS } from '../support/paths';
import { formWithButton, open, signInAsAdmin, signInAsUser } from '../support/ui';

const shot = (name: string) => ({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function seedTeam() {
  const auth = async (name: string, description: string) =>
    api.createAuthorization(name, description);
  const usersRead = await auth('users:read', 'see users');
  const usersWrite = await auth('users:write', 'change users');
  const refund = await auth('tickets:refund', 'refund a ticket');
  const reply = await auth('tickets:reply', 'answer a ticket');
  const support = await api.createRole('Support', [reply, usersRead]);
  const supervisor = await api.createRole('Supervisor', [refund]);
  const operator = await api.createRole('Operator', [usersRead, usersWrite]);
  const care = await api.createGroup('Customer care', { roleIds: [support] });
  const night = await api.createGroup('Night shift', { parentId: care });
  const escalations = await api.createGroup('Escalations', { parentId: care, roleIds: [supervisor] });
  const engineering = await api.createGroup('Engineering');
  const platform = await api.createGroup('Platform', { parentId: engineering, roleIds: [operator] });
  const people: [string, string, string, { roleIds?: string[]; groupIds?: string[] }][] = [
    ['auth0|ada', 'Ada', 'Lovelace', { groupIds: [night] }],
    ['auth0|alan', 'Alan', 'Turing', { groupIds: [platform] }],
    ['auth0|grace', 'Grace', 'Hopper', { roleIds: [operator], groupIds: [platform] }],
    ['auth0|katherine', 'Katherine', 'Johnson', { groupIds: [escalations] }],
    ['auth0|margaret', 'Margaret', 'Hamilton', { roleIds: [supervisor], groupIds: [care] }],
  ];
  for (const [id, firstName, lastName, links] of people)
    await api.createUser({ id, email: `${firstName.toLowerCase()}@example.com`, firstName, lastName, ...links });
  await api.updateUser({ id: 'auth0|ada', lastName: 'King' });
  await api.updateUser({ id: 'auth0|ada', lastName: 'Lovelace' });
  await api.blockUser('auth0|alan', 'left the company');
  return { ada: 'auth0|ada' };
}

test('screenshots of the main pages', async ({ page, secondPage: them }) => {
  const { ada } = await seedTeam();

  await signInAsAdmin(page);
  await expect(page.getByRole('table', { name: 'Users' }).getByRole('row').nth(5)).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('users'));

  await open(page, `/console/users/${encodeURIComponent(ada)}`, 'Ada Lovelace');
  await expect(page.getByText('tickets:reply').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('user'));

  await open(page, '/console/groups', 'Groups');
  const tree = page.getByRole('tree', { name: 'Groups' });
  await tree.getByRole('treeitem').filter({ hasText: 'Night shift' }).getByText('Night shift').click();
  await expect(page.getByText('Ada Lovelace').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  await page.screenshot(shot('groups'));

  await open(page, '/console/access', 'Access checker');
  const check = formWithButton(page, 'Check');
  await check.getByLabel('User id').fill(ada);
  await check.getByLabel('Authorization').fill('tickets:reply');
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByText(/^Allowed\b/)).toBeVisible();
  await page.screenshot(shot('access'));

  await signInAsUser(them, ada);
  await expect(them.getByText('Lovelace').first()).toBeVisible();
  await them.waitForLoadState('networkidle');
  await them.screenshot(shot('my-account'));
});
