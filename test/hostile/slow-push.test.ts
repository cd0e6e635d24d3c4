// One slow push must not lock a repository: a client that sends its push commands and then stalls holds only
// its own request (the pack is received into a file before the lock is taken), another push to the same
// repository goes through at once, and the stalled body is cut once it falls below the minimum transfer rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { serverWithClient } from '../helpers/server.js';
import { announcement, newKey, state } from '../helpers/events.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';
import { pktLine, FLUSH } from '../../src/git/pkt-line.js';

test('a stalled push does not block another push to the same repository, and is cut for being too slow', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--git-min-transfer-bytes-per-second', '1000', '--git-transfer-grace-ms', '1000']);
  const owner = newKey();
  const d = 'stall';
  const url = `${srv.url}/${owner.npub}/${d}.git`;
  await c.publish(announcement(owner, d, [srv.config.domain]));
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(owner, d, { 'refs/heads/main': tip }));

  // the stalling client: commands for the same ref, the start of a pack, then nothing
  const stalled = request(`${url}/git-receive-pack`, { method: 'POST', headers: { 'Content-Type': 'application/x-git-receive-pack-request', 'Transfer-Encoding': 'chunked' } });
  const answer = new Promise<number>((resolve) => {
    stalled.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    stalled.on('error', () => resolve(-1));
  });
  stalled.write(Buffer.concat([pktLine(`${'0'.repeat(40)} ${tip} refs/heads/main\0report-status side-band-64k\n`), FLUSH, Buffer.from('PACK\0\0\0\x02')]));
  await new Promise((r) => setTimeout(r, 300));

  const started = Date.now();
  const push = await git(['-C', work, 'push', url, 'main']);
  const tookMs = Date.now() - started;
  assert.equal(push.code, 0, push.stderr);
  assert.ok(tookMs < 10_000, `the second push waited ${tookMs} ms for the stalled one`);

  // the stalled body is cut (408) rather than kept until --git-timeout-ms
  const status = await Promise.race([answer, new Promise<number>((r) => setTimeout(() => r(0), 20_000))]);
  assert.ok(status === 408 || status === -1, `stalled push answered ${status}`);
  stalled.destroy();
});
