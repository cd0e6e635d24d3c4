// What a throw-away announcement can make the server keep (real server, short expiry): events on a repository
// that never gets git data are held with it (not served) and leave with it, its bare repository is removed, and a
// real repository's held events are served once its first push lands. Provisional refs/nostr refs are bounded
// per repository and per address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { serverWithClient } from '../helpers/server.js';
import { waitUntil } from '../helpers/process.js';
import { announcement, comment, issue, newKey, sign, state } from '../helpers/events.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';
import { repoDir } from '../../src/git/repo-paths.js';
import type { NostrEvent } from '../../src/nostr/types.js';

test('events on a repository that never gets git data are held, never served, and leave with it (repo dir too)', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--purgatory-expiry-ms', '2000']);
  const spammer = newKey();
  const ann = announcement(spammer, 'throwaway', [srv.config.domain]);
  assert.match((await c.publish(ann)).message, /^purgatory:/);
  const big = 'x'.repeat(100_000);
  const held: NostrEvent[] = [];
  for (let i = 0; i < 10; i++) {
    const e = sign(newKey(), 1621, issue(spammer, spammer, 'throwaway').tags, `${i} ${big}`);
    assert.match((await c.publish(e)).message, /^purgatory:/, 'held with its repository');
    held.push(e);
  }
  const reply = comment(newKey(), held[0]!);
  assert.match((await c.publish(reply)).message, /^purgatory:/, 'a comment on a held issue is held too');
  assert.equal((await c.query([{ kinds: [1621, 1111] }])).length, 0, 'nothing served');
  const url = `${srv.url}/${spammer.npub}/throwaway.git`;
  assert.equal((await fetch(`${url}/info/refs?service=git-upload-pack`)).status, 200);

  await waitUntil(async () => (await fetch(`${url}/info/refs?service=git-upload-pack`)).status === 404, 'bare repo removed at expiry', 15_000, 200);
  assert.equal(existsSync(repoDir(srv.dataDir, spammer.pk, 'throwaway')), false);
  await waitUntil(() => held.every((e) => !srv.ingest.isHeld(e.id)) && !srv.ingest.isHeld(reply.id), 'held events dropped', 15_000, 200);
  assert.equal((await c.query([{ kinds: [1621, 1111] }])).length, 0);
});

test('events held with a repository are served when its first push lands', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const owner = newKey();
  await c.publish(announcement(owner, 'real', [srv.config.domain]));
  const iss = issue(newKey(), owner, 'real');
  const reply = comment(newKey(), iss);
  assert.match((await c.publish(iss)).message, /^purgatory:/);
  assert.match((await c.publish(reply)).message, /^purgatory:/);
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(owner, 'real', { 'refs/heads/main': tip }));
  assert.equal((await git(['-C', work, 'push', `${srv.url}/${owner.npub}/real.git`, 'main'])).code, 0);
  await waitUntil(async () => (await c.query([{ ids: [iss.id, reply.id] }])).length === 2, 'issue and comment served', 10_000, 100);
});

test('provisional refs/nostr refs are capped per repository and per client address', async (t) => {
  const { srv, c } = await serverWithClient(t);
  const work = await workRepo();
  const tip = await commit(work, 'anonymous data');
  const refs = (n: number, salt: string): string[] => Array.from({ length: n }, (_, i) => `${tip}:refs/nostr/${(salt + i.toString(16)).padStart(64, '0')}`);
  const urls: string[] = [];
  for (const d of ['p1', 'p2', 'p3']) {
    const owner = newKey();
    const ann = announcement(owner, d, [srv.config.domain]);
    await c.publish(ann);
    await srv.ingest.release(ann.id);
    urls.push(`${srv.url}/${owner.npub}/${d}.git`);
  }
  const tooMany = await git(['-C', work, 'push', urls[0]!, ...refs(33, 'a')]);
  assert.notEqual(tooMany.code, 0);
  assert.match(tooMany.stderr, /too many refs\/nostr refs wait for their PR event in this repository/);
  assert.equal((await git(['-C', work, 'push', urls[0]!, ...refs(32, 'b')])).code, 0);
  assert.equal((await git(['-C', work, 'push', urls[1]!, ...refs(32, 'c')])).code, 0);
  const perAddress = await git(['-C', work, 'push', urls[2]!, ...refs(1, 'd')]);
  assert.notEqual(perAddress.code, 0);
  assert.match(perAddress.stderr, /too many refs\/nostr refs without a PR event from your address/);
  const ls = await git(['ls-remote', urls[0]!]);
  assert.doesNotMatch(ls.stdout, /refs\/nostr/, 'provisional refs are not served from the repository');
});
