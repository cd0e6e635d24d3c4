// A minimal NIP-01 client for probing a relay from outside: publish (→ OK), query (→ events until
// EOSE), every wait bounded. Frames from the remote are untrusted: anything unparseable is ignored.
import WebSocket from 'ws';
import type { NostrEvent, NostrFilter } from '../nostr/types.js';

export interface OkAnswer {
  ok: boolean;
  message: string;
}

type Frame = unknown[];

export class RelayLink {
  private readonly frames: Frame[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  private nextSub = 0;

  private constructor(private readonly ws: WebSocket, private readonly timeoutMs: number) {
    ws.on('message', (data: WebSocket.RawData) => {
      let f: unknown;
      try {
        f = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (!Array.isArray(f)) return;
      this.frames.push(f);
      // only the recent past matters; a chatty relay must not grow our memory
      if (this.frames.length > 10_000) this.frames.splice(0, 5_000);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f as Frame)) return true;
        w.resolve(f as Frame);
        return false;
      });
    });
    ws.on('error', () => {});
  }

  static connect(url: string, timeoutMs: number): Promise<RelayLink> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: timeoutMs, maxPayload: 16 * 1024 * 1024 });
      ws.once('open', () => resolve(new RelayLink(ws, timeoutMs)));
      ws.once('error', (err) => reject(err));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} instead of a WebSocket upgrade`)));
    });
  }

  private waitFor(pred: (f: Frame) => boolean, from: number, what: string): Promise<Frame> {
    const have = this.frames.slice(from).find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private send(frame: unknown[]): void {
    this.ws.send(JSON.stringify(frame));
  }

  async publish(event: NostrEvent): Promise<OkAnswer> {
    const from = this.frames.length;
    this.send(['EVENT', event]);
    const f = await this.waitFor((f) => f[0] === 'OK' && f[1] === event.id, from, `OK for ${event.id.slice(0, 8)}`);
    return { ok: f[2] === true, message: typeof f[3] === 'string' ? f[3] : '' };
  }

  /** REQ until EOSE (or CLOSED, which throws); returns the events received for it. */
  async query(filters: NostrFilter[]): Promise<NostrEvent[]> {
    const subId = `audit-${this.nextSub++}`;
    const from = this.frames.length;
    this.send(['REQ', subId, ...filters]);
    const end = await this.waitFor((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subId, from, `EOSE for ${subId}`);
    const idx = this.frames.lastIndexOf(end);
    this.send(['CLOSE', subId]);
    if (end[0] === 'CLOSED') throw new Error(`CLOSED: ${String(end[2])}`);
    return this.frames
      .slice(from, idx)
      .filter((f) => f[0] === 'EVENT' && f[1] === subId && typeof f[2] === 'object' && f[2] !== null)
      .map((f) => f[2] as NostrEvent);
  }

  async served(id: string): Promise<boolean> {
    return (await this.query([{ ids: [id] }])).some((e) => e.id === id);
  }

  close(): void {
    this.ws.close();
  }
}
