import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SessionEntity } from './session.entity';

export const EVENT_ORIGINS = ['agent', 'operator', 'system'] as const;
export type EventOrigin = (typeof EVENT_ORIGINS)[number];

/**
 * One entry of a session's log. Identity is (session_id, seq, sub_seq): agent events carry the
 * client's `seq` with sub_seq 0; events an operator or the server adds (answers, feedback, an
 * explicit end) take the current high-water seq and the next sub_seq, so they never use up a
 * number the agent will send. Replay order is (seq, sub_seq), never the client timestamp.
 * `stream_seq` is the workspace-wide position of the live stream, assigned in commit order.
 */
@Entity('events')
@Index('uq_events_idempotency', ['sessionId', 'idempotencyKey'], { unique: true })
@Index('uq_events_stream', ['workspaceId', 'streamSeq'], { unique: true })
export class EventEntity {
  @PrimaryColumn({ type: 'uuid' })
  sessionId: string;

  // No foreign key: the append path checks the session under its row lock, and a trigger on
  // sessions deletes the events (migration EventsCascadeByTrigger).
  @ManyToOne(() => SessionEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;

  @PrimaryColumn({ type: 'bigint' })
  seq: string;

  @PrimaryColumn({ type: 'integer', default: 0 })
  subSeq: number;

  @Column({ type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'bigint' })
  streamSeq: string;

  @Column({ type: 'text' })
  idempotencyKey: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text', default: 'agent' })
  origin: EventOrigin;

  /** The client's clock: data only, never used for order. */
  @Column({ type: 'timestamptz', nullable: true })
  clientTs: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;
}
