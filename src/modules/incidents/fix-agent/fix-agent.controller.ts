import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CreateFixProposalDto, FixProposalPageDto, FixProposalResponseDto } from './dto/fix-agent.dto';
import { FixAgentService } from './fix-agent.service';

/** The fix agent of an incident: proposals (plan + diff of the agent's catalog definition) and their apply. */
@ApiTags('incidents')
@Auth()
@Controller('api/incidents/:id/fix-agent')
export class FixAgentController {
  constructor(private readonly fixAgent: FixAgentService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Dispatch FixAgentRunner and return a plan plus diff or a labeled fallback',
    description:
      "Reads the incident, its sample sessions' evidence and the affected agent's current catalog definition, and asks " +
      "the platform's llm_inference model (through the active deployment; offline, never a cloud provider) for a plan " +
      'and a revised definition (prompt, tool policy, workflow). When no model is usable, or its answer is invalid, ' +
      "the answer is the deterministic plan of the incident's detector with `fallback: true` and the `reason`. The " +
      'proposal is stored; apply it with POST .../fix-agent/{proposalId}/apply. Provider and repository tokens never ' +
      'leave the server. 409 `agent_not_in_catalog` when the agent has no catalog definition.',
  })
  @ApiOkResponse({ type: FixProposalResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  runFixAgent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CreateFixProposalDto,
  ): Promise<FixProposalResponseDto> {
    return this.fixAgent.propose(principal, id, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the fix proposals of an incident (newest first; cursor paging)' })
  @ApiOkResponse({ type: FixProposalPageDto })
  @ApiProblemResponses(400, 404, 422)
  listFixProposals(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<FixProposalPageDto> {
    return this.fixAgent.list(principal, id, query);
  }

  @Get(':proposalId')
  @ApiOperation({ summary: 'One fix proposal of an incident' })
  @ApiOkResponse({ type: FixProposalResponseDto })
  @ApiProblemResponses(400, 404)
  getFixProposal(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('proposalId', ParseUUIDPipe) proposalId: string,
  ): Promise<FixProposalResponseDto> {
    return this.fixAgent.get(principal, id, proposalId);
  }

  @Post(':proposalId/apply')
  @Auth('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Apply a fix proposal: publish the agent's next registry version",
    description:
      "Applies the proposal's diff to the canonical definition of the agent's current registry version and publishes " +
      'the result as the next version (validated like any catalog update, audit-logged). 409 `stale_proposal` when ' +
      'the base version is no longer current, `patch_does_not_apply`, `already_applied` or `nothing_to_apply`; ' +
      '403 `platform_agent` for a platform agent unless the caller is a superadmin.',
  })
  @ApiOkResponse({ type: FixProposalResponseDto })
  @ApiProblemResponses(400, 404, 409, 422)
  applyFixProposal(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('proposalId', ParseUUIDPipe) proposalId: string,
  ): Promise<FixProposalResponseDto> {
    return this.fixAgent.apply(principal, id, proposalId);
  }
}
