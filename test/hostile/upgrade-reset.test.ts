// Remote crash, no key needed: WebSocket upgrades that the server refuses (unknown path, per-IP limit, not
// ready) and that the client resets while the answer is written must never kill the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startGraspd } from '../helpers/process.js';
import { TestClient } from '../helpers/client.js';

function upgradeAndReset(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      // reset at once (RST, not FIN): the server's answer hits a dead socket
      setImmediate(() => {
        s.resetAndDestroy();
        resolve();
      });
    });
    s.on('error', () => resolve());
  });
}

test('upgrades to unknown paths and over the per-IP limit, reset by the client, do not crash the server', async (t) => {
  const g = await startGraspd({ args: ['--max-connections-per-ip', '1', '--no-sync'] });
  t.after(() => g.dispose());
  const holder = await TestClient.connect(g.relayUrl); // uses up the one connection this address may have
  t.after(() => holder.close());
  for (let round = 0; round < 300; round++) {
    await Promise.all([upgradeAndReset(g.port, '/nope'), upgradeAndReset(g.port, '/'), upgradeAndReset(g.port, '/%2e%2e/x')]);
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(g.proc.exitCode, null, `server died: ${g.output.join('').slice(-2000)}`);
  const r = await fetch(g.httpUrl, { headers: { Accept: 'application/nostr+json' } });
  assert.equal(r.status, 200);
});
