import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import { CredentialsService } from './credentials.service';
import { CredentialResponseDto, SaveCredentialDto } from './dto/credential.dto';

@ApiTags('modelops')
@Auth('superadmin')
@Controller('v1/modelops/credentials')
export class CredentialsController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @ApiOperation({ summary: 'List saved provider credentials (masks only, never secrets)' })
  @ApiOkResponse({ type: [CredentialResponseDto] })
  listModelCredentials(): Promise<CredentialResponseDto[]> {
    return this.credentials.list();
  }

  @Post()
  @ApiOperation({
    summary: 'Save a credential: create it, or update the one of that name (send the mask back to keep the secret)',
    description:
      'Answers 201 in both cases. The secret is encrypted at rest (envelope encryption) and never returned; ' +
      'a new secret makes the validations of the models that use the credential stale.',
  })
  @ApiCreatedResponse({ type: CredentialResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  saveModelCredential(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SaveCredentialDto,
  ): Promise<CredentialResponseDto> {
    return this.credentials.save(principal, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a credential; refused while a model or a provider uses it' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404, 409)
  deleteModelCredential(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    return this.credentials.delete(principal, id);
  }
}
