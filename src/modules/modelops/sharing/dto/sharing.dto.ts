import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import { WORKSPACE_ROLES, type WorkspaceRole } from 'src/modules/auth/principal';

export class ModelGrantDto {
  /** The workspace whose members may use the model; null: every workspace. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  @ValidateIf((_o, value) => value !== null)
  @IsUUID()
  workspace_id: string | null;

  /** The lowest workspace role that may use it. */
  @ApiProperty({ enum: WORKSPACE_ROLES, default: 'viewer' })
  @IsIn(WORKSPACE_ROLES)
  min_role: WorkspaceRole;
}

export class PutModelSharingDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  model_id: string;

  /** Every grant of the model (replaces what it had); empty: only superadmins see it. */
  @ApiProperty({ type: [ModelGrantDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ModelGrantDto)
  grants: ModelGrantDto[];
}

export class GetModelSharingQueryDto {
  /** One model's grants (also when it has none). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  model_id?: string;
}

export class ModelSharingDto {
  @ApiProperty({ format: 'uuid' })
  model_id: string;

  model_name: string;

  @ApiProperty({ type: [ModelGrantDto] })
  grants: ModelGrantDto[];
}

export class ModelSharingListDto {
  /** Every model that has grants (or the one asked for). */
  @ApiProperty({ type: [ModelSharingDto] })
  data: ModelSharingDto[];
}
