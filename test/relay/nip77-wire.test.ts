// NIP-77 over the wire against a real graspd: nostr-tools as initiator, our responder over the LMDB store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { nip77 } from 'nostr-tools';
import { serverWithClient } from '../helpers/server.js';
import { announcement, issue, newKey } from '../helpers/events.js';

test('NEG-OPEN/NEG-MSG reconcile finds exactly what each side lacks; errors answer NEG-ERR', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const k = newKey();
  const ann = announcement(k, 'neg', [srv.config.domain]);
  await c.publish(ann);
  await srv.ingest.release(ann.id);
  const issues = Array.from({ length: 30 }, (_, i) => issue(k, k, 'neg', `n${i}`));
  for (const e of issues) assert.equal((await c.publish(e)).ok, true);

  const storage = new nip77.NegentropyStorageVector();
  for (const e of issues.slice(0, 20)) storage.insert(e.created_at, e.id);
  const mine = Array.from({ length: 5 }, (_, i) => ({ created_at: issues[0]!.created_at + i, id: randomBytes(32).toString('hex') }));
  for (const m of mine) storage.insert(m.created_at, m.id);
  storage.seal();
  const neg = new nip77.Negentropy(storage, 4096);
  const have = new Set<string>();
  const need = new Set<string>();
  let msg: string | null = neg.initiate();
  c.send(['NEG-OPEN', 'n1', { kinds: [1621] }, msg]);
  let from = 0;
  while (msg !== null) {
    const f = await c.waitFor((f) => (f[0] === 'NEG-MSG' || f[0] === 'NEG-ERR') && f[1] === 'n1', 5000, from);
    from = c.frames.indexOf(f) + 1;
    assert.equal(f[0], 'NEG-MSG', String(f[2]));
    msg = neg.reconcile(f[2] as string, (id) => have.add(id), (id) => need.add(id));
    if (msg !== null) c.send(['NEG-MSG', 'n1', msg]);
  }
  c.send(['NEG-CLOSE', 'n1']);
  assert.deepEqual([...need].sort(), issues.slice(20).map((e) => e.id).sort());
  assert.deepEqual([...have].sort(), mine.map((m) => m.id).sort());

  c.send(['NEG-MSG', 'unknown', '61']);
  assert.match(String((await c.waitFor((f) => f[0] === 'NEG-ERR' && f[1] === 'unknown'))[2]), /^closed:/);
  c.send(['NEG-OPEN', 'bad', { kinds: [1621] }, 'zz-not-hex']);
  assert.match(String((await c.waitFor((f) => f[0] === 'NEG-ERR' && f[1] === 'bad'))[2]), /^(invalid|error):/);
  assert.deepEqual((await c.query([{ ids: [issues[0]!.id] }])).length, 1, 'connection still usable');
});
