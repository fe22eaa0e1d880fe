import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { QueryFailedError } from 'typeorm';
import type { AllConfig } from 'src/config/configuration';
import { hashApiKey, looksLikeApiKey } from 'src/modules/auth/api-key.format';
import { Principal, WORKSPACE_ROLES, WorkspaceRole } from 'src/modules/auth/principal';
import { PrincipalResolver, VerifiedClaims } from 'src/modules/auth/principal-resolver';
import { ApiKeyPrincipalCache } from './api-key-principal-cache';
import { ApiKeysRepository } from './api-keys.repository';
import { UserEntity } from './entities/user.entity';
import { UsersRepository } from './users.repository';
import { WorkspacesRepository } from './workspaces.repository';

const TOUCH_INTERVAL_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isRole = (value: string | undefined): value is WorkspaceRole =>
  (WORKSPACE_ROLES as readonly string[]).includes(value ?? '');

@Injectable()
export class UsersPrincipalResolver extends PrincipalResolver {
  private readonly logger = new Logger(UsersPrincipalResolver.name);
  /** Per process: when each key's last_used_at was last written, so busy keys cost one write a minute. */
  private readonly touchedAt = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UsersRepository,
    private readonly workspaces: WorkspacesRepository,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly cache: ApiKeyPrincipalCache,
  ) {
    super();
  }

  async resolveApiKey(rawKey: string): Promise<Principal | null> {
    if (!looksLikeApiKey(rawKey)) return null;
    const keyHash = hashApiKey(rawKey);
    const cached = this.cache.get(keyHash);
    if (cached) {
      this.touch(cached.apiKeyId!);
      return cached;
    }
    const generation = this.cache.currentGeneration();
    const row = await this.keys.findActiveByHash(keyHash);
    if (!row) return null;
    this.touch(row.id);
    const principal: Principal = {
      kind: 'api_key',
      userId: row.user_id,
      email: row.email,
      isSuperadmin: row.is_superadmin,
      workspaceId: row.workspace_id,
      role: row.role,
      projectId: row.project_id,
      apiKeyId: row.id,
      service: row.service,
    };
    this.cache.set(keyHash, principal, row.expires_at, generation);
    return principal;
  }

  async resolveJwt(claims: VerifiedClaims): Promise<Principal | null> {
    const user = await this.findOrCreateUser(claims);
    if (claims.isSuperadmin && !user.isSuperadmin) {
      await this.users.update(user.id, { isSuperadmin: true });
      this.cache.invalidate();
      user.isSuperadmin = true;
    }
    const membership = await this.resolveMembership(user, claims);
    if (!membership) return null;
    const { workspaceId, role } = membership;
    return {
      kind: 'jwt',
      userId: user.id,
      email: user.email,
      isSuperadmin: user.isSuperadmin,
      workspaceId,
      role,
      projectId: null,
      apiKeyId: null,
    };
  }

  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.touchedAt.get(keyId) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(keyId, now);
    this.keys
      .touchLastUsed(keyId)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'last_used_at update failed'));
  }

  /** Just-in-time provisioning: by (issuer, sub), then by email (linking the identity), else new. */
  private async findOrCreateUser(claims: VerifiedClaims): Promise<UserEntity> {
    const known = await this.users.getByIdentity(claims.issuer, claims.subject);
    if (known) return known;
    const email = (claims.email ?? `${claims.subject}@${new URL(claims.issuer, 'http://sso').hostname}`).toLowerCase();
    const byEmail = await this.users.getByEmail(email);
    if (byEmail) {
      if (!byEmail.oidcSubject) {
        await this.users.update(byEmail.id, { oidcIssuer: claims.issuer, oidcSubject: claims.subject });
      }
      return byEmail;
    }
    try {
      return await this.users.create({
        email,
        displayName: claims.name ?? null,
        oidcIssuer: claims.issuer,
        oidcSubject: claims.subject,
        isSuperadmin: claims.isSuperadmin,
      });
    } catch (error) {
      // Two first requests of the same user raced; the other one created it.
      if (error instanceof QueryFailedError) {
        const raced = await this.users.getByIdentity(claims.issuer, claims.subject);
        if (raced) return raced;
      }
      throw error;
    }
  }

  /**
   * Where the token acts: a workspace named by the X-Workspace-ID header must already be one of
   * the user's (headers are not signed); one named by the workspace claim is the identity
   * provider's word and the user joins it; otherwise the user's first workspace, or on a first
   * sign-in the oldest workspace with the default role.
   */
  private async resolveMembership(
    user: UserEntity,
    claims: VerifiedClaims,
  ): Promise<{ workspaceId: string; role: WorkspaceRole } | null> {
    const claimedRole = isRole(claims.role) ? claims.role : undefined;
    if (claims.requestedWorkspace) {
      const workspace = await this.findWorkspace(claims.requestedWorkspace);
      if (!workspace) return null;
      const membership = await this.users.getMembership(workspace.id, user.id);
      if (membership) return { workspaceId: workspace.id, role: membership.role };
      return user.isSuperadmin ? { workspaceId: workspace.id, role: 'owner' } : null;
    }
    let workspaceId: string | undefined;
    if (claims.workspace) {
      workspaceId = (await this.findWorkspace(claims.workspace))?.id;
      if (!workspaceId) return null;
    } else {
      const [first] = await this.users.listMembershipsOfUser(user.id);
      workspaceId = first?.workspaceId ?? (await this.workspaces.listWorkspaces())[0]?.id;
      if (!workspaceId) return null;
    }
    const membership = await this.users.getMembership(workspaceId, user.id);
    if (membership) {
      // The role claim, when present, is the identity provider's word and is kept in the membership.
      if (claimedRole && claimedRole !== membership.role) {
        await this.users.setRole(workspaceId, user.id, claimedRole);
        this.cache.invalidate();
      }
      return { workspaceId, role: claimedRole ?? membership.role };
    }
    const role = claimedRole ?? this.config.getOrThrow('auth', { infer: true }).defaultRole;
    await this.users.addMembership(workspaceId, user.id, role).catch(() => undefined);
    return { workspaceId, role };
  }

  private findWorkspace(idOrSlug: string) {
    return UUID.test(idOrSlug) ? this.workspaces.getWorkspace(idOrSlug) : this.workspaces.getWorkspaceBySlug(idOrSlug);
  }
}
