import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventCtx } from '../relay/admission.js';
import { admitAnnouncement } from './announcement.js';
import { announcementEv, ev, fakeWorld, hex32 } from './test-world.js';

const ctx: EventCtx = { source: 'client' };
const [alice, bob, carol] = [hex32(), hex32(), hex32()];

describe('admitAnnouncement', () => {
  it('has no opinion on other kinds', async () => {
    assert.equal(await admitAnnouncement(ev({ kind: 1 }), ctx, fakeWorld()), undefined);
  });

  it('rejects an announcement without a non-empty d tag as invalid', async () => {
    for (const tags of [[], [['d', '']]]) {
      const d = await admitAnnouncement(ev({ kind: 30617, tags }), ctx, fakeWorld());
      assert.equal(d?.type, 'reject');
      assert.match(d.type === 'reject' ? d.reason : '', /^invalid: /);
    }
  });

  it('rejects an identifier that could escape the data directory', async () => {
    const d = await admitAnnouncement(ev({ kind: 30617, tags: [['d', '..']] }), ctx, fakeWorld());
    assert.equal(d?.type === 'reject' && d.reason.startsWith('invalid: '), true);
  });

  it('rejects an identifier longer than 255 bytes (unreachable as a URL path segment)', async () => {
    const long = 'é'.repeat(128); // 256 bytes
    const r = await admitAnnouncement(announcementEv(hex32(), long), ctx, fakeWorld());
    assert.equal(r?.type, 'reject');
    assert.match(r?.type === 'reject' ? r.reason : '', /^invalid: .*255 bytes/);
    assert.equal((await admitAnnouncement(announcementEv(hex32(), 'é'.repeat(127)), ctx, fakeWorld()))?.type, 'purgatory');
  });

  it('puts a new repo listing the service in purgatory', async () => {
    assert.deepEqual(await admitAnnouncement(announcementEv(alice, 'r'), ctx, fakeWorld()), { type: 'purgatory', reason: 'awaiting git data' });
  });

  it('keeps a replacement of a purgatory-only announcement in purgatory', async () => {
    const world = fakeWorld({ held: [announcementEv(alice, 'r')] });
    assert.equal((await admitAnnouncement(announcementEv(alice, 'r'), ctx, world))?.type, 'purgatory');
  });

  it('stores a replacement of a served announcement at once', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    assert.deepEqual(await admitAnnouncement(announcementEv(alice, 'r'), ctx, world), { type: 'store' });
  });

  it('blocks an announcement that does not list the service', async () => {
    const d = await admitAnnouncement(announcementEv(alice, 'r', { listing: false }), ctx, fakeWorld());
    assert.equal(d?.type, 'reject');
    assert.match(d.type === 'reject' ? d.reason : '', /^blocked: /);
    assert.equal(d.type === 'reject' && d.missingDependency, undefined);
  });

  it('blocks one that lists the service for another identifier or another npub', async () => {
    const wrong = announcementEv(alice, 'r');
    wrong.tags[0] = ['d', 's'];
    assert.equal((await admitAnnouncement(wrong, ctx, fakeWorld()))?.type, 'reject');
    const stolen = announcementEv(alice, 'r');
    stolen.pubkey = bob;
    assert.equal((await admitAnnouncement(stolen, ctx, fakeWorld()))?.type, 'reject');
  });

  it('stores a non-listing announcement by a maintainer of a served repo with the same d', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] })] });
    assert.deepEqual(await admitAnnouncement(announcementEv(bob, 'r', { listing: false }), ctx, world), { type: 'store' });
  });

  it('stores a non-listing announcement by a maintainer of a repo in purgatory', async () => {
    const world = fakeWorld({ held: [announcementEv(alice, 'r', { maintainers: [bob] })] });
    assert.deepEqual(await admitAnnouncement(announcementEv(bob, 'r', { listing: false }), ctx, world), { type: 'store' });
  });

  it('stores a non-listing replacement by the owner of a served repo', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r')] });
    assert.deepEqual(await admitAnnouncement(announcementEv(alice, 'r', { listing: false }), ctx, world), { type: 'store' });
  });

  it("does not count the author's own purgatory announcement for the exception", async () => {
    const world = fakeWorld({ held: [announcementEv(alice, 'r')] });
    assert.equal((await admitAnnouncement(announcementEv(alice, 'r', { listing: false }), ctx, world))?.type, 'reject');
  });

  it('extends the exception recursively through stored maintainer announcements', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r', { listing: false, maintainers: [carol] })] });
    assert.deepEqual(await admitAnnouncement(announcementEv(carol, 'r', { listing: false }), ctx, world), { type: 'store' });
  });

  it('blocks a non-listing announcement whose author maintains only a repo with another d', async () => {
    const world = fakeWorld({ served: [announcementEv(alice, 'other', { maintainers: [bob] })] });
    assert.equal((await admitAnnouncement(announcementEv(bob, 'r', { listing: false }), ctx, world))?.type, 'reject');
  });
});
