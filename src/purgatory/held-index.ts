// What purgatory keeps in RAM per held event: a few fields and the keys to find it by (its address, its
// identifier, what it references) — never the event itself, which lives only in LMDB. Pure data structure.
import { isAddressable, isReplaceable } from '../nostr/kinds.js';
import { identifierOf, parseCoordinate } from '../nostr/nip34.js';
import type { NostrEvent } from '../nostr/types.js';
import type { PurgatoryLookup } from './types.js';

export interface HeldMeta {
  addedAt: number;
  kind: number;
  pubkey: string;
  /** identifier, for addressable kinds */
  d?: string;
  /** `kind:pubkey:d` for replaceable/addressable kinds */
  address?: string;
  /** ids and coordinates this event references (e/E/q and a/A/q values) */
  refs: string[];
}

const HEX64 = /^[0-9a-f]{64}$/;
const MAX_REFS = 100;

export function metaOf(event: NostrEvent, addedAt: number): HeldMeta {
  const refs = new Set<string>();
  for (const t of event.tags) {
    const v = t[1];
    if (!v || refs.size >= MAX_REFS) continue;
    if ((t[0] === 'e' || t[0] === 'E' || t[0] === 'q') && HEX64.test(v)) refs.add(v);
    if ((t[0] === 'a' || t[0] === 'A' || t[0] === 'q') && parseCoordinate(v)) refs.add(v);
  }
  const addressable = isAddressable(event.kind);
  const d = addressable ? identifierOf(event) : undefined;
  const address = addressable ? `${event.kind}:${event.pubkey}:${d}` : isReplaceable(event.kind) ? `${event.kind}:${event.pubkey}:` : undefined;
  return { addedAt, kind: event.kind, pubkey: event.pubkey, ...(d !== undefined ? { d } : {}), ...(address ? { address } : {}), refs: [...refs] };
}

/** Multi-map key → ids. */
class KeyIndex {
  readonly #map = new Map<string, Set<string>>();
  add(key: string, id: string): void {
    let s = this.#map.get(key);
    if (!s) this.#map.set(key, (s = new Set()));
    s.add(id);
  }
  delete(key: string, id: string): void {
    const s = this.#map.get(key);
    if (!s) return;
    s.delete(id);
    if (s.size === 0) this.#map.delete(key);
  }
  get(key: string): ReadonlySet<string> {
    return this.#map.get(key) ?? EMPTY;
  }
}
const EMPTY: ReadonlySet<string> = new Set();

export class HeldIndex {
  readonly meta = new Map<string, HeldMeta>();
  readonly #byAddress = new KeyIndex();
  readonly #byD = new KeyIndex();
  readonly #byRef = new KeyIndex();

  add(id: string, m: HeldMeta): void {
    this.remove(id);
    this.meta.set(id, m);
    if (m.address) this.#byAddress.add(m.address, id);
    if (m.d !== undefined) this.#byD.add(m.d, id);
    for (const r of m.refs) this.#byRef.add(r, id);
  }

  remove(id: string): HeldMeta | undefined {
    const m = this.meta.get(id);
    if (!m) return undefined;
    this.meta.delete(id);
    if (m.address) this.#byAddress.delete(m.address, id);
    if (m.d !== undefined) this.#byD.delete(m.d, id);
    for (const r of m.refs) this.#byRef.delete(r, id);
    return m;
  }

  atAddress(address: string): ReadonlySet<string> {
    return this.#byAddress.get(address);
  }

  withIdentifier(d: string): ReadonlySet<string> {
    return this.#byD.get(d);
  }

  /** ids of held events that reference `key` (an event id or a coordinate) */
  referencing(key: string): ReadonlySet<string> {
    return this.#byRef.get(key);
  }

  /** Ids found through the index for a lookup (union of every question asked; liveness not checked). */
  find(q: PurgatoryLookup): Set<string> {
    const ids = new Set<string>();
    for (const id of q.ids ?? []) if (this.meta.has(id)) ids.add(id);
    for (const a of q.addresses ?? []) for (const id of this.atAddress(a)) ids.add(id);
    if (q.identifier) {
      for (const id of this.withIdentifier(q.identifier.d)) if (q.identifier.kinds.includes(this.meta.get(id)!.kind)) ids.add(id);
    }
    for (const r of q.referencing ?? []) for (const id of this.referencing(r)) ids.add(id);
    return ids;
  }
}
