import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SecretBox } from '../../src/db/crypto';
import type { Db } from '../../src/db/database';

/** Errors of the Slack install, with a stable code for the install pages and logs. */
export class SlackInstallError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: 'slack_workspace_taken' | 'slack_install_tenant_missing' | 'slack_org_install_unsupported',
    message: string,
  ) {
    super(message);
  }
}

/** The tenant an install belongs to, carried from the install link to the store in `installation.metadata`. */
export interface SlackInstallMetadata {
  tenantId: string;
}

export function encodeInstallMetadata(metadata: SlackInstallMetadata): string {
  return JSON.stringify(metadata);
}

export function tenantFromMetadata(metadata: string | undefined): string | null {
  if (!metadata) return null;
  try {
    const parsed = JSON.parse(metadata) as Partial<SlackInstallMetadata>;
    return typeof parsed.tenantId === 'string' && parsed.tenantId !== '' ? parsed.tenantId : null;
  } catch {
    return null;
  }
}

export type InstallDecision = 'insert' | 'update' | 'reject';

/**
 * Decides what an install does to the row of its workspace. A workspace belongs to one tenant, so the same
 * tenant updates its row and another tenant is rejected while the row is active. Another tenant takes over a
 * revoked row, because the workspace removed the app and a new install is a new decision of that workspace.
 */
export function decideInstall(
  existing: { tenantId: string; status: 'active' | 'revoked' } | undefined,
  tenantId: string,
): InstallDecision {
  if (!existing) return 'insert';
  if (existing.tenantId === tenantId || existing.status === 'revoked') return 'update';
  return 'reject';
}

interface WorkspaceKey {
  teamId: string;
  enterpriseId: string | null;
}

function workspaceOf(installation: Installation): WorkspaceKey {
  if (installation.isEnterpriseInstall || !installation.team?.id) {
    throw new SlackInstallError(
      'slack_org_install_unsupported',
      'Org-wide (Enterprise Grid) installs are not supported; install the app into a single workspace.',
    );
  }
  return { teamId: installation.team.id, enterpriseId: installation.enterprise?.id ?? null };
}

/** Bolt's installation store over slack_installations; bot tokens are stored sealed with SecretBox. */
export class PostgresInstallationStore implements InstallationStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const tenantId = tenantFromMetadata(installation.metadata);
    if (!tenantId) {
      throw new SlackInstallError(
        'slack_install_tenant_missing',
        'The install carries no tenant; start it from an install link.',
      );
    }
    const workspace = workspaceOf(installation);
    if (!installation.bot?.token || !installation.bot.userId) {
      throw new Error(
        `Slack returned no bot token for team ${workspace.teamId}; the app must request bot scopes`,
      );
    }
    const row = {
      tenant_id: tenantId,
      team_id: workspace.teamId,
      enterprise_id: workspace.enterpriseId,
      team_name: installation.team?.name ?? null,
      bot_user_id: installation.bot.userId,
      bot_token_sealed: this.box.seal(installation.bot.token),
      bot_scopes: installation.bot.scopes ?? [],
      installer_user_id: installation.user?.id ?? null,
      status: 'active' as const,
      updated_at: this.now(),
    };
    const decision = await this.db.transaction().execute(async (trx) => {
      const existing = await findWorkspaceRow(trx, workspace, true);
      const decided = decideInstall(
        existing && { tenantId: existing.tenant_id, status: existing.status },
        tenantId,
      );
      if (decided === 'reject') return decided;
      if (existing)
        await trx.updateTable('slack_installations').set(row).where('id', '=', existing.id).execute();
      else await trx.insertInto('slack_installations').values(row).execute();
      await trx
        .insertInto('audit_log')
        .values({
          tenant_id: tenantId,
          actor: 'slack_install',
          action: 'slack.installed',
          subject: workspace.teamId,
          details: JSON.stringify({ previousTenantId: existing?.tenant_id ?? null, scopes: row.bot_scopes }),
          created_at: row.updated_at,
        })
        .execute();
      return decided;
    });
    this.log.info({ tenantId, teamId: workspace.teamId, decision }, 'Slack installation stored');
    if (decision === 'reject') {
      throw new SlackInstallError(
        'slack_workspace_taken',
        `Slack workspace ${workspace.teamId} is already connected to another CSM Payments account.`,
      );
    }
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v2', false>> {
    if (query.isEnterpriseInstall || !query.teamId)
      throw new Error('Org-wide Slack installs are not supported');
    const row = await findWorkspaceRow(
      this.db,
      { teamId: query.teamId, enterpriseId: query.enterpriseId ?? null },
      false,
    );
    if (!row || row.status !== 'active')
      throw new Error(`No active Slack installation for team ${query.teamId}`);
    return {
      team: { id: row.team_id, name: row.team_name ?? undefined },
      enterprise: row.enterprise_id ? { id: row.enterprise_id } : undefined,
      user: { id: row.installer_user_id ?? '', token: undefined, scopes: undefined },
      bot: {
        id: '',
        userId: row.bot_user_id,
        token: this.box.open(row.bot_token_sealed),
        scopes: row.bot_scopes,
      },
      isEnterpriseInstall: false,
      authVersion: 'v2',
      metadata: encodeInstallMetadata({ tenantId: row.tenant_id }),
    };
  }

  /** Marks the workspace's installation revoked and drops its token; the row stays for the audit trail. */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    if (!query.teamId) return;
    const revoked = await markInstallationRevoked(
      this.db,
      { teamId: query.teamId, enterpriseId: query.enterpriseId ?? null },
      this.now(),
    );
    this.log.info(
      { teamId: query.teamId, tenantId: revoked?.tenantId ?? null },
      'Slack installation revoked',
    );
  }
}

async function findWorkspaceRow(db: Db, workspace: WorkspaceKey, lock: boolean) {
  let query = db
    .selectFrom('slack_installations')
    .selectAll()
    .where('team_id', '=', workspace.teamId)
    .where((eb) => eb.fn.coalesce('enterprise_id', eb.val('')), '=', workspace.enterpriseId ?? '');
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Marks an installation revoked (app uninstalled or bot token revoked); returns its tenant, or null if unknown. */
export async function markInstallationRevoked(
  db: Db,
  workspace: WorkspaceKey,
  now: Date,
): Promise<{ tenantId: string } | null> {
  const row = await db
    .updateTable('slack_installations')
    .set({ status: 'revoked', bot_token_sealed: '', updated_at: now })
    .where('team_id', '=', workspace.teamId)
    .where((eb) => eb.fn.coalesce('enterprise_id', eb.val('')), '=', workspace.enterpriseId ?? '')
    .returning('tenant_id')
    .executeTakeFirst();
  return row ? { tenantId: row.tenant_id } : null;
}

/** The active Slack installation of a tenant, for posting alerts. */
export interface TenantSlackInstallation {
  teamId: string;
  botToken: string;
  botUserId: string;
}

/** Returns the tenant's active installation with its bot token opened, or null when Slack is not connected. */
export async function installationForTenant(
  db: Db,
  box: SecretBox,
  tenantId: string,
): Promise<TenantSlackInstallation | null> {
  const row = await db
    .selectFrom('slack_installations')
    .select(['team_id', 'bot_user_id', 'bot_token_sealed'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return { teamId: row.team_id, botToken: box.open(row.bot_token_sealed), botUserId: row.bot_user_id };
}
