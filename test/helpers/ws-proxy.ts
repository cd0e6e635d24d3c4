// A fault-injecting proxy in front of one relay (tests of SYNC.md invariant 4): forwards HTTP (NIP-11, git)
// and WebSocket frames, and can refuse or drop connections, block NIP-77 (answers NOTICE), rate-limit REQs
// (CLOSED "rate-limited:" or a NOTICE), inject frames, and count connections, REQs, filters and bytes.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface ProxyStats {
  attempts: number;
  connections: number;
  reqs: number;
  /** every filter of every REQ, as sent */
  filters: unknown[];
  negFrames: number;
  bytesIn: number;
  bytesOut: number;
  /** most filters open at once on one connection (REQ adds, CLOSE / CLOSED removes) */
  maxOpenFilters: number;
  rateLimited: number;
  /** Date.now() of every REQ and of every rate-limit answer */
  reqAt: number[];
  rateLimitedAt: number[];
}

export class WsProxy {
  readonly stats: ProxyStats = { attempts: 0, connections: 0, reqs: 0, filters: [], negFrames: 0, bytesIn: 0, bytesOut: 0, maxOpenFilters: 0, rateLimited: 0, reqAt: [], rateLimitedAt: [] };
  /** 'close': destroy the TCP socket; '429': answer HTTP 429 to the upgrade */
  refuse: false | 'close' | '429' = false;
  blockNegentropy = false;
  /** forward at most this many EVENTs per REQ (a relay that caps results silently) */
  capEventsPerReq: number | undefined;
  /** strip max_limit / default_limit from the NIP-11 document (a relay that publishes no limits) */
  hideMaxLimit = false;
  /** accept the connection, then drop it after this many ms (a flapping relay) */
  dropAfterMs: number | undefined;
  /** answer the next N REQs with CLOSED rate-limited / a rate-limit NOTICE (and forward it) / only a NOTICE (the REQ never ends) */
  rateLimitReqs: { mode: 'closed' | 'notice' | 'notice-only'; count: number } | undefined;
  /** a relay that allows N REQs, then refuses one with CLOSED rate-limited, then allows N again, … */
  rateLimitEvery: number | undefined;
  /** REQs for which this returns true are swallowed: never forwarded, never answered */
  swallowReq: ((filters: unknown[]) => boolean) | undefined;
  /** frames sent to the client before each upstream EOSE (junk injection); cleared never */
  injectBeforeEose: unknown[][] = [];
  private readonly clients = new Set<WebSocket>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  private constructor(private readonly server: Server, readonly port: number, private upstreamPort: number) {}

  static async start(upstreamPort: number, port = 0): Promise<WsProxy> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const p = new WsProxy(server, (server.address() as AddressInfo).port, upstreamPort);
    server.on('request', (req, res) => {
      const up = request({ host: '127.0.0.1', port: p.upstreamPort, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        if (p.hideMaxLimit && String(req.headers.accept ?? '').includes('application/nostr+json')) {
          const chunks: Buffer[] = [];
          ur.on('data', (c: Buffer) => chunks.push(c));
          ur.on('end', () => {
            const doc = JSON.parse(Buffer.concat(chunks).toString()) as { limitation?: Record<string, unknown> };
            delete doc.limitation?.max_limit;
            delete doc.limitation?.default_limit;
            res.writeHead(ur.statusCode ?? 200, { 'content-type': 'application/nostr+json' });
            res.end(JSON.stringify(doc));
          });
          return;
        }
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
      });
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(up);
    });
    server.on('upgrade', (req, socket, head) => p.upgrade(req, socket, head));
    return p;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
  get domain(): string {
    return `127.0.0.1:${this.port}`;
  }

  setUpstream(port: number): void {
    this.upstreamPort = port;
  }

  /** Drops every open connection abruptly. */
  dropAll(): void {
    for (const c of this.clients) c.terminate();
  }

  /** Sends a raw frame to every connected client. */
  inject(frame: unknown[] | string): void {
    for (const c of this.clients) c.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** REQ filters seen so far that match pred. */
  filtersWhere(pred: (f: Record<string, unknown>) => boolean): number {
    return this.stats.filters.filter((f) => typeof f === 'object' && f !== null && pred(f as Record<string, unknown>)).length;
  }

  async close(): Promise<void> {
    this.dropAll();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private upgrade(req: Parameters<WebSocketServer['handleUpgrade']>[0], socket: Parameters<WebSocketServer['handleUpgrade']>[1], head: Buffer): void {
    this.stats.attempts++;
    if (this.refuse === 'close') return void socket.destroy();
    if (this.refuse === '429') return void socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    const upstream = new WebSocket(`ws://127.0.0.1:${this.upstreamPort}`, { perMessageDeflate: false });
    upstream.on('error', () => socket.destroy());
    upstream.once('open', () => {
      this.wss.handleUpgrade(req, socket, head, (client) => this.pipe(client, upstream));
    });
  }

  private pipe(client: WebSocket, upstream: WebSocket): void {
    this.stats.connections++;
    this.clients.add(client);
    if (this.dropAfterMs !== undefined) setTimeout(() => client.terminate(), this.dropAfterMs).unref();
    const open = new Map<string, number>();
    const delivered = new Map<string, number>();
    const track = (): void => {
      let n = 0;
      for (const v of open.values()) n += v;
      this.stats.maxOpenFilters = Math.max(this.stats.maxOpenFilters, n);
    };
    const reply = (f: unknown[]): void => client.send(JSON.stringify(f));
    client.on('message', (data: Buffer) => {
      this.stats.bytesIn += data.length;
      let f: unknown[] | undefined;
      try {
        f = JSON.parse(data.toString()) as unknown[];
      } catch {
        f = undefined;
      }
      if (Array.isArray(f) && typeof f[0] === 'string') {
        if (f[0].startsWith('NEG-')) {
          this.stats.negFrames++;
          if (this.blockNegentropy) return void (f[0] === 'NEG-OPEN' && reply(['NOTICE', 'ERROR: unknown message type NEG-OPEN']));
        }
        if (f[0] === 'REQ') {
          this.stats.reqs++;
          this.stats.reqAt.push(Date.now());
          this.stats.filters.push(...f.slice(2));
          if (this.rateLimitEvery !== undefined && this.stats.reqs % (this.rateLimitEvery + 1) === 0) {
            this.stats.rateLimited++;
            this.stats.rateLimitedAt.push(Date.now());
            return void reply(['CLOSED', f[1], 'rate-limited: one request too many']);
          }
          const rl = this.rateLimitReqs;
          if (rl !== undefined && rl.count > 0) {
            rl.count--;
            this.stats.rateLimited++;
            this.stats.rateLimitedAt.push(Date.now());
            // CLOSED refuses the REQ; a NOTICE only warns (the REQ still runs, as relays that warn do)
            if (rl.mode === 'closed') return void reply(['CLOSED', f[1], 'rate-limited: slow down there chief']);
            reply(['NOTICE', 'rate limit exceeded, slow down']);
            if (rl.mode === 'notice-only') return;
          }
          if (this.swallowReq?.(f.slice(2)) === true) return;
          open.set(String(f[1]), f.length - 2);
          delivered.set(String(f[1]), 0);
          track();
        }
        if (f[0] === 'CLOSE') open.delete(String(f[1]));
      }
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
    });
    upstream.on('message', (data: Buffer) => {
      this.stats.bytesOut += data.length;
      const text = data.toString();
      if (this.injectBeforeEose.length > 0 && text.startsWith('["EOSE"')) {
        const subId = (JSON.parse(text) as unknown[])[1];
        for (const j of this.injectBeforeEose) client.send(JSON.stringify(j.map((x) => (x === '$sub' ? subId : x))));
      }
      if (text.startsWith('["CLOSED"')) open.delete(String((JSON.parse(text) as unknown[])[1]));
      // the cap applies to stored events (before EOSE); live ones after it pass
      if (this.capEventsPerReq !== undefined && text.startsWith('["EVENT"')) {
        const subId = String((JSON.parse(text) as unknown[])[1]);
        const n = delivered.get(subId);
        if (n !== undefined) {
          delivered.set(subId, n + 1);
          if (n + 1 > this.capEventsPerReq) return;
        }
      }
      if (text.startsWith('["EOSE"')) delivered.delete(String((JSON.parse(text) as unknown[])[1]));
      if (client.readyState === WebSocket.OPEN) client.send(text);
    });
    const end = (): void => {
      this.clients.delete(client);
      client.terminate();
      upstream.terminate();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  }
}
