import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DownloadEntity } from './download.entity';

export const DOWNLOAD_FILE_STATUSES = ['pending', 'completed'] as const;
export type DownloadFileStatus = (typeof DOWNLOAD_FILE_STATUSES)[number];

/** A slice of a file stored while it downloads; the slices, in order, are the bytes received. */
export interface DownloadPart {
  key: string;
  size: number;
}

/** One file of a download, with what the hub says it must be and what was received so far. */
@Entity('modelops_download_files')
@Index('uq_modelops_download_files_path', ['downloadId', 'path'], { unique: true })
export class DownloadFileEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  downloadId: string;

  @ManyToOne(() => DownloadEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'download_id' })
  download?: DownloadEntity;

  /** Path in the repository, e.g. `model.safetensors` or `onnx/model.onnx`. */
  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'bigint' })
  size: string;

  /** SHA-256 the hub reports for an LFS file (`lfs.oid`); the download must match it. */
  @Column({ type: 'text', nullable: true })
  sha256: string | null;

  /** Git blob id (SHA-1 of `blob <size>\0<bytes>`) of a file kept in git itself (no LFS). */
  @Column({ type: 'text', nullable: true })
  blobId: string | null;

  @Column({ type: 'text', default: 'pending' })
  status: DownloadFileStatus;

  @Column({ type: 'bigint', default: 0 })
  bytesDone: string;

  /** Slices stored so far; a new attempt asks the hub for the bytes after them (HTTP Range). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  parts: DownloadPart[];

  /** Object-storage key of the complete, verified file. */
  @Column({ type: 'text', nullable: true })
  storageKey: string | null;

  /** SHA-256 of the stored file. */
  @Column({ type: 'text', nullable: true })
  storedSha256: string | null;
}
