import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  CreateProviderDto,
  ProviderResponseDto,
  ProviderValidationResponseDto,
  ReplaceProviderDto,
  SetLoadedModelDto,
  ValidateProviderDto,
} from './dto/provider.dto';
import { ProviderValidationService } from './provider-validation.service';
import { ProvidersService } from './providers.service';

/** Provider instances: endpoint and secret refs, validation, the local loaded-model slot. */
@ApiTags('platform')
@Auth('superadmin')
@Controller('v1/platform/providers')
export class ProvidersController {
  constructor(
    private readonly providers: ProvidersService,
    private readonly validation: ProviderValidationService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List provider instances (secret refs only, never secrets)' })
  @ApiOkResponse({ type: [ProviderResponseDto] })
  listProviders(): Promise<ProviderResponseDto[]> {
    return this.providers.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a provider instance of a family' })
  @ApiCreatedResponse({ type: ProviderResponseDto })
  @ApiProblemResponses(409, 415, 422)
  createProvider(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateProviderDto,
  ): Promise<ProviderResponseDto> {
    return this.providers.create(principal, dto);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a provider instance (the family, and so the origin, cannot change)' })
  @ApiOkResponse({ type: ProviderResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  replaceProvider(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ReplaceProviderDto,
  ): Promise<ProviderResponseDto> {
    return this.providers.replace(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a provider instance no deployment binds' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteProvider(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.providers.delete(principal, id);
  }

  @Post(':id/validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Validate a provider with real calls by family (models list, dry-run chat, embeddings probe, health)',
    description: 'Offline, cloud providers answer 409 `offline_provider_blocked` and nothing is called.',
  })
  @ApiOkResponse({ type: ProviderValidationResponseDto })
  @ApiProblemResponses(400, 404, 409, 415, 422)
  validateProvider(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ValidateProviderDto,
  ): Promise<ProviderValidationResponseDto> {
    return this.validation.validate(principal, id, dto);
  }

  @Post(':id/loaded-model')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Assign a managed model to a local runtime's loaded-model slot" })
  @ApiOkResponse({ type: ProviderResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  setLoadedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SetLoadedModelDto,
  ): Promise<ProviderResponseDto> {
    return this.providers.setLoadedModel(principal, id, dto);
  }

  @Delete(':id/loaded-model')
  @ApiOperation({ summary: "Clear a local runtime's loaded-model slot" })
  @ApiOkResponse({ type: ProviderResponseDto })
  @ApiProblemResponses(400, 404, 422)
  clearLoadedModel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ProviderResponseDto> {
    return this.providers.clearLoadedModel(principal, id);
  }
}
