import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors';

export function sendError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function notFoundHandler(): RequestHandler {
  return (req, res) => sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}`);
}

/** Turns thrown errors into `{ error: { code, message } }`; unexpected ones are logged and hidden. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof AppError) {
      sendError(res, error.status, error.code, error.message);
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', 'Request body is larger than the 1 MB limit');
      return;
    }
    if (bodyError.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'Request body is not valid JSON');
      return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendError(res, 500, 'internal_error', 'Internal error; the request was logged');
  };
}
