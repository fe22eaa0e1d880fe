import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { ModelGrantEntity } from './entities/model-grant.entity';

/** Grants of models to workspaces and roles. */
@Injectable()
export class SharingRepository {
  constructor(@InjectRepository(ModelGrantEntity) private readonly grants: Repository<ModelGrantEntity>) {}

  /** Every grant, or those of one model, by model. */
  list(modelId?: string): Promise<ModelGrantEntity[]> {
    return this.grants.find({
      where: modelId ? { modelId } : {},
      order: { modelId: 'ASC', createdAt: 'ASC' },
    });
  }

  /** Replaces every grant of the model by `grants`. */
  async replace(modelId: string, grants: Partial<ModelGrantEntity>[], manager: EntityManager): Promise<void> {
    const repo = manager.getRepository(ModelGrantEntity);
    await repo.delete({ modelId });
    if (grants.length > 0) {
      await repo.insert(grants.map((g) => repo.create({ ...g, modelId }) as QueryDeepPartialEntity<ModelGrantEntity>));
    }
  }
}
