import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  AgentSummaryDto,
  ListAgentsQueryDto,
  ListSessionsQueryDto,
  SessionPageDto,
  SessionResponseDto,
} from './dto/session.dto';
import { SessionsService } from './sessions.service';

/** Reads of the session record, under both the native (/v1) and the trace (/api) surfaces. */
@ApiTags('sessions')
@Auth()
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('v1/sessions')
  @ApiOperation({ summary: 'List sessions (filters narrow; newest first; cursor paging)' })
  @ApiOkResponse({ type: SessionPageDto })
  @ApiProblemResponses(422)
  listSessions(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSessionsQueryDto,
  ): Promise<SessionPageDto> {
    return this.sessions.list(principal, query);
  }

  @Get('api/sessions')
  @ApiOperation({ summary: 'List workspace/project-scoped sessions for the console' })
  @ApiOkResponse({ type: SessionPageDto })
  @ApiProblemResponses(422)
  listConsoleSessions(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSessionsQueryDto,
  ): Promise<SessionPageDto> {
    return this.sessions.list(principal, query);
  }

  @Get('v1/sessions/:id')
  @ApiOperation({ summary: 'Session metadata, counters and status' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiProblemResponses(400, 404)
  getSession(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SessionResponseDto> {
    return this.sessions.get(principal, id);
  }

  @Get('v1/agents')
  @ApiOperation({ summary: 'Agents seen in the workspace, their versions and run counts' })
  @ApiOkResponse({ type: [AgentSummaryDto] })
  @ApiProblemResponses(422)
  listAgents(@CurrentPrincipal() principal: Principal, @Query() query: ListAgentsQueryDto): Promise<AgentSummaryDto[]> {
    return this.sessions.listAgents(principal, query.project_id);
  }
}
