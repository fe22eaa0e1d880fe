import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DeploymentBindingEntity } from './deployment-binding.entity';

/** A named set of capability bindings; at most one is active platform-wide. */
@Entity('platform_deployments')
@Index('uq_platform_deployments_slug', ['slug'], { unique: true })
@Index('uq_platform_deployments_active', ['isActive'], { unique: true, where: 'is_active' })
export class DeploymentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  slug: string;

  @Column({ type: 'text' })
  displayName: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: false })
  isActive: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @OneToMany(() => DeploymentBindingEntity, (binding) => binding.deployment)
  bindings?: DeploymentBindingEntity[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
