// A remote that is not graspd (SYNC.md "Live and historic": plain NIP-01 REQ/EOSE when NIP-77 is
// missing): @nostr-relay/core with SQLite on `ws`, which answers NEG-OPEN with a NOTICE.
import { test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import core from '@nostr-relay/core';
import sqlite from '@nostr-relay/event-repository-sqlite';
import validatorPkg from '@nostr-relay/validator';
import { newKey } from '../helpers/events.js';
import { fresh, graspd, host, newFreshRepo, publish, waitForEvents } from './kit.js';

async function foreignRelay(): Promise<{ url: string; domain: string; close(): Promise<void> }> {
  const repo = new sqlite.EventRepositorySqlite(':memory:');
  await repo.init();
  const relay = new core.NostrRelay(repo);
  const validator = new validatorPkg.Validator();
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    relay.handleConnection(ws, '127.0.0.1');
    ws.on('message', async (data) => {
      try {
        const msg = await validator.validateIncomingMessage(data);
        await relay.handleMessage(ws, msg);
      } catch (e) {
        ws.send(JSON.stringify(['NOTICE', `ERROR: ${(e as Error).message}`]));
      }
    });
    ws.on('close', () => relay.handleDisconnect(ws));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    domain: `127.0.0.1:${port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      await repo.destroy?.();
    },
  };
}

test('graspd syncs history and live events from a foreign relay without NIP-77 over plain NIP-01', async (t) => {
  const f = await foreignRelay();
  t.after(() => f.close());
  const owner = newKey();
  const a = await graspd(t);
  const repo = await newFreshRepo(owner, 'foreign', [a.domain, f.domain]);
  const u = newKey();
  const old = fresh.issue(u, repo, 'published on the foreign relay first');
  const oldComment = fresh.comment(owner, old, 'and a comment');
  await publish(f.url, repo.ann, old, oldComment);
  await host(a, repo);
  await waitForEvents(a.relayUrl, [old, oldComment], 'history from the foreign relay');
  const live = fresh.issue(owner, repo, 'live on the foreign relay');
  await publish(f.url, live);
  await waitForEvents(a.relayUrl, [live], 'live event from the foreign relay');
});
