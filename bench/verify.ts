// Verification throughput (shape + id + BIP-340 signature): inline on the main thread against
// the worker pool on all cores. `measureRawVerifyRate` is also the ingest benchmark's baseline.
// Standalone: `node --import tsx bench/verify.ts`.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { signSchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { computeEventId } from '../src/nostr/event.js';
import type { NostrEvent } from '../src/nostr/types.js';
import { createVerifier } from '../src/nostr/verify.js';
import type { BenchRow } from './types.js';

const GROUP = 'verify';
const EVENTS = 5000;
const WARMUP = 200;

/** Distinct events signed by a few keys, with tags and content of a typical size. */
export function makeSignedEvents(n: number): NostrEvent[] {
  const keys = Array.from({ length: 8 }, () => {
    let sk = randomBytes(32);
    while (sk[0] === 0) sk = randomBytes(32);
    return { sk, pubkey: Buffer.from(xOnlyPointFromScalar(sk)).toString('hex') };
  });
  const events: NostrEvent[] = [];
  for (let i = 0; i < n; i++) {
    const { sk, pubkey } = keys[i % keys.length]!;
    const e = {
      pubkey,
      created_at: 1_700_000_000 + i,
      kind: 1,
      tags: [['e', randomBytes(32).toString('hex')], ['t', 'bench']],
      content: `bench event ${i} `.padEnd(400, 'x'),
    };
    const id = computeEventId(e);
    events.push({ ...e, id, sig: Buffer.from(signSchnorr(Buffer.from(id, 'hex'), sk)).toString('hex') });
  }
  return events;
}

/** Events per second through `createVerifier({ workers })` (0 = inline), start-up excluded. */
export async function measureRawVerifyRate(workers: number, events: NostrEvent[]): Promise<number> {
  const verifier = await createVerifier({ workers });
  try {
    await Promise.all(events.slice(0, WARMUP).map((e) => verifier.verify(e)));
    const t0 = performance.now();
    const outcomes = await Promise.all(events.map((e) => verifier.verify(e)));
    const seconds = (performance.now() - t0) / 1000;
    if (outcomes.some((o) => !o.ok)) throw new Error('bench events failed verification');
    return events.length / seconds;
  } finally {
    await verifier.close();
  }
}

export async function run(): Promise<BenchRow[]> {
  const events = makeSignedEvents(EVENTS);
  const cores = availableParallelism();
  const inline = await measureRawVerifyRate(0, events);
  const pooled = await measureRawVerifyRate(cores, events);
  const base = { name: 'inline (main thread)', value: Math.round(inline), unit: 'events/s' };
  return [
    { group: GROUP, name: 'inline (main thread)', value: Math.round(inline), unit: 'events/s' },
    {
      group: GROUP,
      name: `worker pool (${cores} workers)`,
      value: Math.round(pooled),
      unit: 'events/s',
      baseline: base,
      ratio: Number((pooled / inline).toFixed(2)),
      target: `≥ ${(0.8 * cores).toFixed(1)}× inline`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
