// NIP-11 of a remote relay (SYNC.md "Filters": respect `limitation`; "Live and historic": NIP-77 support
// from `supported_nips`). HTTP GET with `Accept: application/nostr+json` on the http(s) form of the URL,
// short timeout; any failure means "not published" (defaults apply, negentropy is probed).
import type { RelayLimits } from '../plan/types.js';

export interface RemoteInfo {
  limits: RelayLimits;
  /** undefined: unknown (try it); false: supported_nips published without 77 */
  negentropy?: boolean;
}

export async function fetchRelayInfo(wsUrl: string, timeoutMs: number): Promise<RemoteInfo> {
  const httpUrl = wsUrl.replace(/^ws/, 'http');
  try {
    const res = await fetch(httpUrl, { headers: { Accept: 'application/nostr+json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) return { limits: {} };
    const text = await res.text();
    if (text.length > 256 * 1024) return { limits: {} };
    return parseRelayInfo(JSON.parse(text) as unknown);
  } catch {
    return { limits: {} };
  }
}

export function parseRelayInfo(doc: unknown): RemoteInfo {
  if (typeof doc !== 'object' || doc === null) return { limits: {} };
  const d = doc as Record<string, unknown>;
  const lim = typeof d.limitation === 'object' && d.limitation !== null ? (d.limitation as Record<string, unknown>) : {};
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined);
  const limits: RelayLimits = {};
  const set = (k: keyof RelayLimits, v: unknown): void => {
    const n = num(v);
    if (n !== undefined) limits[k] = n;
  };
  set('maxSubscriptions', lim.max_subscriptions);
  set('maxFilters', lim.max_filters);
  set('maxLimit', lim.max_limit);
  set('defaultLimit', lim.default_limit);
  const nips = Array.isArray(d.supported_nips) ? d.supported_nips : undefined;
  return nips === undefined ? { limits } : { limits, negentropy: nips.some((n) => n === 77 || n === '77') };
}
