import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  ModelTestPageDto,
  ModelTestResponseDto,
  RunModelTestDto,
  TestRuntimesResponseDto,
  ValidationPageDto,
  ValidationResultDto,
} from './dto/model-check.dto';
import { ModelUsageQueryDto, ModelUsageResponseDto } from './dto/model-usage.dto';
import { CreateModelDto, ListModelsQueryDto, ModelPageDto, ModelResponseDto } from './dto/model.dto';
import { ModelChecksService } from './model-checks.service';
import { ModelUsageService } from './model-usage.service';
import { ModelsService } from './models.service';

/**
 * Managed models. Superadmins manage them; every authenticated caller may list and read the
 * active models shared with their workspace and role (see `/v1/modelops/sharing`).
 */
@ApiTags('modelops')
@Controller('v1/modelops/models')
export class ModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly checks: ModelChecksService,
    private readonly usage: ModelUsageService,
  ) {}

  @Get()
  @Auth()
  @ApiOperation({ summary: 'List models: all for superadmins, the active models shared with the caller otherwise' })
  @ApiOkResponse({ type: ModelPageDto })
  @ApiProblemResponses(422)
  listManagedModels(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListModelsQueryDto,
  ): Promise<ModelPageDto> {
    return this.models.list(principal, query);
  }

  @Post()
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Create a model (state `created`): a cloud endpoint model, or a local model from a download',
  })
  @ApiCreatedResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  createManagedModel(@CurrentPrincipal() principal: Principal, @Body() dto: CreateModelDto): Promise<ModelResponseDto> {
    return this.models.create(principal, dto);
  }

  @Get(':id')
  @Auth()
  @ApiOperation({ summary: 'A model (404 unless the caller is a superadmin or the model is shared with them)' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 404)
  getManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ModelResponseDto> {
    return this.models.get(principal, id);
  }

  @Post(':id/register')
  @HttpCode(HttpStatus.OK)
  @Auth('superadmin')
  @ApiOperation({ summary: 'Register a model: created or unregistered → registered' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 404, 409)
  registerManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ModelResponseDto> {
    return this.models.register(principal, id);
  }

  @Post(':id/validate')
  @HttpCode(HttpStatus.OK)
  @Auth('superadmin')
  @ApiOperation({
    summary:
      'Validate a model (a real check, recorded): registered → validated on success; validated → registered on failure',
  })
  @ApiOkResponse({ type: ValidationResultDto })
  @ApiProblemResponses(400, 404, 409)
  validateManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ValidationResultDto> {
    return this.checks.validate(principal, id);
  }

  @Post(':id/test')
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Test a model with a real call (recorded; a failed call is a result with status `failure`)',
  })
  @ApiCreatedResponse({ type: ModelTestResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  testManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RunModelTestDto,
  ): Promise<ModelTestResponseDto> {
    return this.checks.test(principal, id, dto);
  }

  @Post(':id/activate')
  @HttpCode(HttpStatus.OK)
  @Auth('superadmin')
  @ApiOperation({ summary: 'Activate a model: validated or inactive → active (needs a current successful validation)' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 404, 409)
  activateManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ModelResponseDto> {
    return this.models.activate(principal, id);
  }

  @Post(':id/deactivate')
  @HttpCode(HttpStatus.OK)
  @Auth('superadmin')
  @ApiOperation({ summary: 'Deactivate a model: active → inactive (refused while a deployment binding uses it)' })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 404, 409)
  deactivateManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ModelResponseDto> {
    return this.models.deactivate(principal, id);
  }

  @Post(':id/unregister')
  @HttpCode(HttpStatus.OK)
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Unregister a model: registered, validated or inactive → unregistered (its validation goes stale)',
  })
  @ApiOkResponse({ type: ModelResponseDto })
  @ApiProblemResponses(400, 404, 409)
  unregisterManagedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ModelResponseDto> {
    return this.models.unregister(principal, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Auth('superadmin')
  @ApiOperation({
    summary: 'Delete a model: created or unregistered → deleted (refused while a deployment binding uses it)',
  })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteManagedModel(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.models.delete(principal, id);
  }

  @Get(':id/tests')
  @Auth('superadmin')
  @ApiOperation({ summary: "A model's recorded tests, newest first" })
  @ApiOkResponse({ type: ModelTestPageDto })
  @ApiProblemResponses(400, 404, 422)
  listManagedModelTests(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ModelTestPageDto> {
    return this.checks.listTests(id, query);
  }

  @Get(':id/validations')
  @Auth('superadmin')
  @ApiOperation({ summary: "A model's recorded validations, newest first (only the newest can be current)" })
  @ApiOkResponse({ type: ValidationPageDto })
  @ApiProblemResponses(400, 404, 422)
  listManagedModelValidations(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ValidationPageDto> {
    return this.checks.listValidations(id, query);
  }

  @Get(':id/usage')
  @Auth('superadmin')
  @ApiOperation({ summary: "A model's recorded usage: totals and per-day inference calls, tokens and latency" })
  @ApiOkResponse({ type: ModelUsageResponseDto })
  @ApiProblemResponses(400, 404, 422)
  getManagedModelUsage(
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ModelUsageQueryDto,
  ): Promise<ModelUsageResponseDto> {
    return this.usage.summary(id, query);
  }

  @Get(':id/test-runtimes')
  @Auth('superadmin')
  @ApiOperation({
    summary:
      'Where a test of the model can run: its cloud endpoint, or local runtimes with their slot state and advertised models',
  })
  @ApiOkResponse({ type: TestRuntimesResponseDto })
  @ApiProblemResponses(400, 404)
  listManagedModelTestRuntimes(@Param('id', ParseUUIDPipe) id: string): Promise<TestRuntimesResponseDto> {
    return this.checks.testRuntimes(id);
  }
}
