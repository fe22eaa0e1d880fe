import { HttpStatus, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { NotFoundAppException, ValidationAppException } from 'src/common/errors/app.exception';
import { toPage } from 'src/common/pagination/cursor';
import type { AllConfig } from 'src/config/configuration';
import type { Principal } from 'src/modules/auth/principal';
import { AuditLogService } from 'src/modules/users/audit-log.service';
import { InjectJobQueue, type JobQueue } from 'src/queue/job-queue';
import { JobName, QueueName } from 'src/queue/queue.constants';
import { isWorkerProcess } from 'src/queue/queue-role';
import { CatalogRepository } from '../catalog/catalog.repository';
import { COMMIT_SHA, HubClient } from '../hub/hub-client';
import type { ModelOpsJobs } from '../modelops.constants';
import { ModelOpsErrorCode, ModelOpsException } from '../modelops.exception';
import { cursorOf, positionOf } from '../modelops.pagination';
import { DownloadsRepository } from './downloads.repository';
import { CreateDownloadDto, DownloadPageDto, DownloadResponseDto, ListDownloadsQueryDto } from './dto/download.dto';
import { DownloadFileEntity } from './entities/download-file.entity';
import { DownloadEntity } from './entities/download.entity';
import { matchesAny } from './object-keys';

/**
 * Downloads of hub repositories. A request resolves the revision to the commit the hub reports
 * and lists that commit's files (size, sha256) before anything is queued, so every byte comes
 * from one commit and is checked against what the hub said. The bytes are fetched by a Bull job
 * (`DownloadRunner`), resumable from what was stored.
 */
@Injectable()
export class DownloadsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DownloadsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly downloads: DownloadsRepository,
    private readonly catalog: CatalogRepository,
    private readonly hub: HubClient,
    private readonly audit: AuditLogService,
    private readonly config: ConfigService<AllConfig, true>,
    @InjectJobQueue(QueueName.ModelOps) private readonly jobs: JobQueue<ModelOpsJobs>,
  ) {}

  /**
   * Queues a download (202). Asking again for the same files at the same commit answers the
   * existing download; a failed one is queued again and resumes from the bytes it stored.
   * Offline: 409 `offline_provider_blocked` (the egress policy), and nothing is created.
   */
  async create(principal: Principal, dto: CreateDownloadDto): Promise<DownloadResponseDto> {
    if (dto.catalog_item_id && !(await this.catalog.getById(dto.catalog_item_id))) {
      throw new ValidationAppException([{ field: 'catalog_item_id', message: 'no such catalog item' }]);
    }
    const info = await this.hub.modelInfo(dto.source_id, dto.revision);
    const commit = typeof info.sha === 'string' ? info.sha.toLowerCase() : '';
    if (!COMMIT_SHA.test(commit)) {
      throw new ModelOpsException(
        HttpStatus.BAD_GATEWAY,
        ModelOpsErrorCode.HubUnavailable,
        `The model hub reported no commit for ${dto.source_id}@${dto.revision ?? 'default branch'}`,
      );
    }
    const include = [...new Set(dto.include ?? [])].sort();
    const same = (await this.downloads.findSame(dto.source_id, commit)).find(
      (d) => JSON.stringify([...d.include].sort()) === JSON.stringify(include),
    );
    if (same) return this.reuse(principal, same);

    const files = (await this.hub.listFiles(dto.source_id, commit)).filter((f) => matchesAny(f.path, include));
    if (files.length === 0) {
      throw new ModelOpsException(
        HttpStatus.UNPROCESSABLE_ENTITY,
        ModelOpsErrorCode.NothingToDownload,
        `No file of ${dto.source_id}@${commit} matches ${include.length ? include.join(', ') : 'anything'}`,
      );
    }
    const download = await this.dataSource.transaction(async (manager) => {
      const created = await this.downloads.create(
        {
          sourceId: dto.source_id,
          revision: dto.revision ?? 'main',
          commitSha: commit,
          include,
          status: 'queued',
          bytesTotal: String(files.reduce((sum, f) => sum + f.size, 0)),
          catalogItemId: dto.catalog_item_id ?? null,
          metadata: { pipeline_tag: info.pipeline_tag ?? null, library_name: info.library_name ?? null },
          requestedByUserId: principal.userId,
        },
        files.map((f) => ({ path: f.path, size: String(f.size), sha256: f.sha256, blobId: f.blobId })),
        manager,
      );
      await this.audit.record(
        principal,
        {
          workspaceId: null,
          action: 'modelops.download.requested',
          targetType: 'modelops_download',
          targetId: created.id,
          data: { source_id: dto.source_id, commit, files: files.length },
        },
        manager,
      );
      return created;
    });
    await this.enqueue(download);
    return this.get(download.id);
  }

  async list(query: ListDownloadsQueryDto): Promise<DownloadPageDto> {
    const rows = await this.downloads.list(query.limit, query.cursor ? positionOf(query.cursor) : undefined);
    const page = toPage(rows, query.limit, cursorOf);
    const files = await this.downloads.listFilesOf(page.data.map((d) => d.id));
    return {
      data: page.data.map((d) => this.toResponse(d, files.get(d.id) ?? [])),
      next_cursor: page.next_cursor,
    };
  }

  async get(id: string): Promise<DownloadResponseDto> {
    const row = await this.downloads.getById(id);
    if (!row) throw new NotFoundAppException('Download', id);
    return this.toResponse(row, await this.downloads.listFiles(id));
  }

  /**
   * Without Redis, queued jobs live in memory: downloads left queued or running by a stopped
   * process are queued again here (they resume from their stored parts). With Redis their jobs
   * survive, and the same job id makes this a no-op. Only processes that take jobs do this.
   */
  async onApplicationBootstrap(): Promise<void> {
    // One-shot commands (the CLI sets RUN_PROCESSORS=false) must not pick downloads up.
    if (!this.config.getOrThrow('queue', { infer: true }).runProcessors && !isWorkerProcess()) return;
    for (const download of await this.downloads.listUnfinished()) {
      this.logger.log(`Resuming download ${download.id} (${download.sourceId}@${download.commitSha})`);
      await this.enqueue(download);
    }
  }

  private async reuse(principal: Principal, download: DownloadEntity): Promise<DownloadResponseDto> {
    if (download.status === 'failed') {
      const run = download.run + 1;
      await this.dataSource.transaction(async (manager) => {
        await this.downloads.update(download.id, { status: 'queued', error: null, run, attempts: 0 }, manager);
        await this.audit.record(
          principal,
          {
            workspaceId: null,
            action: 'modelops.download.resumed',
            targetType: 'modelops_download',
            targetId: download.id,
            data: { source_id: download.sourceId, commit: download.commitSha },
          },
          manager,
        );
      });
      await this.enqueue({ ...download, run });
    }
    return this.get(download.id);
  }

  private async enqueue(download: Pick<DownloadEntity, 'id' | 'run'>): Promise<void> {
    await this.jobs.add(
      JobName.DownloadModel,
      { downloadId: download.id, run: download.run },
      { jobId: `download:${download.id}:${download.run}` },
    );
  }

  private toResponse(row: DownloadEntity, files: DownloadFileEntity[]): DownloadResponseDto {
    const total = Number(row.bytesTotal);
    const done = Math.min(Number(row.bytesDone), total);
    return {
      id: row.id,
      source_id: row.sourceId,
      revision: row.revision,
      commit: row.commitSha,
      status: row.status,
      progress: {
        bytes_done: done,
        bytes_total: total,
        percent: total === 0 ? (row.status === 'completed' ? 100 : 0) : Math.floor((done / total) * 1000) / 10,
      },
      include: row.include,
      files: files.map((f) => ({
        path: f.path,
        size: Number(f.size),
        sha256: f.sha256,
        status: f.status,
        bytes_done: Number(f.bytesDone),
      })),
      attempts: row.attempts,
      error: row.error,
      catalog_item_id: row.catalogItemId,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
      started_at: row.startedAt?.toISOString() ?? null,
      completed_at: row.completedAt?.toISOString() ?? null,
    };
  }
}
