// The status page in a real browser (headless Chromium from Debian's packages; .ci/run installs it):
// loaded from a running graspd that syncs with a second one, checked by what a person sees — the relay
// and repository rows, and a hostile repository name shown as text, its markup and script inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findChromium, launchChromium } from '../helpers/browser.js';
import { HOSTILE_NAME, settled, statusWorld } from './fixture.js';

const chromium = findChromium();

test('the status page as a person sees it in Chromium', { skip: chromium === undefined ? 'chromium not found (install the Debian package chromium, or set CHROMIUM=/path)' : false }, async (t) => {
  const w = await statusWorld(t);
  await settled(w);
  const browser = await launchChromium(chromium!);
  t.after(() => browser.close());
  const { page } = browser;

  // from the landing page, by its link
  await page.navigate(w.a.httpUrl);
  const href = await page.evaluate<string | null>(`document.querySelector('a[href="/status"]')?.href ?? null`);
  assert.equal(href, `${w.a.httpUrl}/status`);
  await page.navigate(href!);

  const text = await page.evaluate<string>('document.body.innerText');
  assert.match(text, new RegExp(`Status of 127\\.0\\.0\\.1:${w.a.port}`));
  assert.match(text, /Remote relays \(sync\)/);
  const rows = await page.evaluate<string[][]>(`[...document.querySelectorAll('table')].flatMap((t) => [...t.querySelectorAll('tbody tr')].map((r) => [...r.cells].map((c) => c.innerText.trim())))`);
  const row = (first: string): string[] | undefined => rows.find((r) => r[0] === first);
  const b = row(w.b.relayUrl);
  assert.ok(b, `a row for B\n${text}`);
  assert.deepEqual(b.slice(1, 3), ['connected', 'healthy']);
  assert.equal(b[10], 'yes', 'B speaks NIP-77');
  const dead = row(w.deadRelay);
  assert.ok(dead && dead[1] !== 'connected' && Number(dead[3]) >= 1, `the refusing relay is failing: ${JSON.stringify(dead)}`);
  assert.match(dead[11]!, /connection failed/);

  // the hostile name is shown literally, as text; nothing in it ran or became markup
  const served = rows.find((r) => r[0]!.startsWith(HOSTILE_NAME));
  assert.ok(served, `the served repository's row shows its name as text\n${text}`);
  assert.deepEqual(served.slice(1, 4), ['served', 'served', 'complete']);
  assert.match(served[7]!, /^[01] of 1 relays confirmed/, 'sync coverage: B');
  assert.equal(await page.evaluate<string>('document.title'), `Status — 127.0.0.1:${w.a.port}`);
  assert.equal(await page.evaluate<number>('document.querySelectorAll("script, b").length'), 0);
  const waiting = rows.find((r) => r[0]!.startsWith('Waiting'));
  assert.ok(waiting, text);
  assert.equal(waiting[1], 'purgatory');
  assert.match(waiting[5]!, /announcement: /);
  assert.match(text, /Held in purgatory\s+1/);
});
