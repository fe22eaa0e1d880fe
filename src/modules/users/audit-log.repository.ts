import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditLogEntity } from './entities/audit-log.entity';

@Injectable()
export class AuditLogRepository {
  constructor(@InjectRepository(AuditLogEntity) private readonly rows: Repository<AuditLogEntity>) {}

  async append(entry: Partial<AuditLogEntity>, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditLogEntity) : this.rows;
    await repo.save(repo.create(entry));
  }

  /** Newest first; `before` is the created_at/id position of the previous page's last row. */
  list(workspaceId: string, limit: number, before?: { createdAt: Date; id: string }): Promise<AuditLogEntity[]> {
    const qb = this.rows
      .createQueryBuilder('a')
      .where('a.workspace_id = :workspaceId', { workspaceId })
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (before) {
      qb.andWhere('(a.created_at, a.id) < (:createdAt, :id)', before);
    }
    return qb.getMany();
  }
}
