// Per-connection EVENT rate limit and per-IP connection limit, over real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { serverWithClient, startTestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/client.js';
import { announcement, issue, newKey } from '../helpers/events.js';

test('EVENTs beyond the burst are answered OK false "rate-limited:" and the connection stays usable', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--rate-limit-burst', '5', '--rate-limit-events-per-second', '0']);
  const k = newKey();
  // a served repository for the issues, set up past this connection's bucket
  const served = announcement(k, 'served', [srv.config.domain]);
  await srv.ingest.ingest(served, { source: 'client' });
  await srv.ingest.release(served.id);
  const ann = announcement(k, 'limited', [srv.config.domain]);
  const events = [ann, ...Array.from({ length: 9 }, (_, i) => issue(k, k, 'served', `i${i}`))];
  for (const e of events) c.send(['EVENT', e]);
  const oks = await Promise.all(events.map((e) => c.waitFor((f) => f[0] === 'OK' && f[1] === e.id)));
  const limited = oks.filter((f) => f[2] === false && String(f[3]).startsWith('rate-limited:'));
  assert.equal(oks.filter((f) => f[2] === true).length, 5);
  assert.equal(limited.length, 5);
  assert.equal((await c.query([{ kinds: [1621] }])).length, 4);
});

test('connections beyond --max-connections-per-ip are refused with HTTP 429', async (t) => {
  const srv = await startTestServer(['--max-connections-per-ip', '2']);
  t.after(() => srv.stop());
  const a = await TestClient.connect(srv.relayUrl);
  const b = await TestClient.connect(srv.relayUrl);
  t.after(() => {
    a.close();
    b.close();
  });
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(srv.relayUrl);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => undefined);
  });
  assert.equal(status, 429);
  b.close();
  // a freed slot can be used again
  let ok = false;
  for (let i = 0; i < 50 && !ok; i++) {
    try {
      (await TestClient.connect(srv.relayUrl)).close();
      ok = true;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  assert.ok(ok);
});

test('a peer that stops answering pings is dropped; one that answers stays', async (t) => {
  const srv = await startTestServer(['--ws-ping-interval-ms', '100']);
  t.after(() => srv.stop());
  const silent = new WebSocket(srv.relayUrl, { autoPong: false });
  const healthy = new WebSocket(srv.relayUrl);
  await Promise.all([silent, healthy].map((ws) => new Promise((r) => ws.once('open', r))));
  const closed = await new Promise<boolean>((resolve) => {
    silent.once('close', () => resolve(true));
    setTimeout(() => resolve(false), 3000);
  });
  assert.equal(closed, true, 'silent peer dropped');
  assert.equal(healthy.readyState, WebSocket.OPEN);
  healthy.close();
});

test('a REQ whose stored results exceed the output queue bound is delivered in full to a reading client', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--max-limit', '5000', '--rate-limit-burst', '100000']);
  const k = newKey();
  const ann = announcement(k, 'big', [srv.config.domain]);
  await c.publish(ann);
  await srv.ingest.release(ann.id);
  const body = 'y'.repeat(2000);
  const events = Array.from({ length: 3000 }, (_, i) => issue(k, k, 'big', `b${i} ${body}`));
  for (const e of events) c.send(['EVENT', e]);
  const oks = await Promise.all(events.map((e) => c.waitFor((f) => f[0] === 'OK' && f[1] === e.id, 60000)));
  assert.deepEqual(oks.filter((f) => f[2] !== true).slice(0, 3), []);
  const got = await c.query([{ kinds: [1621], limit: 5000 }]);
  assert.equal(got.length, 3000, 'about 6 MB of results, more than the 4 MB queue bound');
});
