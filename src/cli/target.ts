// The running server an admin command talks to: --url (default http://127.0.0.1:8080), as http and ws URLs.
import { UsageError, type SubArgs } from './sub-args.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface Target {
  http: string;
  ws: string;
}

export function targetOf(a: SubArgs): Target {
  const raw = a.value('url') ?? process.env.GRASPD_URL ?? DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: not a URL: ${raw}`);
  }
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol)) throw new UsageError(`--url: expected http(s):// or ws(s)://, got ${raw}`);
  return { http: `${secure ? 'https' : 'http'}://${u.host}`, ws: `${secure ? 'wss' : 'ws'}://${u.host}` };
}
