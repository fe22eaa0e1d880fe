import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { UserEntity } from 'src/modules/users/entities/user.entity';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import type { Classification, RegistryKind } from '../../catalog.constants';
import type { RegistryVersionEntity } from './registry-version.entity';

/**
 * A runtime artifact (model, agent or tool) by its key, e.g. `agent.knowledge_chat`. The entry
 * holds identity and ownership; its content lives in immutable `registry_versions`, and
 * `currentVersion` says which one readers resolve. Keys are unique among platform entries and
 * within a workspace; the service also keeps a user key from shadowing a platform one.
 */
@Entity('registry_entries')
@Index('uq_registry_entries_platform_key', ['kind', 'key'], { unique: true, where: 'workspace_id IS NULL' })
@Index('uq_registry_entries_workspace_key', ['kind', 'workspaceId', 'key'], {
  unique: true,
  where: 'workspace_id IS NOT NULL',
})
export class RegistryEntryEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  kind: RegistryKind;

  @Column({ type: 'text' })
  key: string;

  /** Null for platform entries (global). */
  @Column({ type: 'uuid', nullable: true })
  workspaceId: string | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'text' })
  classification: Classification;

  /** The user agent's owner, who may delete it; null for platform entries. */
  @Column({ type: 'uuid', nullable: true })
  ownerUserId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  ownerUser?: UserEntity;

  @Column({ type: 'integer' })
  currentVersion: number;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** The current version, when a query joins it (not a column). */
  current?: RegistryVersionEntity;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
