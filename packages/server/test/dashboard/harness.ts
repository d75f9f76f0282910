// What the dashboard's browser tests share: the app built into a temporary folder, a real Vigil
// server on a temporary SQLite file listening on port 0, Debian's Chromium driven by
// playwright-core, console-error collection, and screenshots under test-artifacts/dashboard/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { VigilConfig } from '../../src/config/vigil-config.js';
import { createVigilServer, type VigilServer } from '../../src/app/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN_KEY = 'vgl_browser_test_admin_key';
const DASHBOARD_ROOT = fileURLToPath(new URL('../../../dashboard/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/dashboard/', import.meta.url));

/** Builds the dashboard exactly as `npm run build` does, into a folder of its own. */
export async function buildDashboard(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'vigil-dashboard-'));
  await build({ root: DASHBOARD_ROOT, configFile: join(DASHBOARD_ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
  return out;
}

export interface Harness {
  vigil: VigilServer;
  baseUrl: string;
  browser: Browser;
  dist: string;
  close(): Promise<void>;
}

export async function startHarness(options: { now?: () => number; config?: VigilConfig } = {}): Promise<Harness> {
  const dist = await buildDashboard();
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-browser-db-'));
  const vigil = await createVigilServer({
    db: join(dataDir, 'vigil.db'),
    apiKeys: [ADMIN_KEY],
    dashboardDir: dist,
    logger: false,
    now: options.now,
    config: options.config,
    // Tests evaluate alerts at the times they choose.
    alerting: { start: false },
  });
  const address = await vigil.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    vigil,
    baseUrl: address,
    browser,
    dist,
    async close() {
      await browser.close();
      await vigil.close();
      rmSync(dist, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors, page errors, failed requests and dialogs (an XSS would open one). */
export async function openPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('requestfailed', (r) => {
    // Requests the app aborts itself (a newer query replaced them) are not failures.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { page, problems };
}

export async function signInWithKey(page: Page, baseUrl: string, key = ADMIN_KEY): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fleet' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
