import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CreateRegressionRunDto, RegressionRunPageDto, RegressionRunResponseDto } from './dto/regression-run.dto';
import { RegressionRunsService } from './regression-runs.service';

/** Regression runs of an incident: its rate before and after a newer agent version. */
@ApiTags('incidents')
@Auth()
@Controller('api/incidents/:id/regression-runs')
export class RegressionRunsController {
  constructor(private readonly runs: RegressionRunsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Trigger before/after regression replay for an incident',
    description:
      'Answers 202 with the run (status `queued`); a job counts it: after = sessions of `candidate_version` (default: ' +
      'the newest version first seen after every version the incident was seen in), before = sessions of the ' +
      'versions that produced the incident, first seen before the candidate (or `baseline_versions`), both started ' +
      'within [since, until). Each side gives sessions, affected sessions ' +
      "(an analysis finding with the incident's fingerprint; sessions never analysed are analysed by the " +
      'deterministic detectors) and the rate; `regressed` is after.rate > before.rate. A side without sessions ' +
      'completes with `insufficient_data`. Follow it with GET .../regression-runs/{runId}; audit-logged; the ' +
      '`regression.finished` webhook is sent when it ends.',
  })
  @ApiAcceptedResponse({ type: RegressionRunResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  createRegressionRun(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateRegressionRunDto,
  ): Promise<RegressionRunResponseDto> {
    return this.runs.create(principal, id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the regression runs of an incident (newest first; cursor paging)' })
  @ApiOkResponse({ type: RegressionRunPageDto })
  @ApiProblemResponses(400, 404, 422)
  listRegressionRuns(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<RegressionRunPageDto> {
    return this.runs.list(principal, id, query);
  }

  @Get(':runId')
  @ApiOperation({ summary: 'A regression run: status, progress, and the before/after rates with counts' })
  @ApiOkResponse({ type: RegressionRunResponseDto })
  @ApiProblemResponses(400, 404)
  getRegressionRun(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('runId', ParseUUIDPipe) runId: string,
  ): Promise<RegressionRunResponseDto> {
    return this.runs.get(principal, id, runId);
  }
}
