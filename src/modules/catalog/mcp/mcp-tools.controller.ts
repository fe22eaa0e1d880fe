import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  CreateMcpToolDto,
  ImportMcpToolsQueryDto,
  ImportMcpToolsResponseDto,
  ListMcpToolsQueryDto,
  McpToolPageDto,
  McpToolResponseDto,
  TOOLS_LIST_BODY_SCHEMA,
  UpdateMcpToolDto,
} from './dto/mcp-tool.dto';
import { McpToolsService } from './mcp-tools.service';

/** The tools of an MCP server (viewers read, members write), by hand or from its tools/list. */
@ApiTags('catalog')
@Auth()
@Controller('v1/mcp-servers/:serverId/tools')
export class McpToolsController {
  constructor(private readonly tools: McpToolsService) {}

  @Get()
  @ApiOperation({ summary: "List an MCP server's tools by name (cursor paging)" })
  @ApiOkResponse({ type: McpToolPageDto })
  @ApiProblemResponses(400, 404, 422)
  listMcpTools(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Query() query: ListMcpToolsQueryDto,
  ): Promise<McpToolPageDto> {
    return this.tools.list(principal, serverId, query);
  }

  @Post()
  @ApiOperation({ summary: 'Add a tool (input and output schemas validated as JSON Schema)' })
  @ApiCreatedResponse({ type: McpToolResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  createMcpTool(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Body() dto: CreateMcpToolDto,
  ): Promise<McpToolResponseDto> {
    return this.tools.create(principal, serverId, dto);
  }

  @Post('import')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Import the server's tools from an MCP tools/list result",
    description:
      'The body is the `ListToolsResult` the MCP SDKs return (`{tools, nextCursor?}`), bare or in its JSON-RPC response (`{jsonrpc, id, result}`). Tools are upserted by name; the answer counts created, updated and unchanged ones. Any invalid tool refuses the whole import (422 `invalid_tools_list`, `errors[]` naming paths).',
  })
  @ApiBody({ schema: TOOLS_LIST_BODY_SCHEMA })
  @ApiOkResponse({ type: ImportMcpToolsResponseDto })
  @ApiProblemResponses(400, 404, 409, 413, 415, 422)
  importMcpTools(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Query() query: ImportMcpToolsQueryDto,
    @Body() body: unknown,
  ): Promise<ImportMcpToolsResponseDto> {
    return this.tools.import(principal, serverId, body, query.prune === 'true');
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tool of an MCP server' })
  @ApiOkResponse({ type: McpToolResponseDto })
  @ApiProblemResponses(400, 404)
  getMcpTool(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<McpToolResponseDto> {
    return this.tools.get(principal, serverId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a tool (a rename is refused while catalog tools call it)' })
  @ApiOkResponse({ type: McpToolResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateMcpTool(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateMcpToolDto,
  ): Promise<McpToolResponseDto> {
    return this.tools.update(principal, serverId, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a tool no catalog tool calls (409 `in_use` otherwise)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteMcpTool(
    @CurrentPrincipal() principal: Principal,
    @Param('serverId', ParseUUIDPipe) serverId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.tools.delete(principal, serverId, id);
  }
}
