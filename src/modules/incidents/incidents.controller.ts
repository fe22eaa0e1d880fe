import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { IncidentPageDto, IncidentResponseDto, ListIncidentsQueryDto, UpdateIncidentDto } from './dto/incident.dto';
import { IncidentsService } from './incidents.service';

/** Incidents: the same failure (detector and signature) across the sessions of a workspace. */
@ApiTags('incidents')
@Auth()
@Controller('api/incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get()
  @ApiOperation({
    summary: 'List workspace-scoped incident clusters',
    description: 'Last seen first; filters narrow; cursor paging.',
  })
  @ApiOkResponse({ type: IncidentPageDto })
  @ApiProblemResponses(422)
  listIncidents(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListIncidentsQueryDto,
  ): Promise<IncidentPageDto> {
    return this.incidents.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One incident: counts, first and last seen, affected agents, sample sessions' })
  @ApiOkResponse({ type: IncidentResponseDto })
  @ApiProblemResponses(400, 404)
  getIncident(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<IncidentResponseDto> {
    return this.incidents.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update incident status or owner',
    description:
      'Workspace and project checks apply before mutation. The owner must be a member of the workspace (else 422 ' +
      '`owner_not_member`). A resolved incident reopens by itself when a new session shows the same failure.',
  })
  @ApiOkResponse({ type: IncidentResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  updateIncident(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateIncidentDto,
  ): Promise<IncidentResponseDto> {
    return this.incidents.update(principal, id, dto);
  }
}
