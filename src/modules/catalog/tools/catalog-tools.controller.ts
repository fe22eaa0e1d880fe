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
import { CatalogToolsService } from './catalog-tools.service';
import { ListCatalogEntriesQueryDto } from '../agents/dto/catalog-agent.dto';
import {
  CatalogToolPageDto,
  CatalogToolResponseDto,
  CreateCatalogToolDto,
  ReplaceCatalogToolDto,
} from './dto/catalog-tool.dto';

/**
 * Typed catalog tools (superadmin), stored as registry versions: platform tools (global) and the
 * caller workspace's user tools. Transports: `mcp` and `sandbox_http` only.
 */
@ApiTags('catalog')
@Controller('v1/catalog/tools')
export class CatalogToolsController {
  constructor(private readonly tools: CatalogToolsService) {}

  @Get()
  @Auth('superadmin')
  @ApiOperation({ summary: 'List tools (platform and this workspace) by key, at their current version' })
  @ApiOkResponse({ type: CatalogToolPageDto })
  @ApiProblemResponses(422)
  listCatalogTools(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListCatalogEntriesQueryDto,
  ): Promise<CatalogToolPageDto> {
    return this.tools.list(principal, query);
  }

  @Post()
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Create a tool (version 1)',
    description:
      'Transport `mcp` or `sandbox_http` (others 422); schemas are validated (422 `invalid_json_schema`); an `mcp.server_id` must name an MCP server of this workspace that has the tool (422 `unknown_reference` naming it). 409 `name_taken` for a key in use.',
  })
  @ApiCreatedResponse({ type: CatalogToolResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createCatalogTool(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCatalogToolDto,
  ): Promise<CatalogToolResponseDto> {
    return this.tools.create(principal, dto);
  }

  @Get(':id')
  @Auth('superadmin')
  @ApiOperation({ summary: 'A tool at its current version' })
  @ApiOkResponse({ type: CatalogToolResponseDto })
  @ApiProblemResponses(400, 404)
  getCatalogTool(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CatalogToolResponseDto> {
    return this.tools.get(principal, id);
  }

  @Put(':id')
  @Auth('superadmin')
  @ApiOperation({ summary: 'Publish the next version of a tool (the whole spec; earlier versions stay readable)' })
  @ApiOkResponse({ type: CatalogToolResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  replaceCatalogTool(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReplaceCatalogToolDto,
  ): Promise<CatalogToolResponseDto> {
    return this.tools.replace(principal, id, dto);
  }

  @Delete(':id')
  @Auth('superadmin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a user tool no agent allows',
    description:
      "Platform tools cannot be deleted: 409 `platform_entry_protected`. A tool in an agent's tool policy: 409 `in_use` naming the agents.",
  })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteCatalogTool(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.tools.delete(principal, id);
  }

  @Post(':id/validate')
  @Auth('superadmin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Check the current version against today's catalog and ModelOps (changes nothing)" })
  @ApiOkResponse({ type: ValidationReportDto })
  @ApiProblemResponses(400, 404)
  validateCatalogTool(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ValidationReportDto> {
    return this.tools.validate(principal, id);
  }

  @Get(':id/versions')
  @Auth('superadmin')
  @ApiOperation({ summary: "A tool's versions, newest first (immutable registry rows)" })
  @ApiOkResponse({ type: RegistryVersionPageDto })
  @ApiProblemResponses(400, 404, 422)
  listCatalogToolVersions(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListVersionsQueryDto,
  ): Promise<RegistryVersionPageDto> {
    return this.tools.versions(principal, id, query.limit, query.cursor);
  }

  @Get(':id/versions/:version')
  @Auth('superadmin')
  @ApiOperation({ summary: 'A tool as one of its versions defined it' })
  @ApiOkResponse({ type: CatalogToolResponseDto })
  @ApiProblemResponses(400, 404)
  getCatalogToolVersion(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<CatalogToolResponseDto> {
    return this.tools.version(principal, id, version);
  }
}
