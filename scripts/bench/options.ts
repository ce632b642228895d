import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Signed webhook requests per intake concurrency level. */
  requests: number;
  concurrency: number[];
  /** Customers in the generated stream. 200 customers give about 7,800 distinct events. */
  customers: number;
  workers: number[];
  /** Seconds allowed per end-to-end run, from the first POST until idle. */
  idleTimeoutS: number;
  /** Seconds allowed per intake concurrency level. */
  intakeTimeoutS: number;
  help: boolean;
}

export const benchUsage = `Usage: npm run bench -- [options]

Options:
  --requests N           Signed webhook requests per intake concurrency level (default 2000)
  --concurrency LIST     Intake requests in flight, comma-separated (default 1,8,32)
  --customers N          Customers in the generated event stream, 50 to 240 (default 200)
  --workers LIST         Worker process counts for the end-to-end runs (default 1,2)
  --idle-timeout S       Seconds each end-to-end run may take until idle (default 600)
  --intake-timeout S     Seconds each intake level may take (default 120)

Uses the PostgreSQL database csm_payments_bench (created if missing; its tenants are deleted first)
on BENCH_DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432) and Redis at REDIS_URL.`;

/** An invalid command-line option; the message names the option and the expected value. */
export class BenchOptionsError extends Error {}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new BenchOptionsError(`Invalid --${name} "${text}": expected a positive integer`);
  }
  return value;
}

function positiveIntegers(name: string, text: string): number[] {
  return text.split(',').map((part) => positiveInteger(name, part.trim()));
}

const optionSpecs = {
  requests: { type: 'string', default: '2000' },
  concurrency: { type: 'string', default: '1,8,32' },
  customers: { type: 'string', default: '200' },
  workers: { type: 'string', default: '1,2' },
  'idle-timeout': { type: 'string', default: '600' },
  'intake-timeout': { type: 'string', default: '120' },
  help: { type: 'boolean', default: false },
} as const;

function parseValues(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: optionSpecs }).values;
  } catch (error) {
    // Unknown options and missing values come from parseArgs as TypeErrors with ERR_PARSE_ARGS_* codes.
    throw new BenchOptionsError((error as Error).message);
  }
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const values = parseValues(argv);
  return {
    requests: positiveInteger('requests', values.requests),
    concurrency: positiveIntegers('concurrency', values.concurrency),
    customers: positiveInteger('customers', values.customers),
    workers: positiveIntegers('workers', values.workers),
    idleTimeoutS: positiveInteger('idle-timeout', values['idle-timeout']),
    intakeTimeoutS: positiveInteger('intake-timeout', values['intake-timeout']),
    help: values.help,
  };
}
