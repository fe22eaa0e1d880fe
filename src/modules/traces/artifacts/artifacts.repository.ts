import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ArtifactEntity } from './entities/artifact.entity';

export type NewArtifact = Omit<ArtifactEntity, 'createdAt' | 'session'>;

@Injectable()
export class ArtifactsRepository {
  constructor(@InjectRepository(ArtifactEntity) private readonly artifacts: Repository<ArtifactEntity>) {}

  getById(workspaceId: string, id: string): Promise<ArtifactEntity | null> {
    return this.artifacts.findOneBy({ workspaceId, id });
  }

  getByStoragePath(workspaceId: string, storagePath: string): Promise<ArtifactEntity | null> {
    return this.artifacts.findOneBy({ workspaceId, storagePath });
  }

  /** Inserts unless the storage path is already registered (a concurrent retry); then null. */
  async insertIfAbsent(artifact: NewArtifact): Promise<ArtifactEntity | null> {
    const result = await this.artifacts
      .createQueryBuilder()
      .insert()
      .values(artifact)
      .orIgnore()
      .returning('*')
      .execute();
    if ((result.raw as unknown[]).length === 0) return null;
    return this.getById(artifact.workspaceId, artifact.id);
  }
}
