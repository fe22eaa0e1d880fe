import { ForbiddenAppException } from 'src/common/errors/app.exception';

export const WORKSPACE_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Roles a route may require: a workspace role (or higher) or platform-wide superadmin. */
export type RequiredRole = WorkspaceRole | 'superadmin';

/** Rank of each workspace role: a role satisfies every requirement at or below its rank. */
export const ROLE_RANK: Record<WorkspaceRole, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** The authenticated caller, as every handler and service sees it. */
export interface Principal {
  kind: 'api_key' | 'jwt';
  userId: string;
  email: string;
  isSuperadmin: boolean;
  /** The workspace every query of this request is filtered by. */
  workspaceId: string;
  role: WorkspaceRole;
  /** Set when the API key is pinned to one project: writes elsewhere are 403. */
  projectId: string | null;
  apiKeyId: string | null;
  /** An API key flagged as a service credential (trusted server-side workflows); absent means no. */
  service?: boolean;
}

export function hasRole(principal: Principal, required: RequiredRole): boolean {
  if (principal.isSuperadmin) return true;
  if (required === 'superadmin') return false;
  return ROLE_RANK[principal.role] >= ROLE_RANK[required];
}

/**
 * A key pinned to a project writes only there: any other project (or a workspace-wide write,
 * `null`) is 403. Reads are not limited by the pin.
 */
export function assertProjectWritable(principal: Principal, projectId: string | null): void {
  if (principal.projectId && principal.projectId !== projectId) {
    throw new ForbiddenAppException(
      `This API key is pinned to project ${principal.projectId} and cannot write elsewhere`,
      'project_mismatch',
    );
  }
}
