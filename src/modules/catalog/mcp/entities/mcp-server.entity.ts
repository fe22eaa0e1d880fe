import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { WorkspaceEntity } from 'src/modules/users/entities/workspace.entity';
import type { McpTransport } from '../../catalog.constants';

/**
 * A Model Context Protocol server the workspace's agents use: how to reach it (a command for
 * stdio, a URL for SSE and streamable HTTP) and, for secrets, only references to ModelOps
 * credentials (`modelops://credential/<id>`), never the secrets themselves.
 */
@Entity('mcp_servers')
@Index('uq_mcp_servers_workspace_name', ['workspaceId', 'name'], { unique: true })
export class McpServerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  transport: McpTransport;

  /** sse and streamable_http. */
  @Column({ type: 'text', nullable: true })
  url: string | null;

  /** stdio: the executable and its arguments. */
  @Column({ type: 'text', nullable: true })
  command: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  args: string[];

  /** Non-secret environment of a stdio server. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  env: Record<string, string>;

  /** Non-secret HTTP headers of an sse or streamable_http server. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers: Record<string, string>;

  /** Header (HTTP) or variable (stdio) name → `modelops://credential/<id>`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  secretRefs: Record<string, string>;

  @Column({ type: 'integer', nullable: true })
  timeoutMs: number | null;

  @Column({ type: 'uuid', nullable: true })
  createdByUserId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
