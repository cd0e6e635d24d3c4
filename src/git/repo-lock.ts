// Per-repository mutex (GRASP-01 "Pushes": concurrent pushes to one repo are serialised, and a push
// never interleaves with a server-side state alignment). A promise chain per key; callers hold at
// most one lock at a time, so there is no lock ordering to get wrong.
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for the key, returns the release function (idempotent). */
  async acquire(key: string): Promise<() => void> {
    const prev = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const tail = prev.then(() => mine);
    this.#tails.set(key, tail);
    await prev;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
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
