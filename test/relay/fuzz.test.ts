// Hostile frames: thousands of malformed or type-confused messages never crash the relay, every one gets
// an answer or is ignored, and the connection keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverWithClient } from '../helpers/server.js';
import { announcement, issue, newKey } from '../helpers/events.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const ATOMS: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, '', 'x', 'a'.repeat(70), '0'.repeat(64), '#e', [], {}, [[]], { '#e': 5 }, { kinds: [-1] }, { ids: ['zz'] }, { limit: -5 }, { since: 'now' }, { authors: [null] }, { '#a': [{}] }];

function randomValue(r: () => number, depth = 0): unknown {
  const x = r();
  if (depth > 3 || x < 0.5) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (const k of ['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig', 'ids', 'kinds', '#e', 'limit']) if (r() < 0.4) o[k] = randomValue(r, depth + 1);
  return o;
}

test('thousands of malformed frames: no crash, connection stays usable', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const k = newKey();
  const ann = announcement(k, 'fuzz', [srv.config.domain]);
  await c.publish(ann);
  await srv.ingest.release(ann.id); // served: issues on it are stored, not held with it
  const good = issue(k, k, 'fuzz');
  const r = prng(42);
  const types = ['EVENT', 'REQ', 'CLOSE', 'COUNT', 'NEG-OPEN', 'NEG-MSG', 'NEG-CLOSE', 'AUTH', 'XYZ'];
  for (let i = 0; i < 3000; i++) {
    const kind = r();
    if (kind < 0.1) c.sendRaw(['{', '[', '["EVENT"', '"x"', '[1,2', '\u0000', '[]', '{}', 'null'][Math.floor(r() * 9)]!);
    else if (kind < 0.3) {
      // a real event with one field corrupted
      const e: Record<string, unknown> = { ...good };
      const f = ['id', 'pubkey', 'created_at', 'kind', 'tags', 'content', 'sig'][Math.floor(r() * 7)]!;
      e[f] = randomValue(r);
      c.send(['EVENT', e]);
    } else {
      const frame: unknown[] = [types[Math.floor(r() * types.length)]];
      for (let j = Math.floor(r() * 4); j > 0; j--) frame.push(randomValue(r));
      c.send(frame);
    }
  }
  const final = issue(k, k, 'fuzz', 'after the storm');
  assert.deepEqual(await c.publish(final), { ok: true, message: '' });
  assert.deepEqual((await c.query([{ ids: [final.id] }])).map((e) => e.id), [final.id]);
  // every answer carries a machine-readable prefix
  for (const f of c.frames) {
    if (f[0] === 'NOTICE') assert.match(String(f[1]), /^(invalid|error|blocked|rate-limited|restricted):/);
    if (f[0] === 'OK' && f[2] === false) assert.match(String(f[3]), /^(invalid|error|blocked|rate-limited|restricted|duplicate):/);
    if (f[0] === 'CLOSED') assert.match(String(f[2]), /^(invalid|error|blocked|rate-limited|restricted):/);
  }
});
