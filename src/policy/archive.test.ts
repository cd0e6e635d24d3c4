// GRASP-05 scope, pure: which announcements are archives, and the hook that accepts them into purgatory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnouncement } from '../nostr/nip34.js';
import { archiveHook, isArchived, isHosted, type HostingScope } from './archive.js';
import { DOMAIN, ev, fakeWorld, hex32 } from './test-world.js';

const owner = hex32();
const elsewhere = (pubkey: string, d: string): ReturnType<typeof ev> =>
  ev({ kind: 30617, pubkey, tags: [['d', d], ['clone', `https://other.example/x/${d}.git`], ['relays', 'wss://other.example']] });
const scope = (s: Partial<HostingScope>): HostingScope => ({ domain: DOMAIN, archiveAll: false, archiveWhitelist: [], archiveReadOnly: true, ...s });

test('archived: not listing the service and matching the archive whitelist (or archive-all)', () => {
  const ann = parseAnnouncement(elsewhere(owner, 'proj'));
  assert.equal(isArchived(scope({}), ann), false);
  assert.equal(isArchived(scope({ archiveWhitelist: [{ pubkey: owner }] }), ann), true);
  assert.equal(isArchived(scope({ archiveWhitelist: [{ d: 'other' }] }), ann), false);
  assert.equal(isArchived(scope({ archiveAll: true }), ann), true);
  assert.equal(isHosted(scope({}), ann), false);
});

test('the hook puts a new archived announcement into purgatory and leaves everything else to GRASP-01', async () => {
  const hook = archiveHook(scope({ archiveAll: true }));
  const world = fakeWorld();
  const d1 = await hook(elsewhere(owner, 'proj'), { source: 'client' }, world);
  assert.equal(d1?.type, 'purgatory');
  assert.equal(await archiveHook(scope({}))(elsewhere(owner, 'proj'), { source: 'client' }, world), undefined, 'archive off');
  assert.equal(await hook(ev({ kind: 1621, pubkey: owner }), { source: 'client' }, world), undefined);
});
