import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors';

export function sendError(
  res: Parameters<RequestHandler>[1],
  status: number,
  code: string,
  message: string,
): void {
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
    const clientError = error as {
      type?: string;
      status?: number;
      statusCode?: number;
      limit?: number;
      message?: string;
    };
    if (clientError.type === 'entity.too.large') {
      const limit = clientError.limit ? ` of ${clientError.limit} bytes` : '';
      sendError(res, 413, 'payload_too_large', `Request body is larger than the limit${limit}`);
      return;
    }
    if (clientError.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'Request body is not valid JSON');
      return;
    }
    if (error instanceof URIError) {
      sendError(res, 400, 'invalid_path', `Request path is not valid percent-encoding: ${req.path}`);
      return;
    }
    // body-parser and express mark client mistakes (unsupported encoding or charset) with a 4xx status.
    const status = clientError.status ?? clientError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      log.info({ method: req.method, path: req.path, status }, 'request rejected');
      sendError(
        res,
        status,
        clientError.type?.replace(/\./g, '_') ?? 'bad_request',
        clientError.message ?? 'Bad request',
      );
      return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    sendError(res, 500, 'internal_error', 'Internal error; the request was logged');
  };
}
