// One client WebSocket connection: NIP-01 (EVENT/REQ/CLOSE/COUNT), NIP-77 sessions, per-connection
// rate limit and a bounded output queue. Every malformed frame gets a NOTICE or CLOSED; never a crash.
import type { WebSocket } from 'ws';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { matchFilters } from '../nostr/filter.js';
import type { Subscriber } from './subscriptions.js';
import { closedFrame, countFrame, eoseFrame, eventFrame, noticeFrame, okFrame, parseClientMessage, type ClientMessage } from './messages.js';
import { createBucket, takeToken, type TokenBucket } from './rate-limit.js';
import { rowKey, StoredResults } from './stored-pages.js';
import { connectionMetrics } from './metrics.js';
import type { RelayContext } from './relay-context.js';

/** Beyond this many queued output bytes a client that stopped reading is disconnected. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Stored results of a REQ pause above this much queued output until the client has read some. */
const REQ_PAUSE_BYTES = 1024 * 1024;
/** A client that reads nothing for this long while a REQ is paused is disconnected. */
const DRAIN_TIMEOUT_MS = 30_000;
const DRAIN_POLL_MS = 20;
/** Stored results are read in pages holding about PAGE_TARGET_BYTES (all filters of a REQ together). */
const MAX_PAGE_ROWS = 500;
const PAGE_TARGET_BYTES = 256 * 1024;
/** Live events held per subscription while its stored results are still being sent. */
const MAX_PENDING_EVENTS = 2_000;
const MAX_PENDING_BYTES = 2 * 1024 * 1024;


interface LiveSub {
  subIdJson: string;
  /** while the stored results are being sent, live events wait here (deduped against what was sent) */
  pending?: Array<{ event: NostrEvent; raw: string }>;
  pendingBytes: number;
  pendingIds?: Set<string>;
  /** ids of pending live events that the stored results already carried */
  sentPending?: Set<string>;
}

export class Connection implements Subscriber {
  private readonly subs = new Map<string, LiveSub>();
  private readonly bucket: TokenBucket;
  private closed = false;
  /** cleared at each keepalive ping, set again by the pong */
  private alive = true;
  /** the one wait for the client to read, shared by every paused subscription */
  private drainWait: Promise<boolean> | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly ip: string,
    private readonly ctx: RelayContext,
  ) {
    this.bucket = createBucket(ctx.config.rateLimitBurst, ctx.now());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      void this.onMessage(isBinary ? data : data, isBinary).catch((err: unknown) => {
        ctx.log.error({ err }, 'connection handler failed');
        this.send(noticeFrame('error: internal error'));
      });
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  send(frame: string): void {
    if (this.closed) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      connectionMetrics.dropped.inc();
      this.ctx.log.warn({ ip: this.ip }, 'closing slow client: output queue full');
      this.ws.close(1008, 'output queue full');
      this.dispose();
      return;
    }
    this.ws.send(frame);
  }

  deliver(subId: string, event: NostrEvent, raw: string): void {
    const sub = this.subs.get(subId);
    if (!sub) return;
    if (!sub.pending) {
      this.send(eventFrame(sub.subIdJson, raw));
      return;
    }
    // live events wait while the stored results are sent; a client too slow to take those cannot grow this
    sub.pendingBytes += raw.length;
    if (sub.pending.length >= MAX_PENDING_EVENTS || sub.pendingBytes > MAX_PENDING_BYTES) {
      this.closeSub(subId, 'error: too many live events arrived before the stored results were read; subscribe again');
      return;
    }
    sub.pending.push({ event, raw });
    sub.pendingIds?.add(event.id);
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    const { config } = this.ctx;
    if (isBinary) return this.notice('invalid: binary frames are not supported');
    if (data.length > config.maxMessageBytes) {
      const id = /"id"\s*:\s*"([0-9a-f]{64})"/.exec(data.subarray(0, 4096).toString())?.[1];
      const reason = `invalid: message too large (max ${config.maxMessageBytes} bytes)`;
      if (id && data.subarray(0, 16).toString().includes('EVENT')) this.send(okFrame(id, false, reason));
      else this.notice(reason);
      return;
    }
    const parsed = parseClientMessage(data.toString(), {
      maxFilters: config.maxFilters,
      maxSubIdLength: 64,
      maxFilterValues: 5000,
    });
    if (!parsed.ok) {
      connectionMetrics.notices.inc();
      if (parsed.subId !== undefined && parsed.type?.startsWith('NEG')) this.send(JSON.stringify(['NEG-ERR', parsed.subId, parsed.reason]));
      else if (parsed.subId !== undefined) this.send(closedFrame(parsed.subId, parsed.reason));
      else this.notice(parsed.reason);
      return;
    }
    connectionMetrics.messages.inc({ type: parsed.msg.type });
    await this.dispatch(parsed.msg);
  }

  private async dispatch(msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'EVENT':
        return this.onEvent(msg.event);
      case 'REQ':
        return this.onReq(msg.subId, msg.filters);
      case 'COUNT':
        return this.onCount(msg.subId, msg.filters);
      case 'CLOSE':
        if (this.subs.delete(msg.subId)) {
          this.ctx.subscriptions.remove(this, msg.subId);
          connectionMetrics.subscriptions.dec();
        }
        return;
      case 'NEG-OPEN':
      case 'NEG-MSG':
      case 'NEG-CLOSE':
        return this.ctx.negentropy.handle(this, msg);
    }
  }

  private async onEvent(raw: unknown): Promise<void> {
    const id = typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : '';
    const { config } = this.ctx;
    if (!takeToken(this.bucket, this.ctx.now(), config.rateLimitEventsPerSecond, config.rateLimitBurst)) {
      this.send(okFrame(id, false, 'rate-limited: slow down, too many events'));
      return;
    }
    const outcome = await this.ctx.ingest.ingest(raw, { source: 'client', ip: this.ip });
    this.send(okFrame(id, outcome.ok, outcome.message));
  }

  private async onReq(subId: string, filters: NostrFilter[]): Promise<void> {
    const { config } = this.ctx;
    const replacing = this.subs.has(subId);
    if (!replacing && this.subs.size >= config.maxSubscriptions) {
      this.send(closedFrame(subId, `blocked: too many subscriptions (max ${config.maxSubscriptions})`));
      return;
    }
    const sub: LiveSub = { subIdJson: JSON.stringify(subId), pending: [], pendingBytes: 0, pendingIds: new Set(), sentPending: new Set() };
    this.subs.set(subId, sub);
    if (!replacing) connectionMetrics.subscriptions.inc();
    this.ctx.subscriptions.add(this, subId, filters);
    try {
      if (!(await this.sendStored(subId, sub, filters))) return;
    } catch (err) {
      this.ctx.log.error({ err }, 'query failed');
      if (this.subs.get(subId) === sub) this.closeSub(subId, 'error: query failed');
      return;
    }
    if (this.subs.get(subId) !== sub) return;
    this.send(eoseFrame(subId));
    const pending = sub.pending ?? [];
    sub.pending = undefined;
    for (const p of pending) {
      if (!sub.sentPending?.has(p.event.id) && matchFilters(filters, p.event)) this.send(eventFrame(sub.subIdJson, p.raw));
    }
    sub.sentPending = undefined;
    sub.pendingIds = undefined;
  }

  /**
   * Sends the stored results a page at a time under the connection's output budget: above REQ_PAUSE_BYTES
   * queued, the rest of the page is dropped and read again from the cursor once the client has read, so a
   * client that stops reading makes the server hold its queued output and one cursor per subscription, never
   * whole result sets. False when the subscription or the connection ended meanwhile.
   */
  private async sendStored(subId: string, sub: LiveSub, filters: NostrFilter[]): Promise<boolean> {
    const live = (): boolean => !this.closed && this.subs.get(subId) === sub;
    if (!filters.some((f) => f.limit === undefined || f.limit > 0)) return live();
    const results = new StoredResults(filters, (page) => this.ctx.store.queryRaw([page], { maxLimit: page.limit! }), {
      maxLimit: this.ctx.config.maxLimit, targetBytes: PAGE_TARGET_BYTES, maxRowsPerPage: MAX_PAGE_ROWS,
    });
    for (;;) {
      if (this.ws.bufferedAmount > REQ_PAUSE_BYTES) {
        results.drop();
        if (!(await this.drained())) return false;
      }
      if (!live()) return false;
      const raw = await results.next();
      if (raw === undefined) return live();
      if (!live()) return false;
      const id = rowKey(raw).id;
      if (sub.pendingIds?.has(id)) sub.sentPending?.add(id);
      this.send(eventFrame(sub.subIdJson, raw));
    }
  }

  /** Waits until the client has read most of its queued output; false (and closed) if it does not. One poll per connection. */
  private drained(): Promise<boolean> {
    this.drainWait ??= new Promise<boolean>((resolve) => {
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      const check = (): void => {
        if (this.closed) return resolve(false);
        if (this.ws.bufferedAmount <= REQ_PAUSE_BYTES / 2) return resolve(true);
        if (Date.now() > deadline) {
          connectionMetrics.dropped.inc();
          this.close(1008, 'client does not read');
          return resolve(false);
        }
        setTimeout(check, DRAIN_POLL_MS);
      };
      check();
    }).finally(() => (this.drainWait = undefined));
    return this.drainWait;
  }

  private closeSub(subId: string, reason: string): void {
    if (this.subs.delete(subId)) {
      this.ctx.subscriptions.remove(this, subId);
      connectionMetrics.subscriptions.dec();
    }
    this.send(closedFrame(subId, reason));
  }

  private async onCount(subId: string, filters: NostrFilter[]): Promise<void> {
    try {
      const max = this.ctx.config.maxCount;
      const n = await this.ctx.store.count(filters, { max });
      // past the budget the answer is NIP-45's approximate count: "at least this many"
      this.send(n > max ? countFrame(subId, max, true) : countFrame(subId, n));
    } catch (err) {
      this.ctx.log.error({ err }, 'count failed');
      this.send(closedFrame(subId, 'error: count failed'));
    }
  }

  private notice(reason: string): void {
    connectionMetrics.notices.inc();
    this.send(noticeFrame(reason));
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    connectionMetrics.subscriptions.dec(this.subs.size);
    this.subs.clear();
    this.ctx.subscriptions.removeAll(this);
    this.ctx.negentropy.closeAll(this);
    this.ctx.onClose(this);
  }

  /** Keepalive tick: drops a peer that did not answer the previous ping. */
  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      this.dispose();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  close(code = 1001, reason = 'server shutting down'): void {
    this.ws.close(code, reason);
    this.dispose();
  }
}
