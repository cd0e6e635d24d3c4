// graspd export / import round trip through real servers and the real CLI: A's served events exported
// (by REQ pages and from the data dir: the same lines), imported into B through admission, its git
// data pushed, then B serves exactly A's events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { serverWithClient, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { waitUntil } from '../helpers/process.js';
import { announcement, comment, issue, newKey, sign, state } from '../helpers/events.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

const ids = (jsonl: string): string[] => jsonl.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id).sort();

test('export (REQ pages and data dir) → import into a second server → the same events served', async (t) => {
  const { srv: a, c } = await serverWithClient(t);
  const k = newKey();
  const d = 'round trip';
  const ann = announcement(k, d, [a.config.domain]);
  assert.ok((await c.publish(ann)).ok);
  const work = await workRepo();
  const c1 = await commit(work, 'one');
  assert.ok((await c.publish(state(k, d, { 'refs/heads/main': c1 }))).ok);
  const push = await git(['-C', work, 'push', `${a.url}/${k.npub}/${encodeURIComponent(d)}.git`, 'main']);
  assert.equal(push.code, 0, push.stderr);
  const iss = issue(newKey(), k, d);
  assert.ok((await c.publish(iss)).ok);
  assert.ok((await c.publish(comment(newKey(), iss))).ok);
  // several events in one second, more than one page: the boundary second must be read whole
  const author = newKey();
  const t0 = Math.floor(Date.now() / 1000) - 5;
  for (let i = 0; i < 7; i++) assert.ok((await c.publish(sign(author, 1, [['q', `30617:${k.pk}:${d}`]], `note ${i}`, t0))).ok);
  const served = (await c.query([{}])).map((e) => e.id).sort();
  assert.equal(served.length, 4 + 7);

  const viaReq = await cli(['export', '--url', a.url, '--page-size', '3']);
  assert.equal(viaReq.code, 0, viaReq.stderr);
  assert.deepEqual(ids(viaReq.stdout), served);
  assert.match(viaReq.stderr, /exported 11 events/);
  const viaDir = await cli(['export', '--data-dir', a.dataDir, '--page-size', '3']);
  assert.equal(viaDir.code, 0, viaDir.stderr);
  assert.deepEqual(ids(viaDir.stdout), served);

  // B: a new server; the events go in through admission, then the git data is pushed (as when moving
  // a server): events about a repository wait in purgatory until its git data arrives
  const b = await startTestServer(['--domain', a.config.domain]);
  t.after(() => b.stop());
  const imported = await cli(['import', '--url', b.url], viaReq.stdout + 'not json\n');
  assert.equal(imported.code, 1, 'a malformed line makes the exit status 1');
  assert.match(imported.stderr, /line 12: not JSON/);
  const m = /read 11 events: (\d+) stored, (\d+) held in purgatory, 0 duplicates, 0 refused/.exec(imported.stderr);
  assert.ok(m, imported.stderr);
  assert.equal(Number(m[1]) + Number(m[2]), 11);
  const pushB = await git(['-C', work, 'push', `${b.url}/${k.npub}/${encodeURIComponent(d)}.git`, 'main']);
  assert.equal(pushB.code, 0, pushB.stderr);
  const cb = await TestClient.connect(b.relayUrl);
  t.after(() => cb.close());
  await waitUntil(async () => (await cb.query([{}])).length === served.length, 'B serves every imported event');
  assert.deepEqual((await cb.query([{}])).map((e) => e.id).sort(), served);

  // again: everything is a duplicate, exit 0
  const again = await cli(['import', '--url', b.url], viaReq.stdout);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /11 duplicates, 0 refused/);
});

test('import publishes through admission: forged and orphan events are refused and reported', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const good = sign(newKey(), 1, [], 'orphan note');
  const forged = { ...sign(newKey(), 1, [], 'x'), content: 'changed after signing' };
  const r = await cli(['import', '--url', srv.url], [good, forged].map((e) => JSON.stringify(e)).join('\n') + '\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /read 2 events: 0 stored, 0 held in purgatory, 0 duplicates, 2 refused \((blocked 1, invalid 1|invalid 1, blocked 1)\)/);
  assert.deepEqual(await c.query([{}]), []);
});
