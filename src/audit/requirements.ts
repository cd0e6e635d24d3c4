// The GRASP requirement lines the audit checks, with grasp-audit's spec refs (grasp-requirements.md §1).
export type Level = 'MUST' | 'SHOULD' | 'MAY';

export interface Requirement {
  ref: string;
  level: Level;
  text: string;
}

const list = [
  { ref: 'GRASP-01:nostr-relay:7', level: 'MUST', text: 'serve a NIP-01 relay at / that accepts repository announcements and their state announcements' },
  { ref: 'GRASP-01:nostr-relay:9', level: 'MUST', text: 'reject announcements that do not list the service in both clone and relays (unless GRASP-05)' },
  { ref: 'GRASP-01:nostr-relay:13', level: 'MUST', text: 'accept other events that tag, or are tagged by, accepted announcements, issues or patches' },
  { ref: 'GRASP-01:nostr-relay:18', level: 'MAY', text: 'reject or delete events for SPAM prevention or curation (orphans)' },
  { ref: 'GRASP-01:purgatory:22', level: 'SHOULD', text: 'hold new announcements, states, PRs in purgatory ("purgatory: …", not served) until git data arrives' },
  { ref: 'GRASP-01:nip-11:26', level: 'MUST', text: 'serve a NIP-11 document' },
  { ref: 'GRASP-01:nip-11:28', level: 'MUST', text: 'list each supported GRASP under supported_grasps as GRASP-XX strings' },
  { ref: 'GRASP-01:nip-11:29', level: 'MUST', text: 'list repository acceptance criteria under repo_acceptance_criteria' },
  { ref: 'GRASP-01:nip-11:30', level: 'MUST', text: 'curation: a summary when curating, otherwise omitted' },
  { ref: 'GRASP-01:git-http:34', level: 'MUST', text: 'serve unauthenticated git smart HTTP at /<npub>/<identifier>.git for every served or purgatory announcement' },
  { ref: 'GRASP-01:git-http:36', level: 'MUST', text: 'accept pushes that fully align the repo with an authorised state (recursive maintainer set), refuse others' },
  { ref: 'GRASP-01:git-http:39', level: 'MUST', text: 'after receive-pack: release from purgatory, align HEAD, sync other repos governed by the state' },
  { ref: 'GRASP-01:git-http:45', level: 'MUST', text: 'accept pushes to refs/nostr/<event-id>' },
  { ref: 'GRASP-01:git-http:56', level: 'MUST', text: 'advertise allow-reachable-sha1-in-want, allow-tip-sha1-in-want (and filter) and serve available oids' },
  { ref: 'GRASP-01:git-http:58', level: 'SHOULD', text: 'serve a web page at the repo endpoint and a 404 page for unknown repositories' },
  { ref: 'GRASP-01:cors:64', level: 'MUST', text: 'Access-Control-Allow-Origin: * on all responses' },
  { ref: 'GRASP-01:cors:65', level: 'MUST', text: 'Access-Control-Allow-Methods: GET, POST on all responses' },
  { ref: 'GRASP-01:cors:66', level: 'MUST', text: 'Access-Control-Allow-Headers: Content-Type on all responses' },
  { ref: 'GRASP-01:cors:67', level: 'MUST', text: 'respond to OPTIONS with 204 No Content' },
  { ref: 'GRASP-02', level: 'MUST', text: 'proactive sync of events and git data (when advertised)' },
] as const satisfies readonly Requirement[];

export type RequirementRef = (typeof list)[number]['ref'];

export const REQUIREMENTS: ReadonlyMap<string, Requirement> = new Map(list.map((r) => [r.ref, r]));

export function requirement(ref: RequirementRef): Requirement {
  return REQUIREMENTS.get(ref)!;
}
