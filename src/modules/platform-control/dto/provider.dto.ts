import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CAPABILITIES,
  type Capability,
  MAX_PROVIDER_TIMEOUT_MS,
  MIN_PROVIDER_TIMEOUT_MS,
  PROVIDER_ORIGINS,
  type ProviderOrigin,
} from '../platform-control.constants';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CREDENTIAL_REF_PATTERN =
  /^modelops:\/\/credential\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Where the instance's secrets live: references to ModelOps saved credentials, never the secrets. */
export class SecretRefsDto {
  /** Sent as `Authorization: Bearer` (Qdrant: also `api-key`). */
  @ApiPropertyOptional({ example: 'modelops://credential/0b6f2c1e-8a57-4d1e-9a3e-3f1f0f0b9b11' })
  @IsOptional()
  @Matches(CREDENTIAL_REF_PATTERN, { message: 'api_key must be modelops://credential/<credential id>' })
  api_key?: string;
}

export class ProviderConfigDto {
  /** How long a call may wait for an answer (and, streaming, between chunks). */
  @ApiPropertyOptional({ minimum: MIN_PROVIDER_TIMEOUT_MS, maximum: MAX_PROVIDER_TIMEOUT_MS, default: 30000 })
  @IsOptional()
  @IsInt()
  @Min(MIN_PROVIDER_TIMEOUT_MS)
  @Max(MAX_PROVIDER_TIMEOUT_MS)
  timeout_ms?: number;
}

export class CreateProviderDto {
  @ApiProperty({ example: 'local-vllm', pattern: SLUG_PATTERN.source })
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters, digits and dashes (at most 63)' })
  slug: string;

  @IsString()
  @Length(1, 200)
  display_name: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** Key of a provider family (`GET /v1/platform/provider-families`). */
  @ApiProperty({ example: 'vllm_local' })
  @IsString()
  @Length(1, 100)
  family: string;

  /** The capability this instance serves; optional when the family serves only one. */
  @ApiPropertyOptional({ enum: CAPABILITIES })
  @IsOptional()
  @IsIn(CAPABILITIES)
  capability?: Capability;

  /** Base URL (OpenAI-compatible families: including `/v1`). Not used by pgvector_local. */
  @ApiPropertyOptional({ type: String, nullable: true, example: 'http://vllm:8000/v1' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @MaxLength(2000)
  endpoint_url?: string | null;

  @ApiPropertyOptional({ type: SecretRefsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => SecretRefsDto)
  secret_refs?: SecretRefsDto;

  @ApiPropertyOptional({ type: ProviderConfigDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderConfigDto)
  config?: ProviderConfigDto;
}

/** The whole instance again (PUT): absent optional fields are cleared. The family cannot change. */
export class ReplaceProviderDto extends CreateProviderDto {}

export class SetLoadedModelDto {
  /** A ModelOps managed model (local hosting, a task matching the provider's capability). */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  managed_model_id: string;
}

export class ValidateProviderDto {
  /** Runtime model id for the dry-run probe; default: the loaded model, else the first the provider lists. */
  @IsOptional()
  @IsString()
  @Length(1, 300)
  model?: string;
}

export class ProviderUseDto {
  @ApiProperty({ format: 'uuid' })
  deployment_id: string;

  deployment_slug: string;

  @ApiProperty({ enum: CAPABILITIES })
  capability: string;

  is_active: boolean;
}

export class LoadedModelDto {
  @ApiProperty({ format: 'uuid' })
  managed_model_id: string;

  @ApiProperty({ type: String, nullable: true })
  name: string | null;

  @ApiProperty({ format: 'date-time' })
  set_at: string;
}

export class ValidationCheckDto {
  /** `models`, `chat`, `embeddings`, `health`, `readiness`. */
  name: string;

  @ApiProperty({ enum: ['pass', 'fail', 'skip'] })
  status: 'pass' | 'fail' | 'skip';

  detail: string;

  /** Problem code of a failed check, e.g. `provider_auth_failed`. */
  @ApiProperty({ type: String, nullable: true })
  code: string | null;

  latency_ms: number;
}

export class ProviderValidationResponseDto {
  @ApiProperty({ format: 'uuid' })
  provider_id: string;

  @ApiProperty({ enum: ['success', 'failed'] })
  status: 'success' | 'failed';

  @ApiProperty({ type: [ValidationCheckDto] })
  checks: ValidationCheckDto[];

  /** Model ids the provider advertises (`GET /models`), for OpenAI-compatible families. */
  @ApiPropertyOptional({ type: [String] })
  advertised_models?: string[];

  @ApiProperty({ format: 'date-time' })
  validated_at: string;
}

export class ProviderResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  slug: string;

  display_name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  family: string;

  @ApiProperty({ enum: PROVIDER_ORIGINS })
  provider_origin: ProviderOrigin;

  @ApiProperty({ enum: CAPABILITIES })
  capability: Capability;

  @ApiProperty({ type: String, nullable: true })
  endpoint_url: string | null;

  /** References only; secrets are resolved server-side and never returned. */
  @ApiProperty({ type: SecretRefsDto })
  secret_refs: SecretRefsDto;

  @ApiProperty({ type: ProviderConfigDto })
  config: ProviderConfigDto;

  /** The local loaded-model slot (local OpenAI-compatible families only). */
  @ApiProperty({ type: LoadedModelDto, nullable: true })
  loaded_model: LoadedModelDto | null;

  @ApiProperty({ type: ProviderValidationResponseDto, nullable: true })
  last_validation: ProviderValidationResponseDto | null;

  @ApiProperty({ type: [ProviderUseDto] })
  used_by: ProviderUseDto[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}
