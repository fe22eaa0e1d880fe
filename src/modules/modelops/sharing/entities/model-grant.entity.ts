import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { WorkspaceRole } from 'src/modules/auth/principal';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import { ModelEntity } from '../../models/entities/model.entity';

/**
 * Who may use a model: members of one workspace (or of every workspace, `workspaceId` null) whose
 * role is at least `minRole`. Without a grant, only superadmins see a model.
 */
@Entity('modelops_model_grants')
@Index('uq_modelops_model_grants_workspace', ['modelId', 'workspaceId'], {
  unique: true,
  where: 'workspace_id IS NOT NULL',
})
@Index('uq_modelops_model_grants_everyone', ['modelId'], { unique: true, where: 'workspace_id IS NULL' })
@Index('ix_modelops_model_grants_workspace', ['workspaceId'])
export class ModelGrantEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  modelId: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'model_id' })
  model?: ModelEntity;

  /** Null: every workspace. */
  @Column({ type: 'uuid', nullable: true })
  workspaceId: string | null;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'text', default: 'viewer' })
  minRole: WorkspaceRole;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
