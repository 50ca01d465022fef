// The browser every test runs in: the Chromium that @sparticuz/chromium ships inside its npm
// package (nothing to download, the same on every machine), else the OS's /usr/bin/chromium.
import chromium from '@sparticuz/chromium';
import { test as base, chromium as playwright, type Browser, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { serverUrl } from './api';

// Flags of @sparticuz/chromium's Lambda set that a test run must not have: one process for
// everything (the whole browser exits when a test closes its context), and the same-origin
// rules switched off (the console must work under the browser's real ones).
const DROPPED = new Set([
  '--single-process',
  '--disable-web-security',
  '--allow-running-insecure-content',
]);
const OS_CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  try {
    const executablePath = await chromium.executablePath();
    const args = chromium.args.filter((arg) => !DROPPED.has(arg));
    return await playwright.launch({ executablePath, args, headless: true });
  } catch (error) {
    if (!existsSync(OS_CHROMIUM)) throw error;
    console.warn(`@sparticuz/chromium did not start (${String(error)}); using ${OS_CHROMIUM}`);
    return playwright.launch({ executablePath: OS_CHROMIUM, args: ['--no-sandbox'], headless: true });
  }
}

export const test = base.extend<{ secondPage: Page }, { browser: Browser }>({
  browser: [
    async ({}, use) => {
      const browser = await launchChromium();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({}, use) => use(serverUrl()),
  page: async ({ page }, use) => {
    // A confirm() before a destructive action: the person clicks OK.
    page.on('dialog', (dialog) => void dialog.accept());
    await use(page);
  },
  // Another person at the same time: a browser context of its own (its own sign-in).
  secondPage: async ({ browser, baseURL, contextOptions, viewport, timezoneId, locale }, use) => {
    const context = await browser.newContext({ ...contextOptions, baseURL, viewport, timezoneId, locale });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await use(page);
    await context.close();
  },
});

export { expect } from '@playwright/test';
