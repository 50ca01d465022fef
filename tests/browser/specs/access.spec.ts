import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { formWithButton, open, section, signInAsAdmin } from '../support/ui';

test('the access checker: allowed with the reason, not allowed, and who can', async ({ page }) => {
  const authName = api.unique('refunds:issue');
  const authId = await api.createAuthorization(authName);
  const roleName = api.unique('Cashier');
  const roleId = await api.createRole(roleName, [authId]);
  const groupName = api.unique('Front desk');
  const groupId = await api.createGroup(groupName, { roleIds: [roleId] });
  const direct = await api.createUser({ ...api.person('Dan', 'Direct'), roleIds: [roleId] });
  const member = await api.createUser({ ...api.person('Gina', 'Grouped'), groupIds: [groupId] });
  const other = await api.createUser(api.person('Otto', 'Other'));

  await signInAsAdmin(page);
  await open(page, '/console/access', 'Access checker');
  const check = formWithButton(page, 'Check');
  await check.getByLabel('User id').fill(member.id);
  await check.getByLabel('Authorization').fill(authName);
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByText(/^Allowed\b/)).toBeVisible();
  await expect(page.getByText(new RegExp(`via role ${roleName}.*${groupName}`)).first()).toBeVisible();

  await check.getByLabel('User id').fill(other.id);
  await check.getByRole('button', { name: 'Check' }).click();
  await expect(page.getByText(/^Not allowed\b/)).toBeVisible();
  await expect(page.getByText(/^Allowed\b/)).toHaveCount(0);

  const whoCan = section(page, 'Who can');
  await whoCan.getByLabel('Authorization').fill(authName);
  await whoCan.getByRole('button', { name: 'Find' }).click();
  // Each user found, by name or by email.
  const listed = (user: api.NewUser) =>
    whoCan.getByRole('listitem').filter({ hasText: `${user.firstName} ${user.lastName}` })
      .or(whoCan.getByRole('listitem').filter({ hasText: user.email }));
  await expect(listed(direct).first()).toBeVisible();
  await expect(listed(member).first()).toBeVisible();
  await expect(listed(other)).toHaveCount(0);
});
