// NIP-01 wire messages: parsing client frames (pure) and formatting relay frames (string concatenation
// around stored raw JSON, so served events are never re-serialized).
import type { NostrFilter } from '../nostr/types.js';

export type ClientMessage =
  | { type: 'EVENT'; event: unknown }
  | { type: 'REQ'; subId: string; filters: NostrFilter[] }
  | { type: 'COUNT'; subId: string; filters: NostrFilter[] }
  | { type: 'CLOSE'; subId: string }
  | { type: 'NEG-OPEN'; subId: string; filter: NostrFilter; message: string }
  | { type: 'NEG-MSG'; subId: string; message: string }
  | { type: 'NEG-CLOSE'; subId: string };

export type ParseOutcome =
  | { ok: true; msg: ClientMessage }
  /** subId is set when the frame named one, so the answer can be a CLOSED instead of a NOTICE */
  | { ok: false; reason: string; subId?: string; type?: string };

export interface FilterLimits {
  maxFilters: number;
  maxSubIdLength: number;
  maxFilterValues: number;
}

const HEX64 = /^[0-9a-f]{64}$/;
/** = MAX_INDEXED_TAG_BYTES of the LMDB store */
export const MAX_TAG_VALUE_BYTES = 512;
const HEXPREFIX = /^[0-9a-f]{1,64}$/;

export function parseClientMessage(text: string, limits: FilterLimits): ParseOutcome {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid: malformed JSON' };
  }
  if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'string') {
    return { ok: false, reason: 'invalid: message must be a JSON array starting with a type string' };
  }
  const type = data[0];
  switch (type) {
    case 'EVENT':
      if (data.length < 2 || typeof data[1] !== 'object' || data[1] === null) return { ok: false, reason: 'invalid: EVENT needs an event object' };
      return { ok: true, msg: { type: 'EVENT', event: data[1] } };
    case 'REQ':
    case 'COUNT': {
      const subId = data[1];
      const bad = checkSubId(subId, limits);
      if (bad) return { ok: false, reason: bad, type };
      const filters = data.slice(2);
      if (filters.length === 0) return { ok: false, reason: 'invalid: at least one filter is required', subId: subId as string, type };
      if (filters.length > limits.maxFilters) return { ok: false, reason: `invalid: too many filters (max ${limits.maxFilters})`, subId: subId as string, type };
      const parsed: NostrFilter[] = [];
      for (const f of filters) {
        const r = validateFilter(f, limits);
        if (typeof r === 'string') return { ok: false, reason: r, subId: subId as string, type };
        parsed.push(r);
      }
      return { ok: true, msg: { type, subId: subId as string, filters: parsed } };
    }
    case 'CLOSE': {
      const bad = checkSubId(data[1], limits);
      if (bad) return { ok: false, reason: bad };
      return { ok: true, msg: { type: 'CLOSE', subId: data[1] as string } };
    }
    case 'NEG-OPEN': {
      const bad = checkSubId(data[1], limits);
      if (bad) return { ok: false, reason: bad, type };
      const f = validateFilter(data[2], limits);
      if (typeof f === 'string') return { ok: false, reason: f, subId: data[1] as string, type };
      if (typeof data[3] !== 'string') return { ok: false, reason: 'invalid: NEG-OPEN needs an initial message', subId: data[1] as string, type };
      return { ok: true, msg: { type: 'NEG-OPEN', subId: data[1] as string, filter: f, message: data[3] } };
    }
    case 'NEG-MSG': {
      const bad = checkSubId(data[1], limits);
      if (bad) return { ok: false, reason: bad, type };
      if (typeof data[2] !== 'string') return { ok: false, reason: 'invalid: NEG-MSG needs a message', subId: data[1] as string, type };
      return { ok: true, msg: { type: 'NEG-MSG', subId: data[1] as string, message: data[2] } };
    }
    case 'NEG-CLOSE': {
      const bad = checkSubId(data[1], limits);
      if (bad) return { ok: false, reason: bad, type };
      return { ok: true, msg: { type: 'NEG-CLOSE', subId: data[1] as string } };
    }
    default:
      return { ok: false, reason: `invalid: unknown message type ${JSON.stringify(type.slice(0, 32))}` };
  }
}

function checkSubId(subId: unknown, limits: FilterLimits): string | undefined {
  if (typeof subId !== 'string' || subId.length === 0) return 'invalid: subscription id must be a non-empty string';
  if (subId.length > limits.maxSubIdLength) return `invalid: subscription id longer than ${limits.maxSubIdLength}`;
  return undefined;
}

/** Validates a filter's shape; returns the filter or an `invalid:` reason. */
export function validateFilter(f: unknown, limits: FilterLimits): NostrFilter | string {
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return 'invalid: filter must be an object';
  const out: NostrFilter = {};
  let values = 0;
  for (const [key, value] of Object.entries(f as Record<string, unknown>)) {
    switch (key) {
      case 'ids':
      case 'authors': {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && HEXPREFIX.test(v))) return `invalid: ${key} must be an array of lowercase hex strings`;
        values += value.length;
        // prefixes are not supported: NIP-01 now requires exact 64-hex values
        if (!value.every((v: string) => HEX64.test(v))) return `invalid: ${key} must be 64-character hex values`;
        out[key] = value as string[];
        break;
      }
      case 'kinds':
        if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535)) return 'invalid: kinds must be an array of integers';
        values += value.length;
        out.kinds = value as number[];
        break;
      case 'since':
      case 'until':
      case 'limit':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return `invalid: ${key} must be a non-negative integer`;
        out[key] = value;
        break;
      default:
        if (/^#[A-Za-z]$/.test(key)) {
          if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return `invalid: ${key} must be an array of strings`;
          // longer values are not indexed (store/lmdb-indexes.ts): answering them would mean scanning everything
          if (value.some((v: string) => Buffer.byteLength(v) > MAX_TAG_VALUE_BYTES)) return `invalid: ${key} values longer than ${MAX_TAG_VALUE_BYTES} bytes cannot be queried`;
          values += value.length;
          out[key as `#${string}`] = value as string[];
        }
        // other keys (search, unknown) are ignored as NIP-01 allows
    }
  }
  if (values > limits.maxFilterValues) return `invalid: filter has too many values (max ${limits.maxFilterValues})`;
  return out;
}

export function okFrame(id: string, ok: boolean, message: string): string {
  return JSON.stringify(['OK', id, ok, message]);
}
export function eventFrame(subIdJson: string, rawEvent: string): string {
  return '["EVENT",' + subIdJson + ',' + rawEvent + ']';
}
export function eoseFrame(subId: string): string {
  return JSON.stringify(['EOSE', subId]);
}
export function closedFrame(subId: string, message: string): string {
  return JSON.stringify(['CLOSED', subId, message]);
}
export function noticeFrame(message: string): string {
  return JSON.stringify(['NOTICE', message]);
}
export function countFrame(subId: string, count: number, approximate = false): string {
  return JSON.stringify(['COUNT', subId, approximate ? { count, approximate: true } : { count }]);
}
