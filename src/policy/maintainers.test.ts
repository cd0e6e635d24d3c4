import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorisingOwners, maintainerSet } from './maintainers.js';
import { announcementEv, hex32 } from './test-world.js';

const [alice, bob, carol, dave] = [hex32(), hex32(), hex32(), hex32()];

describe('maintainerSet', () => {
  it('is just the owner when the owner has no announcement', () => {
    assert.deepEqual([...maintainerSet(alice, 'r', [])], [alice]);
  });

  it("follows maintainers' own announcements with the same d", () => {
    const anns = [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r', { maintainers: [carol] })];
    assert.deepEqual(new Set(maintainerSet(alice, 'r', anns)), new Set([alice, bob, carol]));
    assert.deepEqual(new Set(maintainerSet(bob, 'r', anns)), new Set([bob, carol]));
  });

  it('ignores announcements with another d', () => {
    const anns = [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'other', { maintainers: [carol] })];
    assert.deepEqual(new Set(maintainerSet(alice, 'r', anns)), new Set([alice, bob]));
  });

  it('terminates on cycles', () => {
    const anns = [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r', { maintainers: [alice, carol] }), announcementEv(carol, 'r', { maintainers: [bob] })];
    assert.deepEqual(new Set(maintainerSet(alice, 'r', anns)), new Set([alice, bob, carol]));
  });

  it("uses only the newest of an author's announcements for d", () => {
    const anns = [announcementEv(alice, 'r', { maintainers: [bob], created_at: 10 }), announcementEv(alice, 'r', { maintainers: [carol], created_at: 20 })];
    assert.deepEqual(new Set(maintainerSet(alice, 'r', anns)), new Set([alice, carol]));
  });
});

describe('authorisingOwners', () => {
  it('lists every announcement author whose set contains the author', () => {
    const anns = [announcementEv(alice, 'r', { maintainers: [bob] }), announcementEv(bob, 'r'), announcementEv(dave, 'r')];
    assert.deepEqual(new Set(authorisingOwners(bob, 'r', anns)), new Set([alice, bob]));
    assert.deepEqual(authorisingOwners(carol, 'r', anns), []);
  });
});
