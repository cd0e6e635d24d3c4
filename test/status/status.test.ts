// /status, /api/status, the admin CLI (status, relays, repos, resync) and POST /api/resync against a
// real graspd that syncs with a second one (see fixture.ts). The browser's view is browser.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ADMIN_TOKEN, HOSTILE_NAME, getStatus, settled, statusWorld } from './fixture.js';
import { waitUntil } from '../helpers/process.js';
import type { StatusReport } from '../../src/status/types.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

test('status: JSON report, HTML page, admin CLI tables and resync against a syncing graspd', async (t) => {
  const w = await statusWorld(t);
  const s = await settled(w);

  await t.test('/api/status: relays and repositories with stable fields', () => {
    assert.equal(s.sync.enabled, true);
    const b = s.relays.find((r) => r.url === w.b.relayUrl)!;
    assert.equal(b.health, 'healthy');
    assert.equal(b.bootstrap, true);
    assert.ok(b.bytesIn > 0 && b.bytesOut > 0, 'bytes counted both ways');
    assert.ok(b.filterCapacity > 0 && b.liveFilters > 0 && b.liveFilters <= b.filterCapacity);
    assert.equal(b.nip77, true, 'graspd speaks NIP-77');
    const dead = s.relays.find((r) => r.url === w.deadRelay)!;
    assert.notEqual(dead.connection, 'connected');
    assert.ok(dead.failures >= 1 && dead.health !== 'healthy');
    assert.match(dead.lastError ?? '', /connection failed/);
    const served = s.repos.find((r) => r.d === 'hostile')!;
    assert.equal(served.name, HOSTILE_NAME);
    assert.deepEqual([served.announcement, served.state, served.gitData, served.incomplete], ['served', 'served', 'complete', false]);
    const waiting = s.repos.find((r) => r.d === w.waiting.d)!;
    assert.equal(waiting.announcement, 'purgatory');
    assert.equal(waiting.sync, undefined, 'lists no other relay');
    assert.equal(waiting.incomplete, true);
    assert.ok(waiting.purgatoryReasons.length >= 1 && waiting.purgatoryReasons[0]!.startsWith('announcement: '));
    assert.equal(s.repos[0]!.d, w.waiting.d, 'incomplete repositories first');
    assert.ok(s.totals.events >= 2 && s.totals.repos === 2 && s.totals.reposIncomplete === 1 && s.totals.purgatory >= 1);
    assert.ok((s.totals.diskFreeBytes ?? 0) > 0);
    assert.equal(s.purgatory.byKind['30617'], 1);
  });

  await t.test('sync coverage: B confirms the served repository', async () => {
    let cov: StatusReport['repos'][number]['sync'];
    await waitUntil(async () => (cov = (await getStatus(w.a)).repos.find((r) => r.d === 'hostile')?.sync)?.confirmed === 1 && cov?.level === 'full', 'B confirmed the repo (all layers, once served)', 20_000, 500);
    assert.deepEqual(cov?.relays, [{ url: w.b.relayUrl, confirmed: true }], 'synced from B (its own URL excluded)');
  });

  await t.test('/status: escaped, script-free, self-refreshing HTML linked from the landing page', async () => {
    const r = await fetch(`${w.a.httpUrl}/status`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await r.text();
    assert.ok(!html.includes('<script'), 'no script element, hostile name included');
    assert.ok(html.includes('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;'));
    assert.match(html, /<meta http-equiv="refresh"/);
    assert.ok(html.includes(w.b.relayUrl) && html.includes(w.deadRelay));
    const landing = await (await fetch(w.a.httpUrl)).text();
    assert.match(landing, /href="\/status"/);
  });

  await t.test('graspd status / relays / repos [--incomplete] print tables from the running server', async () => {
    const st = await cli(['status', '--url', w.a.httpUrl]);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /repositories 2 \(1 incomplete\)/);
    assert.match(st.stdout, /sync +on: 2 relays, 1 connected/);
    const rl = await cli(['relays', '--url', w.a.httpUrl]);
    assert.equal(rl.code, 0, rl.stderr);
    const bLine = rl.stdout.split('\n').find((l) => l.startsWith(w.b.relayUrl))!;
    assert.match(bLine, /connected +healthy/);
    assert.match(rl.stdout, /^RELAY +CONN +HEALTH/m);
    const all = await cli(['repos', '--url', w.a.httpUrl]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^hostile +npub1.* served +served +complete/m);
    const inc = await cli(['repos', '--incomplete', '--url', w.a.httpUrl]);
    assert.ok(inc.stdout.includes(w.waiting.d) && !/^hostile/m.test(inc.stdout), inc.stdout);
    const json = await cli(['repos', '--incomplete', '--json', '--url', w.a.httpUrl]);
    assert.deepEqual((JSON.parse(json.stdout) as Array<{ d: string }>).map((r) => r.d), [w.waiting.d]);
    assert.equal((await cli(['repos', '--bogus'])).code, 2);
    const down = await cli(['status', '--url', 'http://127.0.0.1:1']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach/);
  });

  await t.test('resync: loopback or admin token; a forwarded request without the token is refused', async () => {
    const post = (relay: string, headers: Record<string, string> = {}) =>
      fetch(`${w.a.httpUrl}/api/resync?relay=${encodeURIComponent(relay)}`, { method: 'POST', headers });
    assert.equal((await post(w.b.relayUrl, { 'X-Forwarded-For': '203.0.113.9' })).status, 403);
    assert.equal((await post(w.b.relayUrl, { Origin: 'https://evil.example' })).status, 403, 'a web page cannot make a browser on the host resync');
    assert.equal((await post(w.b.relayUrl, { 'X-Forwarded-For': '203.0.113.9', Authorization: 'Bearer wrong' })).status, 403);
    assert.equal((await post(w.b.relayUrl, { 'X-Forwarded-For': '203.0.113.9', Authorization: `Bearer ${ADMIN_TOKEN}` })).status, 202);
    assert.equal((await post('ws://unknown.example')).status, 404);
    assert.equal((await fetch(`${w.a.httpUrl}/api/resync`)).status, 405);
    const logLines = (what: string): number => w.a.output.join('').split('\n').filter((l) => l.includes(what)).length;
    const layer1 = `"relay":"${w.b.relayUrl}","batch"`;
    const before = logLines('resync requested');
    await waitUntil(() => logLines(layer1) > 0, 'first sync batches logged');
    const batchesBefore = logLines(layer1);
    const r = await cli(['resync', w.b.relayUrl, '--url', w.a.httpUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /resync of .* started/);
    await waitUntil(() => logLines('resync requested') > before, 'resync logged');
    // a fresh sync on the open connection: historic batches run again, B stays connected
    await waitUntil(() => logLines(layer1) > batchesBefore, 'historic batches of the fresh sync');
    await waitUntil(async () => {
      const b = (await getStatus(w.a)).relays.find((x) => x.url === w.b.relayUrl);
      return b?.connection === 'connected' && b.firstSyncDone;
    }, 'B synced afresh', 20_000, 500);
    const unknown = await cli(['resync', 'ws://unknown.example', '--url', w.a.httpUrl]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /HTTP 404/);
    assert.equal((await cli(['resync', 'http://not-ws'])).code, 2);
  });
});
