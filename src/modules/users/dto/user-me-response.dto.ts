import { ApiProperty } from '@nestjs/swagger';
import { WORKSPACE_ROLES } from 'src/modules/auth/principal';

export class MembershipSummaryDto {
  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  name: string;

  slug: string;

  @ApiProperty({ enum: WORKSPACE_ROLES })
  role: string;
}

export class UserMeResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  email: string;

  @ApiProperty({ type: String, nullable: true })
  display_name: string | null;

  is_superadmin: boolean;

  /** How this request authenticated. */
  @ApiProperty({ enum: ['api_key', 'jwt'] })
  auth: 'api_key' | 'jwt';

  /** The workspace this request acts in. */
  @ApiProperty({ type: MembershipSummaryDto })
  workspace: MembershipSummaryDto;

  /** Set when the API key is pinned to one project. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  project_id: string | null;

  @ApiProperty({ type: [MembershipSummaryDto] })
  memberships: MembershipSummaryDto[];
}
