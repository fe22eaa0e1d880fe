import { Column, CreateDateColumn, Entity, Index, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { SuiteEntity } from './suite.entity';

/** One thing an agent of the suite may call: a function name, its description and its arguments' JSON Schema. */
@Entity('suite_actions')
@Index('uq_suite_actions_suite_name', ['suiteId', 'name'], { unique: true })
@Index('ix_suite_actions_workspace', ['workspaceId'])
export class SuiteActionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The suite's workspace, repeated so every query filters by it first. */
  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  suiteId: string;

  @ManyToOne(() => SuiteEntity, { onDelete: 'CASCADE' })
  suite?: SuiteEntity;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Validated as a JSON Schema (object root) on every write. */
  @Column({ type: 'jsonb' })
  parametersSchema: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
