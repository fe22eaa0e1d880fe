import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CreateExampleDto, ExamplePageDto, ExampleResponseDto, ListExamplesQueryDto } from './dto/example.dto';
import { EXAMPLE_CONTENT_TYPE } from './examples.constants';
import { ExamplesService } from './examples.service';
import { toStreamableFile } from './http/streamable-download';

/** Training data: examples built from sessions, and their JSONL. */
@ApiTags('examples')
@Auth()
@Controller('v1/examples')
export class ExamplesController {
  constructor(private readonly examples: ExamplesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Build training data from a session for a model (queued; a job builds it)',
    description:
      'Answers 202 with the example (status `queued`); follow it with GET /v1/examples/{id}. ' +
      'The records are OpenAI chat fine-tuning lines built from the session events up to its current high-water mark.',
  })
  @ApiAcceptedResponse({ type: ExampleResponseDto })
  @ApiProblemResponses(404, 415, 422)
  createExample(@CurrentPrincipal() principal: Principal, @Body() dto: CreateExampleDto): Promise<ExampleResponseDto> {
    return this.examples.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List examples (filters narrow; newest first; cursor paging)' })
  @ApiOkResponse({ type: ExamplePageDto })
  @ApiProblemResponses(422)
  listExamples(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListExamplesQueryDto,
  ): Promise<ExamplePageDto> {
    return this.examples.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An example: status, progress, record counts, skip reasons, error, sha256 and size' })
  @ApiOkResponse({ type: ExampleResponseDto })
  @ApiProblemResponses(400, 404)
  getExample(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ExampleResponseDto> {
    return this.examples.get(principal, id);
  }

  @Get(':id/messages')
  @ApiOperation({
    summary: 'Stream the JSONL training records (one chat fine-tuning record a line)',
    description:
      'Gzip-compressed (`Content-Encoding: gzip`) when the request accepts it. 409 until the example is ready.',
  })
  @ApiHeader({ name: 'Accept-Encoding', required: false, description: '`gzip` for a compressed body' })
  @ApiProduces(EXAMPLE_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'JSONL: `{"messages": [...], "tools": [...]}` a line',
    content: { [EXAMPLE_CONTENT_TYPE]: { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblemResponses(400, 404, 409)
  async getExampleMessages(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('accept-encoding') acceptEncoding: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    return toStreamableFile(res, await this.examples.download(principal, id, acceptEncoding));
  }
}
