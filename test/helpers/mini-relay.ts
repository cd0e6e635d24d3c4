// A minimal in-memory NIP-01 relay for sync tests and the sync-scale benchmark: REQ → stored matches
// (newest first, limit applied) + EOSE, then live events; EVENT stores and broadcasts (no checks);
// CLOSE; NIP-11 on plain HTTP GET. Hooks let a test script a hostile remote (answer a REQ its own way,
// serve its own NIP-11 response), and it counts connections, REQs, open filters and close codes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { compareNewestFirst, matchFilter } from '../../src/nostr/filter.js';
import type { NostrEvent, NostrFilter } from '../../src/nostr/types.js';

export interface MiniConn {
  ws: WebSocket;
  /** open subscriptions: sub id → filters */
  subs: Map<string, NostrFilter[]>;
}

export interface MiniRelayOptions {
  port?: number;
  /** NIP-11 document, or a handler taking over the HTTP request */
  nip11?: Record<string, unknown> | ((req: IncomingMessage, res: ServerResponse) => void);
  /** return true when the REQ was answered by the hook (the default answer is skipped) */
  onReq?(conn: MiniConn, subId: string, filters: NostrFilter[]): boolean;
  /** WebSocket maxPayload for frames from clients */
  maxPayload?: number;
}

export interface MiniStats {
  connections: number;
  reqs: number;
  closeCodes: number[];
  /** CLOSE frames received, by sub id */
  closes: string[];
}

const INDEXED = ['#a', '#e', '#E', 'ids'] as const;

export class MiniRelay {
  readonly stats: MiniStats = { connections: 0, reqs: 0, closeCodes: [], closes: [] };
  readonly conns = new Set<MiniConn>();
  private readonly events = new Map<string, NostrEvent>();
  private readonly index = new Map<string, Set<string>>();
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number, private readonly opts: MiniRelayOptions) {
    this.wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: opts.maxPayload ?? 16 * 1024 * 1024 });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(opts: MiniRelayOptions = {}): Promise<MiniRelay> {
    let relay: MiniRelay | undefined;
    const server = createServer((req, res) => relay!.onHttp(req, res));
    await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
    relay = new MiniRelay(server, (server.address() as AddressInfo).port, opts);
    return relay;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get domain(): string {
    return `127.0.0.1:${this.port}`;
  }

  get size(): number {
    return this.events.size;
  }

  /** Filters open on all connections now. */
  openFilters(): number {
    let n = 0;
    for (const c of this.conns) for (const f of c.subs.values()) n += f.length;
    return n;
  }

  /** Stores events and sends them to matching live subscriptions. */
  add(...events: NostrEvent[]): void {
    for (const e of events) {
      if (this.events.has(e.id)) continue;
      this.events.set(e.id, e);
      this.indexAdd(`ids:${e.id}`, e.id);
      for (const t of e.tags) if ((t[0] === 'a' || t[0] === 'e' || t[0] === 'E') && t[1] !== undefined) this.indexAdd(`#${t[0]}:${t[1]}`, e.id);
      this.broadcast(e);
    }
  }

  query(filters: NostrFilter[]): NostrEvent[] {
    const out = new Map<string, NostrEvent>();
    for (const f of filters) {
      const matched = this.candidates(f).filter((e) => matchFilter(f, e)).sort(compareNewestFirst);
      for (const e of typeof f.limit === 'number' ? matched.slice(0, f.limit) : matched) out.set(e.id, e);
    }
    return [...out.values()].sort(compareNewestFirst);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private indexAdd(key: string, id: string): void {
    let s = this.index.get(key);
    if (s === undefined) this.index.set(key, (s = new Set()));
    s.add(id);
  }

  private candidates(f: NostrFilter): NostrEvent[] {
    for (const k of INDEXED) {
      const values = (f as Record<string, unknown>)[k];
      if (!Array.isArray(values)) continue;
      const ids = new Set<string>();
      for (const v of values) for (const id of this.index.get(`${k}:${String(v)}`) ?? []) ids.add(id);
      return [...ids].map((id) => this.events.get(id)!);
    }
    return [...this.events.values()];
  }

  private broadcast(e: NostrEvent): void {
    for (const c of this.conns) {
      for (const [subId, filters] of c.subs) {
        if (filters.some((f) => matchFilter({ ...f, limit: undefined } as NostrFilter, e))) {
          c.ws.send(JSON.stringify(['EVENT', subId, e]));
        }
      }
    }
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const nip11 = this.opts.nip11;
    if (typeof nip11 === 'function') return nip11(req, res);
    res.writeHead(200, { 'Content-Type': 'application/nostr+json' });
    res.end(JSON.stringify(nip11 ?? { name: 'mini', supported_nips: [1, 11] }));
  }

  private onConnection(ws: WebSocket): void {
    this.stats.connections++;
    const conn: MiniConn = { ws, subs: new Map() };
    this.conns.add(conn);
    ws.on('close', (code) => {
      this.stats.closeCodes.push(code);
      this.conns.delete(conn);
    });
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => {
      let f: unknown;
      try {
        f = JSON.parse(data.toString('utf8'));
      } catch {
        return;
      }
      if (!Array.isArray(f)) return;
      if (f[0] === 'REQ' && typeof f[1] === 'string') {
        this.stats.reqs++;
        const subId = f[1];
        const filters = f.slice(2) as NostrFilter[];
        conn.subs.set(subId, filters);
        if (this.opts.onReq?.(conn, subId, filters) === true) return;
        for (const e of this.query(filters)) ws.send(JSON.stringify(['EVENT', subId, e]));
        ws.send(JSON.stringify(['EOSE', subId]));
      } else if (f[0] === 'CLOSE' && typeof f[1] === 'string') {
        this.stats.closes.push(f[1]);
        conn.subs.delete(f[1]);
      } else if (f[0] === 'EVENT' && typeof f[1] === 'object' && f[1] !== null) {
        const e = f[1] as NostrEvent;
        this.add(e);
        ws.send(JSON.stringify(['OK', e.id, true, '']));
      }
    });
  }
}
