// NIP-09 deletions under GRASP-01 (GRASP.md "Which events are accepted", grasp-requirements §4.4): a kind 5
// is stored when it targets (`e` id or `a` coordinate) an accepted event of its own author, served or in
// purgatory. The store applies it to served events; the relay removes the purgatory entries it names
// (`purgatoryIdsDeletedBy`), since purgatory is not the store.
import { KIND_DELETION, isAddressable } from '../nostr/kinds.js';
import { firstValues, identifierOf, parseCoordinate, type Coordinate } from '../nostr/nip34.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import type { Admission } from '../relay/admission.js';
import type { AdmitHook } from './types.js';
import { addressOfCoordinate } from './lookups.js';

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_TARGETS_CHECKED = 100;

export interface DeletionTargets {
  ids: string[];
  /** only coordinates of the deletion's own author: NIP-09 lets nobody delete others' events */
  coordinates: Coordinate[];
}

export function deletionTargets(deletion: NostrEvent): DeletionTargets {
  const ids = [...new Set(firstValues(deletion, 'e').filter((v) => HEX64.test(v)))].slice(0, MAX_TARGETS_CHECKED);
  const coordinates = firstValues(deletion, 'a')
    .map(parseCoordinate)
    .filter((c): c is Coordinate => c !== undefined && c.pubkey === deletion.pubkey)
    .slice(0, MAX_TARGETS_CHECKED);
  return { ids, coordinates };
}

function isAt(e: NostrEvent, c: Coordinate): boolean {
  return e.kind === c.kind && e.pubkey === c.pubkey && (!isAddressable(c.kind) || identifierOf(e) === c.d);
}

/** Ids among `held` (purgatory events) that `deletion` removes: same author, by id, or by coordinate up to its created_at. */
export function purgatoryIdsDeletedBy(deletion: NostrEvent, held: readonly NostrEvent[]): string[] {
  if (deletion.kind !== KIND_DELETION) return [];
  const { ids, coordinates } = deletionTargets(deletion);
  const wanted = new Set(ids);
  return held
    .filter((e) => e.pubkey === deletion.pubkey)
    .filter((e) => wanted.has(e.id) || coordinates.some((c) => isAt(e, c) && e.created_at <= deletion.created_at))
    .map((e) => e.id);
}

export const admitDeletion: AdmitHook = async (event, _ctx, world): Promise<Admission | undefined> => {
  if (event.kind !== KIND_DELETION) return undefined;
  const { ids, coordinates } = deletionTargets(event);
  const held = world.purgatoryLookup({ ids, addresses: coordinates.map(addressOfCoordinate) });
  if (purgatoryIdsDeletedBy(event, held).length > 0) return { type: 'store' };

  const filters: NostrFilter[] = coordinates.map((c) => {
    const f: NostrFilter = { kinds: [c.kind], authors: [c.pubkey] };
    if (isAddressable(c.kind)) f['#d'] = [c.d];
    return f;
  });
  if (ids.length > 0) filters.push({ ids });
  const served = filters.length > 0 ? await world.query(filters) : [];
  if (served.some((e) => e.pubkey === event.pubkey)) return { type: 'store' };

  const present = [...served, ...held];
  const known = new Set(present.map((e) => e.id));
  const waiting = ids.some((id) => !known.has(id)) || coordinates.some((c) => !present.some((e) => isAt(e, c)));
  const reason = 'blocked: deletion targets no accepted event of its author';
  return waiting ? { type: 'reject', reason, missingDependency: true } : { type: 'reject', reason };
};
