import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { isUUID, validateSync } from 'class-validator';
import type { Request } from 'express';
import { ValidationAppException } from 'src/common/errors/app.exception';
import type { AllConfig } from 'src/config/configuration';
import { assertProjectWritable, Principal } from 'src/modules/auth/principal';
import { SessionEntity } from 'src/modules/sessions/entities/session.entity';
import { EventsService } from 'src/modules/sessions/events.service';
import type { AppendTarget, EventInput } from 'src/modules/sessions/ingest/ingest.types';
import { SessionsService, toSessionResponse } from 'src/modules/sessions/sessions.service';
import { ObjectStorage } from 'src/storage/object-storage';
import { SessionUploadResponseDto, UploadSessionFieldsDto } from './dto/upload-session.dto';
import { JsonlEventParser } from './jsonl-event.parser';
import { JsonlValidator } from './jsonl-validator';
import { LineSplitter } from './line-splitter';
import { readMultipart } from './multipart';
import {
  INPUT_EVENTS_FIELD,
  inputEventsKey,
  JSONL_CONTENT_TYPE,
  UPLOAD_APPEND_CHUNK,
  UPLOAD_DEFAULT_AGENT_NAME,
  UPLOAD_MAX_LINE_ERRORS,
  UPLOAD_TEXT_FIELDS,
} from './session-upload.constants';

/** Room for a BOM and a `\r` around the largest event a line may hold. */
const LINE_SLACK_BYTES = 8;

interface StoredInput {
  key: string;
  projectId: string;
  validator: JsonlValidator;
}

type AppendTotals = Pick<SessionUploadResponseDto, 'accepted' | 'duplicates' | 'rejected'>;

/**
 * `POST /v1/sessions`: a whole session uploaded as a JSONL file, in two passes with bounded
 * memory. First the file streams into object storage while every line is checked as the trace
 * API would check it; an invalid file is deleted and answered 422 naming its lines, so nothing
 * is kept. Then the stored file is read back and its events appended in chunks, through the same
 * append path as the API, each line keeping its `seq`.
 */
@Injectable()
export class SessionUploadService {
  private readonly logger = new Logger(SessionUploadService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly events: EventsService,
    private readonly storage: ObjectStorage,
    private readonly config: ConfigService<AllConfig, true>,
  ) {}

  async upload(principal: Principal, req: Request): Promise<SessionUploadResponseDto> {
    const { uploadMaxBytes, maxEventBytes } = this.config.getOrThrow('ingest', { infer: true });
    const parser = new JsonlEventParser(maxEventBytes);
    const sessionId = randomUUID();
    const received: { input?: StoredInput } = {};
    let session: SessionEntity;
    try {
      const fields = await readMultipart(req, {
        fileFields: [INPUT_EVENTS_FIELD],
        textFields: UPLOAD_TEXT_FIELDS,
        onFile: async (part, before) => {
          // The storage path names the project: it must be known (and writable) before the bytes.
          const projectId = await this.writableProject(principal, before.project_id);
          const key = inputEventsKey(principal.workspaceId, projectId, sessionId);
          const validator = new JsonlValidator(parser, maxEventBytes + LINE_SLACK_BYTES, UPLOAD_MAX_LINE_ERRORS);
          await this.storage.put(key, validator.passThrough(part.stream), {
            contentType: JSONL_CONTENT_TYPE,
            maxBytes: uploadMaxBytes,
          });
          received.input = { key, projectId, validator };
        },
      });
      const input = received.input;
      if (!input) {
        throw new ValidationAppException([
          { field: INPUT_EVENTS_FIELD, message: `${INPUT_EVENTS_FIELD} (a JSONL file) is required` },
        ]);
      }
      const dto = validateFields(fields);
      if (dto.project_id !== undefined && dto.project_id !== input.projectId) {
        throw new ValidationAppException([
          { field: 'project_id', message: `project_id must be sent before ${INPUT_EVENTS_FIELD}` },
        ]);
      }
      if (input.validator.errors.length > 0) throw input.validator.failure();
      if (input.validator.eventCount === 0) {
        throw new ValidationAppException([
          { field: INPUT_EVENTS_FIELD, message: `${INPUT_EVENTS_FIELD} holds no events` },
        ]);
      }
      ({ session } = await this.sessions.create(principal, {
        id: sessionId,
        projectId: input.projectId,
        agentName: dto.agent_name ?? UPLOAD_DEFAULT_AGENT_NAME,
        agentVersion: dto.agent_version ?? null,
        suiteId: dto.suite_id ?? null,
        source: 'upload',
        inputStoragePath: input.key,
      }));
    } catch (error) {
      if (received.input) await this.discard(received.input.key);
      throw error;
    }
    const totals = await this.appendStoredEvents(session, parser, maxEventBytes + LINE_SLACK_BYTES);
    const appended = await this.sessions.getEntity(principal, session.id);
    return { ...toSessionResponse(appended), ...totals };
  }

  private async writableProject(principal: Principal, requested: string | undefined): Promise<string> {
    if (requested !== undefined && !isUUID(requested)) {
      throw new ValidationAppException([{ field: 'project_id', message: 'project_id must be a UUID' }]);
    }
    const projectId = await this.sessions.resolveProject(principal, requested);
    assertProjectWritable(principal, projectId);
    return projectId;
  }

  /** Second pass: the stored file, read back line by line, appended a chunk at a time. */
  private async appendStoredEvents(
    session: SessionEntity,
    parser: JsonlEventParser,
    maxLineBytes: number,
  ): Promise<AppendTotals> {
    const target: AppendTarget = {
      sessionId: session.id,
      workspaceId: session.workspaceId,
      projectId: session.projectId,
    };
    const totals: AppendTotals = { accepted: 0, duplicates: 0, rejected: 0 };
    let pending: EventInput[] = [];
    const splitter = new LineSplitter(maxLineBytes, (line) => {
      const parsed = parser.parse(line, false);
      if (parsed.kind === 'event') pending.push(parsed.event);
      else if (parsed.kind === 'invalid') totals.rejected++; // the object changed under us: cannot happen
    });
    const append = async (events: EventInput[]) => {
      const result = await this.events.appendFromServer(target, events, 'client', 'agent');
      totals.accepted += result.accepted;
      totals.duplicates += result.duplicates;
      totals.rejected += result.rejected.length;
    };
    const { stream } = await this.storage.get(inputEventsKey(session.workspaceId, session.projectId, session.id));
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        splitter.push(chunk);
        while (pending.length >= UPLOAD_APPEND_CHUNK) await append(pending.splice(0, UPLOAD_APPEND_CHUNK));
      }
      splitter.end();
      const rest = pending;
      pending = [];
      for (let i = 0; i < rest.length; i += UPLOAD_APPEND_CHUNK) await append(rest.slice(i, i + UPLOAD_APPEND_CHUNK));
    } finally {
      stream.destroy();
    }
    if (totals.rejected > 0) {
      this.logger.warn(`upload of session ${session.id}: ${totals.rejected} event(s) refused by the append`);
    }
    return totals;
  }

  private async discard(key: string): Promise<void> {
    await this.storage.delete(key).catch((error: unknown) => {
      this.logger.error(`could not delete the refused upload ${key}: ${String(error)}`);
    });
  }
}

function validateFields(fields: Record<string, string>): UploadSessionFieldsDto {
  const dto = plainToInstance(UploadSessionFieldsDto, fields);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new ValidationAppException(
      errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message }))),
    );
  }
  return dto;
}
