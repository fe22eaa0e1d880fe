import { Injectable } from '@nestjs/common';
import { ProviderCallException, ProviderHttpClient, type ProviderStream } from './provider-http.client';
import type { ProviderTarget } from './provider-target';

export interface ChatMessage {
  role: string;
  content: string;
}

/** What a chat asks for, before a model is chosen. */
export interface ChatInput {
  messages: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
}

/** The OpenAI chat-completions request, as far as Flightdeck shapes it. */
export interface ChatCompletionRequest extends ChatInput {
  model: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices: { index: number; message?: { role: string; content: string | null }; finish_reason?: string | null }[];
  usage?: TokenUsage;
  [field: string]: unknown;
}

export interface EmbeddingsResult {
  model: string;
  vectors: number[][];
  usage: { prompt_tokens: number; total_tokens: number } | null;
}

export interface AdvertisedModel {
  id: string;
  owned_by?: string | null;
}

/**
 * The OpenAI-compatible HTTP surface shared by vLLM, llama.cpp's server, the in-stack gateway
 * and cloud providers: `GET /models`, `POST /chat/completions` (JSON or SSE), `POST /embeddings`.
 * The target's endpoint is the base URL including `/v1`.
 */
@Injectable()
export class OpenAiCompatibleAdapter {
  constructor(private readonly http: ProviderHttpClient) {}

  async listModels(target: ProviderTarget, signal?: AbortSignal): Promise<AdvertisedModel[]> {
    const res = await this.http.json<{ data?: AdvertisedModel[] }>(target, { method: 'GET', path: '/models', signal });
    if (!Array.isArray(res.body?.data)) {
      throw new ProviderCallException(
        'bad_response',
        target,
        `Provider ${target.slug} answered /models without a data list`,
      );
    }
    return res.body.data
      .filter((m) => typeof m?.id === 'string')
      .map((m) => ({ id: m.id, owned_by: m.owned_by ?? null }));
  }

  async chat(target: ProviderTarget, request: ChatCompletionRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const res = await this.http.json<ChatCompletion>(target, {
      method: 'POST',
      path: '/chat/completions',
      body: { ...request, stream: false },
      signal,
    });
    if (!Array.isArray(res.body?.choices)) {
      throw new ProviderCallException(
        'bad_response',
        target,
        `Provider ${target.slug} answered a chat without choices`,
      );
    }
    return res.body;
  }

  /**
   * Opens a streamed chat: the provider's SSE bytes, to be passed through as they come. Asks for
   * the final usage chunk (`stream_options.include_usage`) so usage can be recorded.
   */
  chatStream(target: ProviderTarget, request: ChatCompletionRequest, signal?: AbortSignal): Promise<ProviderStream> {
    return this.http.stream(target, {
      method: 'POST',
      path: '/chat/completions',
      body: { ...request, stream: true, stream_options: { include_usage: true } },
      signal,
    });
  }

  async embeddings(
    target: ProviderTarget,
    model: string,
    input: string[],
    signal?: AbortSignal,
  ): Promise<EmbeddingsResult> {
    const res = await this.http.json<{
      model?: string;
      data?: { index?: number; embedding?: unknown }[];
      usage?: { prompt_tokens: number; total_tokens: number };
    }>(target, { method: 'POST', path: '/embeddings', body: { model, input }, signal });
    const data = res.body?.data;
    const valid =
      Array.isArray(data) &&
      data.length === input.length &&
      data.every((d) => Array.isArray(d.embedding) && d.embedding.every((x) => typeof x === 'number'));
    if (!valid) {
      throw new ProviderCallException(
        'bad_response',
        target,
        `Provider ${target.slug} answered /embeddings without one numeric vector per input`,
      );
    }
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return {
      model: res.body?.model ?? model,
      vectors: ordered.map((d) => d.embedding as number[]),
      usage: res.body?.usage ?? null,
    };
  }
}
