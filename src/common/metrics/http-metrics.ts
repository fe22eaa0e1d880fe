import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, register } from 'prom-client';

collectDefaultMetrics({ prefix: 'flightdeck_' });

const httpDuration = new Histogram({
  name: 'flightdeck_http_request_duration_seconds',
  help: 'HTTP request duration by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/**
 * Observes every request. The label is the route template (`/v1/projects/:id`), never the raw
 * URL, so ids do not explode the series count; unmatched paths share one label.
 */
export function httpMetricsMiddleware(req: Request, res: Response, next: NextFunction): void {
  const stop = httpDuration.startTimer();
  res.once('finish', () => {
    const template = (req.route as { path?: string } | undefined)?.path;
    const route = template ? `${req.baseUrl}${template}` : 'unmatched';
    stop({ method: req.method, route, status: String(res.statusCode) });
  });
  next();
}

export const metricsRegistry = register;
