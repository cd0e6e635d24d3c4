// A push's pack is received into a file first (GRASP-01 "Pushes"; a slow or stalled client must not hold the
// repository lock): only once the whole body is here is the lock taken, the push authorised against the refs and
// states as they are then, and receive-pack fed from the file. A body that arrives slower than a minimum rate
// (after a grace period) is cut, so a stalled client cannot keep a request, a file and a slot forever.
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export class TooSlow extends Error {}

export interface RateRule {
  /** bytes per second the body must keep up, averaged over each window after the grace period; 0 = off */
  minBytesPerSecond: number;
  graceMs: number;
  windowMs?: number;
}

/** Pure: is a transfer that received `bytesInWindow` in the last window (at `elapsedMs` since its start) too slow? */
export function tooSlow(rule: RateRule, elapsedMs: number, bytesInWindow: number, windowMs: number): boolean {
  if (rule.minBytesPerSecond <= 0 || elapsedMs < rule.graceMs) return false;
  return bytesInWindow < (rule.minBytesPerSecond * windowMs) / 1000;
}

/** Passes data through and errors the stream with TooSlow when the rule is broken. */
export function rateGuard(rule: RateRule, now: () => number = Date.now): Transform {
  const windowMs = rule.windowMs ?? 5_000;
  const start = now();
  let inWindow = 0;
  let windowStart = start;
  let timer: NodeJS.Timeout | undefined;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      inWindow += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      clearInterval(timer);
      cb();
    },
    destroy(err, cb) {
      clearInterval(timer);
      cb(err);
    },
  });
  if (rule.minBytesPerSecond > 0) {
    timer = setInterval(() => {
      const t = now();
      if (t - windowStart < windowMs) return;
      if (tooSlow(rule, t - start, inWindow, t - windowStart)) {
        guard.destroy(new TooSlow(`transfer too slow (less than ${rule.minBytesPerSecond} bytes/s)`));
        return;
      }
      inWindow = 0;
      windowStart = t;
    }, Math.min(1_000, windowMs));
    timer.unref();
  }
  return guard;
}

export interface Spooled {
  path: string;
  bytes: number;
  remove(): void;
}

/** Writes the rest of a body into a new file under `dir`; the file is removed when this fails. */
export async function spoolToFile(body: Readable, dir: string): Promise<Spooled> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `push-${process.pid}-${randomBytes(8).toString('hex')}.pack`);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const remove = (): void => rmSync(path, { force: true });
  try {
    await pipeline(body, count, createWriteStream(path));
  } catch (err) {
    remove();
    throw err;
  }
  return { path, bytes, remove };
}
