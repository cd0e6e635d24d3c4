// The single declarative source of every option: parsing, --help and the README table come from here.
export type OptionType = 'string' | 'int' | 'duration' | 'bool' | 'url-list' | 'list' | 'enum';

export interface OptionSpec {
  /** long flag without dashes, e.g. 'sync-batch-window-ms' */
  flag: string;
  type: OptionType;
  default: string | number | boolean | string[] | undefined;
  desc: string;
  choices?: readonly string[];
  /** bool options also accept --no-<flag> */
}

export const OPTIONS = [
  { flag: 'host', type: 'string', default: '127.0.0.1', desc: 'bind address' },
  { flag: 'port', type: 'int', default: 8080, desc: 'listen port (0 = any free port)' },
  { flag: 'domain', type: 'string', default: undefined, desc: 'public host[:port] of this service (default <host>:<port>); relay URL ws(s)://<domain>, clone URLs http(s)://<domain>/<npub>/<d>.git' },
  { flag: 'tls', type: 'bool', default: false, desc: 'public URLs use https/wss (set when behind a TLS proxy)' },
  { flag: 'data-dir', type: 'string', default: './data', desc: 'event database and git repositories live here' },
  { flag: 'bootstrap-relay', type: 'url-list', default: [], desc: 'relay URL to sync announcements from at start; repeatable (env: comma-separated)' },
  { flag: 'sync', type: 'bool', default: true, desc: 'proactive sync (GRASP-02)' },
  { flag: 'allow-private-addresses', type: 'bool', default: false, desc: 'allow outbound relay and git connections to loopback/private/link-local addresses (tests, LAN setups)' },
  { flag: 'max-limit', type: 'int', default: 500, desc: 'largest number of events one REQ filter returns' },
  { flag: 'max-message-bytes', type: 'int', default: 524288, desc: 'largest WebSocket message accepted' },
  { flag: 'max-connections-per-ip', type: 'int', default: 1000, desc: 'concurrent WebSocket connections from one address' },
  { flag: 'max-subscriptions', type: 'int', default: 100, desc: 'open subscriptions per connection' },
  { flag: 'max-filters', type: 'int', default: 100, desc: 'filters per REQ' },
  { flag: 'max-event-tags', type: 'int', default: 2500, desc: 'tags per event' },
  { flag: 'max-content-bytes', type: 'int', default: 262144, desc: 'event content length in bytes' },
  { flag: 'max-future-seconds', type: 'int', default: 900, desc: 'how far in the future created_at may be' },
  { flag: 'max-count', type: 'int', default: 100000, desc: 'COUNT stops counting here and answers {"count": N, "approximate": true} (NIP-45)' },
  { flag: 'negentropy-max-records', type: 'int', default: 100000, desc: 'largest set of stored events one NIP-77 NEG-OPEN may reconcile (beyond: NEG-ERR blocked)' },
  { flag: 'negentropy-idle-ms', type: 'duration', default: 60000, desc: 'a NIP-77 session with no message for this long is closed (NEG-ERR closed)' },
  { flag: 'rate-limit-events-per-second', type: 'int', default: 500, desc: 'per-connection EVENT rate (token bucket refill)' },
  { flag: 'rate-limit-burst', type: 'int', default: 2000, desc: 'per-connection EVENT burst (token bucket size)' },
  { flag: 'verify-workers', type: 'int', default: 2, desc: 'signature verification worker threads (0 = verify on the main thread)' },
  { flag: 'ws-ping-interval-ms', type: 'duration', default: 30000, desc: 'WebSocket keepalive: ping every peer (clients and sync links) this often; one without a pong by the next ping is dropped' },
  { flag: 'log-level', type: 'enum', default: 'info', choices: ['debug', 'info', 'warn', 'error'], desc: 'log level' },
  { flag: 'sync-batch-window-ms', type: 'duration', default: 5000, desc: 'self-subscriber batch window' },
  { flag: 'sync-health-interval-ms', type: 'duration', default: 2000, desc: 'health / retry / disconnect checker tick' },
  { flag: 'sync-quick-reconnect-window-ms', type: 'duration', default: 900000, desc: 'reconnect within this window: catch-up with since; longer: fresh sync' },
  { flag: 'sync-backoff-base-ms', type: 'duration', default: 5000, desc: 'first reconnect backoff (doubles per failure)' },
  { flag: 'sync-backoff-max-ms', type: 'duration', default: 3600000, desc: 'backoff cap' },
  { flag: 'sync-dead-after-ms', type: 'duration', default: 86400000, desc: 'continuous failure before a relay is Dead (then retried once per this period)' },
  { flag: 'sync-daily-min-ms', type: 'duration', default: 82800000, desc: 'full reconciliation timer, lower bound' },
  { flag: 'sync-daily-max-ms', type: 'duration', default: 90000000, desc: 'full reconciliation timer, upper bound' },
  { flag: 'sync-consolidation-threshold', type: 'int', default: 70, desc: 'max live filters per remote relay before consolidation' },
  { flag: 'sync-rate-limit-cooldown-ms', type: 'duration', default: 65000, desc: 'pause after a relay says it rate-limits us' },
  { flag: 'sync-negentropy', type: 'bool', default: true, desc: 'use NIP-77 for historic sync when the remote supports it' },
  { flag: 'sync-stability-ms', type: 'duration', default: 300000, desc: 'a reconnected relay counts as failing (backoff keeps growing, Dead still reachable) until its connection has stayed up this long' },
  { flag: 'sync-request-timeout-ms', type: 'duration', default: 30000, desc: 'a historic or id-fetch REQ to a remote relay with no EVENT or EOSE for this long is given up and its part re-tried later' },
  { flag: 'sync-connect-timeout-ms', type: 'duration', default: 10000, desc: 'timeout of one outbound relay connection attempt' },
  { flag: 'sync-relay-events-per-second', type: 'int', default: 2000, desc: 'inbound budget per remote relay: messages (EVENT, NOTICE, …) per second, bursts of 10 s allowed; beyond it reading from that relay pauses' },
  { flag: 'sync-relay-bytes-per-second', type: 'int', default: 8388608, desc: 'inbound budget per remote relay: bytes per second, bursts of 10 s allowed; beyond it reading from that relay pauses' },
  { flag: 'sync-relay-pause-ms', type: 'duration', default: 30000, desc: 'how long reading from a relay that overdrew its inbound budget pauses' },
  { flag: 'sync-max-relays-per-announcement', type: 'int', default: 10, desc: 'relays taken from one announcement (relays tag, then GRASP clone URLs, in order; our own URLs not counted)' },
  { flag: 'sync-max-relays-per-host', type: 'int', default: 3, desc: 'relays of one host name (other ports, paths) taken from one announcement' },
  { flag: 'sync-negentropy-timeout-ms', type: 'duration', default: 10000, desc: 'a NEG-OPEN / NEG-MSG without an answer for this long ends the NIP-77 session (falls back to REQ)' },
  { flag: 'purgatory-expiry-ms', type: 'duration', default: 1800000, desc: 'events waiting for git data are dropped after this' },
  { flag: 'gitfetch-delay-ms', type: 'duration', default: 500, desc: 'delay before hunting git data for a synced event' },
  { flag: 'gitfetch-user-delay-ms', type: 'duration', default: 180000, desc: 'delay before hunting git data for an event a client published' },
  { flag: 'gitfetch-backoff-base-ms', type: 'duration', default: 20000, desc: 'first retry delay of a failed git fetch job (doubles per round of clone URLs)' },
  { flag: 'gitfetch-backoff-max-ms', type: 'duration', default: 120000, desc: 'git fetch retry delay cap' },
  { flag: 'gitfetch-park-ms', type: 'duration', default: 600000, desc: 'a clone host failing persistently (DNS, TLS, refused) is parked this long (doubling up to 6x)' },
  { flag: 'gitfetch-timeout-ms', type: 'duration', default: 300000, desc: 'timeout of one git fetch from a remote clone URL' },
  { flag: 'gitfetch-max-bytes', type: 'int', default: 1073741824, desc: 'largest pack one git fetch may download' },
  { flag: 'gitfetch-max-concurrent', type: 'int', default: 8, desc: 'git fetches running at once, all hosts together (the per-host cap alone is defeated by wildcard subdomains)' },
  { flag: 'gitfetch-max-quarantine-bytes', type: 'int', default: 2147483648, desc: 'bytes all running git fetches may hold in quarantine together; beyond it the largest is stopped and retried later' },
  { flag: 'gitfetch-recheck-interval-ms', type: 'duration', default: 3600000, desc: 'periodic check of every hosted repo against its latest state' },
  { flag: 'git-timeout-ms', type: 'duration', default: 600000, desc: 'timeout of one git HTTP request' },
  { flag: 'git-max-requests', type: 'int', default: 64, desc: 'git HTTP requests served at once; more wait up to 10 s, then get 503 with Retry-After' },
  { flag: 'git-max-processes', type: 'int', default: 32, desc: 'git child processes running at once (serving, pushes, repository upkeep, git data sync); more wait for a slot' },
  { flag: 'git-min-transfer-bytes-per-second', type: 'int', default: 1024, desc: 'a push body arriving slower than this (after the grace period) is cut with HTTP 408; 0 = no minimum' },
  { flag: 'git-transfer-grace-ms', type: 'duration', default: 20000, desc: 'time a push body may take before the minimum transfer rate applies' },
  { flag: 'git-max-body-bytes', type: 'int', default: 1073741824, desc: 'largest git HTTP request body (push size cap)' },
  { flag: 'repo-whitelist', type: 'list', default: [], desc: 'only matching announcements are accepted (they must still list the service); entries <npub>, <npub>/<identifier> or <identifier>; repeatable (env: comma-separated)' },
  { flag: 'repo-blacklist', type: 'list', default: [], desc: 'matching announcements are refused and matching repositories and their events are no longer served; wins over every whitelist' },
  { flag: 'author-blacklist', type: 'list', default: [], desc: 'npubs whose events are never stored, held, served or synced, whatever the kind' },
  { flag: 'lists-file', type: 'string', default: undefined, desc: 'file holding the three lists, one "<list-name> <entry>" per line (# comments); re-read on change and on SIGHUP' },
  { flag: 'archive-whitelist', type: 'list', default: [], desc: 'GRASP-05: also host (sync, events and git data) matching announcements that do not list this service; entries as for the lists' },
  { flag: 'archive-all', type: 'bool', default: false, desc: 'GRASP-05: host every announcement, listing this service or not' },
  { flag: 'archive-read-only', type: 'bool', default: true, desc: 'archived repositories refuse pushes' },
  { flag: 'max-repos-per-author', type: 'int', default: 100, desc: 'repositories (served + in purgatory) one author may have here' },
  { flag: 'max-purgatory-repos-per-author', type: 'int', default: 10, desc: 'of which waiting for their first push (each has a bare repo on disk)' },
  { flag: 'max-purgatory-repos', type: 'int', default: 1000, desc: 'repositories waiting for their first push, all authors together' },
  { flag: 'min-free-disk-bytes', type: 'int', default: 1073741824, desc: 'below this much free space under --data-dir, new repositories and pushes are refused; serving continues' },
  { flag: 'max-repo-bytes', type: 'int', default: 4294967296, desc: 'largest size on disk of one repository: a push that would exceed it is refused' },
  { flag: 'grasp06', type: 'bool', default: false, desc: 'GRASP-06 /prs/<npub>/<identifier>.git contributor endpoint (PR commits pushed before or after the PR event)' },
  { flag: 'git-maintenance-interval-ms', type: 'duration', default: 3600000, desc: 'periodic git maintenance sweep over every repo (repack, commit-graph; full repack and prune once per prune grace); 0 = only after changes' },
  { flag: 'git-maintenance-debounce-ms', type: 'duration', default: 60000, desc: 'a repo is maintained this long after its first push / fetch since the last run' },
  { flag: 'git-maintenance-concurrency', type: 'int', default: 1, desc: 'repos maintained at the same time (at idle CPU/IO priority); 0 = no maintenance' },
  { flag: 'git-prune-grace-ms', type: 'duration', default: 86400000, desc: 'unreachable git objects younger than this (and than --purgatory-expiry-ms) are never deleted' },
  { flag: 'git-object-pools', type: 'bool', default: true, desc: 'copies of one repository (same d and maintainers, or same earliest unique commit) share objects in a pool under <data-dir>/pools' },
] as const satisfies readonly OptionSpec[];

export function envName(flag: string): string {
  return 'GRASPD_' + flag.toUpperCase().replace(/-/g, '_');
}
