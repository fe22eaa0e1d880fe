import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { AnalysisResponseDto, AnalyzeTraceDto, PutAnalysisDto } from '../dto/analysis.dto';
import { AnalysisService } from './analysis.service';

/** The trace API's analysis routes: run the detectors, read their result, store a workflow's. */
@ApiTags('analysis')
@Auth()
@Controller('api/traces/:id')
export class AnalysisController {
  constructor(private readonly analysis: AnalysisService) {}

  @Post('analyze')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Run deterministic detectors on a session',
    description:
      'Same ordered events in means same detector labels, confidences and critical step. Runs every detector ' +
      '(documented in docs/detectors.md), stores the result with the digest of its input, and links its findings to ' +
      'incidents. `thresholds` overrides the configured ones for this run.',
    externalDocs: {
      description: 'The detectors, their labels, critical steps and thresholds',
      url: 'docs/detectors.md',
    },
  })
  @ApiOkResponse({ type: AnalysisResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  analyzeTrace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AnalyzeTraceDto,
  ): Promise<AnalysisResponseDto> {
    return this.analysis.analyze(principal, id, dto);
  }

  @Get('analysis')
  @ApiOperation({
    summary: 'Read the stored analysis result for a session',
    description: 'The last analysis (by the detectors or a server-side workflow); 404 until the session was analysed.',
  })
  @ApiOkResponse({ type: AnalysisResponseDto })
  @ApiProblemResponses(400, 404)
  getTraceAnalysis(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AnalysisResponseDto> {
    return this.analysis.get(principal, id);
  }

  @Put('analysis')
  @ApiOperation({
    summary: 'Persist analysis results and incident links from server-side analysis workflow',
    description:
      'This endpoint is not callable by browser clients: a service key (POST /v1/api-keys with `service: true`, by a ' +
      'workspace admin) or a superadmin API key; any SSO token gets 403 `service_credential_required`. Every seq of ' +
      'the findings must be an event of the session (else 422 `unknown_seq`).',
  })
  @ApiOkResponse({ type: AnalysisResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  putTraceAnalysis(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: PutAnalysisDto,
  ): Promise<AnalysisResponseDto> {
    return this.analysis.put(principal, id, dto);
  }
}
