import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A saved provider credential (platform-wide, managed by superadmins). The secret is never stored
 * in clear: it is encrypted (AES-256-GCM, the row id as associated data) under a random data key,
 * and the data key is wrapped by the key-encryption key named by `kekVersion`.
 */
@Entity('modelops_credentials')
@Index('uq_modelops_credentials_name', ['name'], { unique: true })
export class CredentialEntity {
  /** Generated before encryption: the ciphertexts are bound to it. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** Who issued it, e.g. `openai`, `azure_openai`, `together`. */
  @Column({ type: 'text' })
  provider: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** What responses show, e.g. `sk-...abcd`. */
  @Column({ type: 'text' })
  secretMask: string;

  @Column({ type: 'bytea' })
  secretCiphertext: Buffer;

  @Column({ type: 'bytea' })
  wrappedDataKey: Buffer;

  @Column({ type: 'text' })
  kekVersion: string;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** When the secret itself last changed (not the name or description). */
  @Column({ type: 'timestamptz' })
  secretUpdatedAt: Date;
}
