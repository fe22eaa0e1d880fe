import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const DOWNLOAD_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];

/**
 * A download of a hub repository's files at one commit (resolved when it was requested, so every
 * file comes from the same commit even if the branch moves). Its files are `DownloadFileEntity`.
 */
@Entity('modelops_downloads')
@Index('ix_modelops_downloads_created', ['createdAt', 'id'])
@Index('ix_modelops_downloads_source', ['sourceId', 'commitSha'])
export class DownloadEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Hub repository, e.g. `Qwen/Qwen2.5-0.5B-Instruct`. */
  @Column({ type: 'text' })
  sourceId: string;

  /** What was asked for: a branch, tag or commit. */
  @Column({ type: 'text' })
  revision: string;

  /** The commit the hub reported for `revision`; every file is fetched at this commit. */
  @Column({ type: 'text' })
  commitSha: string;

  @Column({ type: 'text', default: 'queued' })
  status: DownloadStatus;

  /** Glob patterns of the files asked for (empty: all). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  include: string[];

  @Column({ type: 'bigint', default: 0 })
  bytesTotal: string;

  /** Bytes received so far, over every file. */
  @Column({ type: 'bigint', default: 0 })
  bytesDone: string;

  /** Incremented each time the download is (re)queued; its job id carries it, so a stale job steps aside. */
  @Column({ type: 'integer', default: 1 })
  run: number;

  /** Attempts the job made (each resumes from the bytes already stored). */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ type: 'uuid', nullable: true })
  catalogItemId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  requestedByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
