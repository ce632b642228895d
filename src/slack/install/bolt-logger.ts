import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

function text(parts: unknown[]): string {
  return parts.map((part) => (part instanceof Error ? part.message : String(part))).join(' ');
}

/**
 * Bolt's logger interface over a pino child logger. Bolt's debug lines include the OAuth state and authorize URL,
 * so debug is dropped whatever the pino level is.
 */
export function boltLogger(log: Logger): BoltLogger {
  let name = 'bolt';
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => log.info({ component: name }, text(parts)),
    warn: (...parts: unknown[]) => log.warn({ component: name }, text(parts)),
    error: (...parts: unknown[]) => log.error({ component: name }, text(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: (value: string) => {
      name = value;
    },
  };
}
