import { createHash, randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Request } from 'express';
import {
  FieldError,
  NotFoundAppException,
  PayloadTooLargeAppException,
  UnsupportedMediaTypeAppException,
  ValidationAppException,
} from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { EventsService } from 'src/modules/sessions/events.service';
import { SessionsService } from 'src/modules/sessions/sessions.service';
import { baseMediaType, MULTIPART_FORM_DATA, readMultipart } from 'src/modules/sessions/upload/multipart';
import { sessionStoragePrefix } from 'src/modules/sessions/upload/session-upload.constants';
import { assertValidObjectKey, ObjectStorage, StoredObject } from 'src/storage/object-storage';
import { ObjectNotFoundException } from 'src/storage/storage.exception';
import {
  ARTIFACT_FILE_FIELD,
  ARTIFACT_LIMITS,
  ARTIFACT_TEXT_FIELDS,
  artifactKey,
  defaultArtifactKind,
} from './artifacts.constants';
import type { ArtifactLimits } from './artifacts.constants';
import { ArtifactsErrorCode, ArtifactsException } from './artifacts.exception';
import { ArtifactsRepository, NewArtifact } from './artifacts.repository';
import { ArtifactResponseDto, RegisterArtifactDto, UploadArtifactFieldsDto } from './dto/artifact.dto';
import { ArtifactEntity } from './entities/artifact.entity';

/**
 * Artifacts of a session: uploaded (multipart, streamed into object storage) or registered
 * (an object a trusted server already stored under the session's prefix). Each one joins the
 * session log as an `artifact` event carrying its storage path, never a URL; downloads go
 * through short-lived signed URLs only.
 */
@Injectable()
export class ArtifactsService {
  private readonly logger = new Logger(ArtifactsService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly events: EventsService,
    private readonly repository: ArtifactsRepository,
    private readonly storage: ObjectStorage,
    private readonly config: ConfigService<AllConfig, true>,
    @Inject(ARTIFACT_LIMITS) private readonly limits: ArtifactLimits,
  ) {}

  /** Upload (multipart) or registration (JSON); `created` is false for a repeated registration. */
  async create(
    principal: Principal,
    sessionId: string,
    req: Request,
  ): Promise<{ artifact: ArtifactResponseDto; created: boolean }> {
    const session = await this.sessions.getEntity(principal, sessionId);
    assertProjectWritable(principal, session.projectId);
    const { row, created } = req.is(MULTIPART_FORM_DATA)
      ? { row: await this.upload(principal, session, req), created: true }
      : await this.register(principal, session, req.body);
    await this.appendArtifactEvent(session, row);
    return { artifact: toArtifactResponse(row), created };
  }

  /** A short-lived signed URL of the artifact's object; another workspace's artifact is 404. */
  async signedUrl(principal: Principal, artifactId: string): Promise<string> {
    const artifact = await this.repository.getById(principal.workspaceId, artifactId);
    if (!artifact) throw new NotFoundAppException('Artifact', artifactId);
    const { signedUrlTtlSeconds } = this.config.getOrThrow('storage', { infer: true });
    return this.storage.signedUrl(artifact.storagePath, {
      expiresInSeconds: signedUrlTtlSeconds,
      filename: artifact.filename ?? undefined,
    });
  }

  /** Streams the `file` part straight into storage; a refusal at any point keeps nothing. */
  private async upload(principal: Principal, session: SessionEntity, req: Request): Promise<ArtifactEntity> {
    const id = randomUUID();
    const key = artifactKey(session.workspaceId, session.projectId, session.id, id);
    const received: { object?: StoredObject; filename?: string } = {};
    try {
      const fields = await readMultipart(req, {
        fileFields: [ARTIFACT_FILE_FIELD],
        textFields: ARTIFACT_TEXT_FIELDS,
        onFile: async (part) => {
          this.assertContentTypeAllowed(part.mimeType);
          received.object = await this.storage.put(key, part.stream, {
            contentType: part.mimeType,
            maxBytes: this.limits.maxBytes,
          });
          received.filename = part.filename?.slice(0, 255) || undefined;
        },
      });
      const object = received.object;
      if (!object) {
        throw new ValidationAppException([
          { field: ARTIFACT_FILE_FIELD, message: `${ARTIFACT_FILE_FIELD} is required` },
        ]);
      }
      const dto = validateDto(UploadArtifactFieldsDto, fields);
      const row = await this.repository.insertIfAbsent({
        ...this.newRow(principal, session, id),
        kind: dto.kind ?? defaultArtifactKind(object.contentType),
        contentType: object.contentType,
        size: String(object.size),
        sha256: object.sha256,
        storagePath: key,
        filename: dto.filename ?? received.filename ?? null,
      });
      if (!row) throw new Error(`artifact ${id} could not be inserted`); // a fresh uuid: cannot clash
      return row;
    } catch (error) {
      if (received.object) await this.discard(key);
      throw error;
    }
  }

  /**
   * Records an object already in storage, after checking that it is this session's, that it is
   * there, and that its size and SHA-256 are what the caller says. Repeating an identical
   * registration returns the artifact it made.
   */
  private async register(
    principal: Principal,
    session: SessionEntity,
    body: unknown,
  ): Promise<{ row: ArtifactEntity; created: boolean }> {
    const dto = validateDto(RegisterArtifactDto, body);
    const contentType = baseMediaType(dto.content_type);
    this.assertContentTypeAllowed(contentType);
    if (dto.size > this.limits.maxBytes) {
      throw new PayloadTooLargeAppException(`An artifact is at most ${this.limits.maxBytes} bytes (got ${dto.size})`);
    }
    this.assertUnderSessionPrefix(session, dto.storage_path);

    const existing = await this.repository.getByStoragePath(session.workspaceId, dto.storage_path);
    if (existing) return { row: this.assertSameRegistration(existing, session, dto, contentType), created: false };
    await this.assertObjectMatches(dto);
    const id = randomUUID();
    const row = await this.repository.insertIfAbsent({
      ...this.newRow(principal, session, id),
      kind: dto.kind,
      contentType,
      size: String(dto.size),
      sha256: dto.sha256,
      storagePath: dto.storage_path,
      filename: dto.filename ?? null,
    });
    if (row) return { row, created: true };
    // A concurrent identical registration won the insert.
    const winner = await this.repository.getByStoragePath(session.workspaceId, dto.storage_path);
    if (!winner) throw new Error(`artifact ${id} could not be inserted`);
    return { row: this.assertSameRegistration(winner, session, dto, contentType), created: false };
  }

  private newRow(
    principal: Principal,
    session: SessionEntity,
    id: string,
  ): Pick<NewArtifact, 'id' | 'workspaceId' | 'projectId' | 'sessionId' | 'createdByUserId'> {
    return {
      id,
      workspaceId: session.workspaceId,
      projectId: session.projectId,
      sessionId: session.id,
      createdByUserId: principal.userId,
    };
  }

  private assertContentTypeAllowed(contentType: string): void {
    if (!this.limits.contentTypes.includes(contentType)) {
      throw new UnsupportedMediaTypeAppException(
        `Artifacts of type ${contentType || '(none)'} are not accepted; allowed: ${this.limits.contentTypes.join(', ')}`,
      );
    }
  }

  private assertUnderSessionPrefix(session: SessionEntity, storagePath: string): void {
    const prefix = `${sessionStoragePrefix(session.workspaceId, session.projectId, session.id)}/`;
    let valid = storagePath.startsWith(prefix) && storagePath.length > prefix.length;
    try {
      assertValidObjectKey(storagePath);
    } catch {
      valid = false;
    }
    if (!valid) {
      throw new ValidationAppException([
        { field: 'storage_path', message: `storage_path must be an object key under this session's prefix ${prefix}` },
      ]);
    }
  }

  /** The object exists, with the declared size and SHA-256 (read through once, streaming). */
  private async assertObjectMatches(dto: RegisterArtifactDto): Promise<void> {
    let object;
    try {
      object = await this.storage.get(dto.storage_path);
    } catch (error) {
      if (error instanceof ObjectNotFoundException) {
        throw new ValidationAppException([{ field: 'storage_path', message: 'no object is stored at storage_path' }]);
      }
      throw error;
    }
    const errors: FieldError[] = [];
    try {
      if (object.size !== dto.size) {
        errors.push({ field: 'size', message: `size does not match the stored object (${object.size} bytes)` });
      } else {
        const hash = createHash('sha256');
        for await (const chunk of object.stream as AsyncIterable<Buffer>) hash.update(chunk);
        if (hash.digest('hex') !== dto.sha256)
          errors.push({ field: 'sha256', message: 'sha256 does not match the stored object' });
      }
    } finally {
      object.stream.destroy();
    }
    if (errors.length > 0) throw new ValidationAppException(errors);
  }

  private assertSameRegistration(
    existing: ArtifactEntity,
    session: SessionEntity,
    dto: RegisterArtifactDto,
    contentType: string,
  ): ArtifactEntity {
    const same =
      existing.sessionId === session.id &&
      existing.kind === dto.kind &&
      existing.contentType === contentType &&
      Number(existing.size) === dto.size &&
      existing.sha256 === dto.sha256 &&
      existing.filename === (dto.filename ?? null);
    if (!same) {
      throw new ArtifactsException(
        HttpStatus.CONFLICT,
        ArtifactsErrorCode.ArtifactExists,
        'An artifact with another description is already registered at this storage_path',
      );
    }
    return existing;
  }

  /** The `artifact` note in the session log (idempotent: repeating it stores nothing new). */
  private async appendArtifactEvent(session: SessionEntity, row: ArtifactEntity): Promise<void> {
    const result = await this.events.appendFromServer(
      { sessionId: session.id, workspaceId: session.workspaceId, projectId: session.projectId },
      [
        {
          idempotency_key: `artifact:${row.id}`,
          type: 'artifact',
          timestamp: row.createdAt.toISOString(),
          payload: {
            artifact_id: row.id,
            storage_path: row.storagePath,
            kind: row.kind,
            content_type: row.contentType,
            size: Number(row.size),
            sha256: row.sha256,
          },
        },
      ],
      'annotation',
      'system',
    );
    if (result.rejected.length > 0) {
      this.logger.error(`artifact ${row.id}: the session log refused its event: ${result.rejected[0].reason}`);
      throw new ArtifactsException(
        HttpStatus.INTERNAL_SERVER_ERROR,
        ArtifactsErrorCode.ArtifactEventRejected,
        'The artifact was stored but its event could not be added to the session log; retry the request',
      );
    }
  }

  private async discard(key: string): Promise<void> {
    await this.storage.delete(key).catch((error: unknown) => {
      this.logger.error(`could not delete the refused artifact object ${key}: ${String(error)}`);
    });
  }
}

function validateDto<T extends object>(cls: new () => T, value: unknown): T {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationAppException([{ field: '(body)', message: 'the body must be a JSON object' }]);
  }
  const dto = plainToInstance(cls, value);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new ValidationAppException(
      errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message }))),
    );
  }
  return dto;
}

export function toArtifactResponse(row: ArtifactEntity): ArtifactResponseDto {
  return {
    id: row.id,
    session_id: row.sessionId,
    kind: row.kind,
    content_type: row.contentType,
    size: Number(row.size),
    sha256: row.sha256,
    filename: row.filename,
    created_at: row.createdAt.toISOString(),
  };
}
