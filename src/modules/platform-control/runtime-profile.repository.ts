import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { RuntimeMode } from './platform-control.constants';
import { RuntimeProfileEntity } from './entities/runtime-profile.entity';

const PROFILE_ID = 1;

/** The single runtime-profile row. Read on every gated call, so every replica sees a switch at once. */
@Injectable()
export class RuntimeProfileRepository {
  constructor(@InjectRepository(RuntimeProfileEntity) private readonly rows: Repository<RuntimeProfileEntity>) {}

  async get(manager?: EntityManager): Promise<RuntimeProfileEntity> {
    const repo = manager ? manager.getRepository(RuntimeProfileEntity) : this.rows;
    const row = await repo.findOneBy({ id: PROFILE_ID });
    // The migration seeds the row; a missing one reads as the default (online).
    return row ?? repo.create({ id: PROFILE_ID, mode: 'online', updatedByUserId: null, updatedAt: new Date(0) });
  }

  async mode(): Promise<RuntimeMode> {
    const rows: { mode: RuntimeMode }[] = await this.rows.query(
      'SELECT mode FROM platform_runtime_profile WHERE id = $1',
      [PROFILE_ID],
    );
    return rows[0]?.mode ?? 'online';
  }

  /**
   * Locks the row for the rest of the transaction: activation and profile switches take it, so an
   * offline switch and the activation of a cloud-bound deployment cannot pass each other.
   */
  async lock(manager: EntityManager): Promise<RuntimeMode> {
    const rows: { mode: RuntimeMode }[] = await manager.query(
      'SELECT mode FROM platform_runtime_profile WHERE id = $1 FOR UPDATE',
      [PROFILE_ID],
    );
    return rows[0]?.mode ?? 'online';
  }

  async save(mode: RuntimeMode, userId: string | null, manager: EntityManager): Promise<RuntimeProfileEntity> {
    const repo = manager.getRepository(RuntimeProfileEntity);
    return repo.save(repo.create({ id: PROFILE_ID, mode, updatedByUserId: userId }));
  }
}
