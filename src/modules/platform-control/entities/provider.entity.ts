import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Capability } from '../platform-control.constants';
import { ProviderFamilyEntity } from './provider-family.entity';

export type ProviderValidationStatus = 'success' | 'failed';

/** One reachable instance of a family, serving one capability. Platform-wide (no workspace). */
@Entity('platform_providers')
@Index('uq_platform_providers_slug', ['slug'], { unique: true })
export class ProviderEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  slug: string;

  @Column({ type: 'text' })
  displayName: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  familyKey: string;

  @ManyToOne(() => ProviderFamilyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'family_key', referencedColumnName: 'key' })
  family?: ProviderFamilyEntity;

  @Column({ type: 'text' })
  capability: Capability;

  /** Base URL (OpenAI-compatible: including `/v1`); null only for families without one. */
  @Column({ type: 'text', nullable: true })
  endpointUrl: string | null;

  /** `{ api_key: "modelops://credential/<id>" }`: references only, never a secret. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  secretRefs: Record<string, string>;

  /** Adapter settings: `timeout_ms`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  /** The local loaded-model slot: the managed model this runtime should serve. */
  @Column({ type: 'uuid', nullable: true })
  loadedModelId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  loadedModelSetAt: Date | null;

  @Column({ type: 'text', nullable: true })
  lastValidationStatus: ProviderValidationStatus | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastValidatedAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  lastValidationResult: Record<string, unknown> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
