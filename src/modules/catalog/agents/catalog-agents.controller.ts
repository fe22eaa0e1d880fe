import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { ListVersionsQueryDto, RegistryVersionPageDto, ValidationReportDto } from '../registry/dto/registry.dto';
import { CatalogAgentsService } from './catalog-agents.service';
import {
  CatalogAgentPageDto,
  CatalogAgentResponseDto,
  CreateCatalogAgentDto,
  ListCatalogEntriesQueryDto,
  ReplaceCatalogAgentDto,
} from './dto/catalog-agent.dto';

/**
 * Typed catalog agents (superadmin), stored as registry versions: platform agents (global) and the
 * caller workspace's user agents. Deleting is for a user agent's owner or a superadmin.
 */
@ApiTags('catalog')
@Controller('v1/catalog/agents')
export class CatalogAgentsController {
  constructor(private readonly agents: CatalogAgentsService) {}

  @Get()
  @Auth('superadmin')
  @ApiOperation({ summary: 'List agents (platform and this workspace) by key, at their current version' })
  @ApiOkResponse({ type: CatalogAgentPageDto })
  @ApiProblemResponses(422)
  listCatalogAgents(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListCatalogEntriesQueryDto,
  ): Promise<CatalogAgentPageDto> {
    return this.agents.list(principal, query);
  }

  @Post()
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Create an agent (version 1)',
    description:
      'Every allowed tool must be a catalog tool the agent can see (platform agents: platform tools); a `managed_model` must exist in ModelOps. 409 `name_taken` for a key in use.',
  })
  @ApiCreatedResponse({ type: CatalogAgentResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createCatalogAgent(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCatalogAgentDto,
  ): Promise<CatalogAgentResponseDto> {
    return this.agents.create(principal, dto);
  }

  @Get(':id')
  @Auth('superadmin')
  @ApiOperation({ summary: 'An agent at its current version' })
  @ApiOkResponse({ type: CatalogAgentResponseDto })
  @ApiProblemResponses(400, 404)
  getCatalogAgent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CatalogAgentResponseDto> {
    return this.agents.get(principal, id);
  }

  @Put(':id')
  @Auth('superadmin')
  @ApiOperation({ summary: 'Publish the next version of an agent (the whole spec; earlier versions stay readable)' })
  @ApiOkResponse({ type: CatalogAgentResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  replaceCatalogAgent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReplaceCatalogAgentDto,
  ): Promise<CatalogAgentResponseDto> {
    return this.agents.replace(principal, id, dto);
  }

  @Delete(':id')
  @Auth('member')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a user agent (its owner or a superadmin)',
    description:
      'Platform agents cannot be deleted: 409 `platform_entry_protected` (publish an inactive version instead). Anyone but the owner or a superadmin: 403 `not_owner`.',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteCatalogAgent(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.agents.delete(principal, id);
  }

  @Post(':id/validate')
  @Auth('superadmin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Check the current version against today's catalog and ModelOps (changes nothing)" })
  @ApiOkResponse({ type: ValidationReportDto })
  @ApiProblemResponses(400, 404)
  validateCatalogAgent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ValidationReportDto> {
    return this.agents.validate(principal, id);
  }

  @Get(':id/versions')
  @Auth('superadmin')
  @ApiOperation({ summary: "An agent's versions, newest first (immutable registry rows)" })
  @ApiOkResponse({ type: RegistryVersionPageDto })
  @ApiProblemResponses(400, 404, 422)
  listCatalogAgentVersions(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListVersionsQueryDto,
  ): Promise<RegistryVersionPageDto> {
    return this.agents.versions(principal, id, query.limit, query.cursor);
  }

  @Get(':id/versions/:version')
  @Auth('superadmin')
  @ApiOperation({ summary: 'An agent as one of its versions defined it' })
  @ApiOkResponse({ type: CatalogAgentResponseDto })
  @ApiProblemResponses(400, 404)
  getCatalogAgentVersion(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<CatalogAgentResponseDto> {
    return this.agents.version(principal, id, version);
  }
}
