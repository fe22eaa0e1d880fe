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
  Put,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { ActivationService } from './activation.service';
import { DeploymentsService } from './deployments.service';
import { ActivationAuditPageDto, ActivationResponseDto, ListActivationAuditQueryDto } from './dto/activation.dto';
import {
  BindingInputDto,
  BindingParamsDto,
  CloneDeploymentDto,
  CreateDeploymentDto,
  DeploymentResponseDto,
  ReplaceDeploymentDto,
  UpdateDeploymentIdentityDto,
} from './dto/deployment.dto';

/** Deployment profiles, their capability bindings, activation with preflight, and its audit. */
@ApiTags('platform')
@Auth('superadmin')
@Controller('v1/platform')
export class DeploymentsController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly activation: ActivationService,
  ) {}

  @Get('deployments')
  @ApiOperation({ summary: 'List deployment profiles with bindings and configuration_status' })
  @ApiOkResponse({ type: [DeploymentResponseDto] })
  listDeployments(): Promise<DeploymentResponseDto[]> {
    return this.deployments.list();
  }

  @Post('deployments')
  @ApiOperation({ summary: 'Create a deployment profile (inactive)' })
  @ApiCreatedResponse({ type: DeploymentResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createDeployment(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateDeploymentDto,
  ): Promise<DeploymentResponseDto> {
    return this.deployments.create(principal, dto);
  }

  @Patch('deployments/:id')
  @ApiOperation({ summary: 'Update the identity of a deployment (slug, display_name, description)' })
  @ApiOkResponse({ type: DeploymentResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  updateDeployment(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateDeploymentIdentityDto,
  ): Promise<DeploymentResponseDto> {
    return this.deployments.updateIdentity(principal, id, dto);
  }

  @Put('deployments/:id')
  @ApiOperation({ summary: 'Replace a deployment: identity and every binding (capabilities left out are unbound)' })
  @ApiOkResponse({ type: DeploymentResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  replaceDeployment(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReplaceDeploymentDto,
  ): Promise<DeploymentResponseDto> {
    return this.deployments.replace(principal, id, dto);
  }

  @Put('deployments/:id/bindings/:capability')
  @ApiOperation({ summary: "Save one capability's binding (provider, resources, one default); the others stay" })
  @ApiOkResponse({ type: DeploymentResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  saveDeploymentBinding(
    @CurrentPrincipal() principal: Principal,
    @Param() params: BindingParamsDto,
    @Body() dto: BindingInputDto,
  ): Promise<DeploymentResponseDto> {
    return this.deployments.saveBinding(principal, params.id, params.capability, dto);
  }

  @Post('deployments/:id/clone')
  @ApiOperation({ summary: 'Clone a deployment and its bindings under a new slug (inactive)' })
  @ApiCreatedResponse({ type: DeploymentResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  cloneDeployment(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CloneDeploymentDto,
  ): Promise<DeploymentResponseDto> {
    return this.deployments.clone(principal, id, dto);
  }

  @Delete('deployments/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an inactive deployment' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteDeployment(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.deployments.delete(principal, id);
  }

  @Post('deployments/:id/activate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Activate a deployment after a real preflight of every bound provider',
    description:
      '409 `preflight_failed` names every unreachable or incompatible provider and leaves the old deployment active; ' +
      '409 `offline_provider_blocked` when offline with cloud bindings; 409 `deployment_incomplete` when a required ' +
      'capability has no provider. Incomplete resources are readiness metadata (`configuration_status`), not a refusal. ' +
      'Every attempt is in the activation audit.',
  })
  @ApiOkResponse({ type: ActivationResponseDto })
  @ApiProblemResponses(400, 404, 409)
  activateDeployment(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ActivationResponseDto> {
    return this.activation.activate(principal, id);
  }

  @Get('activation-audit')
  @ApiOperation({ summary: 'Activation attempts (accepted and refused): who, what, when, and the preflight' })
  @ApiOkResponse({ type: ActivationAuditPageDto })
  @ApiProblemResponses(422)
  listActivationAudit(@Query() query: ListActivationAuditQueryDto): Promise<ActivationAuditPageDto> {
    return this.activation.listAttempts(query);
  }
}
