import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppException } from './app.exception';
import { buildProblem, sendProblem } from './problem';

/** Codes for Nest's built-in HTTP exceptions, so every answer has a stable machine code. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  429: 'rate_limited',
};

/**
 * Every error leaves as RFC 9457 problem+json with the request id. Unknown errors become an
 * opaque 500: the cause is logged (with the request id), never sent.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();

    if (exception instanceof AppException) {
      const { retryAfterSeconds, ...extensions } = exception.extras;
      const problem = buildProblem(req, exception.getStatus(), exception.code, exception.message, extensions);
      sendProblem(res, problem, retryAfterSeconds);
      return;
    }
    if (exception instanceof ThrottlerException) {
      // ThrottlerGuard has already set Retry-After on the response.
      sendProblem(res, buildProblem(req, 429, 'rate_limited', 'Too many requests; retry after the Retry-After delay'));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'http_error');
      const detail = status >= 500 ? 'An unexpected error occurred' : this.detailOf(exception);
      if (status >= 500) this.logger.error({ err: exception, requestId: req.id }, 'HTTP exception');
      sendProblem(res, buildProblem(req, status, code, detail));
      return;
    }
    this.logger.error({ err: exception, requestId: req.id }, 'Unhandled error');
    sendProblem(
      res,
      buildProblem(req, HttpStatus.INTERNAL_SERVER_ERROR, 'internal_error', 'An unexpected error occurred'),
    );
  }

  private detailOf(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
}
