// HTTP face of the status report: GET /status (HTML), GET /api/status (JSON), POST /api/resync (admin).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normaliseAddress } from '../http/client-address.js';
import { renderStatusPage } from './html.js';
import type { StatusReport } from './types.js';

export interface StatusHttpDeps {
  report(): Promise<StatusReport>;
  now(): number;
  adminToken?: string | undefined;
  /** asks the sync engine to re-sync one remote relay; undefined while the engine offers no such hook */
  resync?: ((relayUrl: string) => Promise<'started' | 'unknown-relay'>) | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/**
 * Admin requests: the configured token, or loopback — but a loopback request that a reverse proxy
 * forwarded comes from anywhere, so forwarding headers disqualify it, and one a web page made the
 * operator's browser send (it carries an Origin) is not the operator's either.
 */
export function isAdminRequest(req: IncomingMessage, token: string | undefined): boolean {
  const auth = req.headers.authorization ?? '';
  if (token && auth.startsWith('Bearer ')) {
    const given = Buffer.from(auth.slice(7));
    const want = Buffer.from(token);
    return given.length === want.length && timingSafeEqual(given, want);
  }
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined || req.headers['x-real-ip'] !== undefined || req.headers.origin !== undefined;
  return !forwarded && LOOPBACK.has(normaliseAddress(req.socket.remoteAddress ?? ''));
}

function json(res: ServerResponse, status: number, body: unknown, opts: { head?: boolean; cors?: boolean } = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(opts.cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
  res.end(opts.head ? undefined : JSON.stringify(body, null, 2) + '\n');
}

/** Resolves false when the path is none of ours. */
export function statusHandler(deps: StatusHttpDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (url.pathname === '/status' && get) {
      const html = renderStatusPage(await deps.report(), deps.now());
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        // no script runs on this page, whatever a remote managed to put into it
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      });
      res.end(req.method === 'HEAD' ? undefined : html);
      return true;
    }
    if (url.pathname === '/api/status' && get) {
      json(res, 200, await deps.report(), { head: req.method === 'HEAD', cors: true });
      return true;
    }
    if (url.pathname === '/api/resync') {
      if (req.method !== 'POST') {
        json(res, 405, { error: 'method not allowed: POST /api/resync?relay=<ws(s)://…>' });
        return true;
      }
      req.resume();
      if (!isAdminRequest(req, deps.adminToken)) {
        json(res, 403, { error: 'restricted: admin token or a direct loopback request required' });
        return true;
      }
      const relay = url.searchParams.get('relay') ?? '';
      if (!/^wss?:\/\/[^\s]+$/.test(relay)) {
        json(res, 400, { error: 'invalid: relay must be a ws:// or wss:// URL' });
        return true;
      }
      if (!deps.resync) {
        json(res, 409, { error: 'sync is off on this server (--no-sync): nothing to re-sync' });
        return true;
      }
      const r = await deps.resync(relay);
      if (r === 'unknown-relay') json(res, 404, { error: `unknown relay: ${relay}` });
      else json(res, 202, { ok: true, relay });
      return true;
    }
    return false;
  };
}
