/**
 * Registers the alert buttons on the Bolt app. Each click is acknowledged once it is checked and
 * recorded, which takes a few database queries and at most one cached Slack call, so Slack's 3-second
 * deadline is far away. Replies to the user go through the payload's `response_url`, which also works
 * for a user of another workspace.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { Logger } from 'pino';
import { alertActionIds, openInHubSpotActionId, type AlertActionId } from './button-value';
import { handleAlertClick, type ClickResult } from './click';
import type { AlertActionDeps, ClickOrigin } from './types';

const internalErrorReply =
  'The action could not be recorded because of an internal error. Try again in a minute.';

export function clickOrigin(body: BlockAction): ClickOrigin {
  return {
    teamId: body.team?.id ?? body.user.team_id ?? null,
    enterpriseId: body.enterprise?.id ?? body.team?.enterprise_id ?? null,
    userId: body.user.id,
  };
}

async function settleClick(
  deps: AlertActionDeps,
  actionId: AlertActionId,
  body: BlockAction<ButtonAction>,
  value: string | undefined,
): Promise<ClickResult> {
  const origin = clickOrigin(body);
  try {
    return await handleAlertClick(deps, { actionId, value, origin });
  } catch (error) {
    deps.log.error(
      { slackAction: actionId, teamId: origin.teamId, userId: origin.userId, err: (error as Error).message },
      'Slack alert click failed',
    );
    return { reply: internalErrorReply, followUp: null };
  }
}

/** Sends the reply and runs the follow-up after the ack. Failures are only logged, because Slack got its ack. */
async function afterAck(log: Logger, actionId: AlertActionId, result: ClickResult, respond: RespondFn) {
  if (result.reply !== null) {
    try {
      await respond({ response_type: 'ephemeral', replace_original: false, text: result.reply });
    } catch (error) {
      log.warn({ slackAction: actionId, err: (error as Error).message }, 'Slack ephemeral reply failed');
    }
  }
  if (result.followUp) {
    try {
      await result.followUp();
    } catch (error) {
      log.warn({ slackAction: actionId, err: (error as Error).message }, 'Slack alert follow-up failed');
    }
  }
}

export function registerAlertActions(app: App, deps: AlertActionDeps): void {
  for (const actionId of alertActionIds) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      const result = await settleClick(deps, actionId, body, action.value);
      await ack();
      await afterAck(deps.log, actionId, result, respond);
    });
  }
  app.action(openInHubSpotActionId, async ({ ack }) => {
    await ack();
  });
  // Any other action id is not ours: acknowledge it at once rather than leave Slack waiting 3 s.
  const known = new Set<string>([...alertActionIds, openInHubSpotActionId]);
  app.action({ action_id: new RegExp('.*') }, async ({ ack, action, body }) => {
    const actionId = 'action_id' in action ? action.action_id : '';
    if (known.has(actionId)) return;
    deps.log.info({ actionId, teamId: body.team?.id }, 'unknown Slack action acknowledged');
    await ack();
  });
}
