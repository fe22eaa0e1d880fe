import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export class CreateWorkspaceDto {
  @IsString()
  @Length(1, 100)
  name: string;

  /** URL-safe identifier, unique on the platform: lower-case letters, digits and dashes. */
  @ApiProperty({ example: 'acme' })
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and inner dashes (1-64)' })
  slug: string;
}

export class UpdateWorkspaceDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ example: 'acme' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: 'slug must be lower-case letters, digits and inner dashes (1-64)' })
  slug?: string;
}

export class WorkspaceResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  slug: string;

  /** The caller's role here (superadmins outside it: owner). */
  @ApiProperty({ enum: ['owner', 'admin', 'member', 'viewer'] })
  role: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
