import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { SessionResponseDto } from 'src/modules/sessions/dto/session.dto';

/** The text fields of the session upload form (the file is `input_events`). */
export class UploadSessionFieldsDto {
  /** The catalog suite the run was made against. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  suite_id?: string;

  /** Defaults to the key's pinned project, else the workspace's `default` project. Send it before `input_events`. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ example: 'support-agent', default: 'unknown' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  agent_name?: string;

  @ApiPropertyOptional({ example: '1.4.2' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  agent_version?: string;
}

/** The multipart body, for the OpenAPI document. */
export const UPLOAD_SESSION_BODY_SCHEMA = {
  type: 'object',
  required: ['input_events'],
  properties: {
    input_events: {
      type: 'string',
      format: 'binary',
      description:
        'JSONL, one event a line: `{seq?, idempotency_key?, type, timestamp?, payload}` as the trace API takes it. ' +
        'A line without `seq` gets its line number; one without `idempotency_key` gets `line:<n>`.',
    },
    suite_id: { type: 'string', format: 'uuid' },
    project_id: { type: 'string', format: 'uuid', description: 'Send it before `input_events`.' },
    agent_name: { type: 'string', minLength: 1, maxLength: 200 },
    agent_version: { type: 'string', minLength: 1, maxLength: 100 },
  },
};

/** The created session (as `GET /v1/sessions/{id}`) and what became of its events. */
export class SessionUploadResponseDto extends SessionResponseDto {
  /** Events stored from the file (including identical repeats of one idempotency key). */
  @ApiProperty({ type: 'integer', example: 42 })
  accepted: number;

  /** Of the accepted, how many repeated an earlier line's idempotency key and content. */
  @ApiProperty({ type: 'integer', example: 0 })
  duplicates: number;

  /** Lines the append refused (e.g. an idempotency key reused with other content). */
  @ApiProperty({ type: 'integer', example: 0 })
  rejected: number;
}
