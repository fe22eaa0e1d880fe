import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Capability } from '../platform-control.constants';
import { DeploymentEntity } from './deployment.entity';
import { ProviderEntity } from './provider.entity';

/** `managed_model`: a ModelOps model id; `vector_index`: an index name of the vector store. */
export type BindingResourceRefType = 'managed_model' | 'vector_index';

export interface BindingResource {
  ref_type: BindingResourceRefType;
  id: string;
}

/** One capability of a deployment: the provider that serves it and the resources it may use. */
@Entity('platform_deployment_bindings')
@Index('uq_platform_bindings_capability', ['deploymentId', 'capability'], { unique: true })
@Index('ix_platform_bindings_provider', ['providerId'])
export class DeploymentBindingEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deploymentId: string;

  @ManyToOne(() => DeploymentEntity, (deployment) => deployment.bindings, { onDelete: 'CASCADE' })
  deployment?: DeploymentEntity;

  @Column({ type: 'text' })
  capability: Capability;

  @Column({ type: 'uuid' })
  providerId: string;

  @ManyToOne(() => ProviderEntity, { onDelete: 'RESTRICT' })
  provider?: ProviderEntity;

  /** The allowed resources, in the order the operator listed them. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  resources: BindingResource[];

  /** One of `resources[].id`, or null while the capability is being configured. */
  @Column({ type: 'text', nullable: true })
  defaultResourceId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
