// One client WebSocket connection: NIP-01 (EVENT/REQ/CLOSE/COUNT), NIP-77 sessions, per-connection
// rate limit and a bounded output queue. Every malformed frame gets a NOTICE or CLOSED; never a crash.
import type { WebSocket } from 'ws';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';
import { matchFilters } from '../nostr/filter.js';
import type { Subscriber } from './subscriptions.js';
import { closedFrame, countFrame, eoseFrame, eventFrame, noticeFrame, okFrame, parseClientMessage, type ClientMessage } from './messages.js';
import { createBucket, takeToken, type TokenBucket } from './rate-limit.js';
import { connectionMetrics } from './metrics.js';
import type { RelayContext } from './relay-context.js';

/** Beyond this many queued output bytes a client that stopped reading is disconnected. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Stored results of a REQ pause above this much queued output until the client has read some. */
const REQ_PAUSE_BYTES = 1024 * 1024;
/** A client that reads nothing for this long while a REQ is paused is disconnected. */
const DRAIN_TIMEOUT_MS = 30_000;

interface LiveSub {
  subIdJson: string;
  /** while the stored results are being sent, live events wait here (deduped against what was sent) */
  pending?: Array<{ event: NostrEvent; raw: string }>;
}

export class Connection implements Subscriber {
  private readonly subs = new Map<string, LiveSub>();
  private readonly bucket: TokenBucket;
  private closed = false;
  /** cleared at each keepalive ping, set again by the pong */
  private alive = true;

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
    if (sub.pending) sub.pending.push({ event, raw });
    else this.send(eventFrame(sub.subIdJson, raw));
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
    const sub: LiveSub = { subIdJson: JSON.stringify(subId), pending: [] };
    this.subs.set(subId, sub);
    if (!replacing) connectionMetrics.subscriptions.inc();
    this.ctx.subscriptions.add(this, subId, filters);
    const sent = new Set<string>();
    const wantsStored = filters.some((f) => f.limit === undefined || f.limit > 0);
    if (wantsStored) {
      let rows: string[];
      try {
        rows = await this.ctx.store.queryRaw(filters, { maxLimit: config.maxLimit });
      } catch (err) {
        this.ctx.log.error({ err }, 'query failed');
        this.closeSub(subId, 'error: query failed');
        return;
      }
      if (this.subs.get(subId) !== sub) return; // closed or replaced meanwhile
      for (const raw of rows) {
        if (this.closed) return;
        if (this.ws.bufferedAmount > REQ_PAUSE_BYTES && !(await this.drained())) return;
        sent.add(raw.slice(raw.indexOf('"id":"') + 6, raw.indexOf('"id":"') + 70));
        this.send(eventFrame(sub.subIdJson, raw));
      }
    }
    if (this.subs.get(subId) !== sub) return;
    this.send(eoseFrame(subId));
    const pending = sub.pending ?? [];
    sub.pending = undefined;
    for (const p of pending) {
      if (!sent.has(p.event.id) && matchFilters(filters, p.event)) this.send(eventFrame(sub.subIdJson, p.raw));
    }
  }

  /** Waits until the client has read most of its queued output; false (and closed) if it does not. */
  private async drained(): Promise<boolean> {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (!this.closed && this.ws.bufferedAmount > REQ_PAUSE_BYTES / 2) {
      if (Date.now() > deadline) {
        connectionMetrics.dropped.inc();
        this.close(1008, 'client does not read');
        return false;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return !this.closed;
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
      this.send(countFrame(subId, await this.ctx.store.count(filters)));
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
