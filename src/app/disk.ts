// Free space under the data dir (statfs), cached briefly: asked for every new repository and every push.
import { statfsSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';

const CACHE_MS = 2_000;

export function freeDiskReader(dir: string, now: () => number = Date.now): () => number {
  let cached: { at: number; bytes: number } | undefined;
  return () => {
    const t = now();
    if (cached && t - cached.at < CACHE_MS) return cached.bytes;
    let bytes = Number.MAX_SAFE_INTEGER;
    try {
      const s = statfsSync(dir);
      bytes = s.bavail * s.bsize;
    } catch {
      // unknown: do not block on a failed probe
    }
    cached = { at: t, bytes };
    return bytes;
  };
}

/** Bytes of regular files under dir (a repository's size on disk); symlinks are not followed. */
export function directoryBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const p = join(d, name);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) stack.push(p);
        else if (st.isFile()) total += st.size;
      } catch {
        // vanished meanwhile (a concurrent repack): not counted
      }
    }
  }
  return total;
}
