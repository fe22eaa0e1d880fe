import { Injectable } from '@nestjs/common';
import { ForbiddenAppException, NotFoundAppException } from 'src/common/errors/app.exception';
import { hasRole, Principal, ROLE_RANK, RequiredRole, WorkspaceRole } from 'src/modules/auth/principal';
import { UsersRepository } from './users.repository';

/**
 * The caller's role in a workspace named by the route (which may differ from the one the
 * request acts in). Not a member: 404, as if the workspace did not exist. API keys reach only
 * their own workspace.
 */
@Injectable()
export class WorkspaceAccessService {
  constructor(private readonly users: UsersRepository) {}

  async roleIn(principal: Principal, workspaceId: string): Promise<WorkspaceRole> {
    if (workspaceId === principal.workspaceId) return principal.role;
    if (principal.kind === 'jwt') {
      const membership = await this.users.getMembership(workspaceId, principal.userId);
      if (membership) return membership.role;
      if (principal.isSuperadmin) return 'owner';
    }
    throw new NotFoundAppException('Workspace', workspaceId);
  }

  async require(principal: Principal, workspaceId: string, required: RequiredRole): Promise<WorkspaceRole> {
    const role = await this.roleIn(principal, workspaceId);
    const allowed = hasRole({ ...principal, role }, required);
    if (!allowed)
      throw new ForbiddenAppException(`This needs the ${required} role in the workspace`, 'insufficient_role');
    return role;
  }

  /** Only owners grant or take away ownership; nobody grants more than they hold. */
  assertCanGrant(principal: Principal, callerRole: WorkspaceRole, role: WorkspaceRole): void {
    if (principal.isSuperadmin) return;
    if (ROLE_RANK[role] > ROLE_RANK[callerRole] || (role === 'owner' && callerRole !== 'owner')) {
      throw new ForbiddenAppException(`Only owners can grant the ${role} role`, 'owner_grant_denied');
    }
  }
}
