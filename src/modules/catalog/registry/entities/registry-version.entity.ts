import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { RegistryKind } from '../../catalog.constants';
import { RegistryEntryEntity } from './registry-entry.entity';

/**
 * One immutable version of a registry entry's spec. Rows are only ever inserted (a trigger
 * refuses UPDATE); they go away only with their entry.
 */
@Entity('registry_versions')
@Index('uq_registry_versions_entry_version', ['entryId', 'version'], { unique: true })
export class RegistryVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  entryId: string;

  @ManyToOne(() => RegistryEntryEntity, { onDelete: 'CASCADE' })
  entry?: RegistryEntryEntity;

  /** Repeated from the entry so that a version row reads on its own. */
  @Column({ type: 'text' })
  kind: RegistryKind;

  @Column({ type: 'text' })
  key: string;

  @Column({ type: 'uuid', nullable: true })
  workspaceId: string | null;

  @Column({ type: 'integer' })
  version: number;

  /** The kind's spec, validated before it was written. */
  @Column({ type: 'jsonb' })
  spec: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
