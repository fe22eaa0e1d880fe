import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { CommittedAppend } from 'src/modules/sessions/ingest/ingest.types';
import { SessionsEvents } from 'src/modules/sessions/sessions.events';
import { SessionsRepository } from 'src/modules/sessions/sessions.repository';
import { WebhookPublisher } from './webhook-publisher';

/**
 * Publishes `session.failed` when a committed append ended a session with status `failed`. The
 * committed notification names the sessions that ended; their status is read back (cheap, and
 * only when some webhook of the workspace listens). Runs beside ingestion, never in its way:
 * a failure here is logged and the append is already durable.
 */
@Injectable()
export class SessionFailedListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SessionFailedListener.name);
  private stopListening?: () => void;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly sessionsEvents: SessionsEvents,
    private readonly sessions: SessionsRepository,
    private readonly publisher: WebhookPublisher,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.sessionsEvents.onCommitted((append) => {
      if (append.endedSessionIds.length === 0) return;
      const work = this.publishFailed(append)
        .catch((err: unknown) =>
          this.logger.error(
            `session.failed webhooks for workspace ${append.workspaceId}: ${err instanceof Error ? err.message : String(err)}`,
          ),
        )
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    });
  }

  /** Lets publications under way store their deliveries before the database goes. */
  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await Promise.all([...this.inFlight]);
  }

  private async publishFailed(append: CommittedAppend): Promise<void> {
    if (!(await this.publisher.hasSubscribers(append.workspaceId, 'session.failed'))) return;
    for (const id of append.endedSessionIds) {
      const session = await this.sessions.getById(append.workspaceId, id);
      if (session?.status !== 'failed') continue;
      await this.publisher.publish(append.workspaceId, 'session.failed', {
        session: {
          id: session.id,
          project_id: session.projectId,
          suite_id: session.suiteId,
          source: session.source,
          status: session.status,
          agent_name: session.agentName,
          agent_version: session.agentVersion,
          event_count: session.eventCount,
          started_at: session.startedAt.toISOString(),
          ended_at: session.endedAt?.toISOString() ?? null,
        },
      });
    }
  }
}
