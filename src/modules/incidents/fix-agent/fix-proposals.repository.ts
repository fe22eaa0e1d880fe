import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { FixProposalEntity } from './entities/fix-proposal.entity';

export type NewFixProposal = Pick<
  FixProposalEntity,
  | 'workspaceId'
  | 'incidentId'
  | 'agentId'
  | 'agentKey'
  | 'baseVersion'
  | 'plan'
  | 'diff'
  | 'fallback'
  | 'reason'
  | 'reasonDetail'
  | 'model'
  | 'createdByUserId'
>;

@Injectable()
export class FixProposalsRepository {
  constructor(@InjectRepository(FixProposalEntity) private readonly proposals: Repository<FixProposalEntity>) {}

  async insert(proposal: NewFixProposal, manager: EntityManager): Promise<FixProposalEntity> {
    const repo = manager.getRepository(FixProposalEntity);
    return repo.save(repo.create({ ...proposal, status: 'proposed' }));
  }

  getById(workspaceId: string, incidentId: string, id: string): Promise<FixProposalEntity | null> {
    return this.proposals.findOneBy({ workspaceId, incidentId, id });
  }

  /** The proposal, locked until the transaction ends: one apply at a time. */
  lockById(
    manager: EntityManager,
    workspaceId: string,
    incidentId: string,
    id: string,
  ): Promise<FixProposalEntity | null> {
    return manager
      .getRepository(FixProposalEntity)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.workspace_id = :workspaceId AND p.incident_id = :incidentId AND p.id = :id', {
        workspaceId,
        incidentId,
        id,
      })
      .getOne();
  }

  /** Newest first; `before` is the previous page's last row. */
  list(
    workspaceId: string,
    incidentId: string,
    limit: number,
    before?: { createdAt: Date; id: string },
  ): Promise<FixProposalEntity[]> {
    const qb = this.proposals
      .createQueryBuilder('p')
      .where('p.workspace_id = :workspaceId AND p.incident_id = :incidentId', { workspaceId, incidentId })
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(limit + 1);
    if (before) qb.andWhere('(p.created_at, p.id) < (:createdAt, :id)', before);
    return qb.getMany();
  }

  async markApplied(manager: EntityManager, id: string, applied: { version: number; userId: string }): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(FixProposalEntity)
      .set({
        status: 'applied',
        appliedVersion: applied.version,
        appliedByUserId: applied.userId,
        appliedAt: () => 'now()',
      })
      .where('id = :id', { id })
      .execute();
  }

  /**
   * Serialises applies to one agent (a transaction-scoped advisory lock on its id): the check
   * that the base version is current and the write of the next one happen as one step among
   * fix applies.
   */
  async lockAgent(manager: EntityManager, agentId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`fix-agent:${agentId}`]);
  }
}
