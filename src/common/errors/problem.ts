import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import type { FieldError } from './app.exception';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://flightdeck.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  instance: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function buildProblem(
  req: Request,
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    request_id: typeof req.id === 'string' ? req.id : '',
    instance: req.originalUrl?.split('?')[0] ?? '',
    ...extensions,
  };
}

/** Writes a problem+json answer; used by the global filter and by Express-level middleware. */
export function sendProblem(res: Response, problem: Problem, retryAfterSeconds?: number): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.ceil(retryAfterSeconds)));
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
