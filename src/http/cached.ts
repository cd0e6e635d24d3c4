// A value computed at most once per `ttlMs`, shared by concurrent callers (the landing page: rendering it reads
// and parses hundreds of announcements, so a flood of `GET /` must not repeat that per request).
export function cachedFor<T>(ttlMs: number, compute: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let value: { at: number; result: Promise<T> } | undefined;
  return () => {
    const t = now();
    if (value && t - value.at < ttlMs) return value.result;
    const result = compute();
    value = { at: t, result };
    // a failure is not cached
    result.catch(() => {
      if (value?.result === result) value = undefined;
    });
    return result;
  };
}
