import { Check, Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { RuntimeMode } from '../platform-control.constants';

/** The single global runtime profile row (id 1), seeded online by the migration. */
@Entity('platform_runtime_profile')
@Check('ck_platform_runtime_profile_singleton', 'id = 1')
@Check('ck_platform_runtime_profile_mode', `mode IN ('online', 'offline')`)
export class RuntimeProfileEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'text', default: 'online' })
  mode: RuntimeMode;

  @Column({ type: 'uuid', nullable: true })
  updatedByUserId: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
