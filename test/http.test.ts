// The HTTP face: NIP-11, landing page, metrics, CORS on every response, OPTIONS, 404 and hostile paths.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer(['--sync']);
});
after(() => srv.stop());

/** Raw HTTP GET so paths are sent exactly as written (fetch would normalise `..`). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function assertCors(h: Record<string, string | string[] | undefined>): void {
  assert.equal(h['access-control-allow-origin'], '*');
  assert.match(String(h['access-control-allow-methods']), /GET/);
  assert.match(String(h['access-control-allow-methods']), /POST/);
  assert.match(String(h['access-control-allow-headers']).toLowerCase(), /content-type/);
}

test('3.6 NIP-11 document has the GRASP fields and the enforced limits', async () => {
  const r = await get('/', { Accept: 'application/nostr+json' });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /application\/nostr\+json/);
  assertCors(r.headers);
  const doc = JSON.parse(r.body) as Record<string, unknown>;
  for (const k of ['name', 'description', 'software', 'version', 'limitation']) assert.ok(k in doc, k);
  for (const n of [1, 9, 11, 34, 40, 45, 77]) assert.ok((doc.supported_nips as number[]).includes(n));
  assert.deepEqual(doc.supported_grasps, ['GRASP-01', 'GRASP-02']);
  assert.ok(typeof doc.repo_acceptance_criteria === 'string' && doc.repo_acceptance_criteria.length > 0);
  assert.equal((doc.limitation as Record<string, number>).max_limit, 500);
});

test('landing page is HTML with the relay URL and clone pattern', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /text\/html/);
  assert.ok(r.body.includes(`ws://${srv.config.domain}`));
  assert.ok(r.body.includes('&lt;npub&gt;/&lt;identifier&gt;.git'));
  assertCors(r.headers);
});

test('/metrics is Prometheus text with graspd_ metrics', async () => {
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.body, /^graspd_ws_connections /m);
  assertCors(r.headers);
});

test('3.13 OPTIONS anywhere is 204 with CORS headers', async () => {
  for (const p of ['/', '/npub1test/test.git/git-upload-pack', '/npub1test/test.git/info/refs']) {
    const r = await get(p, { Origin: 'https://example.com', 'Access-Control-Request-Method': 'POST' }, 'OPTIONS');
    assert.equal(r.status, 204);
    assert.equal(r.body, '');
    assertCors(r.headers);
  }
});

test('unknown paths are an HTML 404 with CORS; hostile segments are refused with 4xx', async () => {
  const r = await get('/no/such/thing');
  assert.equal(r.status, 404);
  assert.match(String(r.headers['content-type']), /text\/html/);
  assertCors(r.headers);
  for (const p of ['/%2e%2e/x.git', '/npub1x/..%2F..%2Fetc.git/info/refs', '/a/%00.git', '/a/b%5Cc.git']) {
    const h = await get(p);
    assert.ok(h.status >= 400 && h.status < 500, `${p} → ${h.status}`);
    assertCors(h.headers);
  }
});
