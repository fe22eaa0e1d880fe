import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  GenerateRequestDto,
  GenerateResponseDto,
  InferenceRequestDto,
  InferenceResponseDto,
} from './dto/inference.dto';
import { InferenceService } from './inference.service';

const STREAM_EXAMPLE =
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n' +
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\n' +
  'data: [DONE]\n\n';

/**
 * `/v1/models/*` inference. DESIGN lists these paths under modelops, but inference must go
 * through the active deployment (binding membership, offline rule, provider dispatch), which is
 * platform-control's runtime resolver; modelops sits below platform-control and cannot import it.
 * So the controller lives here, and usage is recorded per model through modelops' recordUsage.
 */
@ApiTags('models')
@ApiExtraModels(InferenceResponseDto, GenerateResponseDto)
@Auth()
@Controller('v1/models')
export class InferenceController {
  constructor(private readonly inference: InferenceService) {}

  @Post('inference')
  @ApiOperation({
    summary: 'Chat through the active llm_inference binding (the requested model or the binding default)',
    description:
      'With `stream: true` the answer is `text/event-stream`: the provider chunks as they come, the usage chunk, then `data: [DONE]`. ' +
      '409 `model_not_bound` for a model outside the active binding; 409 `offline_provider_blocked` for a cloud provider offline.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: 'JSON, or with `stream: true` Server-Sent Events',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(InferenceResponseDto) } },
      'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE },
    },
  })
  @ApiProblemResponses(409, 415, 422, 502, 504)
  async runInference(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: InferenceRequestDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.inference.inference(principal, dto, res);
  }

  @Post('generate')
  @ApiOperation({
    summary: 'Generate text from a prompt through the active llm_inference binding',
    description: 'Same model selection, offline rule and streaming as `POST /v1/models/inference`.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({
    description: 'JSON, or with `stream: true` Server-Sent Events',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(GenerateResponseDto) } },
      'text/event-stream': { schema: { type: 'string' }, example: STREAM_EXAMPLE },
    },
  })
  @ApiProblemResponses(409, 415, 422, 502, 504)
  async generateText(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: GenerateRequestDto,
    @Res() res: Response,
  ): Promise<void> {
    await this.inference.generate(principal, dto, res);
  }
}
