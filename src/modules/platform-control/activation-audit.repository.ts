import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ActivationAuditEntity } from './entities/activation-audit.entity';

@Injectable()
export class ActivationAuditRepository {
  constructor(@InjectRepository(ActivationAuditEntity) private readonly rows: Repository<ActivationAuditEntity>) {}

  append(entry: Partial<ActivationAuditEntity>, manager?: EntityManager): Promise<ActivationAuditEntity> {
    const repo = manager ? manager.getRepository(ActivationAuditEntity) : this.rows;
    return repo.save(repo.create(entry));
  }

  /** Newest first; `before` is the position of the previous page's last row. */
  list(
    limit: number,
    deploymentId?: string,
    before?: { createdAt: Date; id: string },
  ): Promise<ActivationAuditEntity[]> {
    const qb = this.rows
      .createQueryBuilder('a')
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(limit + 1);
    if (deploymentId) qb.andWhere('a.deployment_id = :deploymentId', { deploymentId });
    if (before) qb.andWhere('(a.created_at, a.id) < (:createdAt, :id)', before);
    return qb.getMany();
  }
}
