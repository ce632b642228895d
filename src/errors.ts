/**
 * Base for errors that cross a boundary (HTTP, queue, integration). `code` is a stable snake_case string
 * that clients and tests match on; `retryable` tells a queue whether trying again can help.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { status?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
  }

  get status(): number {
    return this.options.status ?? 500;
  }

  get retryable(): boolean {
    return this.options.retryable ?? false;
  }
}
