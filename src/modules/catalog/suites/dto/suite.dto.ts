import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { ACTION_NAME_PATTERN } from '../../catalog.constants';

const JSON_SCHEMA_EXAMPLE = {
  type: 'object',
  properties: { order_id: { type: 'string' } },
  required: ['order_id'],
  additionalProperties: false,
};

export class CreateSuiteDto {
  /** Unique within the workspace. */
  @ApiProperty({ example: 'customer-support' })
  @IsString()
  @Length(1, 200)
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/** Fields left out stay as they are; `description: null` clears it. */
export class UpdateSuiteDto {
  @ApiPropertyOptional({ example: 'customer-support' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 4000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class ListSuitesQueryDto extends PageQueryDto {}

export class SuiteResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;

  /** Actions the suite defines. */
  action_count: number;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;
}

export class SuitePageDto {
  @ApiProperty({ type: [SuiteResponseDto] })
  data: SuiteResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class CreateSuiteActionDto {
  /** The function name agents call; unique within the suite (OpenAI function-name rules). */
  @ApiProperty({ example: 'lookup_order', pattern: ACTION_NAME_PATTERN.source })
  @Matches(ACTION_NAME_PATTERN, { message: 'name must be 1-64 characters of A-Z, a-z, 0-9, _ and -' })
  name: string;

  @IsOptional()
  @IsString()
  @Length(0, 8000)
  description?: string | null;

  /** JSON Schema (draft-07 by default, or 2019-09/2020-12 by `$schema`) of the arguments; its root is an object. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: JSON_SCHEMA_EXAMPLE })
  @IsObject()
  parameters_schema: Record<string, unknown>;
}

/** Fields left out stay as they are; `description: null` clears it. */
export class UpdateSuiteActionDto {
  @ApiPropertyOptional({ example: 'lookup_order', pattern: ACTION_NAME_PATTERN.source })
  @IsOptional()
  @Matches(ACTION_NAME_PATTERN, { message: 'name must be 1-64 characters of A-Z, a-z, 0-9, _ and -' })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @Length(0, 8000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: JSON_SCHEMA_EXAMPLE })
  @IsOptional()
  @IsObject()
  parameters_schema?: Record<string, unknown>;
}

export class ListSuiteActionsQueryDto extends PageQueryDto {}

export class SuiteActionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  suite_id: string;

  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  parameters_schema: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;
}

export class SuiteActionPageDto {
  @ApiProperty({ type: [SuiteActionResponseDto] })
  data: SuiteActionResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
