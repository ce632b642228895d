import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExpressReceiverOptions } from '@slack/bolt';
import type { Logger } from 'pino';
import { encodeInstallMetadata } from '../../../integrations/slack/installation-store';
import type { Db } from '../../db/database';
import { findTenant } from '../../tenants/tenants';
import { INSTALL_TOKEN_PARAMETER, verifyInstallToken } from './install-links';
import { slackConnectedPage, slackErrorPage } from './pages';

type InstallerOptions = NonNullable<ExpressReceiverOptions['installerOptions']>;
type InstallPathOptions = NonNullable<InstallerOptions['installPathOptions']>;
type CallbackOptions = NonNullable<InstallerOptions['callbackOptions']>;

/** Cookie that ties the install token to the browser between the install path and the OAuth redirect. */
export const INSTALL_COOKIE = 'csm_slack_install';

/** Seconds an install has on Slack's consent page; the same as Bolt's default state cookie lifetime. */
export const CONSENT_SECONDS = 600;

export interface SlackOAuthFlowDeps {
  db: Db;
  log: Logger;
  stateSecret: string;
  redirectPath: string;
  botDisplayName: string;
  now: () => Date;
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.end(html);
}

function appendCookie(res: ServerResponse, cookie: string): void {
  const existing = res.getHeader('Set-Cookie');
  const cookies = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...cookies, cookie]);
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

function installTokenFrom(req: IncomingMessage): string | null {
  const value = new URL(req.url ?? '/', 'http://localhost').searchParams.get(INSTALL_TOKEN_PARAMETER);
  return value || null;
}

const tokenProblems = {
  malformed: 'The install link is incomplete or damaged.',
  bad_signature: 'The install link is not valid for this server.',
  expired: 'The install link has expired (links are valid for one hour).',
} as const;

/** Checks the install token of GET /slack/install and stores it in a cookie before Bolt redirects to Slack. */
export function installPathOptions(deps: SlackOAuthFlowDeps): InstallPathOptions {
  return {
    beforeRedirection: async (req, res) => {
      const token = installTokenFrom(req);
      if (!token) {
        sendPage(
          res,
          400,
          slackErrorPage('Install link required', 'Open the install link created for your tenant.'),
        );
        return false;
      }
      const verified = verifyInstallToken(deps.stateSecret, token, deps.now());
      if (!verified.ok) {
        deps.log.info({ reason: verified.reason }, 'Slack install link rejected');
        sendPage(res, 400, slackErrorPage('Install link rejected', tokenProblems[verified.reason]));
        return false;
      }
      if (!(await findTenant(deps.db, verified.claims.tenantId))) {
        sendPage(
          res,
          404,
          slackErrorPage('Tenant not found', 'The tenant of this install link no longer exists.'),
        );
        return false;
      }
      const attributes = `HttpOnly; Secure; SameSite=Lax; Path=${deps.redirectPath}; Max-Age=${CONSENT_SECONDS}`;
      appendCookie(res, `${INSTALL_COOKIE}=${token}; ${attributes}`);
      return true;
    },
  };
}

function clearInstallCookie(res: ServerResponse, redirectPath: string): void {
  appendCookie(res, `${INSTALL_COOKIE}=; HttpOnly; Secure; SameSite=Lax; Path=${redirectPath}; Max-Age=0`);
}

/** Failure codes of the OAuth redirect, with the status and page text each one shows. */
const failurePages: Record<string, { status: number; title: string; message: string }> = {
  slack_workspace_taken: {
    status: 409,
    title: 'Workspace already connected',
    message:
      'This Slack workspace is already connected to another CSM Payments account, so it was not connected here. ' +
      'Ask that account to uninstall the app from the workspace first.',
  },
  slack_oauth_installer_authorization_error: {
    status: 400,
    title: 'Install cancelled',
    message: 'The install was cancelled on the Slack consent page; nothing was connected.',
  },
  slack_oauth_invalid_state: {
    status: 400,
    title: 'Install session invalid',
    message:
      'The install session expired (10 minutes) or was started in another browser; nothing was connected.',
  },
  slack_oauth_missing_state: {
    status: 400,
    title: 'Install session invalid',
    message: 'The OAuth redirect has no state parameter; start the install from an install link.',
  },
  slack_org_install_unsupported: {
    status: 400,
    title: 'Org-wide install not supported',
    message: 'Install the app into a single workspace instead of the whole Enterprise Grid organization.',
  },
};

/** Binds the install to the tenant of the cookie's install token, and renders the result pages. */
export function callbackOptions(deps: SlackOAuthFlowDeps): CallbackOptions {
  return {
    beforeInstallation: async (options, req, res) => {
      const token = readCookie(req, INSTALL_COOKIE);
      const verified = token
        ? verifyInstallToken(deps.stateSecret, token, deps.now(), CONSENT_SECONDS)
        : null;
      if (!verified?.ok) {
        deps.log.info(
          { reason: verified?.reason ?? 'missing' },
          'Slack OAuth redirect without a valid install token',
        );
        clearInstallCookie(res, deps.redirectPath);
        const message =
          'The install was not started from a valid install link in this browser; nothing was connected.';
        sendPage(res, 400, slackErrorPage('Install link required', message));
        return false;
      }
      // Bolt copies options.metadata into installation.metadata, which the installation store reads.
      options.metadata = encodeInstallMetadata({ tenantId: verified.claims.tenantId });
      return true;
    },
    successAsync: async (installation, options, _req, res) => {
      const tenantId = JSON.parse(options.metadata ?? '{}').tenantId as string;
      const tenant = await findTenant(deps.db, tenantId);
      clearInstallCookie(res, deps.redirectPath);
      const page = slackConnectedPage({
        teamId: installation.team?.id ?? '',
        teamName: installation.team?.name ?? null,
        tenantId,
        tenantName: tenant?.name ?? null,
        botDisplayName: deps.botDisplayName,
      });
      sendPage(res, 200, page);
    },
    failure: (error, _options, _req, res) => {
      deps.log.warn({ code: error.code }, 'Slack install failed');
      clearInstallCookie(res, deps.redirectPath);
      const known = failurePages[error.code];
      if (known) return sendPage(res, known.status, slackErrorPage(known.title, known.message));
      const message =
        'Slack did not complete the install (token exchange failed); nothing was connected. Try again.';
      sendPage(res, 502, slackErrorPage('Slack install failed', message));
    },
  };
}
