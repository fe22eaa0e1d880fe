import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { EventEntity } from 'src/modules/sessions/entities/event.entity';
import { WorkspaceStreamEntity } from 'src/modules/sessions/entities/workspace-stream.entity';

/** What a stream shows of its workspace: every event, or one project's, or one session's. */
export interface StreamFilter {
  projectId?: string;
  sessionId?: string;
}

/** Reads of the workspace event stream by position (`stream_seq`). */
@Injectable()
export class StreamRepository {
  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    @InjectRepository(WorkspaceStreamEntity) private readonly streams: Repository<WorkspaceStreamEntity>,
  ) {}

  /**
   * The last committed position of a workspace's stream (0 before its first event). Positions
   * commit in order, so every position up to it is visible to any statement that starts later.
   */
  async getHead(workspaceId: string): Promise<number> {
    const row = await this.streams.findOne({ select: { workspaceId: true, head: true }, where: { workspaceId } });
    return row ? Number(row.head) : 0;
  }

  /** The heads of several workspaces at once (the safety-net poll); absent workspaces have none yet. */
  async getHeads(workspaceIds: string[]): Promise<Map<string, number>> {
    if (workspaceIds.length === 0) return new Map();
    const rows = await this.streams.find({
      select: { workspaceId: true, head: true },
      where: { workspaceId: In(workspaceIds) },
    });
    return new Map(rows.map((row) => [row.workspaceId, Number(row.head)]));
  }

  /** Events at positions in (after, upTo], in stream order, narrowed by the filter; at most `limit`. */
  listRange(
    workspaceId: string,
    filter: StreamFilter,
    after: number,
    upTo: number,
    limit: number,
  ): Promise<EventEntity[]> {
    const qb = this.events
      .createQueryBuilder('e')
      .where('e.workspace_id = :workspaceId', { workspaceId })
      .andWhere('e.stream_seq > :after AND e.stream_seq <= :upTo', { after, upTo })
      .orderBy('e.stream_seq', 'ASC')
      .limit(limit);
    if (filter.projectId) qb.andWhere('e.project_id = :projectId', { projectId: filter.projectId });
    if (filter.sessionId) qb.andWhere('e.session_id = :sessionId', { sessionId: filter.sessionId });
    return qb.getMany();
  }
}
