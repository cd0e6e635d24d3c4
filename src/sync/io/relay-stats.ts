// What the runner saw of each remote relay beyond the plan state, for the status report: bytes each
// way, the last event received, whether it speaks NIP-77, and the last error text it gave (remote-
// controlled: bounded here, escaped where shown). Observes inputs and socket callbacks; decides nothing.
import type { SyncInput } from '../plan/state.js';

export interface RelayTraffic {
  bytesIn: number;
  bytesOut: number;
  lastEventAt?: number;
  /** true: a NIP-77 session finished or NIP-11 lists 77; false: refused or not listed; undefined: unknown */
  nip77?: boolean;
  lastError?: string;
  lastErrorAt?: number;
}

/** longest error text kept per relay */
export const MAX_ERROR_CHARS = 300;

export class RelayStats {
  private readonly byRelay = new Map<string, RelayTraffic>();

  get(url: string): RelayTraffic | undefined {
    return this.byRelay.get(url);
  }

  private of(url: string): RelayTraffic {
    let t = this.byRelay.get(url);
    if (t === undefined) this.byRelay.set(url, (t = { bytesIn: 0, bytesOut: 0 }));
    return t;
  }

  bytes(url: string, n: number, direction: 'in' | 'out'): void {
    const t = this.of(url);
    if (direction === 'in') t.bytesIn += n;
    else t.bytesOut += n;
  }

  event(url: string, now: number): void {
    this.of(url).lastEventAt = now;
  }

  error(url: string, text: string, now: number): void {
    const t = this.of(url);
    t.lastError = text.replace(/\s+/g, ' ').trim().slice(0, MAX_ERROR_CHARS);
    t.lastErrorAt = now;
  }

  /** Every input the runner feeds passes here first. */
  observe(input: SyncInput, now: number): void {
    switch (input.type) {
      case 'relayInfo':
        if (input.negentropy !== undefined && this.of(input.relay).nip77 !== true) this.of(input.relay).nip77 = input.negentropy;
        return;
      case 'negentropyDone':
        this.of(input.relay).nip77 = true;
        return;
      case 'negentropyFailed':
        if (input.unsupported) this.of(input.relay).nip77 = false;
        return;
      case 'closed':
        if (input.message !== '') this.error(input.relay, `CLOSED: ${input.message}`, now);
        return;
      case 'notice':
        this.error(input.relay, `NOTICE: ${input.message}`, now);
        return;
      default:
        return;
    }
  }

  /** Relays the plan no longer tracks are dropped (bounded by the plan's relay set). */
  retain(urls: ReadonlySet<string> | Map<string, unknown>): void {
    for (const url of this.byRelay.keys()) if (!urls.has(url)) this.byRelay.delete(url);
  }
}
