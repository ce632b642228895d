/** Slack user group members, cached briefly so repeated clicks need no `usergroups.users.list` call. */

/** A minute: long enough for a burst of clicks, short enough that removing a member takes effect soon. */
export const defaultUserGroupTtlMs = 60_000;

interface CachedMembers {
  members: ReadonlySet<string>;
  expiresAt: number;
}

export class UserGroupCache {
  private readonly entries = new Map<string, CachedMembers>();

  constructor(private readonly ttlMs: number = defaultUserGroupTtlMs) {}

  /** Returns the members of `usergroupId` in the tenant's workspace, calling `load` when the entry expired. */
  async members(
    tenantId: string,
    usergroupId: string,
    now: Date,
    load: () => Promise<string[]>,
  ): Promise<ReadonlySet<string>> {
    const key = `${tenantId}:${usergroupId}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now.getTime()) return cached.members;
    const members = new Set(await load());
    this.entries.set(key, { members, expiresAt: now.getTime() + this.ttlMs });
    return members;
  }

  clear(): void {
    this.entries.clear();
  }
}
