import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RunEventInput, RunSource } from '../runs.types';
import type { NormalizedRun } from '../run-input.normalizer';
import type { RunAttachmentRef } from './run.entity';

/**
 * A patch that arrived before its run (concurrent SDK batches make this ordinary). It is applied,
 * in arrival order, as soon as the run is stored, then deleted; kept at most a few days.
 */
@Entity('run_pending_patches')
@Index('ix_run_pending_patches_run', ['workspaceId', 'runId'])
@Index('ix_run_pending_patches_received', ['workspaceId', 'receivedAt'])
export class RunPendingPatchEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  runId: string;

  /** The project the sending key was pinned to: the patch applies only to a run there. */
  @Column({ type: 'uuid', nullable: true })
  pinnedProjectId: string | null;

  @Column({ type: 'text' })
  source: RunSource;

  /** The validated patch. */
  @Column({ type: 'jsonb' })
  patch: NormalizedRun;

  @Column({ type: 'jsonb', nullable: true })
  extraEvents: RunEventInput[] | null;

  @Column({ type: 'jsonb', nullable: true })
  attachments: Record<string, RunAttachmentRef> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt: Date;
}
