import { HttpStatus, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Response } from 'express';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';
import { toEventResponse } from 'src/modules/sessions/events.service';
import { SessionsService } from 'src/modules/sessions/sessions.service';
import { WorkspacesRepository } from 'src/modules/users/workspaces.repository';
import { StreamQueryDto } from './dto/stream-query.dto';
import { StreamConnection, StreamConnectionOptions, StreamSource } from './stream-connection';
import { StreamFanout } from './stream-fanout';
import { STREAM_LIMITS, TRACE_EVENT } from './stream.constants';
import { StreamErrorCode, StreamException } from './stream.exception';
import { StreamFilter, StreamRepository } from './stream.repository';
import { eventFrame, parseLastEventId } from './sse';

/** The workspace-wide live stream (`GET /api/stream`): checks, resume position, connections. */
@Injectable()
export class StreamService implements OnModuleDestroy {
  private readonly logger = new Logger(StreamService.name);
  private readonly connections = new Set<StreamConnection>();
  private readonly options: StreamConnectionOptions;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly sessions: SessionsService,
    private readonly workspaces: WorkspacesRepository,
    private readonly repository: StreamRepository,
    private readonly fanout: StreamFanout,
  ) {
    const heartbeatMs = config.getOrThrow('ingest', { infer: true }).streamHeartbeatMs;
    this.options = {
      heartbeatMs,
      stallMs: Math.max(STREAM_LIMITS.minStallMs, heartbeatMs * STREAM_LIMITS.stallHeartbeats),
      pageSize: STREAM_LIMITS.pageSize,
      closeGraceMs: STREAM_LIMITS.closeGraceMs,
      reconnectDelayMs: STREAM_LIMITS.reconnectDelayMs,
    };
  }

  /** Open streams of this process. */
  get activeConnections(): number {
    return this.connections.size;
  }

  /**
   * Checks the request (errors are still problem+json here), then streams: the events after the
   * resume position first, then live ones, all read by position, so there is no gap and no
   * duplicate between backfill and live. Without a resume position it starts at the head.
   */
  async open(
    principal: Principal,
    query: StreamQueryDto,
    lastEventId: string | undefined,
    res: Response,
  ): Promise<void> {
    const workspaceId = principal.workspaceId;
    const resumeAfter = this.resumePosition(query, lastEventId);
    const filter = await this.resolveFilter(principal, query);
    const start = resumeAfter ?? (await this.repository.getHead(workspaceId));

    const connection = new StreamConnection(res, this.sourceFor(workspaceId, filter), start, this.options, this.logger);
    this.connections.add(connection);
    connection.whenClosed(() => this.connections.delete(connection));
    connection.open();
    // Registered before the first read: a commit after it wakes the connection, one before it is read.
    const unregister = await this.fanout.register(workspaceId, (head) => connection.wake(head));
    connection.whenClosed(unregister);
    connection.wake();
  }

  onModuleDestroy(): void {
    for (const connection of [...this.connections]) connection.drop('server_shutdown');
  }

  /** `Last-Event-ID` (what a reconnecting EventSource sends) wins over `after_seq` (the URL it reuses). */
  private resumePosition(query: StreamQueryDto, header: string | undefined): number | undefined {
    const lastEventId = parseLastEventId(header);
    if (lastEventId === null) {
      throw new StreamException(
        HttpStatus.BAD_REQUEST,
        StreamErrorCode.InvalidLastEventId,
        'Last-Event-ID must be a non-negative integer (the id of the last event received)',
      );
    }
    return lastEventId ?? query.after_seq;
  }

  /** Filters narrow the caller's workspace; naming a project or session outside it is 404. */
  private async resolveFilter(principal: Principal, query: StreamQueryDto): Promise<StreamFilter> {
    if (query.project_id && !(await this.workspaces.getProject(principal.workspaceId, query.project_id))) {
      throw new NotFoundAppException('Project', query.project_id);
    }
    if (query.session_id) await this.sessions.getEntity(principal, query.session_id);
    return { projectId: query.project_id, sessionId: query.session_id };
  }

  private sourceFor(workspaceId: string, filter: StreamFilter): StreamSource {
    return {
      head: () => this.repository.getHead(workspaceId),
      read: async (after, upTo, limit) => {
        const rows = await this.repository.listRange(workspaceId, filter, after, upTo, limit);
        return rows.map((row) => {
          const position = Number(row.streamSeq);
          return { position, frame: eventFrame(TRACE_EVENT, toEventResponse(row), position) };
        });
      },
    };
  }
}
