import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppException } from 'src/common/errors/app.exception';
import type { QueueJob } from 'src/queue/job-queue';
import { ObjectStorage } from 'src/storage/object-storage';
import { COMMIT_SHA, HubClient } from '../hub/hub-client';
import {
  DOWNLOAD_IDLE_TIMEOUT_MS,
  DOWNLOAD_PART_BYTES,
  DOWNLOAD_PROGRESS_INTERVAL_MS,
  type DownloadModelJob,
} from '../modelops.constants';
import { DownloadsRepository } from './downloads.repository';
import type { DownloadFileEntity, DownloadPart } from './entities/download-file.entity';
import type { DownloadEntity } from './entities/download.entity';
import { downloadPartKey, modelFileKey } from './object-keys';

/** A failure retrying cannot fix: a checksum or commit mismatch, offline, a file the hub lost. */
export class PermanentDownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentDownloadError';
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Byte counts of the download in progress, for the progress the API and the job report. */
interface Progress {
  total: number;
  /** Bytes per file id: stored parts plus what streams in now. */
  perFile: Map<string, number>;
  lastWrite: number;
}

/**
 * Runs one download job: for each file not yet complete, asks the hub for the bytes after those
 * already stored (HTTP Range), stores them as parts (flushed every DOWNLOAD_PART_BYTES and when
 * the stream breaks, so a dropped connection loses nothing), then joins the parts into the final
 * object while hashing it, and keeps it only when it matches the hub's sha256 (LFS) or git blob
 * id. A transient failure throws (Bull retries; the next attempt resumes); a permanent one marks
 * the download failed.
 */
@Injectable()
export class DownloadRunner implements OnModuleDestroy {
  private readonly logger = new Logger(DownloadRunner.name);
  private readonly active = new Set<AbortController>();

  constructor(
    private readonly downloads: DownloadsRepository,
    private readonly hub: HubClient,
    private readonly storage: ObjectStorage,
  ) {}

  async run(job: QueueJob<DownloadModelJob>): Promise<void> {
    const { downloadId, run } = job.data;
    const download = await this.downloads.getById(downloadId);
    if (!download || download.run !== run || download.status === 'completed' || download.status === 'failed') {
      return; // deleted, re-queued under a newer run, or already settled
    }
    const attempts = job.attemptsMade + 1;
    await this.downloads.update(download.id, {
      status: 'running',
      attempts,
      startedAt: download.startedAt ?? new Date(),
    });
    try {
      await this.fetchAll(download, job);
      await this.downloads.update(download.id, {
        status: 'completed',
        bytesDone: download.bytesTotal,
        error: null,
        completedAt: new Date(),
      });
      await job.progress({
        bytes_done: Number(download.bytesTotal),
        bytes_total: Number(download.bytesTotal),
        percent: 100,
      });
    } catch (err) {
      const failure = describe(err);
      const lastAttempt = attempts >= (job.opts.attempts ?? 1);
      if (err instanceof PermanentDownloadError || isPermanentAppError(err) || lastAttempt) {
        await this.downloads.update(download.id, { status: 'failed', error: failure });
        this.logger.warn(`Download ${download.id} failed (${failure.code}): ${failure.message}`);
        await job.discard();
      } else {
        // Waits for Bull's next attempt, which resumes from the stored parts.
        await this.downloads.update(download.id, { status: 'queued', error: failure });
        this.logger.warn(
          `Download ${download.id} interrupted on attempt ${attempts} (${failure.message}); it will resume`,
        );
      }
      throw err;
    }
  }

  /** Aborts the downloads of this process; their stored parts let them resume elsewhere or later. */
  onModuleDestroy(): void {
    for (const controller of this.active) controller.abort(new Error('the process is shutting down'));
  }

  private async fetchAll(download: DownloadEntity, job: QueueJob<DownloadModelJob>): Promise<void> {
    if (!COMMIT_SHA.test(download.commitSha)) {
      throw new PermanentDownloadError(
        'commit_mismatch',
        `The download is not pinned to a commit (${download.commitSha})`,
      );
    }
    const files = await this.downloads.listFiles(download.id);
    const progress: Progress = {
      total: Number(download.bytesTotal),
      perFile: new Map(files.map((f) => [f.id, f.status === 'completed' ? Number(f.size) : sumParts(f.parts)])),
      lastWrite: 0,
    };
    for (const file of files) {
      if (file.status === 'completed') continue;
      await this.fetchFile(download, file, job, progress);
    }
  }

  private async fetchFile(
    download: DownloadEntity,
    file: DownloadFileEntity,
    job: QueueJob<DownloadModelJob>,
    progress: Progress,
  ): Promise<void> {
    const size = Number(file.size);
    let parts = file.parts;
    if (sumParts(parts) > size) parts = await this.dropParts(file, parts);
    if (sumParts(parts) < size) parts = await this.receive(download, file, parts, job, progress);
    if (sumParts(parts) !== size) {
      await this.dropParts(file, parts);
      throw new PermanentDownloadError(
        'size_mismatch',
        `${file.path}: the hub sent ${sumParts(parts)} bytes, it listed ${size}`,
      );
    }
    await this.assemble(download, file, parts);
    progress.perFile.set(file.id, size);
  }

  /** Streams the missing bytes into parts; returns the parts stored, or throws after storing what came. */
  private async receive(
    download: DownloadEntity,
    file: DownloadFileEntity,
    stored: DownloadPart[],
    job: QueueJob<DownloadModelJob>,
    progress: Progress,
  ): Promise<DownloadPart[]> {
    let parts = stored;
    const offset = sumParts(parts);
    const controller = new AbortController();
    this.active.add(controller);
    let idle = setTimeout(() => controller.abort(new Error('the download stalled')), DOWNLOAD_IDLE_TIMEOUT_MS);
    const opened = await this.hub
      .openFile(download.sourceId, download.commitSha, file.path, { offset, signal: controller.signal })
      .catch((err: unknown) => {
        clearTimeout(idle);
        this.active.delete(controller);
        throw err;
      });
    const { response } = opened;
    try {
      if (opened.repoCommit && opened.repoCommit.toLowerCase() !== download.commitSha) {
        throw new PermanentDownloadError(
          'commit_mismatch',
          `${file.path}: the hub served commit ${opened.repoCommit}, the download is pinned to ${download.commitSha}`,
        );
      }
      const etag = opened.linkedEtag?.toLowerCase();
      if (file.sha256 && etag && SHA256.test(etag) && etag !== file.sha256) {
        throw new PermanentDownloadError(
          'checksum_mismatch',
          `${file.path}: the hub serves content with sha256 ${etag}, its listing says ${file.sha256}`,
        );
      }
      if (offset > 0 && response.status === 200) {
        parts = await this.dropParts(file, parts); // the hub ignored the Range: start over
      } else if (offset > 0 && rangeStart(response.headers.get('content-range')) !== offset) {
        throw new PermanentDownloadError(
          'range_mismatch',
          `${file.path}: the hub answered another range than bytes=${offset}-`,
        );
      }
      const body = response.body;
      if (!body) throw new Error(`${file.path}: the hub answered without a body`);

      let buffered: Buffer[] = [];
      let bufferedBytes = 0;
      const flush = async () => {
        if (bufferedBytes === 0) return;
        const key = downloadPartKey(download.id, file.id, parts.length);
        const chunk = Buffer.concat(buffered, bufferedBytes);
        buffered = [];
        bufferedBytes = 0;
        await this.storage.put(key, chunk, { contentType: 'application/octet-stream' });
        parts = [...parts, { key, size: chunk.length }];
        await this.downloads.updateFile(file.id, { parts, bytesDone: String(sumParts(parts)) });
      };
      try {
        for await (const chunk of Readable.fromWeb(body as WebReadableStream<Uint8Array>)) {
          clearTimeout(idle);
          idle = setTimeout(() => controller.abort(new Error('the download stalled')), DOWNLOAD_IDLE_TIMEOUT_MS);
          const bytes = chunk as Buffer;
          buffered.push(bytes);
          bufferedBytes += bytes.length;
          if (sumParts(parts) + bufferedBytes > Number(file.size)) break; // more than listed: checked by the caller
          if (bufferedBytes >= DOWNLOAD_PART_BYTES) await flush();
          progress.perFile.set(file.id, sumParts(parts) + bufferedBytes);
          await this.reportProgress(download, job, progress);
        }
      } finally {
        // Whatever arrived is kept, also when the connection broke: the next attempt asks for the rest.
        await flush();
      }
      progress.perFile.set(file.id, sumParts(parts));
      await this.reportProgress(download, job, progress, true);
      return parts;
    } finally {
      clearTimeout(idle);
      this.active.delete(controller);
      if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
    }
  }

  /** Joins the parts into the final object while hashing it; keeps it only when the hashes match. */
  private async assemble(download: DownloadEntity, file: DownloadFileEntity, parts: DownloadPart[]): Promise<void> {
    const sha256 = createHash('sha256');
    const blob = createHash('sha1').update(`blob ${Number(file.size)}\0`);
    const storage = this.storage;
    async function* joined(): AsyncGenerator<Buffer> {
      for (const part of parts) {
        const { stream } = await storage.get(part.key);
        for await (const chunk of stream) {
          sha256.update(chunk as Buffer);
          blob.update(chunk as Buffer);
          yield chunk as Buffer;
        }
      }
    }
    const key = modelFileKey(download.id, file.path);
    await this.storage.put(key, Readable.from(joined()), { contentType: 'application/octet-stream' });
    const actualSha256 = sha256.digest('hex');
    const actualBlob = blob.digest('hex');
    const expectedBlob = file.blobId?.toLowerCase();
    const mismatch = file.sha256
      ? actualSha256 !== file.sha256.toLowerCase() && `sha256 ${actualSha256}, the hub reports ${file.sha256}`
      : expectedBlob && /^[0-9a-f]{40}$/.test(expectedBlob) && actualBlob !== expectedBlob
        ? `git blob ${actualBlob}, the hub reports ${expectedBlob}`
        : false;
    if (mismatch) {
      await this.storage.delete(key);
      await this.dropParts(file, parts);
      throw new PermanentDownloadError('checksum_mismatch', `${file.path}: the downloaded bytes have ${mismatch}`);
    }
    await this.downloads.updateFile(file.id, {
      status: 'completed',
      storageKey: key,
      storedSha256: actualSha256,
      bytesDone: file.size,
      parts: [],
    });
    await Promise.all(parts.map((part) => this.storage.delete(part.key)));
  }

  private async dropParts(file: DownloadFileEntity, parts: DownloadPart[]): Promise<DownloadPart[]> {
    await Promise.all(parts.map((part) => this.storage.delete(part.key)));
    await this.downloads.updateFile(file.id, { parts: [], bytesDone: '0' });
    return [];
  }

  /** Progress to the job and, at most every DOWNLOAD_PROGRESS_INTERVAL_MS, to the download row. */
  private async reportProgress(
    download: DownloadEntity,
    job: QueueJob<DownloadModelJob>,
    progress: Progress,
    force = false,
  ): Promise<void> {
    const now = Date.now();
    if (!force && now - progress.lastWrite < DOWNLOAD_PROGRESS_INTERVAL_MS) return;
    progress.lastWrite = now;
    const done = Math.min(
      [...progress.perFile.values()].reduce((a, b) => a + b, 0),
      progress.total,
    );
    const percent = progress.total === 0 ? 0 : Math.floor((done / progress.total) * 1000) / 10;
    await job.progress({ bytes_done: done, bytes_total: progress.total, percent });
    await this.downloads.update(download.id, { bytesDone: String(done) });
  }
}

function sumParts(parts: DownloadPart[]): number {
  return parts.reduce((sum, p) => sum + p.size, 0);
}

/** `bytes 100-199/200` → 100. */
function rangeStart(header: string | null): number | undefined {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  return match ? Number(match[1]) : undefined;
}

/** App errors that retrying cannot fix: offline (409), hub says not found (404), refused target (422). */
function isPermanentAppError(err: unknown): boolean {
  return err instanceof AppException && [404, 409, 422].includes(err.getStatus());
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof PermanentDownloadError) return { code: err.code, message: err.message };
  if (err instanceof AppException) return { code: err.code, message: err.message };
  return { code: 'download_interrupted', message: err instanceof Error ? err.message : String(err) };
}
