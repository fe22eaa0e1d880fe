import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import { currentRequestId } from 'src/common/http/request-context';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogEntryDto, AuditLogPageDto } from './dto/audit-log.dto';
import { AuditLogEntity } from './entities/audit-log.entity';
import { WorkspaceAccessService } from './workspace-access.service';

export interface AuditEvent {
  workspaceId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  data?: Record<string, unknown>;
}

/** Writes audit rows in the caller's transaction, so a change and its record land together. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly rows: AuditLogRepository,
    private readonly access: WorkspaceAccessService,
  ) {}

  record(actor: Principal | null, event: AuditEvent, manager?: EntityManager): Promise<void> {
    return this.rows.append(
      {
        workspaceId: event.workspaceId,
        actorUserId: actor?.userId ?? null,
        actorApiKeyId: actor?.apiKeyId ?? null,
        action: event.action,
        targetType: event.targetType,
        targetId: event.targetId ?? null,
        data: event.data ?? {},
        requestId: currentRequestId() ?? null,
      },
      manager,
    );
  }

  /** Readable by the workspace's admins. */
  async listForWorkspace(
    principal: Principal,
    workspaceId: string,
    limit: number,
    cursor?: string,
  ): Promise<AuditLogPageDto> {
    await this.access.require(principal, workspaceId, 'admin');
    const before = cursor ? decodeCursor<{ t: string; id: string }>(cursor, ['t', 'id']) : undefined;
    const rows = await this.rows.list(workspaceId, limit, before && { createdAt: new Date(before.t), id: before.id });
    const page = toPage(rows, limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map((row) => this.toResponse(row)), next_cursor: page.next_cursor };
  }

  private toResponse(row: AuditLogEntity): AuditLogEntryDto {
    return {
      id: row.id,
      workspace_id: row.workspaceId,
      actor_user_id: row.actorUserId,
      actor_api_key_id: row.actorApiKeyId,
      action: row.action,
      target_type: row.targetType,
      target_id: row.targetId,
      data: row.data,
      request_id: row.requestId,
      created_at: row.createdAt.toISOString(),
    };
  }
}
