import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import type { ChatCompletion } from './adapters/openai-compatible.adapter';
import type {
  GenerateRequestDto,
  GenerateResponseDto,
  InferenceRequestDto,
  InferenceResponseDto,
} from './dto/inference.dto';
import { type ChatInput, PlatformRuntimeService } from './platform-runtime.service';

/**
 * `POST /v1/models/inference` (chat) and `/v1/models/generate` (prompt → text) through the active
 * llm_inference binding. With `stream: true` the provider's SSE chunks are passed through as they
 * come, the usage chunk and `data: [DONE]` included.
 */
@Injectable()
export class InferenceService {
  constructor(private readonly runtime: PlatformRuntimeService) {}

  async inference(principal: Principal, dto: InferenceRequestDto, res: Response): Promise<void> {
    const input: ChatInput = { messages: dto.messages, ...sampling(dto) };
    if (dto.stream) return this.stream(principal, dto.model, input, res);
    const { completion } = await this.runtime.chat(input, { model: dto.model, principal });
    res.status(200).json(toInferenceResponse(completion));
  }

  async generate(principal: Principal, dto: GenerateRequestDto, res: Response): Promise<void> {
    const messages = [
      ...(dto.system ? [{ role: 'system', content: dto.system }] : []),
      { role: 'user', content: dto.prompt },
    ];
    const input: ChatInput = { messages, ...sampling(dto) };
    if (dto.stream) return this.stream(principal, dto.model, input, res);
    const { completion } = await this.runtime.chat(input, { model: dto.model, principal });
    const choice = completion.choices[0];
    const answer: GenerateResponseDto = {
      model: completion.model ?? '',
      output: typeof choice?.message?.content === 'string' ? choice.message.content : '',
      finish_reason: choice?.finish_reason ?? null,
      usage: completion.usage ?? null,
    };
    res.status(200).json(answer);
  }

  /**
   * Errors before the first byte are problem+json like any other; once the stream has started,
   * a failure ends it with one `data: {"error": …}` event (the status line is already sent).
   */
  private async stream(principal: Principal, model: string | undefined, input: ChatInput, res: Response) {
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on('close', onClose);
    try {
      const { chunks } = await this.runtime.chatStream(input, {
        model,
        principal,
        signal: abort.signal,
      });
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      try {
        for await (const chunk of chunks) {
          if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
          if (abort.signal.aborted) break;
        }
      } catch (err) {
        if (!abort.signal.aborted) {
          const error =
            err instanceof AppException
              ? { code: err.code, message: err.message }
              : { code: 'internal_error', message: 'The stream failed' };
          res.write(`data: ${JSON.stringify({ error })}\n\n`);
        }
      }
      res.end();
    } finally {
      res.off('close', onClose);
    }
  }
}

function sampling(dto: InferenceRequestDto | GenerateRequestDto) {
  return {
    ...(dto.max_tokens !== undefined ? { max_tokens: dto.max_tokens } : {}),
    ...(dto.temperature !== undefined ? { temperature: dto.temperature } : {}),
    ...(dto.top_p !== undefined ? { top_p: dto.top_p } : {}),
    ...(dto.stop !== undefined ? { stop: dto.stop } : {}),
  };
}

function toInferenceResponse(completion: ChatCompletion): InferenceResponseDto {
  return {
    id: completion.id ?? '',
    object: completion.object ?? 'chat.completion',
    created: completion.created ?? Math.floor(Date.now() / 1000),
    model: completion.model ?? '',
    choices: completion.choices.map((c, index) => ({
      index: c.index ?? index,
      message: { role: c.message?.role ?? 'assistant', content: c.message?.content ?? null },
      finish_reason: c.finish_reason ?? null,
    })),
    usage: completion.usage ?? null,
  };
}
