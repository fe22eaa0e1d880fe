import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { SLUG_PATTERN } from './workspace.dto';

export class CreateProjectDto {
  @IsString()
  @Length(1, 100)
  name: string;

  /** Unique within the workspace. */
  @ApiProperty({ example: 'support-agent' })
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and inner dashes (1-64)' })
  slug: string;

  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;
}

export class UpdateProjectDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ example: 'support-agent' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and inner dashes (1-64)' })
  slug?: string;

  @IsOptional()
  @IsString()
  @Length(0, 2000)
  description?: string;
}

export class ProjectResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  name: string;

  slug: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
