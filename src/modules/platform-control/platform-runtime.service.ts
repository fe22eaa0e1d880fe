import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Principal } from 'src/modules/auth/principal';
import {
  type ChatCompletion,
  type ChatInput,
  type EmbeddingsResult,
  OpenAiCompatibleAdapter,
  type TokenUsage,
} from './adapters/openai-compatible.adapter';
import { observeSseUsage } from './adapters/sse-usage';
import { ModelOpsPort } from './modelops.port';
import { PlatformControlErrorCode, PlatformControlException } from './platform-control.exception';
import { PlatformRuntimeResolver, type ResolvedModelRuntime } from './runtime-resolver';

export interface RuntimeCallOptions {
  /**
   * The caller, when a user asks: besides binding membership, the model must be shared with them
   * (ModelOps governance; superadmins may use every model). Absent for internal calls.
   */
  principal?: Principal;
  /** A managed model of the active binding; default: the binding's default. */
  model?: string;
  /** The workspace the call is made for (usage is recorded under it); default: the principal's. */
  workspaceId?: string | null;
  /** Aborts the upstream call (e.g. the client went away). */
  signal?: AbortSignal;
}

export type { ChatInput };

/**
 * Runtime dispatch through the active deployment, for this module's routes and the modules above:
 * resolve (binding membership, offline rule), call the adapter, record usage per managed model in
 * ModelOps. The answer's `model` is the managed model id.
 */
@Injectable()
export class PlatformRuntimeService {
  private readonly logger = new Logger(PlatformRuntimeService.name);

  constructor(
    private readonly resolver: PlatformRuntimeResolver,
    private readonly openai: OpenAiCompatibleAdapter,
    private readonly modelops: ModelOpsPort,
  ) {}

  async chat(
    input: ChatInput,
    options: RuntimeCallOptions = {},
  ): Promise<{ runtime: ResolvedModelRuntime; completion: ChatCompletion }> {
    const runtime = await this.resolve('llm_inference', options);
    const started = Date.now();
    const completion = await this.openai.chat(
      runtime.target,
      { ...input, model: runtime.model.runtime_model_id },
      options.signal,
    );
    await this.record(runtime, completion.usage ?? null, Date.now() - started, workspaceOf(options));
    return { runtime, completion: { ...completion, model: runtime.model.id } };
  }

  /**
   * A streamed chat: the provider's SSE bytes as they come (the usage chunk and `[DONE]`
   * included); usage is recorded when the stream ends.
   */
  async chatStream(
    input: ChatInput,
    options: RuntimeCallOptions = {},
  ): Promise<{ runtime: ResolvedModelRuntime; chunks: AsyncIterable<Uint8Array> }> {
    const runtime = await this.resolve('llm_inference', options);
    const started = Date.now();
    const stream = await this.openai.chatStream(
      runtime.target,
      { ...input, model: runtime.model.runtime_model_id },
      options.signal,
    );
    let usage: TokenUsage | null = null;
    const record = () => this.record(runtime, usage, Date.now() - started, workspaceOf(options));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        yield* observeSseUsage(stream.chunks, (u) => (usage = u));
      } finally {
        await record();
      }
    }
    return { runtime, chunks: chunks() };
  }

  async embed(
    input: string[],
    options: RuntimeCallOptions = {},
  ): Promise<{ runtime: ResolvedModelRuntime; result: EmbeddingsResult }> {
    const runtime = await this.resolve('embeddings', options);
    const started = Date.now();
    const result = await this.openai.embeddings(runtime.target, runtime.model.runtime_model_id, input, options.signal);
    const usage = result.usage
      ? { prompt_tokens: result.usage.prompt_tokens, completion_tokens: 0, total_tokens: result.usage.total_tokens }
      : null;
    await this.record(runtime, usage, Date.now() - started, workspaceOf(options));
    return { runtime, result };
  }

  private async resolve(
    capability: 'llm_inference' | 'embeddings',
    options: RuntimeCallOptions,
  ): Promise<ResolvedModelRuntime> {
    const runtime = await this.resolver.resolve(capability, { model: options.model });
    const principal = options.principal;
    if (principal && !principal.isSuperadmin && !(await this.modelops.canUse(principal, runtime.model.id))) {
      throw new PlatformControlException(
        HttpStatus.FORBIDDEN,
        PlatformControlErrorCode.ModelNotShared,
        `Model ${runtime.model.name} is not shared with your workspace`,
        { model: runtime.model.id },
      );
    }
    return runtime;
  }

  /** Usage is bookkeeping: a failure to record it is logged, never the caller's error. */
  private async record(
    runtime: ResolvedModelRuntime,
    usage: TokenUsage | null,
    latencyMs: number,
    workspaceId?: string | null,
  ): Promise<void> {
    const tokens = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : 0);
    await this.modelops
      .recordUsage(
        runtime.model.id,
        {
          input_tokens: tokens(usage?.prompt_tokens),
          output_tokens: tokens(usage?.completion_tokens),
          latency_ms: Math.max(0, Math.round(latencyMs)),
        },
        workspaceId ?? null,
      )
      .catch((err: unknown) =>
        this.logger.warn(
          `Usage of model ${runtime.model.id} was not recorded: ${err instanceof Error ? err.message : 'error'}`,
        ),
      );
  }
}

function workspaceOf(options: RuntimeCallOptions): string | null {
  return options.workspaceId !== undefined ? options.workspaceId : (options.principal?.workspaceId ?? null);
}
