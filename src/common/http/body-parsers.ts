import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { buildProblem, sendProblem } from 'src/common/errors/problem';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Wraps a body parser so its failures answer problem+json here, before any route runs:
 * malformed JSON 400, oversized 413, unsupported charset or encoding 415.
 */
function withProblemErrors(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as BodyParserError;
      if (e.type === 'entity.too.large') {
        return sendProblem(
          res,
          buildProblem(req, 413, 'payload_too_large', `Body exceeds the limit of ${e.limit} bytes`),
        );
      }
      if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
        return sendProblem(res, buildProblem(req, 415, 'unsupported_media_type', e.message));
      }
      if (e.type === 'entity.parse.failed') {
        return sendProblem(res, buildProblem(req, 400, 'malformed_json', 'The body is not valid JSON'));
      }
      return sendProblem(res, buildProblem(req, e.status ?? 400, 'bad_request', 'The body could not be read'));
    });
}

/** JSON (incl. `application/*+json`) parsing with the configured limit; gzip bodies inflate. */
export function jsonBodyParser(limitBytes: number): RequestHandler {
  return withProblemErrors(express.json({ limit: limitBytes, type: ['application/json', 'application/*+json'] }));
}
