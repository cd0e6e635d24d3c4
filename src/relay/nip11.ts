// NIP-11 relay information document (pure), advertising the limits actually enforced.
import type { Config } from '../config/load.js';

export const SOFTWARE = 'https://github.com/graspd/graspd';

export function nip11Document(config: Config, version: string, curation?: string): Record<string, unknown> {
  return {
    ...(curation ? { curation } : {}),
    name: `graspd ${config.domain}`,
    description: 'GRASP server: a Nostr relay and git smart-HTTP host for NIP-34 repositories that list it.',
    software: SOFTWARE,
    version,
    supported_nips: [1, 9, 11, 34, 40, 45, 77],
    supported_grasps: ['GRASP-01', ...(config.archiveAll || config.archiveWhitelist.length > 0 ? ['GRASP-05'] : []), ...(config.sync ? ['GRASP-02'] : []), ...(config.grasp06 ? ['GRASP-06'] : [])],
    repo_acceptance_criteria:
      'Repository announcements (kind 30617) must list this service in both their clone and relays tags. Other events must reference an accepted repository or root event.',
    limitation: {
      max_message_length: config.maxMessageBytes,
      max_subscriptions: config.maxSubscriptions,
      max_filters: config.maxFilters,
      max_limit: config.maxLimit,
      default_limit: config.maxLimit,
      max_subid_length: 64,
      max_event_tags: config.maxEventTags,
      max_content_length: config.maxContentBytes,
      created_at_upper_limit: config.maxFutureSeconds,
      auth_required: false,
      payment_required: false,
      restricted_writes: true,
    },
  };
}
