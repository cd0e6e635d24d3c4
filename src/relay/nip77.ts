// NIP-77 negentropy responder (protocol v1, 0x61), following the reference implementation's
// non-initiator role: equal fingerprints are skipped, differing large ranges are split into 16
// fingerprinted buckets, small ranges and the initiator's IdLists are answered with our own
// IdList of that range (the initiator computes have/need). Pure: plain data in, hex out.
import {
  type Bound,
  INFINITE_BOUND,
  Mode,
  NegentropyError,
  PROTOCOL_VERSION,
  Reader,
  Writer,
  ZERO_BOUND,
  FINGERPRINT_SIZE,
  ID_SIZE,
  hexToBytes,
} from './nip77-codec.js';
import { type NegentropyItem, NegentropyStorage } from './nip77-storage.js';

export { NegentropyError } from './nip77-codec.js';
export type { NegentropyItem } from './nip77-storage.js';

const BUCKETS = 16;
/** Room kept under the frame limit for the closing fingerprint, as in the reference. */
const FRAME_SLACK = 200;
export const DEFAULT_FRAME_SIZE_LIMIT = 60_000;

export interface NegentropyResponderOptions {
  /** largest reply in bytes (hex doubles it); 0 = unlimited, otherwise ≥ 4096 */
  frameSizeLimit?: number;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class NegentropyResponder {
  private readonly storage: NegentropyStorage;
  private readonly frameSizeLimit: number;

  constructor(items: ReadonlyArray<NegentropyItem>, opts: NegentropyResponderOptions = {}) {
    const limit = opts.frameSizeLimit ?? DEFAULT_FRAME_SIZE_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 0 || (limit !== 0 && limit < 4096)) {
      throw new RangeError('frameSizeLimit must be 0 or at least 4096');
    }
    this.frameSizeLimit = limit;
    this.storage = new NegentropyStorage(items);
  }

  get size(): number {
    return this.storage.size;
  }

  /** Answers one initiator message. Throws NegentropyError when it is malformed. */
  reply(msgHex: string): string {
    const query = new Reader(hexToBytes(msgHex));
    const out = new Writer();
    out.byte(PROTOCOL_VERSION);
    const version = query.byte();
    if (version < 0x60 || version > 0x6f) throw new NegentropyError('invalid negentropy protocol version byte');
    // The reference answers an unknown version with just its own, so the peer can downgrade.
    if (version !== PROTOCOL_VERSION) return out.toHex();

    const size = this.storage.size;
    let prevIndex = 0;
    let prevBound: Bound = ZERO_BOUND;
    // Index where the ranges already written to `out` end: a closing fingerprint covers from here.
    let emitted = 0;
    let skip = false;
    while (!query.done) {
      const o = out.fork();
      const flushSkip = (): void => {
        if (!skip) return;
        skip = false;
        o.bound(prevBound);
        o.varint(Mode.Skip);
      };
      const currBound = query.bound();
      const mode = query.varint();
      const lower = prevIndex;
      const upper = this.storage.findLowerBound(prevIndex, size, currBound);
      let truncatedAt = -1;

      if (mode === Mode.Skip) {
        skip = true;
      } else if (mode === Mode.Fingerprint) {
        const theirs = query.bytes(FINGERPRINT_SIZE);
        if (sameBytes(theirs, this.storage.fingerprint(lower, upper))) skip = true;
        else {
          flushSkip();
          this.splitRange(lower, upper, currBound, o);
        }
      } else if (mode === Mode.IdList) {
        const count = query.varint();
        query.bytes(count * ID_SIZE); // their ids: only the initiator needs them
        flushSkip();
        const end = this.idListReply(lower, upper, currBound, out.length, o);
        if (end < upper) truncatedAt = end;
      } else {
        throw new NegentropyError(`unexpected mode ${mode}`);
      }

      if (truncatedAt >= 0 || this.exceeded(out.length + o.length)) {
        // Out of room: one fingerprint for everything not yet answered; the initiator comes back for it.
        if (truncatedAt >= 0) {
          out.append(o);
          out.adopt(o);
          emitted = truncatedAt;
        }
        out.bound(INFINITE_BOUND);
        out.varint(Mode.Fingerprint);
        out.bytes(this.storage.fingerprint(emitted, size));
        break;
      }
      if (o.length > 0) {
        out.append(o);
        out.adopt(o);
        emitted = upper;
      }
      prevIndex = upper;
      prevBound = currBound;
    }
    return out.toHex();
  }

  /**
   * Our ids of [lower, upper) as an IdList. When they do not fit, the list ends at the first
   * id left out (a full-id bound) and the returned new `upper` lets the caller fingerprint the rest.
   */
  private idListReply(lower: number, upper: number, currBound: Bound, used: number, o: Writer): number {
    let end = upper;
    let endBound = currBound;
    // Bound + mode + count take at most ~50 bytes; the ids are what can overflow.
    for (let i = lower; i < upper; i++) {
      if (this.exceeded(used + o.length + 64 + (i - lower + 1) * ID_SIZE)) {
        end = i;
        endBound = { timestamp: this.storage.timestamp(i), id: this.storage.id(i) };
        break;
      }
    }
    o.bound(endBound);
    o.varint(Mode.IdList);
    o.varint(end - lower);
    for (let i = lower; i < end; i++) o.bytes(this.storage.id(i));
    return end;
  }

  private splitRange(lower: number, upper: number, upperBound: Bound, o: Writer): void {
    const n = upper - lower;
    if (n < BUCKETS * 2) {
      o.bound(upperBound);
      o.varint(Mode.IdList);
      o.varint(n);
      for (let i = lower; i < upper; i++) o.bytes(this.storage.id(i));
      return;
    }
    const perBucket = Math.floor(n / BUCKETS);
    const withExtra = n % BUCKETS;
    let curr = lower;
    for (let b = 0; b < BUCKETS; b++) {
      const bucketSize = perBucket + (b < withExtra ? 1 : 0);
      const fp = this.storage.fingerprint(curr, curr + bucketSize);
      curr += bucketSize;
      o.bound(curr === upper ? upperBound : this.storage.minimalBound(curr));
      o.varint(Mode.Fingerprint);
      o.bytes(fp);
    }
  }

  private exceeded(n: number): boolean {
    return this.frameSizeLimit !== 0 && n > this.frameSizeLimit - FRAME_SLACK;
  }
}
