// Unbounded work from one request, each with its budget and a clear answer past it (real server):
// COUNT answers NIP-45 `approximate` past --max-count; NEG-OPEN over more than --negentropy-max-records is
// refused without loading the set; idle NIP-77 sessions are closed on a timer; filters with tag values too
// long to be indexed are refused instead of scanning everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nip77 } from 'nostr-tools';
import { serverWithClient } from '../helpers/server.js';
import { announcement, issue, newKey } from '../helpers/events.js';

async function withIssues(t: Parameters<typeof serverWithClient>[0], n: number, args: string[]) {
  const { srv, c } = await serverWithClient(t, args);
  const k = newKey();
  const ann = announcement(k, 'budgets', [srv.config.domain]);
  await c.publish(ann);
  await srv.ingest.release(ann.id);
  for (let i = 0; i < n; i++) assert.equal((await c.publish(issue(k, k, 'budgets', `i${i}`))).ok, true);
  return { srv, c };
}

const initial = (): string => {
  const storage = new nip77.NegentropyStorageVector();
  storage.seal();
  return new nip77.Negentropy(storage, 4096).initiate();
};

test('COUNT past --max-count answers an approximate count instead of counting on', async (t) => {
  const { c } = await withIssues(t, 30, ['--max-count', '10']);
  c.send(['COUNT', 'big', { kinds: [1621] }]);
  assert.deepEqual((await c.waitFor((f) => f[0] === 'COUNT' && f[1] === 'big'))[2], { count: 10, approximate: true });
  c.send(['COUNT', 'small', { kinds: [1621], limit: 1 }, { kinds: [30617] }]);
  assert.deepEqual((await c.waitFor((f) => f[0] === 'COUNT' && f[1] === 'small'))[2], { count: 10, approximate: true });
  c.send(['COUNT', 'exact', { kinds: [30617] }]);
  assert.deepEqual((await c.waitFor((f) => f[0] === 'COUNT' && f[1] === 'exact'))[2], { count: 1 });
});

test('NEG-OPEN over more records than allowed is refused; idle sessions are closed without further messages', async (t) => {
  const { c } = await withIssues(t, 12, ['--negentropy-max-records', '10', '--negentropy-idle-ms', '300']);
  c.send(['NEG-OPEN', 'too-big', { kinds: [1621] }, initial()]);
  assert.match(String((await c.waitFor((f) => f[0] === 'NEG-ERR' && f[1] === 'too-big'))[2]), /^blocked: too many records/);
  c.send(['NEG-OPEN', 'fits', { kinds: [30617] }, initial()]);
  await c.waitFor((f) => f[0] === 'NEG-MSG' && f[1] === 'fits');
  // the client now says nothing: the session is closed by the server's timer
  assert.match(String((await c.waitFor((f) => f[0] === 'NEG-ERR' && f[1] === 'fits', 5_000))[2]), /^closed:/);
});

test('a filter with a tag value longer than the index allows is refused with CLOSED invalid', async (t) => {
  const { c } = await withIssues(t, 1, []);
  c.send(['REQ', 'long', { '#t': ['x'.repeat(600)] }]);
  const f = await c.waitFor((f) => f[0] === 'CLOSED' && f[1] === 'long');
  assert.match(String(f[2]), /^invalid: #t values longer than 512 bytes/);
});
