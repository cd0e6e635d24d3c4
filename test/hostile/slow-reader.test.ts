// Out of memory from one connection: a client that sends many REQs for large stored events and never reads
// must not grow the server's memory beyond its budgets (stored results are paged; a paused subscription holds a
// cursor, not its results). Run against a real process with a small heap: before paging, 60 such REQs crashed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { startGraspd, waitUntil } from '../helpers/process.js';
import { TestClient } from '../helpers/client.js';
import { announcement, issue, newKey, sign, state } from '../helpers/events.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

test('60 REQs of 300 large events on a socket that never reads: the server stays up and bounded', async (t) => {
  const g = await startGraspd({ args: ['--max-content-bytes', '200000', '--no-sync'], env: { NODE_OPTIONS: '--max-old-space-size=128' } });
  t.after(() => g.dispose());
  const c = await TestClient.connect(g.relayUrl);
  t.after(() => c.close());
  const owner = newKey();
  await c.publish(announcement(owner, 'big', [g.domain]));
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(owner, 'big', { 'refs/heads/main': tip }));
  assert.equal((await git(['-C', work, 'push', `${g.httpUrl}/${owner.npub}/big.git`, 'main'])).code, 0);
  const author = newKey();
  const body = 'x'.repeat(100_000);
  for (let i = 0; i < 300; i++) {
    const e = issue(author, owner, 'big', `issue ${i}`);
    const big = sign(author, 1621, e.tags, `${i} ${body}`);
    assert.equal((await c.publish(big)).ok, true);
  }
  const before = rssMb(g.proc.pid!);

  const hostile = new WebSocket(g.relayUrl, { perMessageDeflate: false });
  await new Promise((r) => hostile.once('open', r));
  t.after(() => hostile.terminate());
  const sock = (hostile as unknown as { _socket: { pause(): void } })._socket;
  sock.pause(); // never read anything
  for (let i = 0; i < 60; i++) hostile.send(JSON.stringify(['REQ', `s${i}`, { kinds: [1621] }]));
  let peak = before;
  const until = Date.now() + 8_000;
  while (Date.now() < until) {
    assert.equal(g.proc.exitCode, null, `server died: ${g.output.join('').slice(-1500)}`);
    peak = Math.max(peak, rssMb(g.proc.pid!));
    await new Promise((r) => setTimeout(r, 200));
  }
  // another client is served normally meanwhile
  const other = await TestClient.connect(g.relayUrl);
  t.after(() => other.close());
  assert.equal((await other.query([{ kinds: [1621], limit: 5 }])).length, 5);
  t.diagnostic(`RSS before ${before.toFixed(0)} MB, peak with the hostile client ${peak.toFixed(0)} MB`);
  assert.ok(peak - before < 150, `RSS grew by ${(peak - before).toFixed(0)} MB`);
  await waitUntil(() => g.proc.exitCode === null, 'still alive', 1000);
});
