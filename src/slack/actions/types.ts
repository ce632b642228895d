import type { Logger } from 'pino';
import type { AlertAction } from '../../alerts/types';
import type { Db } from '../../db/database';
import type { Queues } from '../../queues/queues';
import type { UserGroupCache } from './user-groups';

/**
 * The part of `SlackMessaging` (integrations/slack/web-api.ts) that the action handlers use, so a
 * `SlackMessaging` is accepted as is.
 */
export interface SlackActionMessaging {
  postEphemeral(message: { channel: string; user: string; text: string }): Promise<unknown>;
  usergroupMembers(usergroupId: string): Promise<string[]>;
}

export interface SlackActionDeps {
  db: Db;
  queues: Queues;
  log: Logger;
  now: () => Date;
  /** Returns the Slack client of the tenant's active installation, or null when there is none. */
  messagingFor: (tenantId: string) => Promise<SlackActionMessaging | null>;
}

export interface AlertActionDeps extends SlackActionDeps {
  userGroups: UserGroupCache;
  /** How long a click waits for Redis before leaving the card action to the relay; 500 ms when unset. */
  enqueueTimeoutMs?: number;
}

/** One entry of `slack_alerts.content.actions`, the history the message shows. */
export interface AlertActionEntry extends AlertAction {
  /** The `card_actions.id` behind the entry; absent for a claim. */
  cardActionId?: string;
  /** When the card action finished, ISO 8601. */
  finishedAt?: string;
}

/** `slack_alerts.content.claimedBy`: the CSM who took the alert. */
export interface AlertClaim {
  userId: string;
  teamId: string;
  at: string;
}

/** Workspace, user and channel of a click, from the block_actions payload. */
export interface ClickOrigin {
  teamId: string | null;
  enterpriseId: string | null;
  userId: string;
}

/**
 * Builds the `card_actions.requested_by` of a Slack click. Slack ids contain no colon, so the parts
 * split back cleanly.
 */
export function slackRequester(origin: { teamId: string | null; userId: string }): string {
  return `slack-user:${origin.teamId ?? 'none'}:${origin.userId}`;
}

/** Reads the Slack user id back from `requested_by`, or null when another source requested the action. */
export function parseSlackRequester(requestedBy: string): { teamId: string; userId: string } | null {
  const match = /^slack-user:([^:]+):([^:]+)$/.exec(requestedBy);
  return match ? { teamId: match[1]!, userId: match[2]! } : null;
}
