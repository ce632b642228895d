#!/usr/bin/env node
import http from 'node:http';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config';
import { ensureDatabase, migrateToLatest } from './db/migrate';
import { AppError } from './errors';
import { createApp } from './http/app';
import {
  checkDependencies,
  createRuntime,
  DependencyUnavailableError,
  redact,
  type Runtime,
} from './runtime';
import { disconnectHubSpot } from './install/disconnect';
import { deleteTenantData } from './install/tenant-delete';
import { setStripeApiKey } from './actions/stripe-key';
import { addWebhookSecret, createTenant } from './tenants/tenants';
import { registerSlackListeners } from './slack/runtime';
import { startWorker } from './worker/worker';

const usage = `Usage: csm-payments <command> [options]

Commands:
  migrate                       Create the database if missing and apply SQL migrations
  serve                         Run the HTTP API and webhook receiver
  worker                        Run the queue workers and the outbox relay
  tenant create                 Create a tenant; prints its id, webhook URL and API key
      --name NAME                   Display name (required)
      --stripe-webhook-secret S     Stripe endpoint signing secret, whsec_... (required)
      --hubspot-portal-id ID        HubSpot portal (account) id, with --hubspot-token
      --hubspot-token TOKEN         HubSpot access token for that portal
      --create-crm-companies        Create a CRM company for billing customers that match none
      --json                        Print the result as JSON
  tenant add-webhook-secret     Add a signing secret during a rotation
      --tenant ID                   Tenant id (required)
      --stripe-webhook-secret S     The new secret (required)
      --expire-old-in-hours N       Hours the current secrets stay valid (default 24)
  tenant set-stripe-key         Store the restricted Stripe API key that card actions use
      --tenant ID                   Tenant id (required)
      --stripe-api-key KEY          rk_... or sk_... key with invoice write and billing portal access
  tenant disconnect-hubspot     Remove the tenant's HubSpot tokens and stop its CRM sync
      --tenant ID                   Tenant id (required)
  tenant delete                 Delete the tenant and all its data; prints row counts per table
      --tenant ID                   Tenant id (required)
      --confirm                     Required: the deletion cannot be undone

Configuration comes from environment variables; see README.md.`;

async function runMigrate(config: Config): Promise<void> {
  const created = await ensureDatabase(config.DATABASE_URL).catch((error: Error) => {
    throw new DependencyUnavailableError(
      `PostgreSQL at ${redact(config.DATABASE_URL)} cannot be reached: ${error.message}\n` +
        'Start PostgreSQL or set DATABASE_URL, then try again.',
    );
  });
  const runtime = createRuntime(config, 'producer');
  try {
    const applied = await migrateToLatest(runtime.db);
    const where = redact(config.DATABASE_URL);
    console.log(`${created ? 'Created' : 'Using'} database ${where}; applied ${applied.length} migration(s)`);
  } finally {
    await runtime.close();
  }
}

function onShutdown(log: Runtime['log'], stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: Error) => {
        log.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Creates the process's resources and checks PostgreSQL and Redis, releasing them when a check fails. */
async function startRuntime(config: Config, role: 'producer' | 'worker'): Promise<Runtime> {
  const runtime = createRuntime(config, role);
  try {
    await checkDependencies(runtime.db, runtime.redis, config);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}

async function listen(server: http.Server, port: number, host: string, purpose: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve).once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.message;
      reject(new DependencyUnavailableError(`Cannot listen on ${host}:${port} for ${purpose}: ${reason}`));
    });
    server.listen(port, host);
  });
}

async function runServe(config: Config): Promise<void> {
  const runtime = await startRuntime(config, 'producer');
  const app = createApp({
    ...runtime,
    stripeToleranceSeconds: config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    onSlackApp: registerSlackListeners(runtime),
  });
  const server = http.createServer(app);
  await listen(server, config.PORT, config.HOST, 'the API server (PORT)').catch(async (error) => {
    await runtime.close();
    throw error;
  });
  runtime.log.info(
    { host: config.HOST, port: config.PORT, publicBaseUrl: config.PUBLIC_BASE_URL },
    'API server listening',
  );
  onShutdown(runtime.log, async () => {
    // Stop accepting connections, let in-flight requests finish, then release PostgreSQL and Redis.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.close();
  });
}

async function runWorker(config: Config): Promise<void> {
  const runtime = await startRuntime(config, 'worker');
  let metricsServer: http.Server | undefined;
  if (config.WORKER_METRICS_PORT > 0) {
    metricsServer = http.createServer(async (_req, res) => {
      res.setHeader('content-type', runtime.metrics.registry.contentType);
      res.end(await runtime.metrics.registry.metrics());
    });
    await listen(
      metricsServer,
      config.WORKER_METRICS_PORT,
      config.HOST,
      'worker metrics (WORKER_METRICS_PORT)',
    ).catch(async (error) => {
      await runtime.close();
      throw error;
    });
  }
  const worker = startWorker(runtime);
  onShutdown(runtime.log, async () => {
    metricsServer?.close();
    await worker.stop();
    await runtime.close();
  });
}

const tenantActions = ['create', 'add-webhook-secret', 'set-stripe-key', 'disconnect-hubspot', 'delete'];

async function runTenantCommand(config: Config, action: string | undefined, args: string[]): Promise<void> {
  if (!action || !tenantActions.includes(action)) {
    throw new UsageError(`Unknown tenant command "${action ?? ''}"; use one of: ${tenantActions.join(', ')}`);
  }
  const { values } = parseCliArgs({
    args,
    options: {
      name: { type: 'string' },
      'stripe-webhook-secret': { type: 'string' },
      'hubspot-portal-id': { type: 'string' },
      'hubspot-token': { type: 'string' },
      'create-crm-companies': { type: 'boolean', default: false },
      tenant: { type: 'string' },
      'expire-old-in-hours': { type: 'string', default: '24' },
      json: { type: 'boolean', default: false },
      confirm: { type: 'boolean', default: false },
      'stripe-api-key': { type: 'string' },
    },
  });
  if (action === 'set-stripe-key') return runSetStripeKey(config, values);
  if (action === 'disconnect-hubspot' || action === 'delete') return runTenantRemoval(config, action, values);
  const secret = values['stripe-webhook-secret'];
  if (!secret) throw new UsageError('--stripe-webhook-secret is required');
  const runtime = createRuntime(config, 'producer');
  try {
    if (action === 'create') {
      if (!values.name) throw new UsageError('--name is required');
      const portalId = values['hubspot-portal-id'];
      const token = values['hubspot-token'];
      if (Boolean(portalId) !== Boolean(token)) {
        throw new UsageError('--hubspot-portal-id and --hubspot-token go together; give both or neither');
      }
      const created = await createTenant(runtime.db, runtime.box, config.PUBLIC_BASE_URL, {
        name: values.name,
        stripeWebhookSecret: secret,
        settings: { createCrmCompanies: values['create-crm-companies'] },
        hubspot: portalId && token ? { portalId, accessToken: token } : undefined,
      });
      if (values.json) console.log(JSON.stringify(created));
      else {
        console.log(
          `Tenant id:   ${created.tenantId}\nWebhook URL: ${created.webhookUrl}\nAPI key:     ${created.apiKey}`,
        );
        console.log('Store the API key now: it is not shown again.');
      }
    } else if (action === 'add-webhook-secret') {
      if (!values.tenant) throw new UsageError('--tenant is required');
      const hours = Number(values['expire-old-in-hours']);
      if (!Number.isFinite(hours) || hours < 0)
        throw new UsageError('--expire-old-in-hours must be a number of hours ≥ 0');
      await addWebhookSecret(
        runtime.db,
        runtime.box,
        values.tenant,
        secret,
        new Date(Date.now() + hours * 3_600_000),
      );
      console.log(`Added a signing secret; the previous ones expire in ${hours} h`);
    } else {
      throw new UsageError(`Unknown tenant command "${action ?? ''}"`);
    }
  } finally {
    await runtime.close();
  }
}

async function runTenantRemoval(
  config: Config,
  action: 'disconnect-hubspot' | 'delete',
  values: { tenant?: string; confirm?: boolean; json?: boolean },
): Promise<void> {
  if (!values.tenant) throw new UsageError('--tenant is required');
  if (action === 'delete' && !values.confirm) {
    throw new UsageError(
      `tenant delete removes every row of tenant ${values.tenant} and cannot be undone; add --confirm`,
    );
  }
  const runtime = createRuntime(config, 'producer');
  try {
    if (action === 'disconnect-hubspot') {
      const result = await disconnectHubSpot(runtime, values.tenant, 'cli', new Date());
      if (values.json) console.log(JSON.stringify(result));
      else if (result.disconnected)
        console.log(`Disconnected HubSpot portal ${result.portalId} from tenant ${values.tenant}`);
      else console.log(`Tenant ${values.tenant} has no connected HubSpot portal; nothing to do`);
      return;
    }
    const deletion = await deleteTenantData(runtime.db, values.tenant);
    if (!deletion.tenantFound)
      throw new AppError('tenant_not_found', `No tenant ${values.tenant}`, { status: 404 });
    if (values.json) console.log(JSON.stringify(deletion.deleted));
    else {
      console.log(`Deleted tenant ${values.tenant}. Rows deleted per table:`);
      for (const [table, count] of Object.entries(deletion.deleted))
        console.log(`  ${table.padEnd(20)} ${count}`);
    }
  } finally {
    await runtime.close();
  }
}

async function runSetStripeKey(
  config: Config,
  values: { tenant?: string; 'stripe-api-key'?: string },
): Promise<void> {
  if (!values.tenant) throw new UsageError('--tenant is required');
  if (!values['stripe-api-key']) throw new UsageError('--stripe-api-key is required');
  const runtime = createRuntime(config, 'producer');
  try {
    await setStripeApiKey(runtime.db, runtime.box, values.tenant, values['stripe-api-key']);
    console.log(`Stored the Stripe API key for tenant ${values.tenant}; card actions can now call Stripe`);
  } finally {
    await runtime.close();
  }
}

class UsageError extends Error {}

/** parseArgs with its errors (unknown option, missing value) turned into usage errors. */
function parseCliArgs<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  if (command === 'migrate') return runMigrate(config);
  if (command === 'serve') return runServe(config);
  if (command === 'worker') return runWorker(config);
  if (command === 'tenant') return runTenantCommand(config, rest[0], rest.slice(1));
  throw new UsageError(`Unknown command "${command}"`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${usage}`);
    else if (
      error instanceof ConfigError ||
      error instanceof DependencyUnavailableError ||
      error instanceof AppError
    ) {
      console.error(error.message);
    } else console.error(error);
    // Exit now: a failed start leaves nothing worth waiting for, and open sockets would keep the process up.
    process.exit(error instanceof UsageError ? 64 : 1);
  });
}
