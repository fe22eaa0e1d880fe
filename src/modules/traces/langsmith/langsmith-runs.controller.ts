import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Consumes } from 'src/common/http/consumes.decorator';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  RunAttachmentDto,
  RunBatchDto,
  RunCreateDto,
  RunIngestResultDto,
  RunResponseDto,
  RunUpdateDto,
} from './dto/run.dto';
import { LangsmithRunsService } from './langsmith-runs.service';

const MULTIPART_DESCRIPTION = [
  'The body the LangSmith SDKs send by default (`multipart/form-data`, streamed or not, optionally',
  '`Content-Encoding: gzip`). Parts, each typed `application/json; length=<n>`:',
  '`post.<run id>` / `patch.<run id>` (the run without its large fields), then',
  '`post.<run id>.inputs|outputs|events|extra|error|serialized` (JSON values),',
  '`attachment.<run id>.<name>` (raw bytes in their own type, kept in object storage), and',
  '`feedback.<feedback id>`. A part that cannot be used is listed in `errors` under its run; the',
  'rest of the body is kept. The body is limited to `size_limit_bytes` of `GET /api/v1/info` as',
  'sent (413 past it); a gzip body may inflate to twice that.',
].join(' ');

/**
 * The LangSmith runs API (`LANGSMITH_ENDPOINT=http://host:port/api/v1`, `x-api-key`). Runs are
 * validated one by one: refused runs are listed in `errors` and never cost the others; re-sent
 * runs are merged, never a conflict.
 */
@ApiTags('langsmith')
@ApiExtraModels(RunAttachmentDto)
@Auth()
@Controller('api/v1/runs')
export class LangsmithRunsController {
  constructor(private readonly runs: LangsmithRunsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a run (a re-send of the same run merges into it: 200)' })
  @ApiBody({ type: RunCreateDto })
  @ApiCreatedResponse({ type: RunIngestResultDto, description: 'Created' })
  @ApiOkResponse({ type: RunIngestResultDto, description: 'Merged into the run already stored' })
  @ApiProblemResponses(400, 409, 413, 415, 422)
  async createRun(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunIngestResultDto> {
    const answer = await this.runs.createRun(principal, body);
    res.status(answer.status);
    return answer.body;
  }

  @Post('batch')
  @ApiOperation({
    summary: 'Create and update runs in one request (Agent Spy answer)',
    description:
      'A create and an update of the same id are merged. 200 when anything was accepted (refused runs in ' +
      '`errors`), 202 when it held only updates kept until their runs arrive, 403/422 when every run was refused.',
  })
  @ApiBody({ type: RunBatchDto })
  @ApiOkResponse({ type: RunIngestResultDto })
  @ApiAcceptedResponse({ type: RunIngestResultDto, description: 'Only updates kept until their runs arrive' })
  @ApiProblemResponses(400, 413, 415, 422)
  async ingestRunBatch(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunIngestResultDto> {
    const answer = await this.runs.batch(principal, body);
    res.status(answer.status);
    return answer.body;
  }

  @Post('multipart')
  @Consumes('multipart/form-data')
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary: 'Create and update runs, attachments and feedback (the SDKs default)',
    description: MULTIPART_DESCRIPTION,
  })
  @ApiBody({ schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } } })
  @ApiOkResponse({ type: RunIngestResultDto })
  @ApiAcceptedResponse({ type: RunIngestResultDto, description: 'Only updates kept until their runs arrive' })
  @ApiProblemResponses(400, 413, 415, 422)
  async ingestRunsMultipart(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunIngestResultDto> {
    const answer = await this.runs.multipart(principal, req);
    res.status(answer.status);
    return answer.body;
  }

  @Patch(':run_id')
  @ApiOperation({
    summary: 'Update a run (end it, add outputs or an error)',
    description: 'An update for a run not stored yet is kept and applied when the run arrives: 202.',
  })
  @ApiBody({ type: RunUpdateDto })
  @ApiOkResponse({ type: RunIngestResultDto })
  @ApiAcceptedResponse({ type: RunIngestResultDto, description: 'Kept until the run arrives' })
  @ApiProblemResponses(400, 404, 413, 415, 422)
  async updateRun(
    @CurrentPrincipal() principal: Principal,
    @Param('run_id', ParseUUIDPipe) runId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RunIngestResultDto> {
    const answer = await this.runs.updateRun(principal, runId, body);
    res.status(answer.status);
    return answer.body;
  }

  @Get(':run_id')
  @ApiOperation({ summary: 'A run of the caller workspace' })
  @ApiOkResponse({ type: RunResponseDto })
  @ApiProblemResponses(400, 404)
  getRun(
    @CurrentPrincipal() principal: Principal,
    @Param('run_id', ParseUUIDPipe) runId: string,
  ): Promise<RunResponseDto> {
    return this.runs.getRun(principal, runId);
  }
}
