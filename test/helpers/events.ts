// Signed NIP-34 test events (nostr-tools). Keys are fresh per call unless passed.
import { finalizeEvent, generateSecretKey, getPublicKey, nip19 } from 'nostr-tools';
import type { NostrEvent } from '../../src/nostr/types.js';

export interface Key {
  sk: Uint8Array;
  pk: string;
  npub: string;
}

export function newKey(): Key {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  return { sk, pk, npub: nip19.npubEncode(pk) };
}

let clock = Math.floor(Date.now() / 1000) - 1000;
export function sign(key: Key, kind: number, tags: string[][], content = '', createdAt?: number): NostrEvent {
  // increasing timestamps keep test orderings stable; never in the future
  const e = finalizeEvent({ kind, tags, content, created_at: createdAt ?? Math.min(++clock, Math.floor(Date.now() / 1000)) }, key.sk);
  // a plain object: nostr-tools adds a symbol property that would break deepEqual against wire copies
  return { id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig };
}

/** An announcement listing the given domains (host:port) in clone and relays. */
export function announcement(key: Key, d: string, domains: string[], extra: string[][] = []): NostrEvent {
  return sign(key, 30617, [
    ['d', d],
    ['name', d],
    ['description', `test repo ${d}`],
    ['clone', ...domains.map((h) => `http://${h}/${key.npub}/${encodeURIComponent(d)}.git`)],
    ['relays', ...domains.map((h) => `ws://${h}`)],
    ...extra,
  ]);
}

export function repoCoord(key: Key, d: string): string {
  return `30617:${key.pk}:${d}`;
}

export function issue(key: Key, repoOwner: Key, d: string, title = 'an issue'): NostrEvent {
  return sign(key, 1621, [['a', repoCoord(repoOwner, d)], ['p', repoOwner.pk], ['subject', title]], `body of ${title}`);
}

export function comment(key: Key, root: NostrEvent, text = 'a comment'): NostrEvent {
  return sign(key, 1111, [['E', root.id], ['K', String(root.kind)], ['P', root.pubkey], ['e', root.id], ['k', String(root.kind)], ['p', root.pubkey]], text);
}

export function state(key: Key, d: string, refs: Record<string, string>, head = 'main'): NostrEvent {
  return sign(key, 30618, [['d', d], ...Object.entries(refs).map(([r, oid]) => [r, oid]), ['HEAD', `ref: refs/heads/${head}`]]);
}
