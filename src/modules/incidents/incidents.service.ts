import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { UsersRepository } from 'src/modules/users/users.repository';
import { IncidentPageDto, IncidentResponseDto, ListIncidentsQueryDto, UpdateIncidentDto } from './dto/incident.dto';
import { IncidentEntity, IncidentStatus } from './entities/incident.entity';
import { toIncidentResponse } from './incident-response';
import { IncidentEventType, IncidentsEvents } from './incidents.events';
import { IncidentsErrorCode, IncidentsException } from './incidents.exception';
import { IncidentsRepository } from './incidents.repository';

/** Reads of incidents and their triage (status and owner), audit-logged. */
@Injectable()
export class IncidentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditLogService,
    private readonly events: IncidentsEvents,
  ) {}

  async list(principal: Principal, query: ListIncidentsQueryDto): Promise<IncidentPageDto> {
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.incidents.list(
      principal.workspaceId,
      {
        status: query.status,
        projectId: query.project_id,
        detector: query.detector,
        agent: query.agent,
        before: before && { lastSeenAt: new Date(before.t), id: before.id },
      },
      query.limit,
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.lastSeenAt.toISOString(), id: row.id }));
    return { data: page.data.map(toIncidentResponse), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<IncidentResponseDto> {
    const row = await this.incidents.getById(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('Incident', id);
    return toIncidentResponse(row);
  }

  /**
   * Status and owner. Resolving records when (a later session with the same failure reopens it);
   * the owner must be a member of the workspace. A key pinned to a project changes only incidents
   * of that project alone.
   */
  async update(principal: Principal, id: string, dto: UpdateIncidentDto): Promise<IncidentResponseDto> {
    if (dto.status === undefined && dto.owner_id === undefined) {
      throw new IncidentsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        IncidentsErrorCode.NothingToUpdate,
        'Give `status`, `owner_id` or both',
        { errors: [{ field: 'status', message: 'status or owner_id is required' }] },
      );
    }
    const result = await this.dataSource.transaction(async (manager) => {
      const row = await this.incidents.lockById(manager, principal.workspaceId, id);
      if (!row) throw new NotFoundAppException('Incident', id);
      for (const projectId of row.projectIds) assertProjectWritable(principal, projectId);
      if (row.projectIds.length === 0) assertProjectWritable(principal, null);
      if (dto.owner_id) {
        const membership = await this.users.getMembership(row.workspaceId, dto.owner_id, manager);
        if (!membership) {
          throw new IncidentsException(
            HttpStatus.UNPROCESSABLE_ENTITY,
            IncidentsErrorCode.OwnerNotMember,
            `User ${dto.owner_id} is not a member of this workspace`,
            { errors: [{ field: 'owner_id', message: 'owner_id must be a member of the workspace' }] },
          );
        }
      }
      const changes = this.changesOf(row, dto);
      if (Object.keys(changes.audit).length === 0) return { row, event: null };
      await this.incidents.update(manager, row.id, changes.columns, changes.resolution);
      await this.audit.record(
        principal,
        {
          workspaceId: row.workspaceId,
          action: 'incident.updated',
          targetType: 'incident',
          targetId: row.id,
          data: changes.audit,
        },
        manager,
      );
      const updated = await this.incidents.getById(row.workspaceId, row.id, manager);
      return { row: updated ?? row, event: changes.event };
    });
    const response = toIncidentResponse(result.row);
    if (result.event) {
      this.events.emit({
        type: result.event,
        workspaceId: result.row.workspaceId,
        incident: response,
        reason: 'manual',
        sessionId: null,
        actorUserId: principal.userId,
        at: new Date().toISOString(),
      });
    }
    return response;
  }

  private changesOf(row: IncidentEntity, dto: UpdateIncidentDto) {
    const columns: Partial<Pick<IncidentEntity, 'status' | 'ownerUserId'>> = {};
    let resolution: 'now' | 'clear' | undefined;
    const audit: Record<string, { from: string | null; to: string | null }> = {};
    let event: IncidentEventType | null = null;
    if (dto.status !== undefined && dto.status !== row.status) {
      columns.status = dto.status;
      resolution = dto.status === 'resolved' ? 'now' : 'clear';
      audit.status = { from: row.status, to: dto.status };
      event = transitionEvent(row.status, dto.status);
    }
    if (dto.owner_id !== undefined && dto.owner_id !== row.ownerUserId) {
      columns.ownerUserId = dto.owner_id;
      audit.owner_id = { from: row.ownerUserId, to: dto.owner_id };
    }
    return { columns, resolution, audit, event };
  }
}

/** Resolving announces `resolved`; taking a resolved or ignored incident back up announces `reopened`. */
function transitionEvent(from: IncidentStatus, to: IncidentStatus): IncidentEventType | null {
  if (to === 'resolved') return 'resolved';
  if ((from === 'resolved' || from === 'ignored') && (to === 'open' || to === 'investigating')) return 'reopened';
  return null;
}
