import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { buildProblem, sendProblem } from 'src/common/errors/problem';
import { PROTOBUF_MEDIA_TYPE } from './otlp.constants';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * The raw body of a protobuf OTLP request, as a Buffer in `req.body`. The global parser reads
 * only JSON (OTLP/JSON goes through it, gzip included); this one is applied to the OTLP routes
 * alone (`OtlpModule.configure`), with the same limit. `Content-Encoding: gzip` (and deflate,
 * br) inflates, and the limit applies to the inflated size. Failures answer problem+json here,
 * like the global parser's: over the limit 413, an unsupported encoding 415, anything else 400.
 */
export function protobufBodyParser(limitBytes: number): RequestHandler {
  const parser = express.raw({ type: PROTOBUF_MEDIA_TYPE, limit: limitBytes, inflate: true });
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
      return sendProblem(
        res,
        buildProblem(
          req,
          e.status && e.status < 500 ? e.status : 400,
          'invalid_otlp_request',
          'The body could not be read',
        ),
      );
    });
}
