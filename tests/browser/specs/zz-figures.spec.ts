// The console's figures, measured not asserted (the targets: initial JS gzipped
// <= 150 KB, navigation -> 100 users <= 1 s, click Create -> row APPLIED <= 300 ms). Written to
// figures.json; the closing-line reporter prints them as a "console figures:" block. Its file
// name sorts last, so the 100 users it adds do not crowd the other tests' tables.
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { test, expect } from '../support/fixtures';
import * as api from '../support/api';
import { FIGURES } from '../support/paths';
import { namedForm, signInAsAdmin } from '../support/ui';

const RUNS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

declare global {
  interface Window {
    __figures: { rows100: number | null; click: number | null; applied: number | null; email: string | null };
  }
}

// In every document, before the app: when a table first holds 100 user rows, when "Create" is
// clicked, and when the row of `email` first shows APPLIED (performance.now(), from navigation).
function watch(): void {
  const f: Window['__figures'] = { rows100: null, click: null, applied: null, email: null };
  window.__figures = f;
  document.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest?.('button');
      if (button?.textContent?.trim() === 'Create') f.click = performance.now();
    },
    true,
  );
  new MutationObserver(() => {
    if (f.rows100 === null)
      for (const table of document.querySelectorAll('table'))
        if ([...table.rows].filter((row) => row.querySelector('td')).length >= 100)
          f.rows100 = performance.now();
    if (f.email !== null && f.applied === null)
      for (const row of document.querySelectorAll('tr'))
        if (row.textContent?.includes(f.email) && row.textContent.includes('APPLIED'))
          f.applied = performance.now();
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

test('console figures', async ({ page, browser, baseURL }) => {
  test.setTimeout(240_000);
  const figures: Record<string, unknown> = { chromium: browser.version() };
  // Saved after each measurement: a figure measured is printed even if a later step fails.
  const save = () => writeFile(FIGURES, `${JSON.stringify(figures, null, 2)}\n`);

  // Initial JavaScript: every script the first load of the console fetches, gzip-compressed.
  const scripts = new Map<string, Buffer>();
  const first = await browser.newContext({ baseURL });
  const fresh = await first.newPage();
  fresh.on('response', async (response) => {
    if (response.request().resourceType() === 'script' && response.ok())
      scripts.set(response.url(), await response.body());
  });
  await fresh.goto('/console/');
  await expect(fresh.getByRole('heading', { level: 1 })).toBeVisible();
  await fresh.waitForLoadState('networkidle');
  await first.close();
  const raw = [...scripts.values()].reduce((sum, body) => sum + body.length, 0);
  const gzipped = [...scripts.values()].reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  expect(scripts.size).toBeGreaterThan(0);
  figures.initialJsFiles = scripts.size;
  figures.initialJsBytes = raw;
  figures.initialJsGzipBytes = gzipped;
  await save();

  // At least 100 users, so the first page of the table is full.
  await api.ensureUsers(100);

  await page.addInitScript(watch);
  await signInAsAdmin(page);
  const navigations: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto('/console/users', { waitUntil: 'commit' });
    const at = await page.waitForFunction(() => window.__figures?.rows100, null, { timeout: 30_000 });
    navigations.push(Math.round((await at.jsonValue()) as number));
  }
  figures.usersTable100Ms = median(navigations);
  figures.usersTable100Runs = navigations;
  await save();

  const creates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = api.unique('a-figure');
    const email = `${id}@example.com`;
    await page.getByRole('button', { name: 'Create user' }).click();
    const form = namedForm(page, 'Create user');
    await form.getByLabel('Id', { exact: true }).fill(id);
    await form.getByLabel('Email', { exact: true }).fill(email);
    await form.getByLabel('First name').fill('Figure');
    await form.getByLabel('Last name').fill(`Run ${i + 1}`);
    await page.evaluate((watched) => {
      Object.assign(window.__figures, { email: watched, click: null, applied: null });
    }, email);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    const took = await page.waitForFunction(
      () => window.__figures.applied !== null && window.__figures.click !== null
        && window.__figures.applied - window.__figures.click,
      null,
      { timeout: 30_000 },
    );
    creates.push(Math.round((await took.jsonValue()) as number));
    if (await form.isVisible()) await page.keyboard.press('Escape');
  }
  figures.createToAppliedMs = median(creates);
  figures.createToAppliedRuns = creates;
  await save();
});
