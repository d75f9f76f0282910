// The settings page's notification channels in Chromium, for an admin of one project among two:
// only that project's channel shows (its URL masked), its test send reaches its receiver and no
// other, and the link an Alertmanager alert carries (generatorURL) opens that alert's card.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { parseConfig } from '../../src/config/vigil-config.js';
import { readYamlSource } from '../../src/config/yaml-source.js';
import { alertViewUrl } from '../../src/alerting/notify/alertmanager.js';
import { runsFromLine, startReceiver, type Receiver } from '../alerting/helpers.js';
import { openPage, screenshot, signInWithKey, startHarness, type Harness } from './harness.js';

let h: Harness;
let alpha: Receiver;
let beta: Receiver;
let context: BrowserContext;
let page: Page;
let problems: string[];
let alphaKey: string;
let alphaProjectId: number;

beforeAll(async () => {
  [alpha, beta] = await Promise.all([startReceiver(), startReceiver()]);
  h = await startHarness({
    config: parseConfig(readYamlSource('vigil.yaml', `
alerting: { group_wait: 0s, anomaly: { enabled: false } }
notifications:
  - { type: webhook, name: alpha-oncall, project: alpha, url: "${alpha.url}?token=alpha-secret" }
  - { type: webhook, name: beta-oncall, project: beta, url: "${beta.url}" }
`)),
  });
  const project = await h.vigil.store.ensureProject('alpha');
  alphaProjectId = project.id;
  await h.vigil.store.ensureProject('beta');
  alphaKey = (await h.vigil.store.createApiKey({ projectId: project.id, name: 'alpha admin', scopes: ['admin'] })).key;
  context = await h.browser.newContext({ viewport: { width: 1366, height: 900 } });
  ({ page, problems } = await openPage(context));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await h?.close();
  await Promise.all([alpha?.close(), beta?.close()]);
});

describe('notification channels on the settings page', () => {
  it("shows a project's admin only that project's channel, and tests it", async () => {
    await signInWithKey(page, h.baseUrl, alphaKey);
    await page.goto(`${h.baseUrl}/settings`);
    const table = page.locator('[data-testid=channels-table]');
    await table.locator('tr[data-channel]').first().waitFor();
    expect(await table.locator('tr[data-channel]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-channel')))).toEqual(['alpha-oncall']);
    const row = table.locator('tr[data-channel=alpha-oncall]');
    expect(await row.textContent()).toContain('alpha');
    expect(await row.textContent()).not.toContain('alpha-secret');
    await screenshot(page, 'settings-channels');
    await row.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => row.getByRole('status').textContent()).toContain('delivered (HTTP 200)');
    expect(alpha.received).toHaveLength(1);
    expect(beta.received).toEqual([]);
  });

  it("opens the alert's card from the link an Alertmanager alert carries", async () => {
    const now = Date.now();
    await h.vigil.store.writeRuns(alphaProjectId, runsFromLine('alpha_bot', 'iter', now - 60_000));
    await h.vigil.alerting.evaluator.evaluateOnce(now);
    const [row] = (await h.vigil.store.listAlertRows(alphaProjectId)).filter((r) => r.alertname === 'IterationLimitHit');
    const link = alertViewUrl(h.baseUrl, row!.fingerprint);
    await page.goto(link);
    await page.locator('[data-testid=alert]').first().waitFor();
    // The fragment names the card: what the browser scrolls to.
    const target = await page.evaluate(() => document.getElementById(decodeURIComponent(location.hash.slice(1)))?.getAttribute('data-alertname') ?? null);
    expect(target).toBe('IterationLimitHit');
    expect(problems).toEqual([]);
  });
});
