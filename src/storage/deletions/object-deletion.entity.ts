import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A key prefix whose objects are to be removed from object storage: queued by database triggers
 * in the transaction that deletes a workspace, a project or a LangSmith run with attachments
 * (migration ObjectDeletions), so that a committed deletion is never forgotten, and removed by
 * `ObjectDeletionSweeper` once its objects are gone.
 */
@Entity('object_deletions')
@Index('ix_object_deletions_due', ['nextAttemptAt'])
export class ObjectDeletionEntity {
  /** `workspaces/<id>`, `workspaces/<id>/projects/<id>`, `langsmith/<id>[/<run>]`: every object under `<prefix>/`. */
  @PrimaryColumn({ type: 'text' })
  prefix: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  requestedAt: Date;

  /** Sweeps that took it on; the next one waits longer after each failure. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** When a sweep may take it (on): a sweep leases it by moving this ahead. */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Why the last attempt failed (the storage's error message; it names no credential). */
  @Column({ type: 'text', nullable: true })
  lastError: string | null;
}
