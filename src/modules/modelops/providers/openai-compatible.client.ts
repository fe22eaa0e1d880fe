import { Injectable } from '@nestjs/common';
import { OutboundHttp } from '../egress/outbound-http';

export interface OpenAiTarget {
  /** API base, e.g. `https://api.openai.com/v1` (routes are appended: `/models`, `/chat/completions`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; never logged, never returned. */
  apiKey?: string;
  /** Admin-configured local runtimes live on private networks. */
  allowPrivate?: boolean;
}

/** What a call answered, or why it failed: `{ ok: false, code, message }` never carries the key. */
export type CallOutcome<T> =
  | ({ ok: true; status: number; latencyMs: number } & T)
  | { ok: false; code: string; message: string; status?: number; latencyMs: number };

interface ModelList {
  data?: { id?: unknown; owned_by?: unknown }[];
}
interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}
interface Embeddings {
  data?: { embedding?: unknown }[];
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** The three routes of the OpenAI-compatible API that validation and tests call. */
@Injectable()
export class OpenAiCompatibleClient {
  constructor(private readonly http: OutboundHttp) {}

  /** `GET /models`: the ids the endpoint serves with this key. */
  listModels(target: OpenAiTarget): Promise<CallOutcome<{ ids: string[] }>> {
    return this.call<ModelList, { ids: string[] }>(target, 'GET', '/models', undefined, (body) => {
      if (!Array.isArray(body?.data)) return undefined;
      return { ids: body.data.map((m) => (typeof m.id === 'string' ? m.id : '')).filter(Boolean) };
    });
  }

  /** `POST /chat/completions` with one user message. */
  chat(target: OpenAiTarget, model: string, prompt: string, maxTokens: number) {
    return this.call<ChatCompletion, { text: string; inputTokens: number | null; outputTokens: number | null }>(
      target,
      'POST',
      '/chat/completions',
      { model, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens, stream: false },
      (body) => {
        const content = body?.choices?.[0]?.message?.content;
        if (typeof content !== 'string') return undefined;
        return {
          text: content,
          inputTokens: body?.usage?.prompt_tokens ?? null,
          outputTokens: body?.usage?.completion_tokens ?? null,
        };
      },
    );
  }

  /** `POST /embeddings` of one input. */
  embed(target: OpenAiTarget, model: string, input: string) {
    return this.call<Embeddings, { dimensions: number; inputTokens: number | null }>(
      target,
      'POST',
      '/embeddings',
      { model, input },
      (body) => {
        const vector = body?.data?.[0]?.embedding;
        if (!Array.isArray(vector) || vector.length === 0) return undefined;
        return {
          dimensions: vector.length,
          inputTokens: body?.usage?.prompt_tokens ?? body?.usage?.total_tokens ?? null,
        };
      },
    );
  }

  private async call<B, T>(
    target: OpenAiTarget,
    method: 'GET' | 'POST',
    route: string,
    json: unknown,
    parse: (body: B | undefined) => T | undefined,
  ): Promise<CallOutcome<T>> {
    const started = Date.now();
    const headers: Record<string, string> = {};
    if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
    try {
      const res = await this.http.json<B>(`${target.baseUrl.replace(/\/+$/, '')}${route}`, {
        method,
        headers,
        json,
        allowPrivate: target.allowPrivate,
        timeoutMs: 30_000,
      });
      const latencyMs = Date.now() - started;
      if (res.status === 401 || res.status === 403) {
        return {
          ok: false,
          code: 'unauthorized',
          status: res.status,
          message: `The provider refused the credential (${res.status})`,
          latencyMs,
        };
      }
      if (res.status < 200 || res.status >= 300) {
        const detail = scrub(providerMessage(res.body), target.apiKey);
        return {
          ok: false,
          code: 'http_error',
          status: res.status,
          message: `The provider answered ${res.status}${detail}`,
          latencyMs,
        };
      }
      const parsed = parse(res.body);
      if (!parsed) {
        return {
          ok: false,
          code: 'invalid_response',
          status: res.status,
          message: `The answer of ${route} is not OpenAI-compatible`,
          latencyMs,
        };
      }
      return { ok: true, status: res.status, latencyMs, ...parsed };
    } catch (err) {
      const latencyMs = Date.now() - started;
      const code = (err as { code?: unknown }).code === 'outbound_target_refused' ? 'target_refused' : 'unreachable';
      return { ok: false, code, message: err instanceof Error ? err.message : String(err), latencyMs };
    }
  }
}

/** `text` without any occurrence of the secret (a provider may echo what it was sent). */
function scrub(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}

/** The provider's own error message, shortened. */
function providerMessage(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  return message ? `: ${message.slice(0, 300)}` : '';
}
