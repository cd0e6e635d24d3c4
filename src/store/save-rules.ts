// What `save` does, once, for every store: NIP-01 replaceable/addressable versions, NIP-09 deletions with
// tombstones, NIP-40 expiration. Stores implement the synchronous SaveTarget port (LmdbStore inside one
// write transaction, MemoryStore directly), so the rules cannot differ between implementations.
// An event already expired on arrival is not stored and reported as 'deleted' (it can never be served).
import type { NostrEvent } from '../nostr/types.js';
import { isAddressable, isReplaceable, KIND_DELETION } from '../nostr/kinds.js';
import { isExpired } from '../nostr/filter.js';
import type { SaveOutcome } from './types.js';

export interface SaveTarget {
  has(id: string): boolean;
  get(id: string): NostrEvent | undefined;
  /** The id and created_at of the stored version at an address key. */
  currentAt(address: string): { id: string; created_at: number } | undefined;
  hasIdTombstone(id: string, pubkey: string): boolean;
  /** Newest created_at of an `a`-form deletion of this address key. */
  addressTombstone(address: string): number | undefined;
  /** Stores the event and, when it has an address, points the address at it. */
  insert(event: NostrEvent): void;
  /** Removes the event from every index, and its address pointer when it points at it. */
  remove(event: NostrEvent): void;
  addIdTombstone(id: string, pubkey: string): void;
  addAddressTombstone(address: string, createdAt: number): void;
}

/** `kind:pubkey` for replaceable kinds, `kind:pubkey:d` for addressable ones, else undefined. */
export function addressKey(kind: number, pubkey: string, d: string): string | undefined {
  if (isReplaceable(kind)) return `${kind}:${pubkey}`;
  if (isAddressable(kind)) return `${kind}:${pubkey}:${d}`;
  return undefined;
}

export function dTag(event: NostrEvent): string {
  return event.tags.find((t) => t[0] === 'd')?.[1] ?? '';
}

export function addressOf(event: NostrEvent): string | undefined {
  return addressKey(event.kind, event.pubkey, isAddressable(event.kind) ? dTag(event) : '');
}

/** Parses an `a` tag value `kind:pubkey:d` (d may contain colons or be missing). */
export function parseCoordinate(value: string): { kind: number; pubkey: string; d: string } | undefined {
  const first = value.indexOf(':');
  if (first < 0) return undefined;
  const second = value.indexOf(':', first + 1);
  const kindText = value.slice(0, first);
  if (!/^\d+$/.test(kindText)) return undefined;
  const pubkey = second < 0 ? value.slice(first + 1) : value.slice(first + 1, second);
  const d = second < 0 ? '' : value.slice(second + 1);
  return { kind: Number(kindText), pubkey, d };
}

/** True when `a` beats `b` as the version kept at one address: newer, or lower id at equal created_at. */
export function versionWins(a: { id: string; created_at: number }, b: { id: string; created_at: number }): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

const EVENT_ID = /^[0-9a-f]{64}$/;

/** NIP-09: a deletion by the event's own author covers it (deletions themselves are never covered). */
export function isCoveredByDeletion(t: SaveTarget, event: NostrEvent): boolean {
  if (event.kind === KIND_DELETION) return false;
  if (t.hasIdTombstone(event.id, event.pubkey)) return true;
  const address = addressOf(event);
  if (address === undefined) return false;
  const until = t.addressTombstone(address);
  return until !== undefined && event.created_at <= until;
}

export function applySave(t: SaveTarget, event: NostrEvent, now: number): SaveOutcome {
  if (t.has(event.id)) return 'duplicate';
  if (isCoveredByDeletion(t, event)) return 'deleted';
  if (isExpired(event, now)) return 'deleted';
  let outcome: SaveOutcome = 'saved';
  const address = addressOf(event);
  if (address !== undefined) {
    const current = t.currentAt(address);
    if (current) {
      if (versionWins(current, event)) return 'superseded';
      const old = t.get(current.id);
      if (old) t.remove(old);
      outcome = 'replaced';
    }
  }
  t.insert(event);
  if (event.kind === KIND_DELETION) applyDeletion(t, event);
  return outcome;
}

function applyDeletion(t: SaveTarget, deletion: NostrEvent): void {
  for (const tag of deletion.tags) {
    const value = tag[1];
    if (value === undefined) continue;
    if (tag[0] === 'e') {
      if (!EVENT_ID.test(value)) continue; // nothing else can ever be an event id
      t.addIdTombstone(value, deletion.pubkey);
      const target = t.get(value);
      if (target && target.pubkey === deletion.pubkey && target.kind !== KIND_DELETION) t.remove(target);
    } else if (tag[0] === 'a') {
      const c = parseCoordinate(value);
      if (!c || c.pubkey !== deletion.pubkey) continue;
      const address = addressKey(c.kind, c.pubkey, c.d);
      if (address === undefined) continue;
      t.addAddressTombstone(address, deletion.created_at);
      const current = t.currentAt(address);
      if (current && current.created_at <= deletion.created_at) {
        const target = t.get(current.id);
        if (target) t.remove(target);
      }
    }
  }
}

/** The stored form: exactly the seven NIP-01 fields, in canonical order. */
export function serializeEvent(e: NostrEvent): string {
  return JSON.stringify({
    id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig,
  });
}
