import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { expectStatus, localDateTime, open, signInAsAdmin } from '../support/ui';

test('replay from a date: its live status reaches APPLIED and the data is unchanged', async ({
  page,
}) => {
  const user = await api.createUser(api.person('Rita', 'Replayed'));
  await signInAsAdmin(page);
  await open(page, '/console/replay', 'Replay');
  await page.getByLabel('From').fill(localDateTime(new Date(Date.now() - 3_600_000)).slice(0, 16));
  await page.getByRole('button', { name: 'Replay' }).click();
  await expectStatus(page, 'APPLIED');
  expect(await api.userById(user.id)).toMatchObject({ email: user.email, lastName: 'Replayed' });
  await expect(page.getByRole('status').filter({ hasText: /REJECTED|FAILED/ })).toHaveCount(0);
});
