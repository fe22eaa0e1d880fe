import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from 'src/config/configuration';
import { CREDENTIAL_REF_PREFIX, UPSTREAM_DETAIL_MAX_CHARS } from '../platform-control.constants';
import {
  OfflineProviderBlockedException,
  PlatformControlErrorCode,
  PlatformControlException,
} from '../platform-control.exception';
import { ModelOpsPort } from '../modelops.port';
import { RuntimeProfileRepository } from '../runtime-profile.repository';
import { outboundRefusal } from 'src/common/http/outbound-target';
import { describeTarget, type ProviderTarget } from './provider-target';

export type ProviderFailure =
  'auth' | 'not_found' | 'rate_limited' | 'upstream' | 'unreachable' | 'timeout' | 'bad_response' | 'refused';

const FAILURES: Record<ProviderFailure, { status: HttpStatus; code: PlatformControlErrorCode }> = {
  auth: { status: HttpStatus.BAD_GATEWAY, code: PlatformControlErrorCode.ProviderAuthFailed },
  not_found: { status: HttpStatus.BAD_GATEWAY, code: PlatformControlErrorCode.ProviderNotFound },
  rate_limited: { status: HttpStatus.TOO_MANY_REQUESTS, code: PlatformControlErrorCode.ProviderRateLimited },
  upstream: { status: HttpStatus.BAD_GATEWAY, code: PlatformControlErrorCode.ProviderError },
  unreachable: { status: HttpStatus.BAD_GATEWAY, code: PlatformControlErrorCode.ProviderUnreachable },
  timeout: { status: HttpStatus.GATEWAY_TIMEOUT, code: PlatformControlErrorCode.ProviderTimeout },
  bad_response: { status: HttpStatus.BAD_GATEWAY, code: PlatformControlErrorCode.ProviderBadResponse },
  refused: { status: HttpStatus.UNPROCESSABLE_ENTITY, code: PlatformControlErrorCode.EndpointNotAllowed },
};

/**
 * A provider call that failed, classified. Its detail never holds the credential: upstream text
 * is scrubbed of it and cut short before it gets here.
 */
export class ProviderCallException extends PlatformControlException {
  constructor(
    readonly failure: ProviderFailure,
    readonly target: ProviderTarget,
    detail: string,
    readonly upstreamStatus: number | null = null,
    retryAfterSeconds?: number,
  ) {
    super(FAILURES[failure].status, FAILURES[failure].code, detail, {
      provider: describeTarget(target),
      ...(upstreamStatus === null ? {} : { upstream_status: upstreamStatus }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
}

export interface ProviderRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Appended to the endpoint URL (`/models`, `/collections/docs/points`). */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses answered as data instead of failures (e.g. 404 for "does the collection exist"). */
  accept?: number[];
  timeoutMs?: number;
  signal?: AbortSignal;
  /** `text`: the body as a string (health endpoints that answer `OK`). Default: JSON. */
  parse?: 'json' | 'text';
}

export interface ProviderResponse<T> {
  status: number;
  body: T;
}

export interface ProviderStream {
  status: number;
  contentType: string;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Every outbound call to a provider instance goes through here: the offline profile blocks cloud
 * targets before any byte leaves; private targets are refused unless OUTBOUND_ALLOW_PRIVATE;
 * the credential is resolved from ModelOps for this call only and sent as headers; timeouts and
 * upstream statuses become ProviderCallException.
 */
@Injectable()
export class ProviderHttpClient {
  constructor(
    private readonly config: ConfigService<AllConfig, true>,
    private readonly modelops: ModelOpsPort,
    private readonly runtimeProfile: RuntimeProfileRepository,
  ) {}

  async json<T>(target: ProviderTarget, request: ProviderRequest): Promise<ProviderResponse<T>> {
    const call = await this.prepare(target, request);
    const timeoutMs = request.timeoutMs ?? target.timeoutMs;
    const abort = linkedAbort(request.signal, timeoutMs);
    try {
      const res = await this.send(call, abort.signal);
      const text = await res.text();
      if (!res.ok && !(request.accept ?? []).includes(res.status)) {
        throw this.statusFailure(target, res, text, call.secrets);
      }
      return { status: res.status, body: request.parse === 'text' ? (text as T) : parseJson<T>(target, text) };
    } catch (err) {
      throw this.classify(target, err, abort.timedOut(), timeoutMs, call.secrets);
    } finally {
      abort.dispose();
    }
  }

  /**
   * Opens a streaming response (SSE). The timeout covers the wait for headers and then every
   * gap between chunks; aborting `request.signal` (the client went away) ends the upstream call.
   */
  async stream(target: ProviderTarget, request: ProviderRequest): Promise<ProviderStream> {
    const call = await this.prepare(target, request);
    const timeoutMs = request.timeoutMs ?? target.timeoutMs;
    const abort = linkedAbort(request.signal, timeoutMs);
    let res: Response;
    try {
      res = await this.send(call, abort.signal);
      if (!res.ok) throw this.statusFailure(target, res, await res.text(), call.secrets);
      if (!res.body) throw new ProviderCallException('bad_response', target, 'The provider sent no body');
    } catch (err) {
      abort.dispose();
      throw this.classify(target, err, abort.timedOut(), timeoutMs, call.secrets);
    }
    const body = res.body as AsyncIterable<Uint8Array>;
    const classify = (err: unknown) => this.classify(target, err, abort.timedOut(), timeoutMs, call.secrets);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        abort.restart();
        for await (const chunk of body) {
          // The timer covers the provider's silence, not the time the consumer takes.
          abort.pause();
          yield chunk;
          abort.restart();
        }
      } catch (err) {
        throw classify(err);
      } finally {
        abort.dispose();
      }
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', chunks: chunks() };
  }

  /** Offline gate, target check and credential resolution: everything before the first byte. */
  private async prepare(target: ProviderTarget, request: ProviderRequest) {
    if (target.origin === 'cloud' && (await this.runtimeProfile.mode()) !== 'online') {
      throw new OfflineProviderBlockedException(
        `The runtime profile is offline: calls to cloud provider ${target.slug} are blocked`,
        [{ id: target.id, slug: target.slug, family: target.family }],
      );
    }
    if (!target.endpointUrl) {
      throw new PlatformControlException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        PlatformControlErrorCode.EndpointRequired,
        `Provider ${target.slug} has no endpoint URL`,
      );
    }
    const url = new URL(target.endpointUrl.replace(/\/+$/, '') + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const allowPrivate = this.config.getOrThrow('modelops', { infer: true }).outboundAllowPrivate;
    const refusal = await outboundRefusal(url, allowPrivate);
    if (refusal) throw new ProviderCallException('refused', target, `Provider ${target.slug}: ${refusal}`);

    const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
    const secrets: string[] = [];
    const apiKey = await this.resolveRef(target, 'api_key');
    if (apiKey) {
      secrets.push(apiKey);
      headers.authorization = `Bearer ${apiKey}`;
      // Qdrant documents its own header; it also accepts the bearer form.
      if (target.adapter === 'qdrant') headers['api-key'] = apiKey;
    }
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    return {
      url,
      init: {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      },
      secrets,
    };
  }

  private async resolveRef(target: ProviderTarget, name: string): Promise<string | undefined> {
    const ref = target.secretRefs[name];
    if (!ref) return undefined;
    const credentialId = ref.startsWith(CREDENTIAL_REF_PREFIX) ? ref.slice(CREDENTIAL_REF_PREFIX.length) : '';
    try {
      return await this.modelops.resolveSecret(credentialId);
    } catch {
      throw new PlatformControlException(
        HttpStatus.CONFLICT,
        PlatformControlErrorCode.CredentialUnavailable,
        `The credential ${ref} of provider ${target.slug} cannot be resolved`,
        { provider: describeTarget(target) },
      );
    }
  }

  /**
   * `fetch` is looked up at call time (tests wrap the global to watch every outbound request).
   * Redirects are not followed (a 3xx is a failure): a provider cannot bounce the call elsewhere.
   */
  private send(call: { url: URL; init: RequestInit }, signal: AbortSignal): Promise<Response> {
    return fetch(call.url, { ...call.init, signal, redirect: 'manual' });
  }

  private statusFailure(target: ProviderTarget, res: Response, text: string, secrets: string[]) {
    const detail = `Provider ${target.slug} answered ${res.status}: ${upstreamMessage(text, secrets)}`;
    if (res.status === 401 || res.status === 403) {
      return new ProviderCallException('auth', target, detail, res.status);
    }
    if (res.status === 404) return new ProviderCallException('not_found', target, detail, res.status);
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      return new ProviderCallException(
        'rate_limited',
        target,
        detail,
        res.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    return new ProviderCallException('upstream', target, detail, res.status);
  }

  private classify(
    target: ProviderTarget,
    err: unknown,
    timedOut: boolean,
    timeoutMs: number,
    secrets: string[],
  ): Error {
    if (err instanceof PlatformControlException) return err;
    if (timedOut) {
      return new ProviderCallException(
        'timeout',
        target,
        `Provider ${target.slug} did not answer within ${timeoutMs} ms`,
      );
    }
    if (err instanceof Error && err.name === 'AbortError') return err;
    const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : 'error';
    return new ProviderCallException(
      'unreachable',
      target,
      `Provider ${target.slug} could not be reached (${scrub(String(cause), secrets)})`,
    );
  }
}

/** An AbortController fired by the caller's signal or by a timer that can be restarted. */
function linkedAbort(parent: AbortSignal | undefined, timeoutMs: number) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const onParent = () => controller.abort(parent?.reason);
  const pause = () => {
    if (timer) clearTimeout(timer);
  };
  const restart = () => {
    pause();
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
  };
  if (parent?.aborted) controller.abort(parent.reason);
  parent?.addEventListener('abort', onParent, { once: true });
  restart();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    restart,
    pause,
    dispose: () => {
      if (timer) clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

function parseJson<T>(target: ProviderTarget, text: string): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ProviderCallException('bad_response', target, `Provider ${target.slug} answered with invalid JSON`);
  }
}

/** Every occurrence of a secret replaced, so nothing echoed by a provider reaches an answer or a log. */
export function scrub(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

/** The upstream's own error message (OpenAI `error.message`, Qdrant `status.error`…), scrubbed and cut. */
function upstreamMessage(text: string, secrets: string[]): string {
  let message = text;
  try {
    const body = JSON.parse(text) as {
      error?: string | { message?: string };
      message?: string;
      detail?: string;
      status?: { error?: string };
    };
    const found =
      (typeof body.error === 'string' ? body.error : body.error?.message) ??
      body.message ??
      body.detail ??
      body.status?.error;
    if (typeof found === 'string') message = found;
  } catch {
    // not JSON: the raw text
  }
  const clean = scrub(message, secrets).replace(/\s+/g, ' ').trim();
  return clean.length > UPSTREAM_DETAIL_MAX_CHARS
    ? `${clean.slice(0, UPSTREAM_DETAIL_MAX_CHARS)}…`
    : clean || '(no body)';
}
