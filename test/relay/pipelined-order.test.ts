// Admission decides dependencies in the order events arrived, whatever order the verification workers finish
// in: ngit sends an announcement and its state back to back, and clients send an issue then at once a comment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { announcement, comment, issue, newKey, sign, state } from '../helpers/events.js';

const OID = 'a'.repeat(40);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const gap = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

test('announcement + state sent back to back on a fresh connection: both accepted, 50 times', async (t) => {
  // two verification workers: a later event can finish verifying first
  const srv = await startTestServer(['--verify-workers', '2']);
  t.after(() => srv.stop());
  const failures: string[] = [];
  for (let i = 0; i < 50; i++) {
    const c = await TestClient.connect(srv.relayUrl);
    const k = newKey();
    // a big announcement (slow to hash) followed by a small state (fast): the race the workers used to lose
    const ann = announcement(k, `pipe`, [srv.config.domain], [['description-long', 'x'.repeat(200_000)]]);
    const st = state(k, `pipe`, { 'refs/heads/main': OID });
    c.send(['EVENT', ann]);
    await gap(); // the two frames arrive in separate reads, as they do over a real network
    c.send(['EVENT', st]);
    const okAnn = await c.waitFor((f) => f[0] === 'OK' && f[1] === ann.id, 20_000);
    const okSt = await c.waitFor((f) => f[0] === 'OK' && f[1] === st.id, 20_000);
    if (okAnn[2] !== true) failures.push(`announcement ${i}: ${String(okAnn[3])}`);
    if (okSt[2] !== true) failures.push(`state ${i}: ${String(okSt[3])}`);
    c.close();
  }
  assert.deepEqual(failures, []);
});

test('issue + comment on it sent back to back: both accepted, 100 times', async (t) => {
  const srv = await startTestServer(['--verify-workers', '2']);
  t.after(() => srv.stop());
  const c = await TestClient.connect(srv.relayUrl);
  t.after(() => c.close());
  const owner = newKey();
  const ann = announcement(owner, 'pipe-issues', [srv.config.domain]);
  assert.equal((await c.publish(ann)).ok, true);
  await srv.ingest.release(ann.id);
  const failures: string[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < 100; i++) {
    const author = newKey();
    // a slow-to-verify issue (large, many tags) and a fast comment on it
    const base = issue(author, owner, 'pipe-issues', `issue ${i}`);
    const iss = sign(author, base.kind, [...base.tags, ...Array.from({ length: 2000 }, (_, j) => ['t', `label-${j}`])], 'y'.repeat(200_000));
    const com = comment(newKey(), iss, `comment ${i}`);
    c.send(['EVENT', iss]);
    await tick();
    c.send(['EVENT', com]);
    pending.push(
      c.waitFor((f) => f[0] === 'OK' && f[1] === com.id, 60_000).then((f) => {
        if (f[2] !== true) failures.push(`comment ${i}: ${String(f[3])}`);
      }),
    );
  }
  await Promise.all(pending);
  assert.deepEqual(failures, []);
});
