import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackConsole } from '../../cli/runningStack.ts';
import type { Console } from '../../local/console/startConsole.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * The local console in a real headless Chromium, over a local stack with one succeeded and one
 * failed export: the page is checked structurally (elements present, layout, colours of states),
 * never pixel by pixel. RT_CONSOLE_SCREENSHOT=<file.png> keeps a screenshot to look at.
 */

// Evaluated in the browser: the page's globals, typed here without pulling the DOM lib into the project.
declare const getComputedStyle: (element: unknown) => { fill: string; backgroundColor: string };

const COLOURS = {
  succeeded: 'rgb(46, 125, 50)',
  failed: 'rgb(198, 40, 40)',
  caught: 'rgb(239, 108, 0)',
  'not-run': 'rgb(189, 189, 189)',
};

let t: TestStack;
let web: Console;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

beforeAll(async () => {
  t = await startTestStack();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table sales (salesid int, pricepaid numeric(8,2))');
  await db.query('insert into sales select i, i + 0.5 from generate_series(1, 3) i');
  await db.end();
  const good = await t.run(
    'export',
    { job: exportJobDocument('console-good', t.database, 'select salesid, pricepaid from sales order by 1') },
    'console-good-1',
  );
  expect(good.status).toBe('SUCCEEDED');
  const bad = await t.run(
    'export',
    { job: exportJobDocument('console-bad', t.database, 'select nosuchcolumn from sales') },
    'console-bad-1',
  );
  expect(bad.status).toBe('FAILED');
  web = await startStackConsole(t.stack);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(web.url);
  await page.waitForSelector('body[data-ready="true"]');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await t?.stop();
});

const fill = (selector: string) => page.locator(selector).evaluate((e) => getComputedStyle(e).fill);

describe('local console', () => {
  it('lists the executions, newest first, with their status', async () => {
    const rows = page.locator('#executions tbody tr[data-execution]');
    expect(
      await rows.evaluateAll((trs) =>
        trs.map((tr) => [tr.getAttribute('data-execution'), tr.getAttribute('data-status')]),
      ),
    ).toEqual([
      ['console-bad-1', 'FAILED'],
      ['console-good-1', 'SUCCEEDED'],
    ]);
    expect(await page.locator('tr[data-execution="console-bad-1"] td').nth(6).textContent()).toBe(
      'StatementFailedError',
    );
    expect(await page.locator('tr[data-execution="console-good-1"] td').nth(4).textContent()).toBe('3');
  });

  it("draws a failed run's state graph coloured by outcome, laid out top-down without overlaps", async () => {
    await page.click('tr[data-execution="console-bad-1"]');
    await page.waitForSelector('#detail[data-execution="console-bad-1"] #graph svg g[data-state]');
    const nodes = await page.locator('#graph g[data-state]').evaluateAll((gs) =>
      gs.map((g) => {
        const r = g.querySelector('rect').getBoundingClientRect();
        return {
          state: g.getAttribute('data-state'),
          status: g.getAttribute('data-status'),
          x: r.x,
          y: r.y,
          w: r.width,
          h: r.height,
        };
      }),
    );
    const by = (s: string) => nodes.find((n) => n.state === s);
    expect(by('PlanExport')?.status).toBe('succeeded');
    expect(by('PollUnload')?.status).toBe('caught');
    expect(by('CleanupExport')?.status).toBe('succeeded');
    expect(by('ExportFailed')?.status).toBe('failed');
    expect(by('ExportSucceeded')?.status).toBe('not-run');
    expect(await fill('#graph g[data-state="PlanExport"] rect')).toBe(COLOURS.succeeded);
    expect(await fill('#graph g[data-state="PollUnload"] rect')).toBe(COLOURS.caught);
    expect(await fill('#graph g[data-state="ExportFailed"] rect')).toBe(COLOURS.failed);
    expect(await fill('#graph g[data-state="ExportSucceeded"] rect')).toBe(COLOURS['not-run']);
    // Top-down: the start state is above the states it leads to.
    expect((by('PlanExport')?.y ?? 0) < (by('StartUnload')?.y ?? 0)).toBe(true);
    expect((by('StartUnload')?.y ?? 0) < (by('PollUnload')?.y ?? 0)).toBe(true);
    for (const [i, a] of nodes.entries()) {
      expect(a.w).toBeGreaterThan(50);
      for (const b of nodes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `${a.state} overlaps ${b.state}`).toBe(false);
      }
    }
    expect(await page.locator('#graph path[data-from="PlanExport"]').count()).toBeGreaterThan(0);
    // The Catch the run took is drawn; the others are faint.
    expect(
      await page.locator('#graph path.taken').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-from'))),
    ).toEqual(['PollUnload']);
    expect(await page.locator('#cause').textContent()).toContain('nosuchcolumn');
    const shot = process.env.RT_CONSOLE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot.replace(/\.png$/, '-failed.png'), fullPage: true });
  });

  it('shows the timeline of states from the history', async () => {
    const spans = await page.locator('#timeline .span').evaluateAll((ds) =>
      ds.map((d) => ({
        state: d.getAttribute('data-state'),
        status: d.getAttribute('data-status'),
        colour: getComputedStyle(d).backgroundColor,
      })),
    );
    expect(spans[0]).toMatchObject({ state: 'PlanExport', status: 'succeeded' });
    expect(spans.at(-1)).toMatchObject({ state: 'ExportFailed', status: 'failed', colour: COLOURS.failed });
    expect(spans.find((s) => s.state === 'PollUnload')).toMatchObject({
      status: 'caught',
      colour: COLOURS.caught,
    });
  });

  it("shows a succeeded run's report and downloads its manifest", async () => {
    await page.click('tr[data-execution="console-good-1"]');
    await page.waitForSelector('#detail[data-execution="console-good-1"] #report-table');
    expect(await page.locator('#report-table tr[data-field="rows"] td').textContent()).toBe('3');
    expect(await fill('#graph g[data-state="ExportSucceeded"] rect')).toBe(COLOURS.succeeded);
    const href = await page.locator('#manifest-link').getAttribute('href');
    const manifest = await (await page.request.get(new URL(href ?? '', web.url).toString())).json();
    expect(manifest).toMatchObject({ job: 'console-good', rows: 3 });
    if (process.env.RT_CONSOLE_SCREENSHOT)
      await page.screenshot({ path: process.env.RT_CONSOLE_SCREENSHOT, fullPage: true });
  });

  it("lists a bucket's objects and downloads one", async () => {
    await page.click('#bucket-list button[data-bucket="rt-exports"]');
    await page.waitForSelector('#objects[data-bucket="rt-exports"] tr[data-key]');
    const keys = await page
      .locator('#objects tr[data-key]')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    const manifestKey = keys.find((k) => k?.startsWith('console-good/') && k.endsWith('_manifest.json'));
    expect(manifestKey).toBeDefined();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`#objects tr[data-key="${manifestKey}"] a`),
    ]);
    expect(download.suggestedFilename()).toBe('_manifest.json');
    const path = join(await download.path());
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ job: 'console-good', rows: 3 });
  });

  it('runs SQL through the Data API and shows rows or the Redshift error', async () => {
    await page.fill('#sql-text', 'select salesid, pricepaid from sales order by 1');
    await page.click('#sql-run');
    await page.waitForSelector('#sql-output table.result');
    expect(await page.locator('#sql-output table.result th').allTextContents()).toEqual([
      'salesid',
      'pricepaid',
    ]);
    expect(await page.locator('#sql-output table.result tbody tr').count()).toBe(3);
    expect(
      await page.locator('#sql-output table.result tbody tr').first().locator('td').allTextContents(),
    ).toEqual(['1', '1.50']);

    await page.fill('#sql-text', 'select nosuch from sales');
    await page.click('#sql-run');
    await page.waitForSelector('#sql-output .sql-error');
    expect(await page.locator('#sql-output .sql-error').textContent()).toContain(
      'column "nosuch" does not exist',
    );
  });

  it('answers on loopback names only', async () => {
    // What a DNS-rebinding page would send: another host name for the loopback address.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${web.url}api/buckets`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
