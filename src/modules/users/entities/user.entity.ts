import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('users')
@Index('uq_users_email', ['email'], { unique: true })
@Index('uq_users_identity', ['oidcIssuer', 'oidcSubject'], { unique: true, where: 'oidc_subject IS NOT NULL' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower-cased on write. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', nullable: true })
  displayName: string | null;

  @Column({ type: 'boolean', default: false })
  isSuperadmin: boolean;

  @Column({ type: 'text', nullable: true })
  oidcIssuer: string | null;

  @Column({ type: 'text', nullable: true })
  oidcSubject: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
