import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { idsAfter } from 'src/common/database/ids-after';
import { CredentialEntity } from './entities/credential.entity';

/** Saved credentials (platform-wide, not tenant-owned). */
@Injectable()
export class CredentialsRepository {
  constructor(@InjectRepository(CredentialEntity) private readonly rows: Repository<CredentialEntity>) {}

  list(): Promise<CredentialEntity[]> {
    return this.rows.find({ order: { name: 'ASC' } });
  }

  getById(id: string, manager?: EntityManager): Promise<CredentialEntity | null> {
    return (manager ? manager.getRepository(CredentialEntity) : this.rows).findOneBy({ id });
  }

  /** The row by name, locked until the transaction ends (create-or-update by name). */
  getByNameForUpdate(name: string, manager: EntityManager): Promise<CredentialEntity | null> {
    return manager
      .getRepository(CredentialEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.name = :name', { name })
      .getOne();
  }

  getByIdForUpdate(id: string, manager: EntityManager): Promise<CredentialEntity | null> {
    return manager
      .getRepository(CredentialEntity)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id', { id })
      .getOne();
  }

  async insert(data: Partial<CredentialEntity>, manager: EntityManager): Promise<CredentialEntity> {
    const repo = manager.getRepository(CredentialEntity);
    return repo.save(repo.create(data));
  }

  async update(id: string, patch: Partial<CredentialEntity>, manager: EntityManager): Promise<void> {
    await manager.getRepository(CredentialEntity).update({ id }, patch);
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(CredentialEntity).delete({ id });
  }

  /** Ids in order, a batch at a time (key rotation walks every row). */
  idsAfter(afterId: string | undefined, limit: number): Promise<string[]> {
    return idsAfter(this.rows, afterId, limit);
  }
}
