// What a person does on the console, by accessible names only (the UI contract in
// /work/prompts/console-contract.md, now docs of the console): no CSS classes, no test ids.
import { expect, type Locator, type Page } from '@playwright/test';

export const STATUS_WORDS = /QUEUED|ACCEPTED|APPLIED|REJECTED|FAILED/;

export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/console/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in as admin' }).click();
  await expect(page).toHaveURL(/\/console\/users$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
}

export async function signInAsUser(page: Page, sub: string): Promise<void> {
  await page.goto('/console/');
  await page.getByLabel('User subject').fill(sub);
  await page.getByRole('button', { name: 'Sign in as user' }).click();
  await expect(page).toHaveURL(/\/console\/me$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
}

/** Open a route of the signed-in console, as typing its address does. */
export async function open(page: Page, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

export function mainNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

/** A form the contract names: a dialog, or a form, with that accessible name. */
export function namedForm(page: Page, name: string): Locator {
  return page
    .getByRole('dialog', { name })
    .or(page.getByRole('form', { name }))
    .first();
}

/** The form whose submit button has this name (for the forms the contract names no title). */
export function formWithButton(page: Page | Locator, button: string): Locator {
  return page.locator('form').filter({ has: page.getByRole('button', { name: button, exact: true }) });
}

/** Pick options of a multi-select by their labels: a <select multiple> or a group of checkboxes. */
export async function chooseMany(scope: Locator, label: string, options: string[]): Promise<void> {
  const field = scope.getByLabel(label, { exact: true });
  if ((await field.count()) === 1 && (await field.evaluate((el) => el.tagName)) === 'SELECT') {
    await field.selectOption(options.map((option) => ({ label: option })));
    return;
  }
  const group = scope.getByRole('group', { name: label, exact: true });
  for (const option of options) await group.getByRole('checkbox', { name: option }).check();
}

/** The live status of a command, in `scope`, reaching `word`. */
export async function expectStatus(scope: Locator | Page, word: string): Promise<void> {
  await expect(scope.getByRole('status').filter({ hasText: word }).first()).toBeVisible();
}

export function usersTable(page: Page): Locator {
  return page.getByRole('table', { name: 'Users' });
}

export function rowWith(table: Locator, text: string): Locator {
  return table.getByRole('row').filter({ hasText: text });
}

/** The section under a heading: the nearest element holding both the heading and its content. */
export function section(page: Page, heading: string | RegExp): Locator {
  return page
    .locator('section, [role=region], article, fieldset')
    .filter({ has: page.getByRole('heading', { name: heading }) })
    .last();
}

/** datetime-local's value for an instant, in the browser's time zone (UTC: the config). */
export function localDateTime(instant: Date): string {
  return instant.toISOString().slice(0, 19);
}

export interface TreeLine {
  level: number;
  text: string;
}

/** A tree's items in order with their level: aria-level, else their depth among treeitems (a
 * tree may nest its items or keep them flat with aria-level; both are ARIA trees). */
export function treeOutline(tree: Locator): Promise<TreeLine[]> {
  return tree.evaluate((root) =>
    Array.from(root.querySelectorAll('[role=treeitem]'), (item) => {
      let depth = 1;
      for (let up = item.parentElement; up && up !== root; up = up.parentElement)
        if (up.getAttribute('role') === 'treeitem') depth += 1;
      const level = Number(item.getAttribute('aria-level')) || depth;
      return { level, text: (item.textContent ?? '').trim() };
    }),
  );
}

/** The text of each direct child of the first item whose text holds `parent`. */
export function childrenIn(outline: TreeLine[], parent: string): string[] {
  const at = outline.findIndex((line) => line.text.includes(parent));
  if (at < 0) return [];
  const children: string[] = [];
  for (const line of outline.slice(at + 1)) {
    if (line.level <= outline[at].level) break;
    if (line.level === outline[at].level + 1) children.push(line.text);
  }
  return children;
}
