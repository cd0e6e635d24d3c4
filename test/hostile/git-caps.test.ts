// Git work has budgets: with --git-max-requests 1 a request that holds the only slot makes the next one wait,
// then get 503 with Retry-After; with --git-max-processes 1 every git operation still completes, one at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverWithClient } from '../helpers/server.js';
import { announcement, newKey, state } from '../helpers/events.js';
import { commit, git, mustGit, workRepo } from '../../src/git/test-kit.js';
import { FLUSH, pktLine } from '../../src/git/pkt-line.js';

test('past --git-max-requests a git request waits, then gets 503 with Retry-After', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--git-max-requests', '1', '--git-min-transfer-bytes-per-second', '0']);
  const owner = newKey();
  const url = `${srv.url}/${owner.npub}/busy.git`;
  await c.publish(announcement(owner, 'busy', [srv.config.domain]));
  // a push that sends its commands and stalls: it holds the only request slot
  const stalled = request(`${url}/git-receive-pack`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } });
  stalled.on('error', () => {});
  t.after(() => stalled.destroy());
  stalled.write(Buffer.concat([pktLine(`${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/main\0report-status\n`), FLUSH]));
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  const r = await fetch(`${url}/info/refs?service=git-upload-pack`);
  assert.equal(r.status, 503);
  assert.equal(r.headers.get('retry-after'), '10');
  assert.match(await r.text(), /server busy/);
  assert.ok(Date.now() - started >= 9_000, 'it waited for a slot first');
});

test('with --git-max-processes 1, pushes and clones still complete (queued, not refused)', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--git-max-processes', '1']);
  const owner = newKey();
  const url = `${srv.url}/${owner.npub}/serial.git`;
  await c.publish(announcement(owner, 'serial', [srv.config.domain]));
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(owner, 'serial', { 'refs/heads/main': tip }));
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  const dir = mkdtempSync(join(tmpdir(), 'graspd-caps-'));
  const clones = await Promise.all([0, 1, 2, 3].map((i) => git(['clone', '-q', url, join(dir, `c${i}`)])));
  for (const cl of clones) assert.equal(cl.code, 0, cl.stderr);
  assert.equal(await mustGit(['-C', join(dir, 'c0'), 'rev-parse', 'HEAD']), tip);
});
