// "OK true means durably stored": kill -9 right after the OKs, restart on the same data dir, and every
// acknowledged event (stored or held in purgatory) is still there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGraspd } from './helpers/process.js';
import { TestClient } from './helpers/client.js';
import { announcement, issue, newKey, state } from './helpers/events.js';
import { commit, git, workRepo } from '../src/git/test-kit.js';

test('every event answered OK true survives SIGKILL', async (t) => {
  const a = await startGraspd({ args: ['--no-sync'] });
  const c = await TestClient.connect(a.relayUrl);
  const k = newKey();
  // a served repository (its first push landed): issues on it are stored
  const ann = announcement(k, 'crash', [a.domain]);
  assert.match((await c.publish(ann)).message, /^purgatory:/);
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(k, 'crash', { 'refs/heads/main': tip }));
  assert.equal((await git(['-C', work, 'push', `${a.httpUrl}/${k.npub}/crash.git`, 'main'])).code, 0);
  // and one still waiting for git data: its announcement and the issues on it are held
  const heldAnn = announcement(k, 'waiting', [a.domain]);
  assert.match((await c.publish(heldAnn)).message, /^purgatory:/);
  const issues = Array.from({ length: 300 }, (_, i) => issue(k, k, 'crash', `i${i}`));
  const heldIssues = Array.from({ length: 50 }, (_, i) => issue(k, k, 'waiting', `h${i}`));
  for (const e of [...issues, ...heldIssues]) c.send(['EVENT', e]);
  const oks = await Promise.all([...issues, ...heldIssues].map((e) => c.waitFor((f) => f[0] === 'OK' && f[1] === e.id, 20000)));
  assert.ok(oks.every((f) => f[2] === true));
  a.proc.kill('SIGKILL');
  await new Promise((r) => a.proc.once('exit', r));
  c.close();

  const b = await a.restart();
  t.after(() => b.dispose());
  const c2 = await TestClient.connect(b.relayUrl);
  t.after(() => c2.close());
  const got = await c2.query([{ kinds: [1621], limit: 500 }]);
  assert.equal(got.length, issues.length, 'every stored issue is there (the held ones are not served)');
  assert.match((await c2.publish(heldAnn)).message, /^duplicate:/, 'the announcement is still held in purgatory');
  for (const e of heldIssues) assert.match((await c2.publish(e)).message, /^duplicate:/, 'held issues are still held');
});
