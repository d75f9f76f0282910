// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
// Vigil server holding a known fleet: sign-in, every page with real numbers, filters and the
// time range, a run's timeline, alerts linking to runs, settings, HTML in agent content shown as
// text, and no console errors anywhere. Screenshots go to test-artifacts/dashboard/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_KEY, openPage, screenshot, signInWithKey, startHarness, type Harness } from './harness.js';
import { seedFleet, TIMELINE_RUN, XSS_AGENT, XSS_ERROR, XSS_TOOL, type SeededFleet } from './seed-fleet.js';

let h: Harness;
let fleet: SeededFleet;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
  h = await startHarness();
  const now = Date.now();
  fleet = await seedFleet(h.vigil, now);
  // loop_bot ended three runs at its iteration limit, repeating one call: two alerts fire.
  await h.vigil.alerting.evaluator.evaluateOnce(now);
  context = await h.browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'light' });
  ({ page, problems } = await openPage(context));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await h?.close();
});

/** The text of a fleet table cell: row of `agent`, column `n` (1-based). */
const fleetCell = (agent: string, n: number) => page.locator(`[data-testid=fleet-table] tr[data-agent="${agent.replace(/"/g, '\\"')}"] td:nth-child(${n})`);

describe('the dashboard in Chromium', () => {
  it('asks for a key without a session, and signs in with a read key into the fleet', async () => {
    await page.goto(`${h.baseUrl}/`);
    await page.getByLabel('API key').waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByLabel('API key').fill('vgl_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not valid');
    // The wrong key's 401 is the one expected failure; Chromium logs it.
    expect(problems.every((p) => p.includes('401'))).toBe(true);
    problems.length = 0;
    await signInWithKey(page, h.baseUrl, ADMIN_KEY);
    // The heading renders before the fleet's data arrives; wait for the table itself.
    await page.locator('[data-testid=fleet-table]').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('[data-testid=fleet-table]').isVisible()).toBe(true);
  });

  it('opens a session from a one-time sign-in link, once', async () => {
    const other = await h.browser.newContext();
    try {
      const { page: p, problems: pp } = await openPage(other);
      const path = await h.vigil.dashboard.createSignInPath(h.vigil.defaultProject.id);
      await p.goto(`${h.baseUrl}${path}`);
      await p.getByRole('heading', { name: 'Fleet' }).waitFor();
      const cookie = (await other.cookies()).find((c) => c.name === 'vigil_session');
      expect(cookie?.httpOnly).toBe(true);
      expect(cookie?.sameSite).toBe('Strict');
      await other.clearCookies();
      await p.goto(`${h.baseUrl}${path}`);
      await p.getByText('already used or has expired').waitFor();
      expect(pp.filter((x) => !x.includes('401'))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('shows every agent of the fleet with its real numbers and firing alerts', async () => {
    await page.goto(`${h.baseUrl}/`);
    await fleetCell('support_bot', 2).waitFor();
    for (const [agent, c] of Object.entries(fleet.counts)) {
      await expect.poll(() => fleetCell(agent, 2).textContent(), { message: agent }).toBe(String(c.day));
    }
    // support_bot: 7 of its 70 regular runs timed out, plus the timeline and XSS runs failed.
    const support = fleet.counts.support_bot!.day;
    await expect.poll(() => fleetCell('support_bot', 3).textContent()).toBe(`${(((support - 9) / support) * 100).toFixed(1)}%`);
    await expect.poll(() => fleetCell('loop_bot', 7).textContent()).toContain('IterationLimitHit');
    await page.locator('svg.spark').first().waitFor();
    await screenshot(page, '02-fleet');
  });

  it('sorts the fleet by a column and keeps the order in the URL', async () => {
    await page.getByRole('button', { name: /^Runs/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('runs');
    const first = await page.locator('[data-testid=fleet-table] tbody tr').first().getAttribute('data-agent');
    expect(Object.entries(fleet.counts).sort((a, b) => a[1].day - b[1].day)[0]![0]).toBe(first);
  });

  it('changes what the fleet shows with the time range, and a copied link reproduces it', async () => {
    await page.goto(`${h.baseUrl}/`);
    await fleetCell('support_bot', 2).waitFor();
    await page.getByRole('button', { name: '1h', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('1h');
    await expect.poll(() => fleetCell('support_bot', 2).textContent()).toBe(String(fleet.counts.support_bot!.hour));
    expect(fleet.counts.support_bot!.hour).toBeLessThan(fleet.counts.support_bot!.day);
    const link = page.url();
    const second = await context.newPage();
    await second.goto(link);
    await expect.poll(() => second.locator('[data-testid=fleet-table] tr[data-agent="support_bot"] td:nth-child(2)').textContent()).toBe(String(fleet.counts.support_bot!.hour));
    expect(await second.getByRole('button', { name: '1h', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await second.close();
  });

  it('draws the agent page with uPlot charts, the tools table and its flags', async () => {
    await page.goto(`${h.baseUrl}/agents/support_bot`);
    await page.getByRole('heading', { name: 'support_bot' }).waitFor();
    await expect.poll(() => page.locator('.uplot canvas').count()).toBeGreaterThanOrEqual(5);
    const tools = page.locator('[data-testid=tools-table]');
    await tools.waitFor();
    await expect.poll(() => tools.locator('tr[data-tool="escalate_to_human"]').textContent()).toContain('never used');
    await expect.poll(() => tools.locator('tr[data-tool="create_ticket"] td:nth-child(2)').textContent()).toBe('71');
    await expect.poll(() => page.locator('[data-testid=agent-kpis]').textContent()).toContain(String(fleet.counts.support_bot!.day));
    await screenshot(page, '03-agent');
  });

  it('filters runs by agent, status and tool, finds a run by id, and pages through', async () => {
    await page.goto(`${h.baseUrl}/runs`);
    const rows = page.locator('[data-testid=runs-table] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Older →' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.has('cursor')).toBe(true);
    const total = Object.values(fleet.counts).reduce((s, c) => s + c.day, 0);
    await expect.poll(() => rows.count()).toBe(total - 50);
    await page.getByRole('button', { name: '← Newer' }).click();
    await expect.poll(() => rows.count()).toBe(50);

    await page.getByLabel('Agent').selectOption('loop_bot');
    await expect.poll(() => rows.count()).toBe(3);
    expect(new URL(page.url()).searchParams.get('agent_name')).toBe('loop_bot');
    await page.getByLabel('Agent').selectOption('support_bot');
    await page.getByLabel('Status').selectOption('timeout');
    await expect.poll(() => rows.count()).toBe(8);
    await page.getByLabel('Tool called').fill('retrieve_order');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-run-id')).toBe(TIMELINE_RUN);
    await screenshot(page, '04-runs-filtered');

    await page.getByLabel('Find by run id').fill('no-such-run');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByText('No run with id').waitFor();
    await page.getByLabel('Find by run id').fill('loop-2');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'loop-2' }).waitFor();
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
    problems.length = 0;
  });

  it("shows a run's timeline: its tool calls in order with their statuses, the transitions and the error", async () => {
    await page.goto(`${h.baseUrl}/runs/${TIMELINE_RUN}`);
    const tools = page.locator('[data-testid=tl-tool]');
    await tools.first().waitFor();
    const seen = await tools.evaluateAll((els) => els.map((e) => [e.getAttribute('data-name'), e.getAttribute('data-status')]));
    expect(seen).toEqual([['search_knowledge_base', 'success'], ['retrieve_order', 'error'], ['create_ticket', 'timeout']]);
    expect(await page.locator('[data-testid=tl-step]').count()).toBe(3);
    // Steps and tool calls interleave in time: model, tool, model, tool, model, tool.
    const order = await page.locator('.tl-row').evaluateAll((els) => els.map((e) => (e.classList.contains('tool') ? 'tool' : 'step')));
    expect(order).toEqual(['step', 'tool', 'step', 'tool', 'step', 'tool']);
    // Bars sit on the time axis: each starts after the one before.
    const lefts = await page.locator('.tl-bar').evaluateAll((els) => els.map((e) => parseFloat((e as HTMLElement).style.left)));
    expect([...lefts].sort((a, b) => a - b)).toEqual(lefts);
    expect(await page.locator('[data-testid=transitions]').textContent()).toContain('tool:create_ticket');
    expect(await page.locator('[data-testid=run-error]').textContent()).toContain('create_ticket timed out');
    await page.getByRole('link', { name: 'sess-42' }).click();
    await expect.poll(() => page.locator('[data-testid=runs-table] tbody tr').count()).toBe(2);
    await page.goto(`${h.baseUrl}/runs/${TIMELINE_RUN}`);
    await page.locator('[data-testid=tl-tool]').first().waitFor();
    await screenshot(page, '05-run');
  });

  it('lists firing alerts with their evidence, and links an alert to its runs', async () => {
    await page.goto(`${h.baseUrl}/alerts`);
    const card = page.locator('[data-testid=alert][data-alertname=IterationLimitHit]');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('firing');
    const links = card.locator('[data-testid=alert-runs] a');
    expect((await links.allTextContents()).sort()).toEqual([...fleet.loopRunIds].sort());
    expect(await page.locator('[data-testid=alert][data-alertname=AgentLooping]').count()).toBe(1);
    await screenshot(page, '06-alerts');
    await card.locator('[data-testid=alert-runs-link]').click();
    await expect.poll(() => page.locator('[data-testid=runs-table] tbody tr').count()).toBe(3);
    expect(new URL(page.url()).searchParams.get('agent_name')).toBe('loop_bot');
    await page.goBack();
    await links.first().waitFor();
    await links.first().click();
    await page.getByRole('heading', { name: /^loop-/ }).waitFor();
  });

  it('silences an alert from its card, and shows the silence', async () => {
    await page.goto(`${h.baseUrl}/alerts`);
    const card = page.locator('[data-testid=alert][data-alertname=AgentLooping]');
    await card.getByRole('button', { name: 'Silence…' }).click();
    await card.getByLabel('Comment').fill('known: flights API returns stale results');
    await card.getByRole('button', { name: 'Silence', exact: true }).click();
    await expect.poll(() => card.textContent()).toContain('silenced');
    await page.getByRole('link', { name: 'Silences' }).click();
    await page.getByText('known: flights API returns stale results').waitFor();
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('[data-testid=alert-history]').waitFor();
    expect(await page.locator('[data-testid=alert-history]').textContent()).toContain('IterationLimitHit');
  });

  it('creates an API key with chosen scopes, shows the secret once, and revokes it', async () => {
    await page.goto(`${h.baseUrl}/settings`);
    await page.getByLabel('Name').fill('browser-made key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.locator('[data-testid=new-secret]').textContent();
    expect(secret).toMatch(/^vgl_/);
    const ingest = await h.vigil.app.inject({ method: 'POST', url: '/v1/runs', payload: { runs: [] }, headers: { authorization: `Bearer ${secret}` } });
    expect(ingest.statusCode).not.toBe(401);
    await page.locator('[data-testid=rules-table]').waitFor();
    expect(await page.locator('[data-testid=rules-table]').textContent()).toContain('SuccessRateDrop');
    await screenshot(page, '07-settings');
    const row = page.locator('[data-testid=keys-table] tr', { hasText: 'browser-made key' });
    await row.getByRole('button', { name: 'Revoke browser-made key' }).click();
    await row.getByRole('button', { name: 'Revoke now' }).click();
    await expect.poll(() => page.locator('[data-testid=keys-table] tr', { hasText: 'browser-made key' }).count()).toBe(0);
  });

  it('shows HTML in agent content as text and never runs it', async () => {
    await page.goto(`${h.baseUrl}/runs/xss-run`);
    await page.locator('[data-testid=tl-tool]').first().waitFor();
    expect(await page.locator('[data-testid=tl-tool]').first().getAttribute('data-name')).toBe(XSS_TOOL);
    expect(await page.locator('main').textContent()).toContain(XSS_TOOL);
    expect(await page.locator('[data-testid=run-error]').textContent()).toContain(XSS_ERROR);
    await page.goto(`${h.baseUrl}/`);
    await fleetCell(XSS_AGENT, 1).waitFor();
    expect(await fleetCell(XSS_AGENT, 1).textContent()).toBe(XSS_AGENT);
    await page.goto(`${h.baseUrl}/agents/${encodeURIComponent(XSS_AGENT)}`);
    await page.locator('[data-testid=tools-table]').waitFor();
    expect(await page.locator('[data-testid=tools-table]').textContent()).toContain(XSS_TOOL);
    // Nothing from the payloads became markup: no injected image, script or bold element.
    expect(await page.locator('main img[src="x"], main script, main b[onmouseover]').count()).toBe(0);
    expect(problems.filter((p) => p.startsWith('dialog'))).toEqual([]);
  });

  it('renders in dark mode and at phone width', async () => {
    const dark = await h.browser.newContext({ viewport: { width: 1366, height: 900 }, colorScheme: 'dark' });
    const phone = await h.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      for (const [ctx, name] of [[dark, 'dark'], [phone, 'phone']] as const) {
        const { page: p, problems: pp } = await openPage(ctx);
        await signInWithKey(p, h.baseUrl);
        await p.locator('[data-testid=fleet-table] tbody tr').first().waitFor();
        await screenshot(p, `08-fleet-${name}`);
        await p.goto(`${h.baseUrl}/runs/${TIMELINE_RUN}`);
        await p.locator('[data-testid=tl-tool]').first().waitFor();
        await screenshot(p, `09-run-${name}`);
        await p.goto(`${h.baseUrl}/agents/support_bot`);
        await p.locator('.uplot canvas').first().waitFor();
        await screenshot(p, `10-agent-${name}`);
        await p.goto(`${h.baseUrl}/alerts`);
        await p.locator('[data-testid=alert]').first().waitFor();
        await screenshot(p, `11-alerts-${name}`);
        if (name === 'dark') expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
        if (name === 'phone') expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        expect(pp).toEqual([]);
      }
    } finally {
      await dark.close();
      await phone.close();
    }
  });

  it('lets a read-only key see every page, without admin actions and without failed requests', async () => {
    const reader = await h.vigil.store.createApiKey({ projectId: h.vigil.defaultProject.id, name: 'reader', scopes: ['read'] });
    const ctx = await h.browser.newContext();
    try {
      const { page: p, problems: pp } = await openPage(ctx);
      await signInWithKey(p, h.baseUrl, reader.key);
      await p.goto(`${h.baseUrl}/alerts`);
      await p.locator('[data-testid=alert][data-alertname=IterationLimitHit]').waitFor();
      expect(await p.getByRole('button', { name: 'Silence…' }).count()).toBe(0);
      await p.goto(`${h.baseUrl}/settings`);
      await p.getByText('need a key with the admin scope').waitFor();
      await p.goto(`${h.baseUrl}/agents/support_bot`);
      await p.locator('[data-testid=tools-table]').waitFor();
      expect(pp).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('reaches every page from the keyboard alone', async () => {
    await page.goto(`${h.baseUrl}/`);
    await fleetCell('support_bot', 2).waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
    }
    for (const name of ['Runs', 'Alerts', 'Settings']) expect(focused.some((f) => f.startsWith(name))).toBe(true);
    await page.getByRole('link', { name: 'Runs', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
  });

  it('logged no console errors, page errors or failed requests', () => {
    expect(problems).toEqual([]);
  });
});
