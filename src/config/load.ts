// Parses argv + GRASPD_* env against the schema into a typed Config. Flags win over env.
import { OPTIONS, envName, type OptionSpec } from './schema.js';
import { ListEntryError, parseAuthorEntry, parseRepoEntry } from '../policy/lists.js';
import { trustedProxies } from '../http/client-address.js';

export interface Config {
  host: string;
  port: number;
  domain: string;
  tls: boolean;
  dataDir: string;
  bootstrapRelays: string[];
  sync: boolean;
  allowPrivateAddresses: boolean;
  maxLimit: number;
  maxMessageBytes: number;
  maxConnectionsPerIp: number;
  maxSubscriptions: number;
  maxFilters: number;
  maxEventTags: number;
  maxContentBytes: number;
  maxFutureSeconds: number;
  maxCount: number;
  negentropyMaxRecords: number;
  negentropyIdleMs: number;
  rateLimitEventsPerSecond: number;
  rateLimitBurst: number;
  verifyWorkers: number;
  wsPingIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  syncBatchWindowMs: number;
  syncHealthIntervalMs: number;
  syncQuickReconnectWindowMs: number;
  syncBackoffBaseMs: number;
  syncBackoffMaxMs: number;
  syncDeadAfterMs: number;
  syncDailyMinMs: number;
  syncDailyMaxMs: number;
  syncConsolidationThreshold: number;
  syncRateLimitCooldownMs: number;
  syncNegentropy: boolean;
  syncConnectTimeoutMs: number;
  syncRequestTimeoutMs: number;
  syncStabilityMs: number;
  syncRelayEventsPerSecond: number;
  syncRelayBytesPerSecond: number;
  syncRelayPauseMs: number;
  syncMaxRelaysPerAnnouncement: number;
  syncMaxRelaysPerHost: number;
  syncNegentropyTimeoutMs: number;
  purgatoryExpiryMs: number;
  gitfetchDelayMs: number;
  gitfetchUserDelayMs: number;
  gitfetchBackoffBaseMs: number;
  gitfetchBackoffMaxMs: number;
  gitfetchParkMs: number;
  gitfetchTimeoutMs: number;
  gitfetchMaxBytes: number;
  gitfetchMaxConcurrent: number;
  gitfetchMaxQuarantineBytes: number;
  gitfetchRecheckIntervalMs: number;
  gitTimeoutMs: number;
  gitMaxBodyBytes: number;
  gitMaxRequests: number;
  gitMaxProcesses: number;
  gitMinTransferBytesPerSecond: number;
  gitTransferGraceMs: number;
  repoWhitelist: string[];
  repoBlacklist: string[];
  authorBlacklist: string[];
  listsFile: string | undefined;
  databaseUrl: string | undefined;
  clusterLeaderCheckMs: number;
  archiveWhitelist: string[];
  archiveAll: boolean;
  archiveReadOnly: boolean;
  maxReposPerAuthor: number;
  maxPurgatoryReposPerAuthor: number;
  maxPurgatoryRepos: number;
  minFreeDiskBytes: number;
  maxRepoBytes: number;
  grasp06: boolean;
  gitMaintenanceIntervalMs: number;
  gitMaintenanceDebounceMs: number;
  gitMaintenanceConcurrency: number;
  gitPruneGraceMs: number;
  gitObjectPools: boolean;
  trustedProxy: string[];
  adminToken: string | undefined;
}

export class ConfigError extends Error {}

const KEY_OVERRIDES: Record<string, keyof Config> = { 'bootstrap-relay': 'bootstrapRelays' };

export function configKey(flag: string): keyof Config {
  return KEY_OVERRIDES[flag] ?? (flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Config);
}

function parseValue(spec: OptionSpec, raw: string, origin: string): unknown {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new ConfigError(`${origin}: empty value`);
      return raw;
    case 'int':
    case 'duration': {
      if (!/^\d+$/.test(raw.trim())) {
        throw new ConfigError(`${origin}: expected a non-negative integer${spec.type === 'duration' ? ' (milliseconds)' : ''}, got ${JSON.stringify(raw)}`);
      }
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) throw new ConfigError(`${origin}: number too large: ${raw}`);
      return n;
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`${origin}: expected true/false, got ${JSON.stringify(raw)}`);
    }
    case 'enum':
      if (!spec.choices?.includes(raw)) throw new ConfigError(`${origin}: expected one of ${spec.choices?.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    case 'url-list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean).map((u) => checkRelayUrl(u, origin));
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

function checkRelayUrl(u: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new ConfigError(`${origin}: malformed URL ${JSON.stringify(u)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new ConfigError(`${origin}: relay URL must be ws:// or wss://, got ${JSON.stringify(u)}`);
  return u;
}

export type ParseResult = { type: 'config'; config: Config } | { type: 'help' } | { type: 'version' };

export function parseConfig(argv: string[], env: Record<string, string | undefined>): ParseResult {
  const values = new Map<string, unknown>();
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    const raw = env[envName(spec.flag)];
    if (raw !== undefined && raw !== '') values.set(spec.flag, parseValue(spec, raw, envName(spec.flag)));
  }
  const byFlag = new Map((OPTIONS as readonly OptionSpec[]).map((s) => [s.flag, s]));
  const fromFlags = new Map<string, unknown>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { type: 'help' };
    if (arg === '--version' || arg === '-v') return { type: 'version' };
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (options are --name value)`);
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let spec = byFlag.get(name);
    if (!spec && name.startsWith('no-') && byFlag.get(name.slice(3))?.type === 'bool' && inline === undefined) {
      fromFlags.set(name.slice(3), false);
      continue;
    }
    if (!spec) throw new ConfigError(`unknown option --${name} (see --help)`);
    if (spec.type === 'bool' && inline === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && /^(true|false)$/i.test(next)) {
        fromFlags.set(name, parseValue(spec, next, `--${name}`));
        i++;
      } else fromFlags.set(name, true);
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new ConfigError(`--${name} needs a value`);
    const v = parseValue(spec, raw, `--${name}`);
    if (spec.type === 'url-list' || spec.type === 'list') {
      const prev = fromFlags.get(name);
      fromFlags.set(name, [...(Array.isArray(prev) ? prev : []), ...(v as string[])]);
    } else fromFlags.set(name, v);
  }
  for (const [k, v] of fromFlags) values.set(k, v);

  const out: Record<string, unknown> = {};
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    out[configKey(spec.flag)] = values.has(spec.flag) ? values.get(spec.flag) : spec.default;
  }
  const cfg = out as unknown as Config;
  if (cfg.port > 65535) throw new ConfigError(`--port: must be ≤ 65535`);
  if (cfg.syncDailyMinMs > cfg.syncDailyMaxMs) throw new ConfigError('--sync-daily-min-ms must be ≤ --sync-daily-max-ms');
  if (cfg.syncBackoffBaseMs > cfg.syncBackoffMaxMs) throw new ConfigError('--sync-backoff-base-ms must be ≤ --sync-backoff-max-ms');
  if (cfg.gitfetchBackoffBaseMs > cfg.gitfetchBackoffMaxMs) throw new ConfigError('--gitfetch-backoff-base-ms must be ≤ --gitfetch-backoff-max-ms');
  if (cfg.wsPingIntervalMs < 100) throw new ConfigError('--ws-ping-interval-ms must be ≥ 100');
  if (cfg.maxLimit < 1) throw new ConfigError('--max-limit must be ≥ 1');
  if (cfg.gitMaxRequests < 1) throw new ConfigError('--git-max-requests must be ≥ 1');
  if (cfg.gitMaxProcesses < 1) throw new ConfigError('--git-max-processes must be ≥ 1');
  if (cfg.maxMessageBytes < 1024) throw new ConfigError('--max-message-bytes must be ≥ 1024');
  checkListEntries(cfg);
  for (const f of ['sync-relay-events-per-second', 'sync-relay-bytes-per-second', 'sync-max-relays-per-announcement', 'sync-max-relays-per-host', 'gitfetch-max-concurrent']) {
    if ((cfg[configKey(f)] as number) < 1) throw new ConfigError(`--${f} must be ≥ 1`);
  }
  try {
    trustedProxies(cfg.trustedProxy);
  } catch (err) {
    throw new ConfigError(`--trusted-proxy: ${(err as Error).message}`);
  }
  if (cfg.domain === undefined) cfg.domain = `${cfg.host}:${cfg.port}`;
  if (/[\/\s]/.test(cfg.domain)) throw new ConfigError(`--domain: expected host[:port], got ${JSON.stringify(cfg.domain)}`);
  cfg.domain = cfg.domain.toLowerCase();
  return { type: 'config', config: cfg };
}

/** Bad moderation-list entries fail at start (exit 2), not at the first event. */
function checkListEntries(cfg: Config): void {
  const check = (flag: string, entries: string[], parse: (s: string) => unknown): void => {
    for (const e of entries) {
      try {
        parse(e);
      } catch (err) {
        if (err instanceof ListEntryError) throw new ConfigError(`--${flag}: ${err.message}`);
        throw err;
      }
    }
  };
  check('repo-whitelist', cfg.repoWhitelist, parseRepoEntry);
  check('repo-blacklist', cfg.repoBlacklist, parseRepoEntry);
  check('author-blacklist', cfg.authorBlacklist, parseAuthorEntry);
  check('archive-whitelist', cfg.archiveWhitelist, parseRepoEntry);
}

export function helpText(): string {
  const lines = ['Usage: graspd [options]', '', 'GRASP server: Nostr relay + git smart-HTTP host (GRASP-01, GRASP-02).', '', 'Options (every option is also an env var GRASPD_<NAME>; flags win):'];
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    const flag = spec.type === 'bool' ? `--${spec.flag} / --no-${spec.flag}` : `--${spec.flag} <${spec.type === 'duration' ? 'ms' : spec.type === 'url-list' ? 'url' : spec.type === 'list' ? 'entry' : spec.type === 'enum' ? spec.choices?.join('|') : spec.type}>`;
    const def = Array.isArray(spec.default) ? (spec.default.length ? spec.default.join(',') : 'none') : spec.default === undefined ? (spec.flag === 'domain' ? '<host>:<port>' : 'none') : String(spec.default);
    lines.push(`  ${flag.padEnd(52)} ${spec.desc} (default: ${def}; env ${envName(spec.flag)})`);
  }
  lines.push('  --help                                              show this help', '  --version                                           print the version');
  lines.push(
    '',
    'Admin commands (--url defaults to http://127.0.0.1:8080):',
    '  graspd status | relays | repos [--incomplete] [--url URL] [--json]   tables from a running server (GET /api/status)',
    '  graspd resync <ws(s)://relay> [--url URL] [--admin-token T]          sync one remote relay afresh (loopback or token)',
    '  graspd export [--url URL | --data-dir DIR] > events.jsonl            events as JSON lines',
    '  graspd import [--url URL] < events.jsonl                             publish through admission',
    '  graspd audit <http(s)://host>                                        GRASP conformance probe (exit 1 on a MUST failure)',
  );
  return lines.join('\n');
}

/** Markdown options table for the README (scripts/options-table.ts prints it). */
export function optionsMarkdown(): string {
  const rows = ['| flag | env | default | meaning |', '|---|---|---|---|'];
  for (const spec of OPTIONS as readonly OptionSpec[]) {
    const def = Array.isArray(spec.default) ? (spec.default.length ? spec.default.join(',') : 'none') : spec.default === undefined ? (spec.flag === 'domain' ? '`<host>:<port>`' : 'none') : `\`${String(spec.default)}\``;
    const flag = spec.type === 'bool' ? `\`--${spec.flag}\` / \`--no-${spec.flag}\`` : `\`--${spec.flag}\``;
    rows.push(`| ${flag} | \`${envName(spec.flag)}\` | ${def} | ${spec.desc} |`);
  }
  return rows.join('\n');
}
