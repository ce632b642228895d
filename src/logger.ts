import pino, { type Logger } from 'pino';

/**
 * Paths that never reach a log line. Payloads, tokens and emails stay out by policy; this list
 * catches the ones a careless `log.info({ ... })` would otherwise print.
 */
const redactedPaths = [
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'email',
  'payload',
  'headers.authorization',
  '*.token',
  '*.accessToken',
  '*.email',
  '*.payload',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'csm-payments' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  });
}

export type { Logger };
