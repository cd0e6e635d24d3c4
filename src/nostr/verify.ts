// NIP-01 event verification: shape, then id (canonical serialization + sha256), then the
// BIP-340 signature. Signatures are ~70% of the ingest cost, so `createVerifier` moves them
// off the main thread into a worker pool (verify-pool.ts); `workers: 0` verifies inline.
import { createHash } from 'node:crypto';
import { verifySchnorr } from 'tiny-secp256k1';
import { serializeForId, validateEventShape } from './event.js';
import type { NostrEvent } from './types.js';
import type { EventVerifier, SignatureBackend, VerifyOutcome } from './verify-types.js';
import { VerifyPool } from './verify-pool.js';

/** libsecp256k1 compiled to wasm: ~5k verifications/s per core. */
export const tinySecpBackend: SignatureBackend = {
  name: 'tiny-secp256k1',
  verifySchnorr(msg, pubkey, sig) {
    // tiny-secp256k1 throws on a pubkey off the curve or an out-of-range r/s: both just mean "not valid".
    try {
      return verifySchnorr(msg, pubkey, sig);
    } catch {
      return false;
    }
  },
};

/** Id and signature of an event whose shape is already known good. */
export function verifyShapedEvent(event: NostrEvent, backend: SignatureBackend): VerifyOutcome {
  const hash = createHash('sha256').update(serializeForId(event), 'utf8').digest();
  if (hash.toString('hex') !== event.id) return { ok: false, reason: 'invalid: event id does not match' };
  const ok = backend.verifySchnorr(hash, Buffer.from(event.pubkey, 'hex'), Buffer.from(event.sig, 'hex'));
  return ok ? { ok: true } : { ok: false, reason: 'invalid: bad signature' };
}

/** Shape → id → signature, on the calling thread. Never throws. */
export function verifyEventSync(event: unknown, backend: SignatureBackend): VerifyOutcome {
  const shaped = validateEventShape(event);
  if ('reason' in shaped) return { ok: false, reason: shaped.reason };
  return verifyShapedEvent(shaped, backend);
}

export interface VerifierOptions {
  /** worker threads; 0 verifies on the calling thread */
  workers: number;
}

class InlineVerifier implements EventVerifier {
  constructor(private readonly backend: SignatureBackend) {}
  verify(event: unknown): Promise<VerifyOutcome> {
    return Promise.resolve(verifyEventSync(event, this.backend));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

class PooledVerifier implements EventVerifier {
  constructor(private readonly pool: VerifyPool) {}
  verify(event: unknown): Promise<VerifyOutcome> {
    // Shape errors are cheap to find and need no clone to a worker.
    const shaped = validateEventShape(event);
    if ('reason' in shaped) return Promise.resolve({ ok: false, reason: shaped.reason });
    return this.pool.submit(shaped);
  }
  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Resolves once every worker has loaded its backend; rejects if one cannot start. */
export async function createVerifier(opts: VerifierOptions): Promise<EventVerifier> {
  const workers = Math.max(0, Math.floor(opts.workers));
  if (workers === 0) return new InlineVerifier(tinySecpBackend);
  const pool = await VerifyPool.start(workers, (e) => verifyShapedEvent(e, tinySecpBackend));
  return new PooledVerifier(pool);
}
