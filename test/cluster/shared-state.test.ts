// The shared parts of several instances on one PostgreSQL database, each part on its own: repository locks
// hold across instances (a second instance waits until the first releases), and purgatory entries added or
// removed by one instance are seen by another through its notifications.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log/logger.js';
import { PostgresRepoLocks } from '../../src/cluster/shared-locks.js';
import { PostgresPurgatory } from '../../src/cluster/postgres-purgatory.js';
import { PostgresEventStore } from '../../src/store/postgres-store.js';
import { KeyedMutex } from '../../src/git/repo-lock.js';
import { issue, newKey } from '../helpers/events.js';
import { waitUntil } from '../helpers/process.js';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const missing = postgresMissing();
let pg: TestPostgres | undefined;
before(async () => { if (!missing) pg = await startPostgres(); });
after(async () => { await pg?.stop(); });

test('a repository lock held by one instance makes another wait until it is released', { skip: missing }, async () => {
  const url = await pg!.freshDatabase();
  const locksOne = new PostgresRepoLocks(url, '/data');
  const one = new KeyedMutex(locksOne);
  const locksTwo = new PostgresRepoLocks(url, '/data');
  const two = new KeyedMutex(locksTwo);
  const order: string[] = [];
  const releaseOne = await one.acquire('/data/repos/npub1x/r.git');
  const waiting = two.run('/data/repos/npub1x/r.git', async () => { order.push('two'); });
  const other = two.run('/data/repos/npub1x/other.git', async () => { order.push('other repo'); });
  await other;
  await new Promise((r) => setTimeout(r, 300));
  order.push('one releases');
  releaseOne();
  await waiting;
  assert.deepEqual(order, ['other repo', 'one releases', 'two']);
  await locksOne.close();
  await locksTwo.close();
});

test('purgatory entries added and removed by one instance are seen by another', { skip: missing }, async () => {
  const url = await pg!.freshDatabase();
  const s1 = await PostgresEventStore.connect(url);
  const s2 = await PostgresEventStore.connect(url);
  const p1 = await PostgresPurgatory.open(s1.pool, url, { expiryMs: 60_000, log: silentLogger });
  const p2 = await PostgresPurgatory.open(s2.pool, url, { expiryMs: 60_000, log: silentLogger });
  try {
    const owner = newKey();
    const e = issue(newKey(), owner, 'r');
    await p1.add({ event: e, addedAt: Date.now(), reason: 'test', source: 'client' });
    await waitUntil(() => p2.has(e.id), 'the entry on the second instance', 5_000, 20);
    assert.equal(p2.lookup({ referencing: [`30617:${owner.pk}:r`] }).length, 1);
    assert.deepEqual((await p2.remove(e.id))?.event.id, e.id);
    await waitUntil(() => !p1.has(e.id), 'the removal on the first instance', 5_000, 20);
    assert.equal(await p1.remove(e.id), undefined, 'removed once');
    // durable: a third instance opening later finds what is held
    await p1.add({ event: e, addedAt: Date.now(), reason: 'again', source: 'sync' });
    const p3 = await PostgresPurgatory.open(s1.pool, url, { expiryMs: 60_000, log: silentLogger });
    assert.equal(p3.get(e.id)?.reason, 'again');
    await p3.close();
  } finally {
    await p1.close();
    await p2.close();
    await s1.close();
    await s2.close();
  }
});
