import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import type { ArtifactKind } from '../artifacts.constants';

/**
 * A file of a session (replay, screenshot, other) kept in private object storage. Clients never
 * get its storage path as a URL: `GET /artifacts/{id}` redirects to a short-lived signed one.
 */
@Entity('artifacts')
@Index('ix_artifacts_session_created', ['sessionId', 'createdAt'])
@Index('uq_artifacts_storage_path', ['workspaceId', 'storagePath'], { unique: true })
export class ArtifactEntity {
  /** Generated before the upload: the storage path is derived from it. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  @Column({ type: 'text' })
  kind: ArtifactKind;

  @Column({ type: 'text' })
  contentType: string;

  /** Bytes. */
  @Column({ type: 'bigint' })
  size: string;

  /** Lower-case hex SHA-256 of the bytes. */
  @Column({ type: 'text' })
  sha256: string;

  /** The object-storage key; never shown to clients as a URL. */
  @Column({ type: 'text' })
  storagePath: string;

  /** Offered as the download's file name. */
  @Column({ type: 'text', nullable: true })
  filename: string | null;

  @Column({ type: 'uuid' })
  createdByUserId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
