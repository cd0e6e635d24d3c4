// JSON lines of events (the relay operators' exchange format): one event object per line.
import type { NostrEvent } from '../nostr/types.js';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

/** The event on this line, or why it is not one (shape only; signatures are the server's job). */
export function parseEventLine(line: string): NostrEvent | { error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'not an object' };
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || !HEX64.test(e.id)) return { error: 'bad id' };
  if (typeof e.pubkey !== 'string' || !HEX64.test(e.pubkey)) return { error: 'bad pubkey' };
  if (typeof e.sig !== 'string' || !HEX128.test(e.sig)) return { error: 'bad sig' };
  if (!Number.isInteger(e.kind) || !Number.isInteger(e.created_at)) return { error: 'bad kind or created_at' };
  if (typeof e.content !== 'string') return { error: 'bad content' };
  if (!Array.isArray(e.tags) || !e.tags.every((t) => Array.isArray(t) && t.every((x) => typeof x === 'string'))) return { error: 'bad tags' };
  return { id: e.id, pubkey: e.pubkey, created_at: e.created_at as number, kind: e.kind as number, tags: e.tags as string[][], content: e.content, sig: e.sig };
}
