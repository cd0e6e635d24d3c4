// A counting semaphore with a bounded wait: how many git child processes run at once, and how many git HTTP
// requests are served at once (the rest wait their turn, or are refused when the wait would be too long).
export class Slots {
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private max: number) {}

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  setMax(max: number): void {
    this.max = Math.max(1, max);
    this.#wake();
  }

  /** Resolves with the release function once a slot is free; undefined when `timeoutMs` passed first. */
  acquire(timeoutMs = Infinity): Promise<(() => void) | undefined> {
    if (this.#active < this.max) return Promise.resolve(this.#take());
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const grant = (): void => {
        clearTimeout(timer);
        resolve(this.#take());
      };
      this.#waiting.push(grant);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const i = this.#waiting.indexOf(grant);
          if (i >= 0) this.#waiting.splice(i, 1);
          resolve(undefined);
        }, timeoutMs);
      }
    });
  }

  #take(): () => void {
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#wake();
    };
  }

  #wake(): void {
    while (this.#active < this.max && this.#waiting.length > 0) this.#waiting.shift()!();
  }
}
