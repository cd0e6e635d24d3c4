// Shape-only event builder for plan/ unit tests (ids and pubkeys are fixed hex, not signed).
import type { NostrEvent } from '../../nostr/types.js';
import type { RepoKey } from './types.js';

export const PK_A = 'a'.repeat(64);
export const PK_B = 'b'.repeat(64);

export function hexId(n: number): string {
  return n.toString(16).padStart(64, '0');
}

export function repoKey(pubkey: string, d: string): RepoKey {
  return `30617:${pubkey}:${d}`;
}

export function buildEvent(p: Partial<NostrEvent> & { kind: number }): NostrEvent {
  return { id: hexId(1), pubkey: PK_A, created_at: 1000, tags: [], content: '', sig: '', ...p };
}

export function announcement(pubkey: string, d: string, opts: { relays?: string[]; clones?: string[]; at?: number } = {}): NostrEvent {
  const tags: string[][] = [['d', d]];
  if (opts.relays) tags.push(['relays', ...opts.relays]);
  if (opts.clones) tags.push(['clone', ...opts.clones]);
  return buildEvent({ kind: 30617, pubkey, tags, created_at: opts.at ?? 1000, id: hexId(d.length * 7919 + (opts.at ?? 0)) });
}

export function rootEvent(id: number, kind: number, repos: RepoKey[]): NostrEvent {
  return buildEvent({ kind, id: hexId(id), tags: repos.map((r) => ['a', r]) });
}
