import { Controller, Get, Header, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { DashboardService } from './dashboard.service';
import {
  DashboardSummaryDto,
  RootRunsQueryDto,
  RootRunsResponseDto,
  RunHierarchyResponseDto,
} from './dto/dashboard.dto';

/** Agent Spy's dashboard over the runs of the caller's workspace. */
@ApiTags('dashboard')
@Auth()
@Controller('api/v1/dashboard')
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('runs/roots')
  @ApiOperation({ summary: 'Root runs (one per trace), newest first, with filters and offset paging' })
  @ApiOkResponse({ type: RootRunsResponseDto })
  @ApiProblemResponses(400, 422)
  listRootRuns(
    @CurrentPrincipal() principal: Principal,
    @Query() query: RootRunsQueryDto,
  ): Promise<RootRunsResponseDto> {
    return this.dashboard.listRoots(principal, query);
  }

  @Get('runs/:trace_id/hierarchy')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    summary: 'The run tree of a trace, with durations, total runs and depth',
    description: 'Given the id of a run that is not a trace root, the subtree under that run.',
  })
  @ApiOkResponse({ type: RunHierarchyResponseDto })
  @ApiProblemResponses(400, 404)
  getRunHierarchy(
    @CurrentPrincipal() principal: Principal,
    @Param('trace_id', ParseUUIDPipe) traceId: string,
  ): Promise<string> {
    return this.dashboard.hierarchyJson(principal, traceId);
  }

  @Get('stats/summary')
  @ApiOperation({ summary: 'Totals, last 24 hours, distributions by status, run type and project' })
  @ApiOkResponse({ type: DashboardSummaryDto })
  getDashboardSummary(@CurrentPrincipal() principal: Principal): Promise<DashboardSummaryDto> {
    return this.dashboard.summary(principal);
  }
}
