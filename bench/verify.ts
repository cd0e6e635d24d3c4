// Verification throughput (shape + id + BIP-340 signature): inline on the main thread against
// the worker pool on all cores. `measureRawVerifyRate` is also the ingest benchmark's baseline.
// Standalone: `node --import tsx bench/verify.ts`.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
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

interface VerifyMeasurement {
  eventsPerSecond: number;
  /** main-thread busy time per event (event-loop utilization × wall time / events) */
  mainThreadUsPerEvent: number;
}

async function measure(workers: number, events: NostrEvent[]): Promise<VerifyMeasurement> {
  const verifier = await createVerifier({ workers });
  try {
    await Promise.all(events.slice(0, WARMUP).map((e) => verifier.verify(e)));
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const outcomes = await Promise.all(events.map((e) => verifier.verify(e)));
    const ms = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0);
    if (outcomes.some((o) => !o.ok)) throw new Error('bench events failed verification');
    return { eventsPerSecond: events.length / (ms / 1000), mainThreadUsPerEvent: (elu.active * 1000) / events.length };
  } finally {
    await verifier.close();
  }
}

/** Events per second through `createVerifier({ workers })` (0 = inline), start-up excluded. */
export async function measureRawVerifyRate(workers: number, events: NostrEvent[]): Promise<number> {
  return (await measure(workers, events)).eventsPerSecond;
}

export async function run(): Promise<BenchRow[]> {
  const events = makeSignedEvents(EVENTS);
  const cores = availableParallelism();
  const inline = await measure(0, events);
  const pooled = await measure(cores, events);
  const rate = (m: VerifyMeasurement): number => Math.round(m.eventsPerSecond);
  const main = (m: VerifyMeasurement): number => Number(m.mainThreadUsPerEvent.toFixed(1));
  return [
    { group: GROUP, name: 'inline (main thread)', value: rate(inline), unit: 'events/s' },
    {
      group: GROUP,
      name: `worker pool (${cores} workers)`,
      value: rate(pooled),
      unit: 'events/s',
      baseline: { name: 'inline (main thread)', value: rate(inline), unit: 'events/s' },
      ratio: Number((pooled.eventsPerSecond / inline.eventsPerSecond).toFixed(2)),
      target: `≥ ${(0.8 * cores).toFixed(1)}× inline on an idle machine`,
    },
    {
      group: GROUP,
      name: 'main-thread time per event, pool',
      value: main(pooled),
      unit: 'µs',
      baseline: { name: 'main-thread time per event, inline', value: main(inline), unit: 'µs' },
      ratio: Number((pooled.mainThreadUsPerEvent / inline.mainThreadUsPerEvent).toFixed(2)),
      target: '≤ 0.2× inline',
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
