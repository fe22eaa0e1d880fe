import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';

/**
 * The head of each workspace's event stream. Appends take positions from it under its row lock,
 * held until commit, so positions become visible in order: a reader that saw position N has
 * seen every position below N, whatever the concurrency of the writers.
 */
@Entity('workspace_streams')
export class WorkspaceStreamEntity {
  @PrimaryColumn({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'bigint', default: 0 })
  head: string;
}
