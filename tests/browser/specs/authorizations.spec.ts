import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { expectStatus, namedForm, open, rowWith, signInAsAdmin } from '../support/ui';

test('create an authorization; a taken name is shown on the Name field', async ({ page }) => {
  const name = api.unique('invoices:approve');
  await signInAsAdmin(page);
  await open(page, '/console/authorizations', 'Authorizations');
  const table = page.getByRole('table', { name: 'Authorizations' });
  await page.getByRole('button', { name: 'Create authorization' }).click();
  let form = namedForm(page, 'Create authorization');
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Description').fill('approve an invoice');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectStatus(page, 'APPLIED');
  await expect(rowWith(table, name)).toContainText('approve an invoice');

  if (!(await form.isVisible())) await page.getByRole('button', { name: 'Create authorization' }).click();
  form = namedForm(page, 'Create authorization');
  await form.getByLabel('Name', { exact: true }).fill(name.toUpperCase());
  await form.getByLabel('Description').fill('the same name again');
  await form.getByRole('button', { name: 'Create', exact: true }).click();
  await expectStatus(page, 'REJECTED');
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(/.+/);
});
