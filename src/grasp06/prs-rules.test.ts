// GRASP-06 rules, pure: the clone-URL comparator, the relaxation, and /prs/ push authorisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nip19 } from 'nostr-tools';
import { authorizePrsPush, grasp06Hook, parsePrsCloneUrl, prsIdentifiers } from './prs-rules.js';
import { DOMAIN, ev, fakeWorld, hex32 } from '../policy/test-world.js';

const signer = hex32();
const npub = nip19.npubEncode(signer);
const tip = 'b'.repeat(40);
const pr = (clone: string, d = 'proj') => ev({ kind: 1618, pubkey: signer, tags: [['a', `30617:${hex32()}:${d}`], ['c', tip], ['clone', clone]] });

test('clone comparator: scheme, authority (case-insensitive), exact path, npub of the signer, identifier from an a tag', () => {
  assert.deepEqual(parsePrsCloneUrl(`https://${DOMAIN.toUpperCase()}/prs/${npub}/my%20repo.git`, DOMAIN), { pubkey: signer, d: 'my repo' });
  assert.equal(parsePrsCloneUrl(`https://${DOMAIN}/prs/${npub}/x.git?q=1`, DOMAIN), undefined);
  assert.equal(parsePrsCloneUrl(`https://other.example/prs/${npub}/x.git`, DOMAIN), undefined);
  assert.equal(parsePrsCloneUrl(`ssh://${DOMAIN}/prs/${npub}/x.git`, DOMAIN), undefined);
  assert.equal(parsePrsCloneUrl(`https://${DOMAIN}/prs/${signer}/x.git`, DOMAIN), undefined, 'hex is not an npub');
  assert.deepEqual(prsIdentifiers(pr(`http://${DOMAIN}/prs/${npub}/proj.git`), DOMAIN), ['proj']);
  assert.deepEqual(prsIdentifiers(pr(`http://${DOMAIN}/prs/${npub}/other.git`), DOMAIN), [], 'identifier must be one of the a tags');
  assert.deepEqual(prsIdentifiers(pr(`http://${DOMAIN}/prs/${nip19.npubEncode(hex32())}/proj.git`), DOMAIN), [], 'npub must be the signer');
});

test('relaxation: an orphan PR naming our /prs/ endpoint is held; without the clone tag GRASP-01 decides', async () => {
  const refuse = async () => ({ type: 'reject' as const, reason: 'blocked: orphan' as const });
  const hook = grasp06Hook(DOMAIN, refuse);
  const held = await hook(pr(`http://${DOMAIN}/prs/${npub}/proj.git`), { source: 'client' }, fakeWorld());
  assert.equal(held?.type, 'purgatory');
  assert.equal(await hook(pr('https://elsewhere.example/x.git'), { source: 'client' }, fakeWorld()), undefined);
});

test('/prs/ pushes: only new refs/nostr/<id>; a known event must match', () => {
  const at = { pubkey: signer, d: 'proj' };
  const e = pr(`http://${DOMAIN}/prs/${npub}/proj.git`);
  const up = (ref: string, n = tip) => ({ ref, old: '0'.repeat(40), new: n });
  assert.deepEqual(authorizePrsPush([up(`refs/nostr/${hex32()}`)], new Map(), at, DOMAIN), { ok: true });
  assert.equal(authorizePrsPush([up('refs/heads/main')], new Map(), at, DOMAIN).ok, false);
  assert.equal(authorizePrsPush([up(`refs/nostr/${e.id}`)], new Map([[e.id, e]]), at, DOMAIN).ok, true);
  assert.equal(authorizePrsPush([up(`refs/nostr/${e.id}`, 'c'.repeat(40))], new Map([[e.id, e]]), at, DOMAIN).ok, false);
  assert.equal(authorizePrsPush([up(`refs/nostr/${e.id}`)], new Map([[e.id, e]]), { pubkey: hex32(), d: 'proj' }, DOMAIN).ok, false);
});
