// Replaceable/addressable semantics inside purgatory (GRASP.md "Which events are accepted": only the
// newest 30617/30618 per (author, d) counts): which held entries a newly held event replaces, or whether a
// newer one already holds its address. Pure; the relay applies the answer.
import { isAddressable, isReplaceable } from '../nostr/kinds.js';
import { identifierOf } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';

/** `kind:pubkey:d` for replaceable/addressable kinds, undefined for others. */
export function addressOf(event: NostrEvent): string | undefined {
  if (isAddressable(event.kind)) return `${event.kind}:${event.pubkey}:${identifierOf(event)}`;
  if (isReplaceable(event.kind)) return `${event.kind}:${event.pubkey}:`;
  return undefined;
}

/** a is a newer version than b (created_at, then the lower id at a tie, as NIP-01 says). */
export function isNewer(a: NostrEvent, b: NostrEvent): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

/**
 * `replaces`: ids of held events at the same address that `event` supersedes. `supersededBy`: id of a held
 * event at that address that is newer than `event` (then `event` should not be held).
 */
export function purgatoryReplacement(held: readonly NostrEvent[], event: NostrEvent): { replaces: string[]; supersededBy?: string } {
  const address = addressOf(event);
  if (address === undefined) return { replaces: [] };
  const replaces: string[] = [];
  for (const h of held) {
    if (h.id === event.id || addressOf(h) !== address) continue;
    if (isNewer(h, event)) return { replaces: [], supersededBy: h.id };
    replaces.push(h.id);
  }
  return { replaces };
}

/** The store filter for the versions of `event`'s address (undefined for non-replaceable kinds). */
export function addressFilter(event: NostrEvent): { kinds: number[]; authors: string[]; '#d'?: string[] } | undefined {
  if (isAddressable(event.kind)) return { kinds: [event.kind], authors: [event.pubkey], '#d': [identifierOf(event)] };
  if (isReplaceable(event.kind)) return { kinds: [event.kind], authors: [event.pubkey] };
  return undefined;
}
