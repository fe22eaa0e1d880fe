import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ARTIFACT_KINDS, type ArtifactKind } from '../artifacts.constants';

/** The text fields of a multipart artifact upload (the file is `file`). */
export class UploadArtifactFieldsDto {
  /** Defaults by content type: images `screenshot`, videos `replay`, anything else `file`. */
  @ApiPropertyOptional({ enum: ARTIFACT_KINDS })
  @IsOptional()
  @IsIn(ARTIFACT_KINDS)
  kind?: ArtifactKind;

  /** Download file name; defaults to the name of the uploaded file. */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  filename?: string;
}

/**
 * Registers an object a trusted server already put in storage. It must lie under the session's
 * own storage prefix, exist, and match `size` and `sha256`.
 */
export class RegisterArtifactDto {
  @ApiProperty({ enum: ARTIFACT_KINDS })
  @IsIn(ARTIFACT_KINDS)
  kind: ArtifactKind;

  /** Object key under `workspaces/<ws>/projects/<project>/sessions/<session>/`. */
  @ApiProperty({ example: 'workspaces/…/projects/…/sessions/…/artifacts/replay.webm' })
  @IsString()
  @Length(1, 1024)
  storage_path: string;

  @ApiProperty({ example: 'video/webm' })
  @IsString()
  @Length(1, 255)
  content_type: string;

  /** Bytes. */
  @ApiProperty({ type: 'integer', minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  size: number;

  /** Lower-case hex SHA-256 of the object. */
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lower-case hex digits' })
  sha256: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;
}

/** The multipart upload body, for the OpenAPI document. */
export const UPLOAD_ARTIFACT_BODY_SCHEMA = {
  type: 'object',
  required: ['file'],
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'The artifact, with its own Content-Type (one of the configured types).',
    },
    kind: {
      type: 'string',
      enum: [...ARTIFACT_KINDS],
      description: 'Defaults by content type: image → screenshot, video → replay, else file.',
    },
    filename: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: "Download file name; defaults to the uploaded file's name.",
    },
  },
};

/** An artifact as clients see it: no storage path, no URL (`GET /artifacts/{id}` redirects to one). */
export class ArtifactResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  session_id: string;

  @ApiProperty({ enum: ARTIFACT_KINDS })
  kind: ArtifactKind;

  @ApiProperty({ example: 'image/png' })
  content_type: string;

  /** Bytes. */
  @ApiProperty({ type: 'integer' })
  size: number;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$' })
  sha256: string;

  @ApiProperty({ type: String, nullable: true })
  filename: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
