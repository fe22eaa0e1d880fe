import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { McpServerEntity } from './mcp-server.entity';

/** A tool an MCP server offers, as its `tools/list` describes it. */
@Entity('mcp_tools')
@Index('uq_mcp_tools_server_name', ['serverId', 'name'], { unique: true })
@Index('ix_mcp_tools_workspace', ['workspaceId'])
export class McpToolEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The server's workspace, repeated so every query filters by it first. */
  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  serverId: string;

  @ManyToOne(() => McpServerEntity, { onDelete: 'CASCADE' })
  server?: McpServerEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'jsonb' })
  inputSchema: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  outputSchema: Record<string, unknown> | null;

  /** MCP hints (readOnlyHint, destructiveHint, idempotentHint, openWorldHint, title). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  annotations: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
