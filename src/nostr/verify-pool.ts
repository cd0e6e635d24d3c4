// A pool of worker_threads verifying event ids and signatures (verify-worker.ts).
// Events submitted in the same event-loop turn are micro-batched (≤ BATCH_MAX per message)
// and sent to the least-loaded worker. A worker that dies has its in-flight events verified
// inline (never lost, never hung) and is replaced, up to MAX_RESPAWNS times.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NostrEvent } from './types.js';
import type { VerifyOutcome } from './verify-types.js';

export const BATCH_MAX = 64;
const MAX_RESPAWNS = 32;

/** main → worker */
export interface VerifyRequest {
  batch: number;
  events: NostrEvent[];
}
/** worker → main */
export type VerifyReply = { type: 'ready' } | { type: 'done'; batch: number; outcomes: VerifyOutcome[] };

interface Pending {
  event: NostrEvent;
  resolve: (o: VerifyOutcome) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending[]>;
  load: number;
}

// Same extension as this module, so the worker loads from TypeScript sources under tsx and from dist/.
function newWorker(): Worker {
  const ext = extname(fileURLToPath(import.meta.url)) || '.js';
  const url = new URL(`./verify-worker${ext}`, import.meta.url);
  if (ext !== '.ts') return new Worker(url, { execArgv: process.execArgv });
  // Node 20 does not apply tsx's `--import` hooks to a worker's entry module, so a tiny
  // bootstrap registers tsx inside the worker before importing the TypeScript entry.
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    return new Worker(url, { execArgv: process.execArgv }); // e.g. a runtime that strips types itself
  }
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, execArgv: process.execArgv });
}

export class VerifyPool {
  private readonly slots: Slot[] = [];
  private queue: Pending[] = [];
  private flushScheduled = false;
  private nextBatch = 1;
  private closing = false;
  private respawns = 0;

  private constructor(
    private readonly inline: (e: NostrEvent) => VerifyOutcome,
  ) {}

  static async start(workers: number, inline: (e: NostrEvent) => VerifyOutcome): Promise<VerifyPool> {
    const pool = new VerifyPool(inline);
    try {
      await Promise.all(Array.from({ length: workers }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Workers currently alive (diagnostics and tests). */
  get workers(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Events in flight per worker, in the order of `workers`. */
  get loads(): readonly number[] {
    return this.slots.map((s) => s.load);
  }

  /** Events waiting in the queue or in a worker. */
  get pending(): number {
    return this.queue.length + this.slots.reduce((n, s) => n + s.load, 0);
  }

  submit(event: NostrEvent): Promise<VerifyOutcome> {
    return new Promise((resolve) => {
      if (this.closing) return resolve(this.inline(event));
      this.queue.push({ event, resolve });
      if (this.queue.length >= BATCH_MAX) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const slots = this.slots.splice(0);
    // Nothing in flight is dropped: finish it here before the workers go.
    for (const s of slots) this.verifyInline(s);
    this.flush();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_MAX);
      const slot = this.leastLoaded();
      if (!slot) {
        for (const p of batch) p.resolve(this.inline(p.event));
        continue;
      }
      const id = this.nextBatch++;
      slot.inFlight.set(id, batch);
      slot.load += batch.length;
      const msg: VerifyRequest = { batch: id, events: batch.map((p) => p.event) };
      slot.worker.postMessage(msg);
    }
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (!best || s.load < best.load) best = s;
    return best;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = newWorker();
      const slot: Slot = { worker, inFlight: new Map(), load: 0 };
      let ready = false;
      worker.on('message', (msg: VerifyReply) => {
        if (msg.type === 'ready') {
          ready = true;
          if (this.closing) return void worker.terminate().then(() => resolve());
          this.slots.push(slot);
          this.flush();
          return resolve();
        }
        this.complete(slot, msg.batch, msg.outcomes);
      });
      worker.on('error', (err) => {
        if (!ready) reject(err);
      });
      worker.on('exit', (code) => {
        if (!ready) return reject(new Error(`verify worker exited with code ${code} before it was ready`));
        this.onExit(slot);
      });
    });
  }

  private complete(slot: Slot, batch: number, outcomes: VerifyOutcome[]): void {
    const pending = slot.inFlight.get(batch);
    if (!pending) return;
    slot.inFlight.delete(batch);
    slot.load -= pending.length;
    pending.forEach((p, i) => p.resolve(outcomes[i] ?? this.inline(p.event)));
  }

  private onExit(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return; // removed by close()
    this.slots.splice(i, 1);
    this.verifyInline(slot);
    if (!this.closing && this.respawns < MAX_RESPAWNS) {
      this.respawns++;
      this.spawn().catch(() => undefined);
    }
  }

  private verifyInline(slot: Slot): void {
    for (const batch of slot.inFlight.values()) for (const p of batch) p.resolve(this.inline(p.event));
    slot.inFlight.clear();
    slot.load = 0;
  }
}
