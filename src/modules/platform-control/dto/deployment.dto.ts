import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CAPABILITIES, type Capability, PROVIDER_ORIGINS, type ProviderOrigin } from '../platform-control.constants';
import { SLUG_PATTERN } from './provider.dto';

/** One capability's binding as an operator saves it. */
export class BindingInputDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  provider_id: string;

  /**
   * The allowed resources: ModelOps managed model ids (llm_inference, embeddings; each active with a
   * current successful validation) or vector index names (vector_store). May be empty while the
   * capability is being configured; mcp_runtime and sandbox_execution take none.
   */
  @ApiPropertyOptional({ type: [String], default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  resource_ids?: string[];

  /** One of `resource_ids`; the resource used when a request names none. */
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 200)
  default_resource_id?: string | null;
}

/** Bindings by capability; a capability left out has no binding. */
export class DeploymentBindingsInputDto {
  @ApiPropertyOptional({ type: BindingInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BindingInputDto)
  llm_inference?: BindingInputDto;

  @ApiPropertyOptional({ type: BindingInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BindingInputDto)
  embeddings?: BindingInputDto;

  @ApiPropertyOptional({ type: BindingInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BindingInputDto)
  vector_store?: BindingInputDto;

  @ApiPropertyOptional({ type: BindingInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BindingInputDto)
  mcp_runtime?: BindingInputDto;

  @ApiPropertyOptional({ type: BindingInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BindingInputDto)
  sandbox_execution?: BindingInputDto;
}

export class CreateDeploymentDto {
  @ApiProperty({ example: 'local-default', pattern: SLUG_PATTERN.source })
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters, digits and dashes (at most 63)' })
  slug: string;

  @IsString()
  @Length(1, 200)
  display_name: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ type: DeploymentBindingsInputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeploymentBindingsInputDto)
  bindings?: DeploymentBindingsInputDto;
}

/** PUT: identity and every binding; a capability left out loses its binding. */
export class ReplaceDeploymentDto extends CreateDeploymentDto {}

/** PATCH: identity only (bindings are saved per capability). */
export class UpdateDeploymentIdentityDto {
  @ApiPropertyOptional({ pattern: SLUG_PATTERN.source })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters, digits and dashes (at most 63)' })
  slug?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  display_name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class CloneDeploymentDto {
  @ApiProperty({ pattern: SLUG_PATTERN.source })
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters, digits and dashes (at most 63)' })
  slug: string;

  /** Defaults to the source's name with " (copy)". */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  display_name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}

export class BindingParamsDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;

  @ApiProperty({ enum: CAPABILITIES })
  @IsIn(CAPABILITIES)
  capability: Capability;
}

export class ConfigurationIssueDto {
  /** `missing_provider`, `no_resources`, `no_default`, `model_unavailable`, `provider_validation_failed`… */
  code: string;

  message: string;

  @ApiPropertyOptional({ enum: CAPABILITIES })
  capability?: Capability;
}

/** Readiness metadata: what is incomplete or mismatched, without blocking saves or activation. */
export class ConfigurationStatusDto {
  @ApiProperty({ enum: ['ready', 'incomplete', 'mismatched'] })
  status: 'ready' | 'incomplete' | 'mismatched';

  @ApiProperty({ type: [ConfigurationIssueDto] })
  issues: ConfigurationIssueDto[];
}

export class DeploymentConfigurationStatusDto extends ConfigurationStatusDto {
  /** Required capabilities without a binding (these do block activation). */
  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  missing_capabilities: Capability[];
}

export class BindingProviderDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  slug: string;

  display_name: string;

  family: string;

  @ApiProperty({ enum: PROVIDER_ORIGINS })
  provider_origin: ProviderOrigin;
}

export class BindingResourceDto {
  @ApiProperty({ enum: ['managed_model', 'vector_index'] })
  ref_type: 'managed_model' | 'vector_index';

  /** The managed model id or the index name. */
  id: string;

  @ApiPropertyOptional({ format: 'uuid' })
  managed_model_id?: string;

  /** What the provider knows the resource by (index name; a cloud model's provider id). */
  @ApiProperty({ type: String, nullable: true })
  provider_resource_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  display_name: string | null;
}

export class ResourcePolicyDto {
  /** Requests may name only a listed resource; requests that name none get the default. */
  @ApiProperty({ enum: ['listed_only'] })
  selection: 'listed_only';

  @ApiProperty({ enum: ['default_resource'] })
  fallback: 'default_resource';
}

export class BindingResponseDto {
  @ApiProperty({ enum: CAPABILITIES })
  capability: Capability;

  @ApiProperty({ type: BindingProviderDto })
  provider: BindingProviderDto;

  @ApiProperty({ type: [BindingResourceDto] })
  resources: BindingResourceDto[];

  @ApiProperty({ type: String, nullable: true })
  default_resource_id: string | null;

  @ApiProperty({ type: BindingResourceDto, nullable: true })
  default_resource: BindingResourceDto | null;

  @ApiProperty({ type: ResourcePolicyDto })
  resource_policy: ResourcePolicyDto;

  @ApiProperty({ type: ConfigurationStatusDto })
  configuration_status: ConfigurationStatusDto;
}

export class DeploymentResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  slug: string;

  display_name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  is_active: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  activated_at: string | null;

  @ApiProperty({ type: [BindingResponseDto] })
  bindings: BindingResponseDto[];

  @ApiProperty({ type: DeploymentConfigurationStatusDto })
  configuration_status: DeploymentConfigurationStatusDto;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}
