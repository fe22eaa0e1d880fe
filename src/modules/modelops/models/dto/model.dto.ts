import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUrl, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { MODEL_ACTIONS, MODEL_STATES, type ModelAction, type ModelState } from '../../lifecycle/model-lifecycle';
import { MODEL_HOSTINGS, MODEL_TASKS, type ModelHosting, type ModelTask } from '../../modelops.constants';

export class CreateModelDto {
  /** Unique among models that are not deleted. */
  @ApiProperty({ example: 'gpt-4o-mini (prod)' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string | null;

  /** `cloud`: behind an OpenAI-compatible endpoint. `local`: files downloaded from the hub. */
  @ApiProperty({ enum: MODEL_HOSTINGS })
  @IsIn(MODEL_HOSTINGS)
  hosting: ModelHosting;

  /** The capability the model serves. */
  @ApiProperty({ enum: MODEL_TASKS })
  @IsIn(MODEL_TASKS)
  task: ModelTask;

  /** Defaults to `openai_compatible` (cloud) or `huggingface` (local). */
  @ApiPropertyOptional({ example: 'openai_compatible' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  provider?: string;

  /** Cloud: the OpenAI-compatible API base, e.g. `https://api.openai.com/v1`. */
  @ApiPropertyOptional({ example: 'https://api.openai.com/v1' })
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  base_url?: string;

  /** Cloud: the provider's id of the model, e.g. `gpt-4o-mini`. */
  @ApiPropertyOptional({ example: 'gpt-4o-mini' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  provider_model_id?: string;

  /** Cloud: the saved credential sent as the bearer token. */
  @IsOptional()
  @IsUUID()
  credential_id?: string;

  /** Local: the completed download holding the model's files. */
  @IsOptional()
  @IsUUID()
  download_id?: string;

  /** The catalog entry this model was made from. */
  @IsOptional()
  @IsUUID()
  catalog_item_id?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ListModelsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: MODEL_STATES })
  @IsOptional()
  @IsIn(MODEL_STATES)
  lifecycle_state?: ModelState;

  @ApiPropertyOptional({ enum: MODEL_HOSTINGS })
  @IsOptional()
  @IsIn(MODEL_HOSTINGS)
  hosting?: ModelHosting;

  @ApiPropertyOptional({ enum: MODEL_TASKS })
  @IsOptional()
  @IsIn(MODEL_TASKS)
  task?: ModelTask;
}

export class ModelResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: MODEL_HOSTINGS })
  hosting: ModelHosting;

  @ApiProperty({ enum: MODEL_TASKS })
  task: ModelTask;

  provider: string;

  @ApiProperty({ type: String, nullable: true })
  base_url: string | null;

  @ApiProperty({ type: String, nullable: true })
  provider_model_id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  credential_id: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  download_id: string | null;

  /** Hub repository of a local model. */
  @ApiProperty({ type: String, nullable: true })
  source_id: string | null;

  /** Hub commit its files were pinned to. */
  @ApiProperty({ type: String, nullable: true })
  source_commit: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  catalog_item_id: string | null;

  @ApiProperty({ enum: MODEL_STATES })
  lifecycle_state: ModelState;

  /** The lifecycle actions the state allows now. */
  @ApiProperty({ enum: MODEL_ACTIONS, isArray: true })
  allowed_actions: ModelAction[];

  /** False until a validation succeeds, and again whenever what it checked changes. */
  is_validation_current: boolean;

  @ApiProperty({ type: String, enum: ['success', 'failure'], nullable: true })
  last_validation_status: 'success' | 'failure' | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_validated_at: string | null;

  /** Active, with a current successful validation: a deployment binding may use it. */
  is_bindable: boolean;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

export class ModelPageDto {
  @ApiProperty({ type: [ModelResponseDto] })
  data: ModelResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
