// NIP-34 and friends: the kinds GRASP cares about, and NIP-01 kind ranges.
export const KIND_DELETION = 5;
export const KIND_PATCH = 1617;
export const KIND_PR = 1618;
export const KIND_PR_UPDATE = 1619;
export const KIND_ISSUE = 1621;
export const KIND_STATUS_OPEN = 1630;
export const KIND_STATUS_APPLIED = 1631;
export const KIND_STATUS_CLOSED = 1632;
export const KIND_STATUS_DRAFT = 1633;
export const KIND_COMMENT = 1111;
export const KIND_REPO_ANNOUNCEMENT = 30617;
export const KIND_REPO_STATE = 30618;

/** Root events: things replies and statuses hang off (sync layer 3). */
export const ROOT_KINDS: readonly number[] = [KIND_PATCH, KIND_PR, KIND_PR_UPDATE, KIND_ISSUE];

export function isReplaceable(kind: number): boolean {
  return kind === 0 || kind === 3 || (kind >= 10000 && kind < 20000);
}
export function isEphemeral(kind: number): boolean {
  return kind >= 20000 && kind < 30000;
}
export function isAddressable(kind: number): boolean {
  return kind >= 30000 && kind < 40000;
}
