import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { CatalogItemEntity } from './entities/catalog-item.entity';

/** The curated model catalog (platform-wide). */
@Injectable()
export class CatalogRepository {
  constructor(@InjectRepository(CatalogItemEntity) private readonly items: Repository<CatalogItemEntity>) {}

  list(filter: { hosting?: string; task?: string }): Promise<CatalogItemEntity[]> {
    return this.items.find({
      where: {
        ...(filter.hosting ? { hosting: filter.hosting as never } : {}),
        ...(filter.task ? { task: filter.task as never } : {}),
      },
      order: { name: 'ASC' },
    });
  }

  getById(id: string): Promise<CatalogItemEntity | null> {
    return this.items.findOneBy({ id });
  }

  create(data: Partial<CatalogItemEntity>, manager: EntityManager): Promise<CatalogItemEntity> {
    const repo = manager.getRepository(CatalogItemEntity);
    return repo.save(repo.create(data));
  }
}
