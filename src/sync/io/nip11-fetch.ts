// NIP-11 of a remote relay (SYNC.md "Filters": respect `limitation`; "Live and historic": NIP-77 support
// from `supported_nips`). HTTP GET with `Accept: application/nostr+json` on the http(s) form of the URL,
// through the same address guard as the WebSocket (the caller's pinned `lookup`: resolved once, checked,
// connected to the checked address), no redirects, a deadline for the whole exchange and a cap on the
// body read as it streams in. Any failure means "not published" (defaults apply, negentropy is probed).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { RelayLimits } from '../plan/types.js';

export interface RemoteInfo {
  limits: RelayLimits;
  /** undefined: unknown (try it); false: supported_nips published without 77 */
  negentropy?: boolean;
}

/** A NIP-11 document is a few hundred bytes; a remote streaming more is cut off here. */
export const MAX_NIP11_BYTES = 64 * 1024;

export interface Nip11Options {
  timeoutMs: number;
  /** pinned resolution from the address guard; without it the system resolver is used */
  lookup?: LookupFunction;
  maxBytes?: number;
}

export async function fetchRelayInfo(wsUrl: string, opts: Nip11Options): Promise<RemoteInfo> {
  try {
    const text = await getDocument(wsUrl.replace(/^ws/, 'http'), opts);
    return text === undefined ? { limits: {} } : parseRelayInfo(JSON.parse(text) as unknown);
  } catch {
    return { limits: {} };
  }
}

function getDocument(httpUrl: string, opts: Nip11Options): Promise<string | undefined> {
  const max = opts.maxBytes ?? MAX_NIP11_BYTES;
  return new Promise((resolve) => {
    const url = new URL(httpUrl);
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const done = (v: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(v);
    };
    const req = request(url, {
      method: 'GET',
      headers: { Accept: 'application/nostr+json' },
      agent: false,
      ...(opts.lookup !== undefined ? { lookup: opts.lookup } : {}),
    }, (res: IncomingMessage) => {
      // a redirect is not followed: it could lead anywhere the guard never checked
      if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) return done(undefined);
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > max) return done(undefined);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        size += b.length;
        if (size > max) return done(undefined);
        chunks.push(b);
      });
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => done(undefined));
    });
    const timer = setTimeout(() => done(undefined), opts.timeoutMs);
    req.on('error', () => done(undefined));
    req.end();
  });
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
