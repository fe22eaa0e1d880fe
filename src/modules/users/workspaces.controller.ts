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
import { Roles } from 'src/modules/auth/decorators/roles.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from './audit-log.service';
import { AuditLogPageDto, AuditLogQueryDto } from './dto/audit-log.dto';
import { AddMemberDto, MemberResponseDto, UpdateMemberDto } from './dto/member.dto';
import { CreateWorkspaceDto, UpdateWorkspaceDto, WorkspaceResponseDto } from './dto/workspace.dto';
import { MembersService } from './members.service';
import { WorkspacesService } from './workspaces.service';

/**
 * Workspaces named in the path. Role rules are checked against the caller's role in that
 * workspace (service side); the route-level role is the floor for every workspace.
 */
@ApiTags('workspaces')
@Auth()
@Controller('v1/workspaces')
export class WorkspacesController {
  constructor(
    private readonly workspaces: WorkspacesService,
    private readonly members: MembersService,
    private readonly audit: AuditLogService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List the workspaces the caller belongs to' })
  @ApiOkResponse({ type: [WorkspaceResponseDto] })
  listWorkspaces(@CurrentPrincipal() principal: Principal): Promise<WorkspaceResponseDto[]> {
    return this.workspaces.list(principal);
  }

  @Post()
  @Roles('viewer')
  @ApiOperation({ summary: 'Create a workspace; the caller becomes its owner' })
  @ApiCreatedResponse({ type: WorkspaceResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  createWorkspace(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWorkspaceDto,
  ): Promise<WorkspaceResponseDto> {
    return this.workspaces.create(principal, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a workspace the caller belongs to' })
  @ApiOkResponse({ type: WorkspaceResponseDto })
  @ApiProblemResponses(400, 404)
  getWorkspace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WorkspaceResponseDto> {
    return this.workspaces.get(principal, id);
  }

  @Patch(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'Rename a workspace (its admins)' })
  @ApiOkResponse({ type: WorkspaceResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateWorkspace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateWorkspaceDto,
  ): Promise<WorkspaceResponseDto> {
    return this.workspaces.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('viewer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a workspace and all its data (its owners)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404)
  deleteWorkspace(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.workspaces.delete(principal, id);
  }

  @Get(':id/members')
  @ApiOperation({ summary: 'List the members of a workspace' })
  @ApiOkResponse({ type: [MemberResponseDto] })
  @ApiProblemResponses(400, 404)
  listMembers(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<MemberResponseDto[]> {
    return this.members.list(principal, id);
  }

  @Post(':id/members')
  @Roles('viewer')
  @ApiOperation({ summary: 'Add an existing user to a workspace (admins; only owners grant owner)' })
  @ApiCreatedResponse({ type: MemberResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  addMember(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: AddMemberDto,
  ): Promise<MemberResponseDto> {
    return this.members.add(principal, id, dto);
  }

  @Patch(':id/members/:userId')
  @Roles('viewer')
  @ApiOperation({ summary: "Change a member's role (admins; a workspace keeps one owner at least)" })
  @ApiOkResponse({ type: MemberResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateMember(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: UpdateMemberDto,
  ): Promise<MemberResponseDto> {
    return this.members.changeRole(principal, id, userId, dto);
  }

  @Delete(':id/members/:userId')
  @Roles('viewer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a member (admins), or leave a workspace yourself' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('userId', ParseUUIDPipe) userId: string,
  ): Promise<void> {
    return this.members.remove(principal, id, userId);
  }

  @Get(':id/audit-log')
  @ApiOperation({ summary: 'Read the audit log of a workspace (admins), newest first' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiProblemResponses(400, 404, 422)
  listAuditLog(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: AuditLogQueryDto,
  ): Promise<AuditLogPageDto> {
    return this.audit.listForWorkspace(principal, id, query.limit, query.cursor);
  }
}
