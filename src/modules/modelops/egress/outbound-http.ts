import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { OUTBOUND_DEFAULT_TIMEOUT_MS, OUTBOUND_MAX_REDIRECTS } from '../modelops.constants';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { outboundRefusal } from 'src/common/http/outbound-target';

export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  /** JSON-serialised as the body (POST). */
  json?: unknown;
  /** Aborts when no answer (headers) came within this time; the body is the caller's business. */
  timeoutMs?: number;
  /** Aborts everything, body included, when it fires. */
  signal?: AbortSignal;
  /** Allow private/loopback targets for this call (admin-configured local runtimes). */
  allowPrivate?: boolean;
  /** Sees the headers of every answer, redirects included, before the next hop. */
  onHop?: (headers: Headers, status: number) => void;
}

/** An outbound call failed before an answer came: timeout, refused connection, TLS, DNS. */
export class OutboundNetworkError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'OutboundNetworkError';
  }
}

/**
 * Outbound HTTP of ModelOps over the global `fetch`: a timeout on every call, and no target that
 * is or resolves to a private or loopback address unless OUTBOUND_ALLOW_PRIVATE (checked again on
 * every redirect, which is followed by hand so that a public host cannot bounce the call inward;
 * the Authorization header is dropped when a redirect leaves the origin).
 */
@Injectable()
export class OutboundHttp {
  private readonly allowPrivate: boolean;

  constructor(config: ConfigService<AllConfig, true>) {
    this.allowPrivate = config.getOrThrow('modelops', { infer: true }).outboundAllowPrivate;
  }

  /** 422 `outbound_target_refused` unless `url` may be called. */
  async assertAllowed(url: string | URL, allowPrivate = false): Promise<URL> {
    const parsed = typeof url === 'string' ? parseUrl(url) : url;
    const reason = await outboundRefusal(parsed, this.allowPrivate || allowPrivate);
    if (reason) {
      throw new ModelOpsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ModelOpsErrorCode.OutboundTargetRefused,
        `Outbound call to ${parsed.origin} refused: ${reason}`,
      );
    }
    return parsed;
  }

  async request(url: string, req: OutboundRequest = {}): Promise<Response> {
    let target = await this.assertAllowed(url, req.allowPrivate);
    const headers: Record<string, string> = { ...req.headers };
    let method = req.method ?? 'GET';
    let body: string | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    }
    const origin = target.origin;
    for (let hop = 0; ; hop++) {
      const headersTimeout = new AbortController();
      const timer = setTimeout(() => headersTimeout.abort(), req.timeoutMs ?? OUTBOUND_DEFAULT_TIMEOUT_MS);
      const signal = req.signal ? AbortSignal.any([req.signal, headersTimeout.signal]) : headersTimeout.signal;
      let res: Response;
      try {
        res = await fetch(target, { method, headers, body, redirect: 'manual', signal });
      } catch (err) {
        const reason = headersTimeout.signal.aborted
          ? `no answer within ${req.timeoutMs ?? OUTBOUND_DEFAULT_TIMEOUT_MS} ms`
          : networkReason(err);
        throw new OutboundNetworkError(target.origin, reason);
      } finally {
        clearTimeout(timer);
      }
      req.onHop?.(res.headers, res.status);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location || (method !== 'GET' && method !== 'HEAD')) return res;
      await res.body?.cancel();
      if (hop >= OUTBOUND_MAX_REDIRECTS) throw new OutboundNetworkError(origin, 'too many redirects');
      target = await this.assertAllowed(new URL(location, target), req.allowPrivate);
      if (target.origin !== origin) delete headers.authorization;
      if (res.status === 303) method = 'GET';
    }
  }

  /** GET (or POST `json`) and parse a JSON answer; non-2xx answers are returned with their parsed body. */
  async json<T = unknown>(
    url: string,
    req: OutboundRequest = {},
  ): Promise<{ status: number; body: T | undefined; headers: Headers }> {
    const res = await this.request(url, { ...req, headers: { accept: 'application/json', ...req.headers } });
    const text = await res.text();
    let body: T | undefined;
    try {
      body = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers };
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new ModelOpsException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      ModelOpsErrorCode.OutboundTargetRefused,
      'Outbound call refused: the URL is not valid',
    );
  }
}

/** A short, secret-free reason for a failed fetch (undici hides the cause in `err.cause`). */
export function networkReason(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
