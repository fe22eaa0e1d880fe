import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AllConfig } from 'src/config/configuration';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Public } from './decorators/public.decorator';
import { AuthConfigResponseDto } from './dto/auth-config-response.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  @Public()
  @Get('config')
  @ApiOperation({ summary: 'How to authenticate: the SSO issuer and the accepted credential headers' })
  @ApiProblemResponses(429, 500)
  getAuthConfig(): AuthConfigResponseDto {
    const auth = this.config.getOrThrow('auth', { infer: true });
    return {
      oidc_issuer: auth.oidcIssuerUrl ?? null,
      oidc_audience: auth.oidcAudience ?? null,
      shared_secret_tokens: Boolean(auth.jwtSecret),
      credential_headers: ['X-API-Key', 'Authorization: Bearer'],
    };
  }
}
