// NIP-01 event shape and id: exact field types, the canonical serialization
// `[0,pubkey,created_at,kind,tags,content]` and its sha256 (the event id).
// Pure functions; `validateEventShape` never throws, whatever it is given, and
// returns a fresh object holding only the seven NIP-01 fields.
import { createHash } from 'node:crypto';
import type { NostrEvent } from './types.js';

export type InvalidReason = `invalid: ${string}`;
export type ShapeOutcome = NostrEvent | { reason: InvalidReason };

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const MAX_KIND = 65535;

export function isShapeError(x: ShapeOutcome): x is { reason: InvalidReason } {
  return 'reason' in x;
}

function isTags(x: unknown): x is string[][] {
  if (!Array.isArray(x)) return false;
  for (const tag of x) {
    if (!Array.isArray(tag)) return false;
    for (const v of tag) if (typeof v !== 'string') return false;
  }
  return true;
}

export function validateEventShape(x: unknown): ShapeOutcome {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return { reason: 'invalid: event is not an object' };
  const e = x as Record<string, unknown>;
  const { id, pubkey, created_at, kind, tags, content, sig } = e;
  if (typeof id !== 'string' || !HEX64.test(id)) return { reason: 'invalid: id must be 64 lowercase hex characters' };
  if (typeof pubkey !== 'string' || !HEX64.test(pubkey)) {
    return { reason: 'invalid: pubkey must be 64 lowercase hex characters' };
  }
  if (typeof sig !== 'string' || !HEX128.test(sig)) return { reason: 'invalid: sig must be 128 lowercase hex characters' };
  if (typeof created_at !== 'number' || !Number.isSafeInteger(created_at) || created_at < 0) {
    return { reason: 'invalid: created_at must be a non-negative integer' };
  }
  if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > MAX_KIND) {
    return { reason: 'invalid: kind must be an integer between 0 and 65535' };
  }
  if (!isTags(tags)) return { reason: 'invalid: tags must be an array of arrays of strings' };
  if (typeof content !== 'string') return { reason: 'invalid: content must be a string' };
  return { id, pubkey, created_at, kind, tags, content, sig };
}

/** The canonical NIP-01 serialization whose sha256 is the event id. */
export function serializeForId(event: Omit<NostrEvent, 'id' | 'sig'>): string {
  return JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
}

export function computeEventId(event: Omit<NostrEvent, 'id' | 'sig'>): string {
  return createHash('sha256').update(serializeForId(event), 'utf8').digest('hex');
}
