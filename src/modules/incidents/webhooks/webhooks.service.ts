import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NotFoundAppException } from 'src/common/errors/app.exception';
import { decodeCursor, toPage } from 'src/common/pagination/cursor';
import { assertProjectWritable, type Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import {
  CreateWebhookDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WebhookPageDto,
  WebhookResponseDto,
  WebhookWithSecretResponseDto,
} from './dto/webhook.dto';
import { WebhookEntity } from './entities/webhook.entity';
import { WebhookSecrets } from './webhook-secrets';
import { generateWebhookSecret, secretHint } from './webhook-signature';
import { WebhookTargets } from './webhook-targets';
import { MAX_WEBHOOKS_PER_WORKSPACE } from './webhooks.constants';
import { WebhooksErrorCode, WebhooksException } from './webhooks.exception';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Webhooks of the caller's workspace (admins manage them, as on GitHub and Stripe). The signing
 * secret is generated here, shown once in the answer to a creation or a rotation, and stored
 * only encrypted. A URL is checked against the private-address guard whenever it is saved.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    private readonly secrets: WebhookSecrets,
    private readonly targets: WebhookTargets,
    private readonly audit: AuditLogService,
  ) {}

  async create(principal: Principal, dto: CreateWebhookDto): Promise<WebhookWithSecretResponseDto> {
    assertProjectWritable(principal, null);
    await this.targets.assertAllowed(dto.url);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const sealed = await this.secrets.seal(id, secret);
    const row = await this.dataSource.transaction(async (manager) => {
      if ((await this.webhooks.countInWorkspace(principal.workspaceId, manager)) >= MAX_WEBHOOKS_PER_WORKSPACE) {
        throw new WebhooksException(
          HttpStatus.CONFLICT,
          WebhooksErrorCode.TooManyWebhooks,
          `A workspace has at most ${MAX_WEBHOOKS_PER_WORKSPACE} webhooks; delete one first`,
        );
      }
      const created = await this.webhooks.insert(
        {
          id,
          workspaceId: principal.workspaceId,
          url: dto.url,
          events: [...new Set(dto.events)],
          active: dto.active ?? true,
          description: dto.description ?? null,
          secretHint: secretHint(secret),
          ...sealed,
          secretRotatedAt: new Date(),
          createdByUserId: principal.userId,
        },
        manager,
      );
      await this.record(principal, 'webhook.created', created, { events: created.events }, manager);
      return created;
    });
    this.logger.log(`Created webhook ${row.id} in workspace ${row.workspaceId}`);
    return { ...this.toResponse(row), secret };
  }

  async list(principal: Principal, query: ListWebhooksQueryDto): Promise<WebhookPageDto> {
    const before = query.cursor ? decodeCursor<{ t: string; id: string }>(query.cursor, ['t', 'id']) : undefined;
    const rows = await this.webhooks.list(
      principal.workspaceId,
      { active: query.active, before: before && { createdAt: new Date(before.t), id: before.id } },
      query.limit,
    );
    const page = toPage(rows, query.limit, (row) => ({ t: row.createdAt.toISOString(), id: row.id }));
    return { data: page.data.map((row) => this.toResponse(row)), next_cursor: page.next_cursor };
  }

  async get(principal: Principal, id: string): Promise<WebhookResponseDto> {
    return this.toResponse(await this.getEntity(principal, id));
  }

  /** The webhook of the caller's workspace; 404 for another workspace's, as for a missing one. */
  async getEntity(principal: Principal, id: string): Promise<WebhookEntity> {
    const row = await this.webhooks.getById(principal.workspaceId, id);
    if (!row) throw new NotFoundAppException('Webhook', id);
    return row;
  }

  async update(principal: Principal, id: string, dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    assertProjectWritable(principal, null);
    const existing = await this.getEntity(principal, id);
    if (dto.url !== undefined && dto.url !== existing.url) await this.targets.assertAllowed(dto.url);
    const patch = {
      ...(dto.url !== undefined ? { url: dto.url } : {}),
      ...(dto.events !== undefined ? { events: [...new Set(dto.events)] } : {}),
      ...(dto.active !== undefined ? { active: dto.active } : {}),
      ...(dto.description !== undefined ? { description: dto.description } : {}),
    };
    const row = await this.dataSource.transaction(async (manager) => {
      if (Object.keys(patch).length > 0) await this.webhooks.update(principal.workspaceId, id, patch, manager);
      const updated = (await this.webhooks.getById(principal.workspaceId, id, manager))!;
      await this.record(principal, 'webhook.updated', updated, { changed: Object.keys(patch).sort() }, manager);
      return updated;
    });
    return this.toResponse(row);
  }

  /** Its pending deliveries stop with it. */
  async delete(principal: Principal, id: string): Promise<void> {
    assertProjectWritable(principal, null);
    const existing = await this.getEntity(principal, id);
    await this.dataSource.transaction(async (manager) => {
      await this.webhooks.delete(principal.workspaceId, id, manager);
      await this.record(principal, 'webhook.deleted', existing, {}, manager);
    });
  }

  /**
   * A new signing secret, at once: attempts from now on are signed with it (including retries of
   * deliveries queued before). The answer is the only time it is shown.
   */
  async rotateSecret(principal: Principal, id: string): Promise<WebhookWithSecretResponseDto> {
    assertProjectWritable(principal, null);
    await this.getEntity(principal, id);
    const secret = generateWebhookSecret();
    const sealed = await this.secrets.seal(id, secret);
    const row = await this.dataSource.transaction(async (manager) => {
      await this.webhooks.update(
        principal.workspaceId,
        id,
        { secretHint: secretHint(secret), ...sealed, secretRotatedAt: new Date() },
        manager,
      );
      const updated = (await this.webhooks.getById(principal.workspaceId, id, manager))!;
      await this.record(principal, 'webhook.secret_rotated', updated, {}, manager);
      return updated;
    });
    this.logger.log(`Rotated the signing secret of webhook ${id}`);
    return { ...this.toResponse(row), secret };
  }

  /** Audit rows name the URL's origin only: paths of webhook URLs often carry tokens. */
  private record(
    principal: Principal,
    action: string,
    row: WebhookEntity,
    data: Record<string, unknown>,
    manager: EntityManager,
  ): Promise<void> {
    return this.audit.record(
      principal,
      {
        workspaceId: row.workspaceId,
        action,
        targetType: 'webhook',
        targetId: row.id,
        data: { url_origin: new URL(row.url).origin, ...data },
      },
      manager,
    );
  }

  private toResponse(row: WebhookEntity): WebhookResponseDto {
    return {
      id: row.id,
      workspace_id: row.workspaceId,
      url: row.url,
      events: row.events,
      active: row.active,
      description: row.description,
      secret_hint: row.secretHint,
      secret_rotated_at: row.secretRotatedAt.toISOString(),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    };
  }
}
