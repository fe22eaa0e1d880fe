import { Injectable } from '@nestjs/common';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { Principal } from 'src/modules/auth/principal';
import { UserMeResponseDto } from './dto/user-me-response.dto';
import { UsersRepository } from './users.repository';
import { WorkspacesRepository } from './workspaces.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly workspaces: WorkspacesRepository,
  ) {}

  async me(principal: Principal): Promise<UserMeResponseDto> {
    const [user, workspace, memberships] = await Promise.all([
      this.users.getById(principal.userId),
      this.workspaces.getWorkspace(principal.workspaceId),
      this.users.listMembershipsOfUser(principal.userId),
    ]);
    if (!user || !workspace) throw new NotFoundAppException('User');
    return {
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      is_superadmin: user.isSuperadmin,
      auth: principal.kind,
      workspace: { workspace_id: workspace.id, name: workspace.name, slug: workspace.slug, role: principal.role },
      project_id: principal.projectId,
      memberships: memberships
        .filter((m) => principal.kind === 'jwt' || m.workspaceId === principal.workspaceId)
        .map((m) => ({
          workspace_id: m.workspaceId,
          name: m.workspace?.name ?? '',
          slug: m.workspace?.slug ?? '',
          role: m.role,
        })),
    };
  }
}
