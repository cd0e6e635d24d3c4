// NIP-77 negentropy protocol v1 (0x61) wire format: base-128 varints (big-endian, high bit
// = more), bounds as (timestamp delta + 1, 0 = infinity) + id-prefix length + prefix bytes.
// A Reader/Writer pair per message carries the running timestamp of each direction.
// Malformed input throws NegentropyError; nothing here reads past the message.

export const PROTOCOL_VERSION = 0x61;
export const ID_SIZE = 32;
export const FINGERPRINT_SIZE = 16;
export const Mode = { Skip: 0, Fingerprint: 1, IdList: 2 } as const;

/** A range bound: items strictly below it are in the range. `id` is a prefix (0–32 bytes). */
export interface Bound {
  timestamp: number; // Infinity = the end of the set
  id: Uint8Array;
}

export class NegentropyError extends Error {
  override name = 'NegentropyError';
}

const EMPTY = new Uint8Array(0);
export const INFINITE_BOUND: Bound = { timestamp: Infinity, id: EMPTY };
export const ZERO_BOUND: Bound = { timestamp: 0, id: EMPTY };

export function hexToBytes(hex: string): Uint8Array {
  // Buffer.from stops at the first non-hex pair, so a short result means bad input.
  const buf = Buffer.from(hex, 'hex');
  if (buf.length * 2 !== hex.length) throw new NegentropyError('message is not hex');
  return buf;
}

export class Reader {
  private pos = 0;
  private lastTimestamp = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new NegentropyError('message ends prematurely');
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new NegentropyError('message ends prematurely');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  varint(): number {
    let n = 0;
    for (;;) {
      const b = this.byte();
      n = n * 128 + (b & 0x7f);
      if (n > Number.MAX_SAFE_INTEGER) throw new NegentropyError('varint too large');
      if ((b & 0x80) === 0) return n;
    }
  }

  bound(): Bound {
    const raw = this.varint();
    let timestamp: number;
    if (raw === 0 || this.lastTimestamp === Infinity) timestamp = Infinity;
    else timestamp = this.lastTimestamp + raw - 1;
    this.lastTimestamp = timestamp;
    const len = this.varint();
    if (len > ID_SIZE) throw new NegentropyError('bound key too long');
    return { timestamp, id: this.bytes(len) };
  }
}

export class Writer {
  private buf = new Uint8Array(256);
  length = 0;
  private lastTimestamp = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new NegentropyError(`cannot encode varint ${n}`);
    const digits: number[] = [];
    do {
      digits.push(n % 128);
      n = Math.floor(n / 128);
    } while (n > 0);
    for (let i = digits.length - 1; i >= 0; i--) this.byte(digits[i]! | (i > 0 ? 0x80 : 0));
  }

  bound(b: Bound): void {
    if (b.timestamp === Infinity) {
      this.lastTimestamp = Infinity;
      this.varint(0);
    } else {
      // Bounds must ascend; a hostile peer whose bounds go backwards gets an error, not a bad frame.
      if (b.timestamp < this.lastTimestamp) throw new NegentropyError('bounds out of order');
      this.varint(b.timestamp - this.lastTimestamp + 1);
      this.lastTimestamp = b.timestamp;
    }
    this.varint(b.id.length);
    this.bytes(b.id);
  }

  /** Appends another writer's bytes; its timestamps were already encoded relative to ours. */
  append(w: Writer): void {
    this.bytes(w.unwrap());
  }

  /** A writer for a tentative piece of output that continues this one's timestamp chain. */
  fork(): Writer {
    const w = new Writer();
    w.lastTimestamp = this.lastTimestamp;
    return w;
  }

  /** Continue the chain from a fork whose bytes were appended. */
  adopt(w: Writer): void {
    this.lastTimestamp = w.lastTimestamp;
  }

  unwrap(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  toHex(): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.length).toString('hex');
  }
}
