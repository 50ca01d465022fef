import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import {
  childrenIn,
  chooseMany,
  expectStatus,
  namedForm,
  open,
  signInAsAdmin,
  treeOutline,
} from '../support/ui';

test('groups as a nested tree; selecting one shows its parent, roles and members', async ({
  page,
}) => {
  const roleName = api.unique('Agent');
  const roleId = await api.createRole(roleName);
  const parentName = api.unique('Customer care');
  const parentId = await api.createGroup(parentName, { roleIds: [roleId] });
  const childName = api.unique('Night shift');
  const childId = await api.createGroup(childName, { parentId });
  const grandchildName = api.unique('Weekend nights');
  await api.createGroup(grandchildName, { parentId: childId });
  const member = await api.createUser({ ...api.person('Nina', 'Night'), groupIds: [childId] });

  await signInAsAdmin(page);
  await open(page, '/console/groups', 'Groups');
  const tree = page.getByRole('tree', { name: 'Groups' });
  const parent = tree.getByRole('treeitem').filter({ hasText: parentName });
  await expect(parent).toContainText(roleName);
  await expect
    .poll(async () => childrenIn(await treeOutline(tree), parentName))
    .toEqual([expect.stringContaining(childName)]);
  await expect
    .poll(async () => childrenIn(await treeOutline(tree), childName))
    .toEqual([expect.stringContaining(grandchildName)]);

  await tree.getByRole('treeitem').filter({ hasText: childName }).first().getByText(childName).click();
  await expect(tree.getByRole('treeitem', { selected: true })).toContainText(childName);
  // The details: its members (the tree shows groups and roles, never users), and its parent.
  await expect(page.getByText('Nina Night').or(page.getByText(member.email)).first()).toBeVisible();
  await expect.poll(() => page.getByText(parentName).count()).toBeGreaterThanOrEqual(2);
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
  await expect
    .poll(async () => childrenIn(await treeOutline(tree), parentName))
    .toEqual([expect.stringContaining(name)]);
  await expect(tree.getByRole('treeitem').filter({ hasText: name })).toContainText(roleName);
});
