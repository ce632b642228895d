/**
 * Decides whether a click on an alert button may act. The click must come from a Slack workspace
 * installed for the tenant that owns the alert. When the tenant restricts actions to a user group, the
 * user must be a member of it. Bolt has already checked the request signature.
 */
import type { Db } from '../../db/database';
import type { AlertActionDeps, ClickOrigin } from './types';

export interface InstalledWorkspace {
  teamId: string;
  enterpriseId: string | null;
}

/** The alert a button refers to, with what authorization and the card action need. */
export interface ClickedAlert {
  alertId: string;
  tenantId: string;
  customerId: string;
  stripeCustomerId: string;
  channelId: string;
  workspaces: InstalledWorkspace[];
  /** `alert_settings.settings.allowedUserGroup`, or null when unset. */
  allowedUserGroup: string | null;
  /** True when the stored `allowedUserGroup` is not a string; every click is rejected until an admin fixes it. */
  userGroupInvalid: boolean;
}

export type ClickDecision = { allowed: true } | { allowed: false; code: string; reason: string };

const allowed: ClickDecision = { allowed: true };

function refused(code: string, reason: string): ClickDecision {
  return { allowed: false, code, reason };
}

export function decideWorkspace(
  origin: ClickOrigin,
  workspaces: readonly InstalledWorkspace[],
): ClickDecision {
  if (workspaces.length === 0) {
    return refused('slack_not_installed', 'its account has no active Slack installation');
  }
  const match = workspaces.some(
    (workspace) => workspace.teamId === origin.teamId && workspace.enterpriseId === origin.enterpriseId,
  );
  if (!match)
    return refused('wrong_workspace', 'it belongs to an account installed in another Slack workspace');
  return allowed;
}

/** `members` is null when the tenant sets no user group. */
export function decideUserGroup(
  origin: ClickOrigin,
  usergroupId: string | null,
  members: ReadonlySet<string> | null,
): ClickDecision {
  if (usergroupId === null) return allowed;
  if (members?.has(origin.userId)) return allowed;
  return refused(
    'not_in_user_group',
    `only members of the user group <!subteam^${usergroupId}> can act on alerts`,
  );
}

function readAllowedUserGroup(settings: Record<string, unknown> | undefined) {
  const value = settings?.allowedUserGroup;
  if (value === undefined || value === null) return { allowedUserGroup: null, userGroupInvalid: false };
  if (typeof value !== 'string') return { allowedUserGroup: null, userGroupInvalid: true };
  return { allowedUserGroup: value, userGroupInvalid: false };
}

export async function loadClickedAlert(db: Db, alertId: string): Promise<ClickedAlert | null> {
  const alert = await db
    .selectFrom('slack_alerts')
    .innerJoin('customers', 'customers.id', 'slack_alerts.customer_id')
    .leftJoin('alert_settings', 'alert_settings.tenant_id', 'slack_alerts.tenant_id')
    .select([
      'slack_alerts.tenant_id',
      'slack_alerts.customer_id',
      'slack_alerts.channel_id',
      'customers.stripe_customer_id',
      'alert_settings.settings',
    ])
    .where('slack_alerts.id', '=', alertId)
    .executeTakeFirst();
  if (!alert) return null;
  const workspaces = await db
    .selectFrom('slack_installations')
    .select(['team_id', 'enterprise_id'])
    .where('tenant_id', '=', alert.tenant_id)
    .where('status', '=', 'active')
    .execute();
  return {
    alertId,
    tenantId: alert.tenant_id,
    customerId: alert.customer_id,
    stripeCustomerId: alert.stripe_customer_id,
    channelId: alert.channel_id,
    workspaces: workspaces.map((row) => ({ teamId: row.team_id, enterpriseId: row.enterprise_id })),
    ...readAllowedUserGroup(alert.settings ?? undefined),
  };
}

async function userGroupMembers(deps: AlertActionDeps, alert: ClickedAlert, usergroupId: string) {
  const messaging = await deps.messagingFor(alert.tenantId);
  if (!messaging) throw new Error(`No Slack installation for tenant ${alert.tenantId}`);
  return deps.userGroups.members(alert.tenantId, usergroupId, deps.now(), () =>
    messaging.usergroupMembers(usergroupId),
  );
}

/** Runs both checks. A failed membership lookup rejects the click rather than letting it through. */
export async function authorizeClick(
  deps: AlertActionDeps,
  alert: ClickedAlert,
  origin: ClickOrigin,
): Promise<ClickDecision> {
  const workspace = decideWorkspace(origin, alert.workspaces);
  if (!workspace.allowed) return workspace;
  if (alert.userGroupInvalid) {
    const reason = 'the allowed user group in the alert settings is invalid, so ask an admin to fix it';
    return refused('invalid_settings', reason);
  }
  if (alert.allowedUserGroup === null) return allowed;
  let members: ReadonlySet<string>;
  try {
    members = await userGroupMembers(deps, alert, alert.allowedUserGroup);
  } catch (error) {
    deps.log.warn(
      { tenantId: alert.tenantId, usergroupId: alert.allowedUserGroup, err: (error as Error).message },
      'Slack user group lookup failed',
    );
    const reason = 'your user group membership could not be checked, so try again in a minute';
    return refused('user_group_unavailable', reason);
  }
  return decideUserGroup(origin, alert.allowedUserGroup, members);
}
