// The relay face of graspd: accepts WebSocket upgrades, tracks connections per IP, and offers an
// in-process subscription API (the sync self-subscriber uses the same filter path as a client REQ).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { refuseUpgrade } from '../http/refuse-upgrade.js';
import { StoredResults } from './stored-pages.js';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { Connection } from './connection.js';
import { connectionMetrics } from './metrics.js';
import type { RelayContext } from './relay-context.js';
import type { Subscriber } from './subscriptions.js';
import { clientAddressResolver } from '../http/client-address.js';

export interface RelayOptions {
  maxConnectionsPerIp: number;
  maxMessageBytes: number;
  pingIntervalMs: number;
  /** --trusted-proxy: whose X-Forwarded-For names the client */
  trustedProxies?: readonly string[];
}

export class Relay {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  private nextInternal = 0;
  private readonly heartbeat: NodeJS.Timeout;
  /** the client's address: X-Forwarded-For only from a --trusted-proxy */
  private readonly clientIp: (req: IncomingMessage) => string;

  constructor(private readonly ctx: Omit<RelayContext, 'onClose'>, private readonly opts: RelayOptions) {
    this.clientIp = clientAddressResolver(opts.trustedProxies ?? []);
    // ws closes the socket beyond maxPayload; below it, oversize frames get a NOTICE and the connection stays
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: Math.max(opts.maxMessageBytes * 4, 4 * 1024 * 1024) });
    this.heartbeat = setInterval(() => {
      for (const c of [...this.connections]) c.heartbeat();
    }, opts.pingIntervalMs);
    this.heartbeat.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ip = this.clientIp(req);
    const count = this.perIp.get(ip) ?? 0;
    if (count >= this.opts.maxConnectionsPerIp) {
      connectionMetrics.refused.inc({ reason: 'per_ip_limit' });
      refuseUpgrade(socket, '429 Too Many Requests', 'rate-limited: too many connections from your address\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
      connectionMetrics.open.inc();
      connectionMetrics.addresses.set(this.perIp.size);
      const conn = new Connection(ws, ip, {
        ...this.ctx,
        onClose: (c) => {
          if (!this.connections.delete(c)) return;
          connectionMetrics.open.dec();
          const n = (this.perIp.get(ip) ?? 1) - 1;
          if (n <= 0) this.perIp.delete(ip);
          else this.perIp.set(ip, n);
          connectionMetrics.addresses.set(this.perIp.size);
        },
      });
      this.connections.add(conn);
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * In-process subscription: stored events first (no limit cap when `unlimited`), then live ones. Stored events
   * are read a page at a time (the sync engine subscribes to every announcement and root event at start: they
   * must not be loaded as one array). Returns a function that ends the subscription.
   */
  async subscribe(filters: NostrFilter[], onEvent: (event: NostrEvent) => void, opts: { maxLimit?: number } = {}): Promise<() => void> {
    const subId = `internal-${this.nextInternal++}`;
    const pending: NostrEvent[] = [];
    const pendingIds = new Set<string>();
    const sentPending = new Set<string>();
    let live = false;
    const subscriber: Subscriber = {
      deliver: (_id, event) => {
        if (live) return onEvent(event);
        pending.push(event);
        pendingIds.add(event.id);
      },
    };
    this.ctx.subscriptions.add(subscriber, subId, filters);
    const stored = new StoredResults(filters, (page) => this.ctx.store.queryRaw([page], { maxLimit: page.limit! }), {
      maxLimit: opts.maxLimit ?? Number.MAX_SAFE_INTEGER, targetBytes: 512 * 1024, maxRowsPerPage: 2_000,
    });
    for (let raw = await stored.next(); raw !== undefined; raw = await stored.next()) {
      const event = JSON.parse(raw) as NostrEvent;
      if (pendingIds.has(event.id)) sentPending.add(event.id);
      onEvent(event);
    }
    live = true;
    for (const e of pending) if (!sentPending.has(e.id)) onEvent(e);
    return () => this.ctx.subscriptions.remove(subscriber, subId);
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    this.ctx.negentropy.stop?.();
    for (const c of [...this.connections]) c.close();
    this.wss.close();
  }
}


