// A minimal NIP-01 test client over a real WebSocket: send frames, wait for matching frames with a deadline.
import WebSocket from 'ws';
import type { NostrEvent, NostrFilter } from '../../src/nostr/types.js';

export type Frame = unknown[];

export class TestClient {
  readonly frames: Frame[] = [];
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let f: Frame;
      try {
        f = JSON.parse(data.toString()) as Frame;
      } catch {
        return;
      }
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(f)) {
          w.resolve(f);
          return false;
        }
        return true;
      });
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }
  send(frame: unknown[]): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Waits for the first frame (already received or future) matching pred. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<Frame> {
    const have = this.frames.slice(fromIndex).find(pred);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for frame; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  async publish(event: NostrEvent): Promise<{ ok: boolean; message: string }> {
    const start = this.frames.length;
    this.send(['EVENT', event]);
    const f = await this.waitFor((f) => f[0] === 'OK' && f[1] === event.id, 10000, start);
    return { ok: f[2] as boolean, message: f[3] as string };
  }

  /** REQ until EOSE; returns the stored events. */
  async query(filters: NostrFilter[], subId = 'q' + Math.random().toString(36).slice(2)): Promise<NostrEvent[]> {
    const start = this.frames.length;
    this.send(['REQ', subId, ...filters]);
    const end = await this.waitFor((f) => (f[0] === 'EOSE' || f[0] === 'CLOSED') && f[1] === subId, 10000, start);
    if (end[0] === 'CLOSED') throw new Error(`CLOSED: ${String(end[2])}`);
    const idx = this.frames.indexOf(end);
    const events = this.frames.slice(start, idx).filter((f) => f[0] === 'EVENT' && f[1] === subId).map((f) => f[2] as NostrEvent);
    this.send(['CLOSE', subId]);
    return events;
  }

  close(): void {
    this.ws.close();
  }
}
