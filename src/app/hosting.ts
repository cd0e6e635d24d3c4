// Which repositories this service hosts, from the options: those listing it, plus GRASP-05 archives.
import type { Config } from '../config/load.js';
import { parseRepoEntry } from '../policy/lists.js';
import type { HostingScope } from '../policy/archive.js';

export function hostingScope(config: Pick<Config, 'domain' | 'archiveAll' | 'archiveWhitelist' | 'archiveReadOnly'>): HostingScope {
  return {
    domain: config.domain,
    archiveAll: config.archiveAll,
    archiveWhitelist: config.archiveWhitelist.map(parseRepoEntry),
    archiveReadOnly: config.archiveReadOnly,
  };
}
