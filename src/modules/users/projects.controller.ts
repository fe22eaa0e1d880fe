import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import { Roles } from 'src/modules/auth/decorators/roles.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CreateProjectDto, ProjectResponseDto, UpdateProjectDto } from './dto/project.dto';
import { ProjectsService } from './projects.service';

@ApiTags('projects')
@Auth()
@Controller('v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @ApiOperation({ summary: 'List the projects of the workspace' })
  @ApiOkResponse({ type: [ProjectResponseDto] })
  listProjects(@CurrentPrincipal() principal: Principal): Promise<ProjectResponseDto[]> {
    return this.projects.list(principal);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a project (admins)' })
  @ApiCreatedResponse({ type: ProjectResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  createProject(@CurrentPrincipal() principal: Principal, @Body() dto: CreateProjectDto): Promise<ProjectResponseDto> {
    return this.projects.create(principal, dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a project' })
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblemResponses(400, 404)
  getProject(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ProjectResponseDto> {
    return this.projects.get(principal, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Rename or describe a project (admins)' })
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateProject(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateProjectDto,
  ): Promise<ProjectResponseDto> {
    return this.projects.update(principal, id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a project and everything recorded in it (admins)' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404)
  deleteProject(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.projects.delete(principal, id);
  }
}
