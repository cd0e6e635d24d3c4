// NIP-77 sessions of one connection: NEG-OPEN / NEG-MSG / NEG-CLOSE over plain data.
// Limits: sessions per connection, items per session (`blocked: too many records`), idle
// expiry with an injected clock. A NEG-ERR ends its session; a NEG-OPEN on an open subId
// replaces it, as NIP-77 says. The connection turns outcomes into frames with `negFrame`.
import { NegentropyError, NegentropyResponder, type NegentropyItem } from './nip77.js';

export type NegErrReason = `${'blocked' | 'closed' | 'error'}: ${string}`;
export type NegOutcome = { type: 'msg'; hex: string } | { type: 'err'; reason: NegErrReason };
export type NegMsgFrame = ['NEG-MSG', string, string];
export type NegErrFrame = ['NEG-ERR', string, string];

export interface NegSessionLimits {
  maxSessions: number;
  maxItems: number;
  /** bytes per reply; 0 = unlimited */
  frameSizeLimit: number;
  /** a session with no message for this long is closed by `expire` */
  idleMs: number;
}

export const DEFAULT_NEG_LIMITS: NegSessionLimits = {
  maxSessions: 8,
  /** ~10 MB of (created_at, id) pairs per session at most */
  maxItems: 100_000,
  frameSizeLimit: 200_000,
  idleMs: 60_000,
};

interface Session {
  responder: NegentropyResponder;
  lastActive: number;
}

export function negMsgFrame(subId: string, hex: string): NegMsgFrame {
  return ['NEG-MSG', subId, hex];
}

export function negErrFrame(subId: string, reason: string): NegErrFrame {
  return ['NEG-ERR', subId, reason];
}

export function negFrame(subId: string, outcome: NegOutcome): NegMsgFrame | NegErrFrame {
  return outcome.type === 'msg' ? negMsgFrame(subId, outcome.hex) : negErrFrame(subId, outcome.reason);
}

function errorReason(err: unknown): NegErrReason {
  if (err instanceof NegentropyError) return `error: bad negentropy message: ${err.message}`;
  if (err instanceof TypeError || err instanceof RangeError) return `error: ${err.message}`;
  throw err;
}

export class NegentropySessions {
  private readonly sessions = new Map<string, Session>();
  private readonly limits: NegSessionLimits;

  constructor(limits: Partial<NegSessionLimits> = {}) {
    this.limits = { ...DEFAULT_NEG_LIMITS, ...limits };
  }

  get size(): number {
    return this.sessions.size;
  }

  has(subId: string): boolean {
    return this.sessions.has(subId);
  }

  open(subId: string, items: ReadonlyArray<NegentropyItem>, initialMsgHex: string, now = 0): NegOutcome {
    this.sessions.delete(subId);
    if (this.sessions.size >= this.limits.maxSessions) {
      return { type: 'err', reason: 'blocked: too many concurrent negentropy sessions' };
    }
    if (items.length > this.limits.maxItems) return { type: 'err', reason: 'blocked: too many records' };
    try {
      const responder = new NegentropyResponder(items, { frameSizeLimit: this.limits.frameSizeLimit });
      const hex = responder.reply(initialMsgHex);
      this.sessions.set(subId, { responder, lastActive: now });
      return { type: 'msg', hex };
    } catch (err) {
      return { type: 'err', reason: errorReason(err) };
    }
  }

  message(subId: string, hex: string, now = 0): NegOutcome {
    const s = this.sessions.get(subId);
    if (!s) return { type: 'err', reason: 'closed: unknown negentropy subscription' };
    try {
      s.lastActive = now;
      return { type: 'msg', hex: s.responder.reply(hex) };
    } catch (err) {
      this.sessions.delete(subId);
      return { type: 'err', reason: errorReason(err) };
    }
  }

  /** NEG-CLOSE: no reply is sent. Returns whether the session existed. */
  close(subId: string): boolean {
    return this.sessions.delete(subId);
  }

  closeAll(): void {
    this.sessions.clear();
  }

  /** Closes idle sessions; the caller sends `NEG-ERR <subId> closed: …` for each returned id. */
  expire(now: number): Array<{ subId: string; reason: NegErrReason }> {
    const out: Array<{ subId: string; reason: NegErrReason }> = [];
    for (const [subId, s] of this.sessions) {
      if (now - s.lastActive >= this.limits.idleMs) {
        this.sessions.delete(subId);
        out.push({ subId, reason: 'closed: negentropy session timed out' });
      }
    }
    return out;
  }
}
