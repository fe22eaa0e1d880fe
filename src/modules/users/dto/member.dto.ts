import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn } from 'class-validator';
import { WORKSPACE_ROLES, type WorkspaceRole } from 'src/modules/auth/principal';

export class AddMemberDto {
  /** Email of an existing user (users are created at their first SSO sign-in or by an admin key). */
  @IsEmail({ require_tld: false })
  email: string;

  @ApiProperty({ enum: WORKSPACE_ROLES })
  @IsIn(WORKSPACE_ROLES)
  role: WorkspaceRole;
}

export class UpdateMemberDto {
  @ApiProperty({ enum: WORKSPACE_ROLES })
  @IsIn(WORKSPACE_ROLES)
  role: WorkspaceRole;
}

export class MemberResponseDto {
  @ApiProperty({ format: 'uuid' })
  user_id: string;

  email: string;

  @ApiProperty({ type: String, nullable: true })
  display_name: string | null;

  @ApiProperty({ enum: WORKSPACE_ROLES })
  role: WorkspaceRole;

  @ApiProperty({ format: 'date-time' })
  joined_at: string;
}
