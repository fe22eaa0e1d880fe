import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import type { WorkspaceRole } from 'src/modules/auth/principal';
import { ApiKeyEntity } from './entities/api-key.entity';

/** One row per active key lookup: the key, its user and the user's role in the key's workspace. */
export interface ActiveKeyRow {
  id: string;
  workspace_id: string;
  project_id: string | null;
  user_id: string;
  email: string;
  is_superadmin: boolean;
  role: WorkspaceRole;
  service: boolean;
  expires_at: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  /**
   * The hot path of every API-key request: one indexed query. Revoked, expired and keys whose
   * owner left the workspace find nothing.
   */
  async findActiveByHash(keyHash: string): Promise<ActiveKeyRow | null> {
    const rows: ActiveKeyRow[] = await this.keys.query(
      `SELECT k.id, k.workspace_id, k.project_id, k.service, k.expires_at, u.id AS user_id, u.email, u.is_superadmin, m.role
         FROM api_keys k
         JOIN users u ON u.id = k.user_id
         JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.user_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  /** Records use at most once a minute per key, so requests do not each write a row. */
  async touchLastUsed(id: string): Promise<void> {
    await this.keys.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`,
      [id],
    );
  }

  create(data: Partial<ApiKeyEntity>, manager?: EntityManager): Promise<ApiKeyEntity> {
    const repo = manager ? manager.getRepository(ApiKeyEntity) : this.keys;
    return repo.save(repo.create(data));
  }

  getById(workspaceId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ workspaceId, id });
  }

  /** Active (unrevoked) keys of a workspace, optionally of one user, newest first. */
  listActive(workspaceId: string, userId?: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({
      where: { workspaceId, revokedAt: IsNull(), ...(userId ? { userId } : {}) },
      order: { createdAt: 'DESC' },
    });
  }

  async revoke(workspaceId: string, id: string, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(ApiKeyEntity) : this.keys;
    await repo.update({ workspaceId, id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
