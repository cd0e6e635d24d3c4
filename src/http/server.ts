// One node:http server on one port: WebSocket upgrade at / (relay), NIP-11, landing page, /metrics,
// git smart HTTP under /<npub>/<identifier>.git, CORS on everything.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { registry } from '../metrics/registry.js';
import { setCors } from './cors.js';
import { notFoundPage } from './landing.js';
import { ignoreSocketError, refuseUpgrade } from './refuse-upgrade.js';

export { refuseUpgrade };

export interface HttpHandlers {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  nip11(): Record<string, unknown>;
  landing(): Promise<string>;
  /** git smart HTTP and repo pages; resolves false when the path is not a git path */
  git?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** /status, /api/status, /api/resync; resolves false for other paths */
  status?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface HttpServerOptions {
  /** whole-request limit; git requests may legitimately take long (Node's default 300 s would cut them) */
  requestTimeoutMs: number;
  /** request headers must have arrived within this (slow header dribbling is cut) */
  headersTimeoutMs?: number;
}

export function createHttpServer(handlers: HttpHandlers, log: Logger, opts: HttpServerOptions = { requestTimeoutMs: 300_000 }): Server {
  const headersTimeout = opts.headersTimeoutMs ?? 30_000;
  const server = createServer({ requestTimeout: Math.max(opts.requestTimeoutMs, headersTimeout + 1), headersTimeout }, (req, res) => {
    setCors(res);
    route(req, res, handlers).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'http handler failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error\n');
      } else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    // an upgraded socket belongs to us, not to node:http: without a listener, a client reset while we answer
    // is an uncaught 'error' that kills the process (ws adds its own once it takes the socket over)
    socket.on('error', ignoreSocketError);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      refuseUpgrade(socket, '404 Not Found', 'not found\n');
      return;
    }
    handlers.upgrade(req, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    socket.on('error', ignoreSocketError);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

async function route(req: IncomingMessage, res: ServerResponse, h: HttpHandlers): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204);
    res.end();
    return;
  }
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  if (hasHostileSegment(rawPath)) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('bad request: invalid path\n');
    return;
  }
  if (rawPath === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    if ((req.headers.accept ?? '').includes('application/nostr+json')) {
      res.writeHead(200, { 'Content-Type': 'application/nostr+json' });
      res.end(JSON.stringify(h.nip11()));
      return;
    }
    const html = await h.landing();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : html);
    return;
  }
  if (rawPath === '/metrics' && req.method === 'GET') {
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(body);
    return;
  }
  if (h.status && (await h.status(req, res))) return;
  if (h.git && (await h.git(req, res))) return;
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(notFoundPage());
}

/** A path segment that decodes to `..`, `.`, or contains `/`, `\` or NUL is refused before any routing. */
export function hasHostileSegment(path: string): boolean {
  if (path.includes('\\') || path.includes('\0')) return true;
  for (const seg of path.split('/')) {
    let d: string;
    try {
      d = decodeURIComponent(seg);
    } catch {
      return true;
    }
    if (d === '..' || d === '.' || d.includes('/') || d.includes('\\') || d.includes('\0')) return true;
  }
  return false;
}
