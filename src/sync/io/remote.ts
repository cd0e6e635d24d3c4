// One WebSocket to one remote relay (SYNC.md "Connection lifecycle"): executes the plan's per-relay
// commands as NIP-01/NIP-77 frames and turns what the remote says back into plan inputs. Decides nothing:
// which subs exist, when to page or retry is the plan's. One Remote per connection attempt.
import WebSocket from 'ws';
import type { NostrFilter } from '../../nostr/types.js';
import type { SyncInput } from '../plan/state.js';
import type { PageEvent } from '../plan/pagination.js';
import { guardRelayUrl } from './address-guard.js';
import { fetchRelayInfo } from './nip11-fetch.js';
import { NegentropySession } from './negentropy.js';
import { AdmitGate } from './admit-gate.js';
import type { RelayBudgets } from './relay-budget.js';
import { isRateLimitMessage } from '../plan/health.js';

/** historic events admitted at once per remote: enough to keep the verify pool and batched commits busy */
export const HISTORIC_ADMIT_WINDOW = 512;
/** ids remembered as already fetched by running sessions (beyond: forgotten wholesale) */
export const MAX_REQUESTED_IDS = 200_000;
/** largest inbound frame when the runner sets none (--max-message-bytes' default) */
export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024;
/** events remembered per historic sub: a remote ignoring `limit` is cut off here (and paged on) */
export function historicBufferCap(filters: readonly NostrFilter[]): number {
  const asked = filters.reduce((n, f) => n + (typeof f.limit === 'number' ? f.limit : 500), 0);
  return Math.min(50_000, Math.max(1_000, 2 * asked));
}
/** an id-fetch REQ that stalls this many times in a row fails its negentropy session (the part falls back to REQ) */
export const FETCH_ATTEMPTS = 3;

export interface RemoteDeps {
  feed(input: SyncInput): void;
  /** admit one remote event; resolves when ingest decided */
  ingest(event: unknown, relay: string, subId: string): Promise<void>;
  /** our local set for a NIP-77 filter */
  localSet(filter: NostrFilter): Promise<Array<{ id: string; created_at: number }>>;
  onSocketEvent(relay: string, what: 'attempt' | 'refused' | 'failed' | 'rateLimited' | 'connected', reason?: string): void;
  countBytes(relay: string, n: number, direction: 'in' | 'out'): void;
  /** NIP-77 message bytes of one finished session */
  countNegentropyBytes?(relay: string, n: number): void;
  debug?(relay: string, msg: string): void;
  /** the relay overdrew its inbound budget: reading from it pauses until `until` (log + metric, once) */
  budgetExceeded?(relay: string, budget: 'messages' | 'bytes', until: number): void;
  /** the relay is rate-limited: send it nothing new (id fetches wait) */
  paused(relay: string): boolean;
}

export interface RemoteOptions {
  connectTimeoutMs: number;
  /** keepalive: a remote that does not answer a ping by the next one is dropped */
  pingIntervalMs: number;
  allowPrivateAddresses: boolean;
  negentropyTimeoutMs: number;
  /** a historic or id-fetch REQ with no EVENT or EOSE for this long is closed and given up (re-tried later) */
  requestTimeoutMs: number;
  /** ids per filter when fetching what negentropy found missing */
  fetchChunk: () => number;
  /** filters (of `fetchChunk` ids each) packed into one fetch REQ */
  fetchFilters: () => number;
  /** largest inbound frame (--max-message-bytes); a larger one closes the link (1009) */
  maxMessageBytes?: number;
  /** per-relay inbound rate and byte budget, shared by every connection to the same URL */
  budgets?: RelayBudgets;
}

/** how an id-fetch REQ ended */
type FetchEnd = 'eose' | 'stalled' | 'released' | 'refused';

type Sub =
  | { type: 'live' }
  | { type: 'historic'; events: PageEvent[]; progressAt: number; cap: number; answered: boolean }
  | { type: 'neg'; session: NegentropySession }
  | { type: 'fetch'; end: (how: FetchEnd) => void; progressAt: number; answered: boolean; got: Set<string> };

export class Remote {
  private ws: WebSocket | undefined;
  private readonly subs = new Map<string, Sub>();
  private open = false;
  private ended = false;
  private fetchSeq = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private deadlines: NodeJS.Timeout | undefined;
  private resumeTimer: NodeJS.Timeout | undefined;
  /** historic and fetched events being admitted (not live ones) */
  readonly gate = new AdmitGate(HISTORIC_ADMIT_WINDOW);
  /**
   * ids already fetched by running sessions: layer-3 `#e` and `#E` parts of one chunk match the same
   * comments, and their sessions run side by side (before the other's admissions reach our local set)
   */
  private readonly requested = new Set<string>();

  constructor(readonly url: string, private readonly opts: RemoteOptions, private readonly deps: RemoteDeps) {}

  /** NIP-11 first (limits shape the first REQs), then the socket; answers connected / connectFailed. */
  async connect(): Promise<void> {
    this.deps.onSocketEvent(this.url, 'attempt');
    const guard = await guardRelayUrl(this.url, this.opts.allowPrivateAddresses);
    if (!guard.ok) return this.failConnect(false, guard.reason, 'refused');
    const info = await fetchRelayInfo(this.url, { timeoutMs: Math.min(3000, this.opts.connectTimeoutMs), lookup: guard.lookup });
    if (this.ended) return;
    this.deps.feed({ type: 'relayInfo', relay: this.url, limits: info.limits, ...(info.negentropy !== undefined ? { negentropy: info.negentropy } : {}) });
    const ws = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: this.opts.connectTimeoutMs, lookup: guard.lookup, maxPayload: this.opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
    this.ws = ws;
    let rateLimited = false;
    ws.on('unexpected-response', (req, res) => {
      rateLimited = res.statusCode === 429;
      req.destroy();
      this.failConnect(rateLimited, `HTTP ${res.statusCode ?? '?'} on upgrade`, rateLimited ? 'rateLimited' : 'failed');
    });
    ws.on('open', () => {
      if (this.ended) return;
      this.open = true;
      // a reconnect does not end a budget pause
      const paused = this.opts.budgets?.pausedUntil(this.url) ?? 0;
      if (paused > 0) this.pauseUntil(ws, paused);
      this.startHeartbeat(ws);
      this.deps.onSocketEvent(this.url, 'connected');
      this.deps.feed({ type: 'connected', relay: this.url });
    });
    ws.on('error', (err) => {
      if (!this.open) this.failConnect(false, err.message, 'failed');
    });
    ws.on('close', () => {
      if (!this.open) return this.failConnect(false, 'closed during handshake', 'failed');
      this.end();
      this.deps.feed({ type: 'disconnected', relay: this.url });
    });
    ws.on('message', (data: Buffer, isBinary) => {
      this.deps.countBytes(this.url, data.length, 'in');
      this.chargeBudget(ws, data.length);
      if (isBinary) return;
      this.onFrame(data.toString('utf8'));
    });
  }

  /** Over budget: stop reading until the pause ends (frames already read are still handled). */
  private chargeBudget(ws: WebSocket, bytes: number): void {
    const c = this.opts.budgets?.charge(this.url, bytes);
    if (c?.type !== 'exceeded') return;
    this.deps.budgetExceeded?.(this.url, c.budget, c.until);
    this.pauseUntil(ws, c.until);
  }

  private pauseUntil(ws: WebSocket, until: number): void {
    ws.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      if (!this.ended) ws.resume();
    }, Math.max(0, until - Date.now()));
    this.resumeTimer.unref();
  }

  private failConnect(rateLimited: boolean, reason: string, what: 'refused' | 'failed' | 'rateLimited'): void {
    if (this.ended) return;
    this.end();
    this.ws?.terminate();
    this.deps.onSocketEvent(this.url, what, reason);
    this.deps.feed({ type: 'connectFailed', relay: this.url, ...(rateLimited ? { rateLimited } : {}) });
  }

  private startHeartbeat(ws: WebSocket): void {
    let alive = true;
    ws.on('pong', () => (alive = true));
    this.heartbeat = setInterval(() => {
      // while we do not read (budget pause) its pongs cannot arrive either
      if (ws.isPaused) alive = true;
      if (!alive) return ws.terminate(); // a half-open link: 'close' follows and feeds disconnected
      alive = false;
      ws.ping();
    }, this.opts.pingIntervalMs);
    this.heartbeat.unref();
    const every = Math.max(20, Math.min(1_000, Math.floor(this.opts.requestTimeoutMs / 4)));
    this.deadlines = setInterval(() => this.expireStalled(Date.now()), every);
    this.deadlines.unref();
  }

  /**
   * Every outstanding request has a deadline (SYNC.md invariant 5): a historic or id-fetch REQ that got no
   * EVENT or EOSE for requestTimeoutMs is closed and reported; the plan re-tries the part with backoff and
   * never confirms what it did not see. (NEG-OPEN / NEG-MSG deadlines live in NegentropySession.)
   */
  private expireStalled(now: number): void {
    if (this.ended) return;
    for (const [subId, s] of [...this.subs]) {
      if ((s.type !== 'historic' && s.type !== 'fetch') || now - s.progressAt < this.opts.requestTimeoutMs) continue;
      this.deps.debug?.(this.url, `request ${subId} stalled: no answer for ${this.opts.requestTimeoutMs} ms`);
      this.release(subId, s, 'stalled');
    }
  }

  /** Gives up one outstanding REQ: CLOSE it, and tell whoever waits on it. */
  private release(subId: string, s: Sub, how: 'stalled' | 'released', message = ''): void {
    this.subs.delete(subId);
    this.send(['CLOSE', subId]);
    if (s.type === 'fetch') return s.end(how);
    if (s.type !== 'historic') return;
    if (how === 'stalled') this.deps.feed({ type: 'stalled', relay: this.url, subId });
    else this.deps.feed({ type: 'closed', relay: this.url, subId, message: `rate-limited: NOTICE ${message}` });
  }

  private end(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.deadlines);
    clearTimeout(this.resumeTimer);
    this.ended = true;
    for (const s of this.subs.values()) if (s.type === 'neg') s.session.cancel();
    this.subs.clear();
  }

  /** Closes on purpose; `disconnected` follows from the close event. */
  disconnect(): void {
    if (this.ws === undefined || !this.open) {
      const was = this.ended;
      this.end();
      this.ws?.terminate();
      if (!was) this.deps.feed({ type: 'disconnected', relay: this.url });
      return;
    }
    this.ws.close(1000);
    const ws = this.ws;
    setTimeout(() => ws.terminate(), 2000).unref();
  }

  /** Drops the socket without feeding anything (engine stop / superseded). */
  abandon(): void {
    this.end();
    this.ws?.terminate();
  }

  send(frame: unknown[]): void {
    if (!this.open || this.ended || this.ws?.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(frame);
    this.deps.countBytes(this.url, text.length, 'out');
    this.ws.send(text);
  }

  openLive(subId: string, filters: NostrFilter[]): void {
    this.subs.set(subId, { type: 'live' });
    this.send(['REQ', subId, ...filters]);
  }

  openHistoric(subId: string, filters: NostrFilter[]): void {
    this.subs.set(subId, { type: 'historic', events: [], progressAt: Date.now(), cap: historicBufferCap(filters), answered: false });
    this.send(['REQ', subId, ...filters]);
  }

  negentropy(subId: string, filter: NostrFilter): void {
    const session = new NegentropySession(subId, filter, {
      send: (f) => this.send(f),
      fetch: (ids) => this.fetchIds(subId, ids),
      done: () => this.finishNeg(subId, { type: 'negentropyDone', relay: this.url, subId }),
      debug: (m) => this.deps.debug?.(this.url, m),
      failed: (unsupported) => this.finishNeg(subId, { type: 'negentropyFailed', relay: this.url, subId, unsupported }),
    }, this.opts.negentropyTimeoutMs);
    this.subs.set(subId, { type: 'neg', session });
    this.deps.localSet(filter).then(
      (local) => {
        if (this.subs.get(subId)?.type !== 'neg') return;
        try {
          this.deps.debug?.(this.url, `negentropy ${subId} ${JSON.stringify(filter)}: ${local.length} local items`);
          session.start(local);
        } catch {
          this.finishNeg(subId, { type: 'negentropyFailed', relay: this.url, subId, unsupported: false });
        }
      },
      () => this.finishNeg(subId, { type: 'negentropyFailed', relay: this.url, subId, unsupported: false }),
    );
  }

  private finishNeg(subId: string, input: SyncInput): void {
    const s = this.subs.get(subId);
    if (s?.type !== 'neg' || this.ended) return;
    this.deps.countNegentropyBytes?.(this.url, s.session.bytes);
    this.subs.delete(subId);
    this.deps.feed(input);
    // the dedupe only spans sessions running side by side: a later reconciliation (daily, on this same
    // connection) fetches again whatever is still missing from our local set
    if (![...this.subs.values()].some((x) => x.type === 'neg')) this.requested.clear();
  }

  /**
   * One fetch REQ at a time per session (the remote's subscription budget), several 100-id filters in
   * it, and the next REQ as soon as the previous EOSE'd and the gate has room. Resolves at the last
   * EOSE: admissions go on behind the gate, and the runner waits for `idle()` where it matters, so a
   * session does not hold a historic slot while its tail is being verified and stored. While the relay
   * is rate-limited no fetch is sent; a fetch released by a rate-limit NOTICE is asked again after the
   * pause; one that stalls FETCH_ATTEMPTS times, or is refused, rejects (the session fails, never done).
   */
  private async fetchIds(parent: string, wanted: string[]): Promise<void> {
    if (this.requested.size + wanted.length > MAX_REQUESTED_IDS) this.requested.clear();
    const ids = wanted.filter((id) => !this.requested.has(id));
    for (const id of ids) this.requested.add(id);
    const size = Math.max(1, this.opts.fetchChunk());
    const per = size * Math.max(1, this.opts.fetchFilters());
    for (let i = 0; i < ids.length && !this.ended; i += per) {
      // relative to what arrived: ids the remote left out (a silent cap) are asked again while it makes progress
      let want = ids.slice(i, i + per);
      for (let stalls = 0; want.length > 0; ) {
        await this.gate.room();
        await this.whilePaused();
        if (this.ended) return;
        const filters: NostrFilter[] = [];
        for (let j = 0; j < want.length; j += size) {
          const chunk = want.slice(j, j + size);
          filters.push({ ids: chunk, limit: chunk.length });
        }
        const got = new Set<string>();
        const how = await this.fetchOnce(`${parent}f${this.fetchSeq++}`, filters, got);
        if (how === 'refused') throw new Error('id fetch refused');
        if (how === 'stalled' && ++stalls >= FETCH_ATTEMPTS) throw new Error('id fetch stalled');
        if (how !== 'eose') continue;
        if (got.size === 0) throw new Error(`id fetch: ${want.length} ids withheld`);
        want = want.filter((id) => !got.has(id));
      }
    }
  }

  private fetchOnce(subId: string, filters: NostrFilter[], got: Set<string>): Promise<FetchEnd> {
    return new Promise<FetchEnd>((resolve) => {
      this.subs.set(subId, { type: 'fetch', end: resolve, progressAt: Date.now(), answered: false, got });
      this.send(['REQ', subId, ...filters]);
      if (this.ended) resolve('eose');
    }).finally(() => this.subs.delete(subId));
  }

  private async whilePaused(): Promise<void> {
    while (!this.ended && this.deps.paused(this.url)) await new Promise((r) => setTimeout(r, 100).unref());
  }

  /** Resolves when every historic admission started so far has settled. */
  idle(): Promise<void> {
    return this.gate.idle();
  }

  closeSub(subId: string): void {
    const s = this.subs.get(subId);
    this.subs.delete(subId);
    if (s?.type === 'neg') {
      s.session.cancel();
      this.send(['NEG-CLOSE', subId]);
    } else this.send(['CLOSE', subId]);
  }

  private onFrame(text: string): void {
    let f: unknown;
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(f) || typeof f[0] !== 'string') return;
    const subId = typeof f[1] === 'string' ? f[1] : '';
    const sub = this.subs.get(subId);
    switch (f[0]) {
      case 'EVENT':
        return this.onEvent(subId, sub, f[2]);
      case 'EOSE':
        return this.onEose(subId, sub);
      case 'CLOSED': {
        const message = typeof f[2] === 'string' ? f[2] : '';
        if (sub === undefined) return;
        if (sub.type === 'neg') return sub.session.onError(`CLOSED: ${message}`);
        if (sub.type === 'fetch') return sub.end(isRateLimitMessage(message) ? 'released' : 'refused');
        this.subs.delete(subId);
        this.deps.feed({ type: 'closed', relay: this.url, subId, message });
        return;
      }
      case 'NOTICE': {
        const message = typeof f[1] === 'string' ? f[1] : '';
        for (const s of [...this.subs.values()]) if (s.type === 'neg' && s.session.awaitingFirstAnswer) s.session.onError(`NOTICE: ${message}`);
        this.deps.feed({ type: 'notice', relay: this.url, message });
        // a rate-limit NOTICE answering our REQs: the ones still unanswered are released now (queued again
        // behind the cooldown) instead of waiting for their deadline
        if (isRateLimitMessage(message)) {
          for (const [id, s] of [...this.subs]) if ((s.type === 'historic' || s.type === 'fetch') && !s.answered) this.release(id, s, 'released', message);
        }
        return;
      }
      case 'NEG-MSG':
        if (sub?.type === 'neg') sub.session.onMessage(f[2]);
        return;
      case 'NEG-ERR':
        if (sub?.type === 'neg') sub.session.onError(`NEG-ERR: ${String(f[2])}`);
        return;
      default:
    }
  }

  private onEvent(subId: string, sub: Sub | undefined, event: unknown): void {
    if (sub === undefined || sub.type === 'neg') return;
    const work = this.deps.ingest(event, this.url, subId);
    if (sub.type !== 'live') {
      this.gate.track(work);
      sub.progressAt = Date.now();
      sub.answered = true;
    }
    if (sub.type === 'fetch') {
      const id = (event as { id?: unknown } | null)?.id;
      if (typeof id === 'string') sub.got.add(id);
    }
    if (sub.type === 'historic') {
      const e = event as { id?: unknown; created_at?: unknown } | null;
      if (e !== null && typeof e === 'object' && typeof e.id === 'string' && typeof e.created_at === 'number') sub.events.push({ id: e.id, created_at: e.created_at });
      // far more than asked for: end the page here (paging goes on from what arrived), the buffer stays bounded
      if (sub.events.length >= sub.cap) this.onEose(subId, sub);
    }
  }

  private onEose(subId: string, sub: Sub | undefined): void {
    if (sub === undefined) return;
    if (sub.type === 'fetch') {
      this.send(['CLOSE', subId]);
      return sub.end('eose');
    }
    if (sub.type !== 'historic') return;
    this.subs.delete(subId);
    this.send(['CLOSE', subId]);
    // the next page is asked for while this one's events are still being admitted (bounded by the
    // gate); what must follow admission — a persisted cursor, the self-subscriber hand-over — waits
    // for idle() in the runner
    void this.gate.room().then(() => {
      if (!this.ended) this.deps.feed({ type: 'historicPage', relay: this.url, subId, events: sub.events });
    });
  }
}
