// Questions GRASP-01 policy asks of the world (GRASP.md "Which events are accepted"): which events are
// accepted, i.e. served in the store or held live in purgatory. Thin async helpers over PolicyWorld so
// the hooks stay declarative; no decisions here.
import { KIND_REPO_ANNOUNCEMENT, isAddressable } from '../nostr/kinds.js';
import type { Coordinate } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';
import type { PolicyWorld } from './types.js';

/** Announcements for identifier `d`: served ones and live purgatory ones. */
export async function announcementsFor(world: PolicyWorld, d: string): Promise<NostrEvent[]> {
  const served = await world.query([{ kinds: [KIND_REPO_ANNOUNCEMENT], '#d': [d] }]);
  const held = world.purgatoryLookup({ identifier: { d, kinds: [KIND_REPO_ANNOUNCEMENT] } });
  return [...served, ...held];
}

export async function hasServedAnnouncement(world: PolicyWorld, pubkey: string, d: string): Promise<boolean> {
  const served = await world.query([{ kinds: [KIND_REPO_ANNOUNCEMENT], authors: [pubkey], '#d': [d], limit: 1 }]);
  return served.length > 0;
}

/** `kind:pubkey:d` (d empty for replaceable kinds): the key purgatory indexes addresses by. */
export function addressOfCoordinate(c: Coordinate): string {
  return `${c.kind}:${c.pubkey}:${isAddressable(c.kind) ? c.d : ''}`;
}

/** Accepted events with these ids (served or in purgatory). */
export async function acceptedByIds(world: PolicyWorld, ids: string[]): Promise<NostrEvent[]> {
  if (ids.length === 0) return [];
  const served = await world.query([{ ids }]);
  const held = world.purgatoryLookup({ ids });
  return [...served, ...held];
}

/** Served events that tag `id` in `e`, `E` or `q` (one filter per tag: filters OR, tags within one AND). */
export async function servedReferencesTo(world: PolicyWorld, id: string): Promise<NostrEvent[]> {
  return world.query([{ '#e': [id], limit: 1 }, { '#E': [id], limit: 1 }, { '#q': [id], limit: 1 }]);
}

/** Served events that tag coordinate `coord` in `a`, `A` or `q`. */
export async function servedReferencesToCoordinate(world: PolicyWorld, coord: string): Promise<NostrEvent[]> {
  return world.query([{ '#a': [coord], limit: 1 }, { '#A': [coord], limit: 1 }, { '#q': [coord], limit: 1 }]);
}
