import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Capability } from './platform-control.constants';
import { DeploymentBindingEntity } from './entities/deployment-binding.entity';
import { DeploymentEntity } from './entities/deployment.entity';

/** A binding that lists a managed model, as ModelOps' reference check reports it. */
export interface ModelBindingUse {
  deployment_slug: string;
  capability: string;
  is_active: boolean;
}

/** Deployment profiles with their bindings (each with its provider and family). */
@Injectable()
export class DeploymentsRepository {
  constructor(
    @InjectRepository(DeploymentEntity) private readonly deployments: Repository<DeploymentEntity>,
    @InjectRepository(DeploymentBindingEntity) private readonly bindings: Repository<DeploymentBindingEntity>,
  ) {}

  private readonly relations = { bindings: { provider: { family: true } } } as const;

  list(): Promise<DeploymentEntity[]> {
    return this.deployments.find({ relations: this.relations, order: { slug: 'ASC' } });
  }

  getById(id: string, manager?: EntityManager): Promise<DeploymentEntity | null> {
    const repo = manager ? manager.getRepository(DeploymentEntity) : this.deployments;
    return repo.findOne({ where: { id }, relations: this.relations });
  }

  getActive(manager?: EntityManager): Promise<DeploymentEntity | null> {
    const repo = manager ? manager.getRepository(DeploymentEntity) : this.deployments;
    return repo.findOne({ where: { isActive: true }, relations: this.relations });
  }

  /** The active deployment's binding of one capability, with its provider and family. */
  getActiveBinding(capability: Capability): Promise<DeploymentBindingEntity | null> {
    return this.bindings.findOne({
      where: { capability, deployment: { isActive: true } },
      relations: { provider: { family: true }, deployment: true },
    });
  }

  async slugTaken(slug: string, exceptId?: string): Promise<boolean> {
    const row = await this.deployments.findOneBy({ slug });
    return !!row && row.id !== exceptId;
  }

  save(data: Partial<DeploymentEntity>, manager: EntityManager): Promise<DeploymentEntity> {
    const repo = manager.getRepository(DeploymentEntity);
    return repo.save(repo.create(data));
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await manager.getRepository(DeploymentEntity).delete({ id });
  }

  /** Writes one capability's binding (insert or replace), leaving the others alone. */
  async upsertBinding(
    deploymentId: string,
    capability: Capability,
    data: Pick<DeploymentBindingEntity, 'providerId' | 'resources' | 'defaultResourceId'>,
    manager: EntityManager,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(DeploymentBindingEntity)
      .values({ deploymentId, capability, ...data })
      .orUpdate(['provider_id', 'resources', 'default_resource_id', 'updated_at'], ['deployment_id', 'capability'])
      .execute();
  }

  /** Removes the bindings of the deployment whose capability is not in `keep`. */
  async deleteBindingsExcept(deploymentId: string, keep: Capability[], manager: EntityManager): Promise<void> {
    const qb = manager
      .createQueryBuilder()
      .delete()
      .from(DeploymentBindingEntity)
      .where('deployment_id = :deploymentId', { deploymentId });
    if (keep.length > 0) qb.andWhere('capability NOT IN (:...keep)', { keep });
    await qb.execute();
  }

  /** Makes `id` the only active deployment (the partial unique index backs "only"). */
  async activate(id: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE platform_deployments SET is_active = false, updated_at = now() WHERE is_active AND id <> $1`,
      [id],
    );
    await manager.query(
      `UPDATE platform_deployments SET is_active = true, activated_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
  }

  /** Bindings of any deployment whose resources list the managed model. */
  usesOfModel(modelId: string): Promise<ModelBindingUse[]> {
    return this.bindings.query(
      `SELECT d.slug AS deployment_slug, b.capability, d.is_active
         FROM platform_deployment_bindings b JOIN platform_deployments d ON d.id = b.deployment_id
        WHERE b.resources @> $1::jsonb ORDER BY d.slug, b.capability`,
      [JSON.stringify([{ ref_type: 'managed_model', id: modelId }])],
    );
  }
}
