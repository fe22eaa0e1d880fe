import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { type Capability, CREDENTIAL_REF_PREFIX } from './platform-control.constants';
import type { BindingResource } from './entities/deployment-binding.entity';
import { ProviderFamilyEntity } from './entities/provider-family.entity';
import { ProviderEntity } from './entities/provider.entity';

/** A deployment binding that names a provider, as conflicts report it. */
export interface ProviderUse {
  deployment_id: string;
  deployment_slug: string;
  capability: string;
  is_active: boolean;
}

/** Provider families (read-only) and provider instances. Platform-wide: no workspace filter applies. */
@Injectable()
export class ProvidersRepository {
  constructor(
    @InjectRepository(ProviderEntity) private readonly providers: Repository<ProviderEntity>,
    @InjectRepository(ProviderFamilyEntity) private readonly families: Repository<ProviderFamilyEntity>,
  ) {}

  listFamilies(): Promise<ProviderFamilyEntity[]> {
    return this.families.find({ order: { sortOrder: 'ASC', key: 'ASC' } });
  }

  getFamily(key: string): Promise<ProviderFamilyEntity | null> {
    return this.families.findOneBy({ key });
  }

  list(): Promise<ProviderEntity[]> {
    return this.providers.find({ relations: { family: true }, order: { slug: 'ASC' } });
  }

  getById(id: string, manager?: EntityManager): Promise<ProviderEntity | null> {
    const repo = manager ? manager.getRepository(ProviderEntity) : this.providers;
    return repo.findOne({ where: { id }, relations: { family: true } });
  }

  async slugTaken(slug: string, exceptId?: string): Promise<boolean> {
    const row = await this.providers.findOneBy({ slug });
    return !!row && row.id !== exceptId;
  }

  save(data: Partial<ProviderEntity>, manager: EntityManager): Promise<ProviderEntity> {
    const repo = manager.getRepository(ProviderEntity);
    return repo.save(repo.create(data));
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(ProviderEntity).delete({ id });
  }

  /** Every deployment binding that names the provider. */
  uses(providerId: string, manager?: EntityManager): Promise<ProviderUse[]> {
    return (manager ?? this.providers.manager).query(
      `SELECT d.id AS deployment_id, d.slug AS deployment_slug, b.capability, d.is_active
         FROM platform_deployment_bindings b JOIN platform_deployments d ON d.id = b.deployment_id
        WHERE b.provider_id = $1 ORDER BY d.slug, b.capability`,
      [providerId],
    );
  }

  /** The active deployment's bindings of the provider: capability and resources. */
  activeBindings(providerId: string): Promise<{ capability: Capability; resources: BindingResource[] }[]> {
    return this.providers.query(
      `SELECT b.capability, b.resources
         FROM platform_deployment_bindings b JOIN platform_deployments d ON d.id = b.deployment_id
        WHERE d.is_active AND b.provider_id = $1`,
      [providerId],
    );
  }

  /** Slugs of providers whose secret refs point at the ModelOps credential. */
  async slugsUsingCredential(credentialId: string): Promise<string[]> {
    const rows: { slug: string }[] = await this.providers.query(
      `SELECT p.slug FROM platform_providers p
        WHERE EXISTS (SELECT 1 FROM jsonb_each_text(p.secret_refs) r WHERE r.value = $1) ORDER BY p.slug`,
      [`${CREDENTIAL_REF_PREFIX}${credentialId}`],
    );
    return rows.map((r) => r.slug);
  }

  /** Providers whose loaded-model slot holds the managed model. */
  withLoadedModel(modelId: string): Promise<ProviderEntity[]> {
    return this.providers.find({
      where: { loadedModelId: modelId },
      relations: { family: true },
      order: { slug: 'ASC' },
    });
  }

  /** Local model-bearing providers serving a capability (the runtimes a ModelOps test may use). */
  async localModelRuntimes(capability: string): Promise<ProviderEntity[]> {
    return this.providers
      .createQueryBuilder('p')
      .innerJoinAndSelect('p.family', 'f')
      .where('f.provider_origin = :origin', { origin: 'local' })
      .andWhere('f.adapter = :adapter', { adapter: 'openai_compatible' })
      .andWhere('p.capability = :capability', { capability })
      .orderBy('p.slug', 'ASC')
      .getMany();
  }
}
