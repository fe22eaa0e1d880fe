import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { DownloadFileEntity } from './entities/download-file.entity';
import { DownloadEntity } from './entities/download.entity';

/** Downloads and their files (platform-wide, not tenant-owned). */
@Injectable()
export class DownloadsRepository {
  constructor(
    @InjectRepository(DownloadEntity) private readonly downloads: Repository<DownloadEntity>,
    @InjectRepository(DownloadFileEntity) private readonly files: Repository<DownloadFileEntity>,
  ) {}

  async create(
    download: Partial<DownloadEntity>,
    files: Partial<DownloadFileEntity>[],
    manager: EntityManager,
  ): Promise<DownloadEntity> {
    const saved = await manager
      .getRepository(DownloadEntity)
      .save(manager.getRepository(DownloadEntity).create(download));
    const fileRepo = manager.getRepository(DownloadFileEntity);
    await fileRepo.save(files.map((f) => fileRepo.create({ ...f, downloadId: saved.id })));
    return saved;
  }

  getById(id: string): Promise<DownloadEntity | null> {
    return this.downloads.findOneBy({ id });
  }

  getByIdForUpdate(id: string, manager: EntityManager): Promise<DownloadEntity | null> {
    return manager
      .getRepository(DownloadEntity)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.id = :id', { id })
      .getOne();
  }

  /** Earlier downloads of the same files at the same commit, newest first. */
  findSame(sourceId: string, commitSha: string): Promise<DownloadEntity[]> {
    return this.downloads.find({ where: { sourceId, commitSha }, order: { createdAt: 'DESC' } });
  }

  /** Newest first, keyset-paged on (created_at to the millisecond, id). */
  list(limit: number, after?: { createdAt: Date; id: string }): Promise<DownloadEntity[]> {
    const ms = "date_trunc('milliseconds', d.created_at)";
    const qb = this.downloads.createQueryBuilder('d');
    if (after) qb.where(`(${ms}, d.id) < (:afterT, :afterId)`, { afterT: after.createdAt, afterId: after.id });
    return qb
      .orderBy(ms, 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /** Downloads that were queued or running: after a restart without Redis, their jobs are gone. */
  listUnfinished(): Promise<DownloadEntity[]> {
    return this.downloads.find({ where: { status: In(['queued', 'running'] as const) } });
  }

  listFiles(downloadId: string): Promise<DownloadFileEntity[]> {
    return this.files.find({ where: { downloadId }, order: { path: 'ASC' } });
  }

  /** The files of several downloads, by download id. */
  async listFilesOf(downloadIds: string[]): Promise<Map<string, DownloadFileEntity[]>> {
    const rows =
      downloadIds.length === 0
        ? []
        : await this.files.find({ where: { downloadId: In(downloadIds) }, order: { path: 'ASC' } });
    const byDownload = new Map<string, DownloadFileEntity[]>();
    for (const row of rows) byDownload.set(row.downloadId, [...(byDownload.get(row.downloadId) ?? []), row]);
    return byDownload;
  }

  async update(id: string, patch: QueryDeepPartialEntity<DownloadEntity>, manager?: EntityManager): Promise<void> {
    await (manager ? manager.getRepository(DownloadEntity) : this.downloads).update({ id }, patch);
  }

  async updateFile(id: string, patch: QueryDeepPartialEntity<DownloadFileEntity>): Promise<void> {
    await this.files.update({ id }, patch);
  }
}
