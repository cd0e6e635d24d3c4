// Verification seam: a backend checks BIP-340 signatures; ids are checked with node:crypto sha256.
export interface SignatureBackend {
  readonly name: string;
  /** 32-byte hash (the event id), 32-byte x-only pubkey, 64-byte signature. */
  verifySchnorr(msg: Uint8Array, pubkey: Uint8Array, sig: Uint8Array): boolean;
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: `invalid: ${string}` };

export interface EventVerifier {
  /** Checks shape, id (canonical serialization + sha256) and signature. Never throws. */
  verify(event: unknown): Promise<VerifyOutcome>;
  close(): Promise<void>;
}
