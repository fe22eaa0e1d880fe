import { ApiProperty } from '@nestjs/swagger';

/** What a console needs to start a sign-in: which identity provider and audience. */
export class AuthConfigResponseDto {
  /** OIDC issuer the console signs users in with; null when SSO is not configured. */
  @ApiProperty({ type: String, nullable: true, example: 'https://login.example.com/realms/acme' })
  oidc_issuer: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'flightdeck' })
  oidc_audience: string | null;

  /** Whether HS256 tokens signed with the shared JWT secret are accepted. */
  @ApiProperty()
  shared_secret_tokens: boolean;

  @ApiProperty({ example: ['X-API-Key', 'Authorization: Bearer'] })
  credential_headers: string[];
}
