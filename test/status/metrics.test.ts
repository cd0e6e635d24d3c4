// git and connection metrics (graspd_git_*, graspd_ws_*) and --trusted-proxy, against a real server:
// real git clones, fetches and pushes; real WebSockets carrying X-Forwarded-For.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { serverWithClient, startTestServer } from '../helpers/server.js';
import { announcement, newKey, state } from '../helpers/events.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

/** Sum of every sample of `name` whose labels contain all of `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function open(url: string, xff?: string): Promise<WebSocket | number> {
  return new Promise((res) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: xff ? { 'X-Forwarded-For': xff } : {} });
    ws.once('open', () => res(ws));
    ws.once('unexpected-response', (_req, r) => res(r.statusCode ?? 0));
    ws.once('error', () => res(-1));
  });
}

test('git metrics: clones, fetches and pushes by outcome, bytes both ways, push authorisation, time per request', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const k = newKey();
  const d = 'metered';
  assert.ok((await c.publish(announcement(k, d, [srv.config.domain]))).ok);
  const work = await workRepo();
  const c1 = await commit(work, 'one');
  assert.ok((await c.publish(state(k, d, { 'refs/heads/main': c1 }))).ok);
  const url = `${srv.url}/${k.npub}/${d}.git`;
  const before = await metrics(srv.url);

  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  await commit(work, 'not announced');
  assert.notEqual((await git(['-C', work, 'push', url, 'main'])).code, 0, 'no state names the new commit');
  const dir = mkdtempSync(join(tmpdir(), 'graspd-metrics-'));
  assert.equal((await git(['clone', '-q', url, join(dir, 'c')])).code, 0);
  assert.equal((await git(['-C', join(dir, 'c'), 'fetch', '-q', 'origin'])).code, 0, 'nothing new: no upload-pack POST');
  const c2 = await commit(work, 'two');
  assert.ok((await c.publish(state(k, d, { 'refs/heads/main': c2 }))).ok);
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  assert.equal((await git(['-C', join(dir, 'c'), 'fetch', '-q', 'origin'])).code, 0);

  const after = await metrics(srv.url);
  const delta = (name: string, labels: Record<string, string> = {}): number => value(after, name, labels) - value(before, name, labels);
  assert.equal(delta('graspd_git_requests_total', { operation: 'push', outcome: 'ok' }), 2);
  assert.equal(delta('graspd_git_requests_total', { operation: 'push', outcome: 'rejected' }), 1);
  assert.equal(delta('graspd_git_requests_total', { operation: 'clone', outcome: 'ok' }), 1);
  assert.equal(delta('graspd_git_requests_total', { operation: 'fetch', outcome: 'ok' }), 1);
  assert.ok(delta('graspd_git_requests_total', { operation: 'info-refs', outcome: 'ok' }) >= 6);
  assert.equal(delta('graspd_git_push_authorizations_total', { result: 'accepted' }), 2);
  assert.equal(delta('graspd_git_push_authorizations_total', { result: 'rejected' }), 1);
  assert.ok(delta('graspd_git_bytes_served_total', { operation: 'clone' }) > 200, 'the pack was sent');
  assert.ok(delta('graspd_git_bytes_received_total', { operation: 'push' }) > 200, 'the packs were received');
  assert.equal(delta('graspd_git_request_duration_seconds_count', { operation: 'push' }), 3);
  // no addresses in any label of ours
  for (const line of after.split('\n').filter((l) => l.startsWith('graspd_'))) assert.ok(!/127\.0\.0\.1|::1/.test(line), line);
});

test('connection metrics and per-IP limits: X-Forwarded-For counts only from a --trusted-proxy', async (t) => {
  const proxied = await startTestServer(['--trusted-proxy', '127.0.0.1', '--max-connections-per-ip', '2']);
  t.after(() => proxied.stop());
  const sockets: WebSocket[] = [];
  t.after(() => sockets.forEach((s) => s.terminate()));
  const keep = (r: WebSocket | number): WebSocket | number => (typeof r === 'number' ? r : (sockets.push(r), r));
  const before = await metrics(proxied.url);
  assert.ok(keep(await open(proxied.relayUrl, '203.0.113.1')) instanceof WebSocket);
  assert.ok(keep(await open(proxied.relayUrl, '198.51.100.1, 203.0.113.1')) instanceof WebSocket, 'spoofed left entry ignored: still 203.0.113.1');
  assert.equal(keep(await open(proxied.relayUrl, '203.0.113.1')), 429, 'the third from one client is refused');
  assert.ok(keep(await open(proxied.relayUrl, '203.0.113.2')) instanceof WebSocket, 'another client behind the same proxy is not');
  const m = await metrics(proxied.url);
  assert.equal(value(m, 'graspd_ws_client_addresses'), 2);
  assert.equal(value(m, 'graspd_ws_connections_refused_total', { reason: 'per_ip_limit' }) - value(before, 'graspd_ws_connections_refused_total', { reason: 'per_ip_limit' }), 1);
  assert.ok(value(m, 'graspd_ws_connections') >= 3);

  // the same requests to a server that trusts no proxy: all come from 127.0.0.1
  const direct = await startTestServer(['--max-connections-per-ip', '2']);
  t.after(() => direct.stop());
  assert.ok(keep(await open(direct.relayUrl, '203.0.113.1')) instanceof WebSocket);
  assert.ok(keep(await open(direct.relayUrl, '203.0.113.2')) instanceof WebSocket);
  assert.equal(keep(await open(direct.relayUrl, '203.0.113.3')), 429, 'forged headers do not lift the limit');
});

test('--trusted-proxy rejects what is not an address or subnet (exit 2 class error)', async () => {
  await assert.rejects(startTestServer(['--trusted-proxy', 'proxy.example']), /--trusted-proxy/);
});
