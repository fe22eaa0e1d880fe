import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { REPO_ID_PATTERN } from '../../downloads/dto/download.dto';
import { MODEL_HOSTINGS, MODEL_TASKS, type ModelHosting, type ModelTask } from '../../modelops.constants';

export class CreateCatalogItemDto {
  @ApiProperty({ example: 'Qwen2.5 0.5B Instruct' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string | null;

  @ApiProperty({ enum: MODEL_HOSTINGS })
  @IsIn(MODEL_HOSTINGS)
  hosting: ModelHosting;

  @ApiProperty({ enum: MODEL_TASKS })
  @IsIn(MODEL_TASKS)
  task: ModelTask;

  /** Defaults to `huggingface` (local) or `openai_compatible` (cloud). */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  provider?: string;

  /** Local: the hub repository to download. */
  @ApiPropertyOptional({ example: 'Qwen/Qwen2.5-0.5B-Instruct' })
  @IsOptional()
  @IsString()
  @Matches(REPO_ID_PATTERN, { message: 'source_id must be a hub repository id (owner/name)' })
  source_id?: string;

  /** Cloud: the provider's id of the model. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  provider_model_id?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ListCatalogQueryDto {
  @ApiPropertyOptional({ enum: MODEL_HOSTINGS })
  @IsOptional()
  @IsIn(MODEL_HOSTINGS)
  hosting?: ModelHosting;

  @ApiPropertyOptional({ enum: MODEL_TASKS })
  @IsOptional()
  @IsIn(MODEL_TASKS)
  task?: ModelTask;
}

export class CatalogItemResponseDto {
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
  source_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  provider_model_id: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  /** Managed models made from this entry (not deleted). */
  @ApiProperty({ type: [String], format: 'uuid' })
  model_ids: string[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
