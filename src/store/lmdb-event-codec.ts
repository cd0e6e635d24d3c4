// The stored form of one event in the LMDB store (layout 2): the exact NIP-01 JSON of serializeEvent
// (save-rules.ts), with id, pubkey and sig kept as raw bytes instead of hex (160 bytes less per event).
//   [1][id 32][pubkey 32][sig 64][utf8 of `"created_at":…,"kind":…,"tags":…,"content":…`]
//   [0][id 32][pubkey 32][utf8 of the whole JSON]      when sig is not 128 lowercase hex
// decodeRaw gives back the JSON byte for byte, so queryRaw still serves stored text without re-serializing.
import type { NostrEvent } from '../nostr/types.js';
import { serializeEvent } from './save-rules.js';

const HEX128 = /^[0-9a-f]{128}$/;
const COMPACT = 1;
const HEAD = 65;
const SIG_END = HEAD + 64;
/** `{"id":"<64 hex>","pubkey":"<64 hex>",` and `,"sig":"<128 hex>"}`: ASCII, fixed length */
const JSON_HEAD = '{"id":"","pubkey":"",'.length + 128;
const JSON_TAIL = ',"sig":""}'.length + 128;

/** id and pubkey must be 64 lowercase hex (the store checks before saving). */
export function encodeEvent(e: NostrEvent): Buffer {
  const json = serializeEvent(e);
  const compact = HEX128.test(e.sig);
  const body = compact ? json.slice(JSON_HEAD, json.length - JSON_TAIL) : json;
  const bodyStart = compact ? SIG_END : HEAD;
  const b = Buffer.allocUnsafe(bodyStart + Buffer.byteLength(body));
  b[0] = compact ? COMPACT : 0;
  b.write(e.id, 1, 32, 'hex');
  b.write(e.pubkey, 33, 32, 'hex');
  if (compact) b.write(e.sig, HEAD, 64, 'hex');
  b.write(body, bodyStart, 'utf8');
  return b;
}

/** `id`: decodeId(b), when the caller has it already. */
export function decodeRaw(b: Uint8Array, id?: string): string {
  const buf = asBuffer(b);
  if (buf[0] !== COMPACT) return buf.toString('utf8', HEAD);
  return `{"id":"${id ?? buf.toString('hex', 1, 33)}","pubkey":"${buf.toString('hex', 33, HEAD)}",${buf.toString('utf8', SIG_END)},"sig":"${buf.toString('hex', HEAD, SIG_END)}"}`;
}

export function decodeId(b: Uint8Array): string {
  return asBuffer(b).toString('hex', 1, 33);
}

export function decodeEvent(b: Uint8Array): NostrEvent {
  return JSON.parse(decodeRaw(b)) as NostrEvent;
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
}
