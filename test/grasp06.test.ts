// GRASP-06 /prs/ endpoint through a real server and real git (grasp-requirements.md §7.2 checks 1–12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { serverWithClient } from './helpers/server.js';
import { announcement, newKey, sign, state, type Key } from './helpers/events.js';
import { commit, git, mustGit, workRepo } from '../src/git/test-kit.js';
import type { TestServer } from './helpers/server.js';
import type { TestClient } from './helpers/client.js';

const hex = (): string => randomBytes(32).toString('hex');

function prEvent(author: Key, ownerPk: string, d: string, tip: string, clone: string): ReturnType<typeof sign> {
  return sign(author, 1618, [['a', `30617:${ownerPk}:${d}`], ['p', ownerPk], ['subject', 'contrib'], ['c', tip], ['clone', clone]], 'a contribution');
}

async function lsRemote(url: string, ref?: string): Promise<string> {
  const r = await git(['ls-remote', url, ...(ref ? [ref] : [])]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** O's repo served here with one commit; returns a work tree to build PR commits in. */
async function servedRepo(srv: TestServer, c: TestClient, owner: Key, d: string): Promise<string> {
  await c.publish(announcement(owner, d, [srv.config.domain]));
  const work = await workRepo();
  const tip = await commit(work, 'base');
  await c.publish(state(owner, d, { 'refs/heads/main': tip }));
  assert.equal((await git(['-C', work, 'push', `${srv.url}/${owner.npub}/${d}.git`, 'main'])).code, 0);
  return work;
}

test('GRASP-06 off: /prs/ is a 404 and NIP-11 does not advertise it', async (t) => {
  const { srv } = await serverWithClient(t);
  const r = await fetch(`${srv.url}/prs/${newKey().npub}/audit-probe.git/info/refs?service=git-upload-pack`);
  assert.equal(r.status, 404);
  const doc = (await (await fetch(srv.url, { headers: { Accept: 'application/nostr+json' } })).json()) as { supported_grasps: string[] };
  assert.equal(doc.supported_grasps.includes('GRASP-06'), false);
});

test('GRASP-06 on: empty clone of any path, only refs/nostr/<id> pushes, relaxation only with a matching clone tag', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--grasp06']);
  const doc = (await (await fetch(srv.url, { headers: { Accept: 'application/nostr+json' } })).json()) as { supported_grasps: string[] };
  assert.ok(doc.supported_grasps.includes('GRASP-06'));
  const s = newKey();
  const d = `probe-${hex().slice(0, 8)}`;
  const url = `${srv.url}/prs/${s.npub}/${d}.git`;
  // 3: clone works and is empty; nothing on disk
  const into = join(mkdtempSync(join(tmpdir(), 'graspd-prs-')), 'c');
  assert.equal((await git(['clone', '-q', url, into])).code, 0);
  assert.equal(await mustGit(['-C', into, 'for-each-ref']), '');
  assert.equal(existsSync(join(srv.dataDir, 'prs', 'scoped')), false, 'nothing created by a clone');
  // 5: other namespaces and bad ids refused by ref validation (not a 404)
  const work = await workRepo();
  const tip = await commit(work, 'contribution');
  for (const ref of ['refs/heads/main', 'refs/nostr/not-a-valid-event-id']) {
    const r = await git(['-C', work, 'push', url, `HEAD:${ref}`]);
    assert.notEqual(r.code, 0, ref);
    // word-bounded: a port number such as 40433 in the URL is not an HTTP 404
    assert.doesNotMatch(r.stderr, /not found|\b404\b/);
  }
  // 4: a placeholder push is accepted
  const placeholder = hex();
  assert.equal((await git(['-C', work, 'push', url, `HEAD:refs/nostr/${placeholder}`])).code, 0);
  assert.match(await lsRemote(url), new RegExp(`${tip}\trefs/nostr/${placeholder}`));
  // 6 + 7: relaxation: PR naming /prs/ for its signer and an a-tag identifier → held (purgatory)
  const unknownOwner = hex();
  const relaxed = prEvent(s, unknownOwner, d, tip, `http://${srv.config.domain}/prs/${s.npub}/${d}.git`);
  assert.match((await c.publish(relaxed)).message, /^purgatory:/);
  assert.equal((await c.query([{ ids: [relaxed.id] }])).length, 0);
  // 8: the same PR naming another server's /prs/ is refused
  const elsewhere = prEvent(s, unknownOwner, d, tip, `https://other-relay.example.invalid/prs/${s.npub}/${d}.git`);
  assert.equal((await c.publish(elsewhere)).ok, false);
  // pushing its commit releases the relaxed PR
  assert.equal((await git(['-C', work, 'push', url, `HEAD:refs/nostr/${relaxed.id}`])).code, 0);
  assert.equal((await c.query([{ ids: [relaxed.id] }])).length, 1, 'served once its commit is here');
});

test('GRASP-06 mirroring: event first and git first reach the owner\'s repo; never the reverse; a mismatch is deleted', async (t) => {
  const { srv, c } = await serverWithClient(t, ['--grasp06']);
  const owner = newKey();
  const d = 'upstream';
  const work = await servedRepo(srv, c, owner, d);
  const ownerUrl = `${srv.url}/${owner.npub}/${d}.git`;
  const s = newKey();
  const prsUrl = `${srv.url}/prs/${s.npub}/${d}.git`;
  const clone = `http://${srv.config.domain}/prs/${s.npub}/${d}.git`;

  // 9: event first, then the push to /prs/: PR served, ref mirrored into O's repo
  await mustGit(['-C', work, 'checkout', '-q', '-b', 'feature']);
  const x = await commit(work, 'feature X');
  const pr1 = prEvent(s, owner.pk, d, x, clone);
  assert.match((await c.publish(pr1)).message, /^purgatory:/);
  assert.equal((await git(['-C', work, 'push', prsUrl, `HEAD:refs/nostr/${pr1.id}`])).code, 0);
  assert.equal((await c.query([{ ids: [pr1.id] }])).length, 1);
  assert.equal(await lsRemote(ownerUrl, `refs/nostr/${pr1.id}`), `${x}\trefs/nostr/${pr1.id}`);

  // 10: git first (placeholder), then the event: served at once and mirrored
  const y = await commit(work, 'feature Y');
  const pr2 = prEvent(s, owner.pk, d, y, clone);
  assert.equal((await git(['-C', work, 'push', prsUrl, `HEAD:refs/nostr/${pr2.id}`])).code, 0);
  assert.equal((await c.publish(pr2)).ok, true);
  await waitFor(async () => (await c.query([{ ids: [pr2.id] }])).length === 1, 'PR 2 served');
  assert.equal(await lsRemote(ownerUrl, `refs/nostr/${pr2.id}`), `${y}\trefs/nostr/${pr2.id}`);

  // 11: a PR ref pushed to the standard endpoint does not appear under /prs/
  const z = await commit(work, 'feature Z');
  const direct = hex();
  assert.equal((await git(['-C', work, 'push', ownerUrl, `HEAD:refs/nostr/${direct}`])).code, 0);
  assert.equal(await lsRemote(prsUrl, `refs/nostr/${direct}`), '');

  // 12: commit mismatch: the event says B, the push brings A → refused, ref absent, PR not served
  const b = hex().slice(0, 40);
  const mismatch = sign(s, 1618, [['a', `30617:${hex()}:mismatch`], ['c', b], ['clone', `http://${srv.config.domain}/prs/${s.npub}/mismatch.git`]], 'pr');
  assert.match((await c.publish(mismatch)).message, /^purgatory:/);
  const mismatchUrl = `${srv.url}/prs/${s.npub}/mismatch.git`;
  const r = await git(['-C', work, 'push', mismatchUrl, `${z}:refs/nostr/${mismatch.id}`]);
  assert.notEqual(r.code, 0);
  assert.equal(await lsRemote(mismatchUrl, `refs/nostr/${mismatch.id}`), '');
  assert.equal((await c.query([{ ids: [mismatch.id] }])).length, 0);
  // zero-ref /prs/ repos are removed
  const scoped = join(srv.dataDir, 'prs', 'scoped', 'repos');
  const dirs = readdirSync(scoped).flatMap((o) => readdirSync(join(scoped, o)));
  assert.equal(dirs.some((n) => n.startsWith('mismatch')), false, 'the refused push left no repository behind');
});

async function waitFor(cond: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
