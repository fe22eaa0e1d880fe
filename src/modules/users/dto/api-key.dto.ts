import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDateString, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export class CreateApiKeyDto {
  /** A name that says where the key is used. */
  @IsString()
  @Length(1, 100)
  name: string;

  /** Pin the key to one project of the workspace: it can then write only there. */
  @IsOptional()
  @IsUUID()
  project_id?: string;

  /** When the key stops working (ISO-8601, in the future). Never, when absent. */
  @IsOptional()
  @IsDateString({ strict: true })
  expires_at?: string;

  /**
   * A service key: a credential for trusted server-side workflows (such as
   * PUT /api/traces/{id}/analysis), never for browsers. Only workspace admins create one.
   */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  service?: boolean;
}

export class ListApiKeysQueryDto {
  /** `mine` (default): your keys. `workspace`: every key of the workspace (admins). */
  @ApiPropertyOptional({ enum: ['mine', 'workspace'], default: 'mine' })
  @IsOptional()
  @IsIn(['mine', 'workspace'])
  scope: 'mine' | 'workspace' = 'mine';
}

/** A key as listed: never the key itself. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  name: string;

  /** The first characters of the key, to recognise it. */
  @ApiProperty({ example: 'tp_live_Ab3x' })
  prefix: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  @ApiProperty({ format: 'uuid' })
  user_id: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  project_id: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_used_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expires_at: string | null;

  /** A service key (trusted server-side workflows). */
  service: boolean;
}

/** The answer to a creation: the only time the key is shown. */
export class CreatedApiKeyResponseDto extends ApiKeyResponseDto {
  /** The secret key. Store it now: it is never shown again. */
  @ApiProperty({ example: 'tp_live_Ab3xQ9...' })
  key: string;
}
