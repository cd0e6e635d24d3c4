// Bytes on disk of a directory tree (repository size caps, storage gauges).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size of the files under `dir` (missing files count 0: git renames and deletes while we look). */
export async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile()) {
      try {
        total += (await stat(p)).size;
      } catch { /* gone meanwhile */ }
    }
  }
  return total;
}
