// "OK true means durably stored": kill -9 right after the OKs, restart on the same data dir, and every
// acknowledged event (stored or held in purgatory) is still there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGraspd } from './helpers/process.js';
import { TestClient } from './helpers/client.js';
import { announcement, issue, newKey } from './helpers/events.js';

test('every event answered OK true survives SIGKILL', async (t) => {
  const a = await startGraspd({ args: ['--no-sync'] });
  const c = await TestClient.connect(a.relayUrl);
  const k = newKey();
  const ann = announcement(k, 'crash', [a.domain]);
  assert.match((await c.publish(ann)).message, /^purgatory:/);
  const issues = Array.from({ length: 300 }, (_, i) => issue(k, k, 'crash', `i${i}`));
  for (const e of issues) c.send(['EVENT', e]);
  const oks = await Promise.all(issues.map((e) => c.waitFor((f) => f[0] === 'OK' && f[1] === e.id, 20000)));
  assert.ok(oks.every((f) => f[2] === true));
  a.proc.kill('SIGKILL');
  await new Promise((r) => a.proc.once('exit', r));
  c.close();

  const b = await a.restart();
  t.after(() => b.dispose());
  const c2 = await TestClient.connect(b.relayUrl);
  t.after(() => c2.close());
  const got = await c2.query([{ kinds: [1621], limit: 500 }]);
  assert.equal(got.length, issues.length);
  assert.match((await c2.publish(ann)).message, /^duplicate:/, 'the announcement is still held in purgatory');
});
