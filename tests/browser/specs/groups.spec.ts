import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { chooseMany, expectStatus, namedForm, open, signInAsAdmin } from '../support/ui';

test('groups as a nested tree; selecting one shows its parent, roles and members', async ({
  page,
}) => {
  const roleName = api.unique('Agent');
  const roleId = await api.createRole(roleName);
  const parentName = api.unique('Customer care');
  const parentId = await api.createGroup(parentName, { roleIds: [roleId] });
  const childName = api.unique('Night shift');
  const childId = await api.createGroup(childName, { parentId });
  const member = await api.createUser({ ...api.person('Nina', 'Night'), groupIds: [childId] });

  await signInAsAdmin(page);
  await open(page, '/console/groups', 'Groups');
  const tree = page.getByRole('tree', { name: 'Groups' });
  const parent = tree.getByRole('treeitem').filter({ hasText: parentName }).first();
  await expect(parent).toContainText(roleName);
  const child = parent.getByRole('treeitem').filter({ hasText: childName });
  if (!(await child.isVisible())) await parent.getByText(parentName).first().click();
  await expect(child).toBeVisible();
  await child.getByText(childName).first().click();
  // Its members (the tree shows groups and roles only, so a member's name is the details).
  await expect(page.getByText('Nina Night').or(page.getByText(member.email)).first()).toBeVisible();
});

test('create a group under a parent, with roles', async ({ page }) => {
  const roleName = api.unique('Reviewer');
  await api.createRole(roleName);
  const parentName = api.unique('Engineering');
  await api.createGroup(parentName);
  const name = api.unique('Platform');

  await signInAsAdmin(page);
  await open(page, '/console/groups', 'Groups');
  await page.getByRole('button', { name: 'Create group' }).click();
  const form = namedForm(page, 'Create group');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Description').fill('the platform team');
  await form.getByLabel('Parent').selectOption({ label: parentName });
  await chooseMany(form, 'Roles', [roleName]);
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectStatus(page, 'APPLIED');

  const tree = page.getByRole('tree', { name: 'Groups' });
  const parent = tree.getByRole('treeitem').filter({ hasText: parentName }).first();
  const child = parent.getByRole('treeitem').filter({ hasText: name });
  if (!(await child.isVisible())) await parent.getByText(parentName).first().click();
  await expect(child).toContainText(roleName);
});
