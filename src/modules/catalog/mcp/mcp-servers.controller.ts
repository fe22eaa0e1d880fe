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
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  CreateMcpServerDto,
  ListMcpServersQueryDto,
  McpServerPageDto,
  McpServerResponseDto,
  UpdateMcpServerDto,
} from './dto/mcp-server.dto';
import { McpServersService } from './mcp-servers.service';

/** MCP servers of the caller's workspace (viewers read, members write; credential refs superadmin). */
@ApiTags('catalog')
@Auth()
@Controller('v1/mcp-servers')
export class McpServersController {
  constructor(private readonly servers: McpServersService) {}

  @Get()
  @ApiOperation({ summary: 'List MCP servers by name (cursor paging)' })
  @ApiOkResponse({ type: McpServerPageDto })
  @ApiProblemResponses(422)
  listMcpServers(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListMcpServersQueryDto,
  ): Promise<McpServerPageDto> {
    return this.servers.list(principal, query);
  }

  @Post()
  @ApiOperation({
    summary: 'Register an MCP server (stdio command, or sse / streamable_http URL)',
    description:
      'Secrets only as `secret_refs` to ModelOps credentials: attaching one is for superadmins (403 `credential_ref_forbidden`); an unknown credential is 422 `unknown_reference`; secret-looking headers or env vars in clear are 422.',
  })
  @ApiCreatedResponse({ type: McpServerResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createMcpServer(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateMcpServerDto,
  ): Promise<McpServerResponseDto> {
    return this.servers.create(principal, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An MCP server with its tool count' })
  @ApiOkResponse({ type: McpServerResponseDto })
  @ApiProblemResponses(400, 404)
  getMcpServer(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<McpServerResponseDto> {
    return this.servers.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change an MCP server's name, transport or endpoint settings" })
  @ApiOkResponse({ type: McpServerResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateMcpServer(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateMcpServerDto,
  ): Promise<McpServerResponseDto> {
    return this.servers.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete an MCP server and its tools',
    description: 'Refused with 409 `in_use` naming the catalog tools that run on it.',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteMcpServer(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.servers.delete(principal, id);
  }
}
