import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value;
}

/**
 * Zod error map for Stripe payloads: "missing" for an absent field, and the expected and received
 * types otherwise. Messages set on a schema take precedence over this map.
 */
export function issueMessage(issue: RawIssue): string | undefined {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'missing';
    return `expected ${issue.expected}, received ${describeValue(issue.input)}`;
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
    return `expected one of ${allowed}, received ${describeValue(issue.input)}`;
  }
  return undefined;
}

function formatPath(path: readonly PropertyKey[], prefix: string | undefined): string {
  let text = prefix ?? '';
  for (const key of path) {
    text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  }
  return text === '' ? 'event' : text;
}

/** Formats issues as `path: message`, e.g. `data.object.customer: missing`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix?: string): string[] {
  return issues.map((issue) => `${formatPath(issue.path, prefix)}: ${issue.message}`);
}
