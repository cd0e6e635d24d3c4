// Per-repository mutex (GRASP-01 "Pushes": concurrent pushes to one repo are serialised, and a push
// never interleaves with a server-side state alignment). A promise chain per key; callers hold at
// most one lock at a time, so there is no lock ordering to get wrong.
/** A lock that also holds across processes (several instances sharing one data directory). */
export interface SharedLock {
  /** Waits for the key; resolves with the release function. */
  acquire(key: string): Promise<() => Promise<void>>;
}

export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** @param shared taken after the in-process lock, released before it */
  constructor(private readonly shared?: SharedLock) {}

  /** Waits for the key, returns the release function (idempotent). */
  async acquire(key: string): Promise<() => void> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.#tails.set(key, tail);
    await prev;
    let unlockShared: (() => Promise<void>) | undefined;
    if (this.shared) {
      try {
        unlockShared = await this.shared.acquire(key);
      } catch (err) {
        release();
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
        throw err;
      }
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const local = (): void => {
        release();
        if (this.#tails.get(key) === tail) this.#tails.delete(key);
      };
      if (unlockShared) void unlockShared().finally(local);
      else local();
    };
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
