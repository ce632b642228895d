/**
 * The demo: migrates the database, starts the API server, a worker and a local HubSpot emulator, creates a
 * tenant, posts a generated six-month Stripe event stream as signed webhooks, waits until the pipeline is
 * idle and prints each customer's health and the HubSpot properties written. Nothing leaves this machine.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHubSpotEmulator } from './emulators/hubspot';
import { deleteRedisKeys } from './bench/environment';
import { generateDemoEvents } from './demo/generate-events';
import { postDeliveries } from './demo/post-events';
import { freePort, startCli, waitFor, type ManagedProcess } from './demo/processes';
import { loadCustomerRows, renderCustomerTable } from './demo/report';
import { connectDemoSlack, demoAlertChannel, describeSlack, slackBusy, startDemoSlack } from './demo/slack';
import { loadConfig, ConfigError } from '../src/config';
import { ensureDatabase, migrateToLatest } from '../src/db/migrate';
import { projectRoot } from '../src/paths';
import { checkDependencies, createRuntime, DependencyUnavailableError, type Runtime } from '../src/runtime';
import { listUnmatchedCustomers } from '../src/sync/unmatched';
import { createTenant } from '../src/tenants/tenants';
import { hasPendingWork } from '../src/worker/relay';

const idleTimeoutMs = 180_000;

function step(message: string): void {
  console.log(`• ${message}`);
}

async function demoEnvironment(): Promise<NodeJS.ProcessEnv> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    WORKER_METRICS_PORT: String(metricsPort),
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/csm_payments_demo',
    // Each run gets its own queue namespace and key, so runs never pick up each other's jobs.
    QUEUE_PREFIX: `csm-demo-${randomBytes(3).toString('hex')}`,
    TOKEN_ENCRYPTION_KEYS: process.env.TOKEN_ENCRYPTION_KEYS ?? `demo:${randomBytes(32).toString('base64')}`,
    TOKEN_ENCRYPTION_KEY_ID: process.env.TOKEN_ENCRYPTION_KEYS ? process.env.TOKEN_ENCRYPTION_KEY_ID : 'demo',
    CRM_SYNC_DEBOUNCE_MS: process.env.CRM_SYNC_DEBOUNCE_MS ?? '500',
  };
}

async function waitForPipeline(runtime: Runtime): Promise<void> {
  await waitFor(
    'the worker to project every event and flush every CRM write',
    async () => {
      const counts = await runtime.queues.crmSync.getJobCounts('waiting', 'delayed', 'active');
      const queued = Object.values(counts).reduce((sum, count) => sum + count, 0);
      return queued === 0 && !(await hasPendingWork(runtime.db));
    },
    idleTimeoutMs,
    250,
  );
}

async function run(): Promise<void> {
  const env = await demoEnvironment();
  const config = loadConfig(env);
  const logFolder = path.join(projectRoot(), '.demo');
  mkdirSync(logFolder, { recursive: true });
  const logFile = path.join(logFolder, 'demo.log');
  const logStream = createWriteStream(logFile, { flags: 'w' });

  step('Checking PostgreSQL and Redis');
  await ensureDatabase(config.DATABASE_URL).catch((error: Error) => {
    throw new DependencyUnavailableError(
      `PostgreSQL at ${new URL(config.DATABASE_URL).host} cannot be reached: ${error.message}\n` +
        'Start PostgreSQL or set DATABASE_URL, then run the demo again.',
    );
  });
  const now = new Date();
  const stream = generateDemoEvents({ seed: 42, now });
  const runtime = createRuntime(config, 'producer');
  const children: ManagedProcess[] = [];
  const emulator = await startHubSpotEmulator({ companies: stream.companies });
  const slack = await startDemoSlack();
  Object.assign(env, slack.env);
  try {
    await checkDependencies(runtime.db, runtime.redis, config);
    const applied = await migrateToLatest(runtime.db);
    step(`Database ready (${applied.length} new migration(s) applied)`);

    env.HUBSPOT_API_BASE_URL = emulator.url;
    step(`HubSpot emulator on ${emulator.url} with ${stream.companies.length} existing companies`);

    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const tenant = await createTenant(runtime.db, runtime.box, config.PUBLIC_BASE_URL, {
      name: 'Demo Software Inc.',
      stripeWebhookSecret: secret,
      hubspot: {
        portalId: String(randomInt(10_000_000, 99_999_999)),
        accessToken: `demo-${randomBytes(12).toString('hex')}`,
      },
    });
    await connectDemoSlack(runtime, tenant.tenantId);
    step(`Tenant ${tenant.tenantId} created; webhook URL ${tenant.webhookUrl}`);
    step(`Slack emulator on ${slack.emulator.url} connected; alerts go to #${demoAlertChannel}`);

    children.push(startCli('serve', env, logStream), startCli('worker', env, logStream));
    await waitFor(
      'the API server to be ready',
      async () => (await fetch(`${config.PUBLIC_BASE_URL}/readyz`)).ok,
      30_000,
    );
    await waitFor(
      'the worker to start',
      async () => (await fetch(`http://127.0.0.1:${env.WORKER_METRICS_PORT}/`)).ok,
      30_000,
    );
    step(`API server and worker running (logs in ${path.relative(process.cwd(), logFile)})`);

    step(
      `Posting ${stream.deliveries.length} signed webhooks (${stream.events.length} distinct events, ${stream.customers.length} customers)`,
    );
    const posted = await postDeliveries(tenant.webhookUrl, secret, stream.deliveries);
    if (posted.failed > 0) throw new Error(`${posted.failed} webhook deliveries failed; see ${logFile}`);
    step(`Accepted ${posted.accepted}, duplicates ignored ${posted.duplicates}`);

    await waitForPipeline(runtime);
    await waitFor(
      'Slack alerts to be posted',
      async () => !(await slackBusy(runtime, tenant.tenantId)),
      idleTimeoutMs,
      250,
    );
    const rows = await loadCustomerRows(runtime.db, tenant.tenantId, stream.customers, emulator.companies());
    console.log(renderCustomerTable(rows));

    const unmatched = await listUnmatchedCustomers(runtime.db, tenant.tenantId);
    const deadLetters = await runtime.db
      .selectFrom('dead_letters')
      .select('id')
      .where('tenant_id', '=', tenant.tenantId)
      .execute();
    const written = rows.filter((row) => row.company).length;
    console.log(
      [
        `Customers: ${rows.length}; HubSpot companies written: ${written}; unmatched (not created): ${unmatched.length}`,
        `Dead-lettered events: ${deadLetters.length}; HubSpot API requests: ${emulator.requestCount()}`,
        `Notes and tasks written to HubSpot companies: ${notesAndTasks(emulator)}`,
        describeSlack(slack.emulator),
      ].join('\n'),
    );
    const worst = [...rows].sort((a, b) => (a.score ?? 0) - (b.score ?? 0))[0];
    if (worst) {
      console.log(await describeApiResponse(config.PUBLIC_BASE_URL, tenant.apiKey, worst.stripeCustomerId));
      const page = await saveCardPreview(
        config.PUBLIC_BASE_URL,
        tenant.apiKey,
        worst.stripeCustomerId,
        logFolder,
      );
      console.log(`Payment-health card for ${worst.name} saved as ${path.relative(process.cwd(), page)}`);
    }
    const missingHealth = rows.filter((row) => row.score === null);
    if (missingHealth.length > 0) throw new Error(`${missingHealth.length} customers have no health score`);
  } finally {
    const codes = await Promise.all(children.map((child) => child.stop()));
    // Each run has its own queue prefix; its keys are of no use once the processes stop.
    await deleteRedisKeys(runtime.redis, config.QUEUE_PREFIX).catch(() => 0);
    await emulator.close();
    await slack.emulator.close();
    await runtime.close();
    logStream.end();
    const unclean = children.filter((_child, index) => codes[index] !== 0);
    if (unclean.length > 0) {
      process.exitCode = 1;
      console.error(
        `${unclean.map((child) => child.name).join(', ')} did not shut down cleanly; see ${logFile}`,
      );
    }
  }
}

function notesAndTasks(emulator: { engagements(): { type: string }[] }): string {
  const engagements = emulator.engagements();
  const notes = engagements.filter((engagement) => engagement.type === 'notes').length;
  return `${notes} notes, ${engagements.length - notes} tasks`;
}

/** Saves the card preview page (the same view model as the HubSpot card) to open in a browser. */
async function saveCardPreview(baseUrl: string, apiKey: string, stripeCustomerId: string, folder: string) {
  const response = await fetch(`${baseUrl}/cards/preview/${stripeCustomerId}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok) throw new Error(`Card preview failed with ${response.status}: ${await response.text()}`);
  const file = path.join(folder, 'card-preview.html');
  writeFileSync(file, await response.text());
  return file;
}

/** Calls the customer API as an integration would and summarizes what it returned. */
async function describeApiResponse(
  baseUrl: string,
  apiKey: string,
  stripeCustomerId: string,
): Promise<string> {
  const path = `/api/v1/customers/${stripeCustomerId}`;
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const body = (await response.json()) as {
    subscriptions: { status: string }[];
    openInvoices: unknown[];
    recentPaymentAttempts: { status: string; declineCode: string | null; adviceCode: string | null }[];
    paymentMethods: {
      cardBrand: string | null;
      cardLast4: string | null;
      expMonth: number | null;
      expYear: number | null;
    }[];
    health: { score: number; band: string; trend: string } | null;
  };
  const attempt = body.recentPaymentAttempts[0];
  const card = body.paymentMethods[0];
  return [
    `GET ${path} with the tenant's API key returned ${response.status}:`,
    `  subscriptions: ${body.subscriptions.map((subscription) => subscription.status).join(', ') || 'none'}`,
    `  open invoices: ${body.openInvoices.length}`,
    `  latest payment attempt: ${attempt ? `${attempt.status} ${attempt.declineCode ?? ''} ${attempt.adviceCode ?? ''}`.trim() : 'none'}`,
    `  card: ${card ? `${card.cardBrand} •••• ${card.cardLast4}, expires ${card.expMonth}/${card.expYear}` : 'none'}`,
    `  health: ${body.health ? `${body.health.score} (${body.health.band}, trend ${body.health.trend})` : 'none'}`,
  ].join('\n');
}

run().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DependencyUnavailableError;
  console.error(known ? (error as Error).message : error);
  process.exitCode = 1;
});
