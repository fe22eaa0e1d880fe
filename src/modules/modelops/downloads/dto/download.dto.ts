import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { DOWNLOAD_FILE_STATUSES, type DownloadFileStatus } from '../entities/download-file.entity';
import { DOWNLOAD_STATUSES, type DownloadStatus } from '../entities/download.entity';

export const REPO_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$/;

export class CreateDownloadDto {
  /** Hub repository, `owner/name`. */
  @ApiProperty({ example: 'Qwen/Qwen2.5-0.5B-Instruct' })
  @IsString()
  @Matches(REPO_ID_PATTERN, { message: 'source_id must be a hub repository id (owner/name)' })
  source_id: string;

  /** Branch, tag or commit; the default branch when absent. The commit it points at now is pinned. */
  @ApiPropertyOptional({ example: 'main' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: 'revision must be a branch, tag or commit' })
  revision?: string;

  /** Which files (fnmatch patterns, e.g. `*.safetensors`, `config.json`); every file when absent. */
  @ApiPropertyOptional({ type: [String], example: ['*.safetensors', '*.json'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  include?: string[];

  @IsOptional()
  @IsUUID()
  catalog_item_id?: string;
}

export class ListDownloadsQueryDto extends PageQueryDto {}

export class DownloadProgressDto {
  bytes_done: number;

  bytes_total: number;

  /** 0 to 100, one decimal. */
  percent: number;
}

export class DownloadFileDto {
  path: string;

  size: number;

  /** SHA-256 the hub reports (LFS files); the stored file matches it. */
  @ApiProperty({ type: String, nullable: true })
  sha256: string | null;

  @ApiProperty({ enum: DOWNLOAD_FILE_STATUSES })
  status: DownloadFileStatus;

  bytes_done: number;
}

export class DownloadErrorDto {
  /** e.g. `checksum_mismatch`, `commit_mismatch`, `hub_unavailable`, `offline_provider_blocked`. */
  code: string;

  message: string;
}

export class DownloadResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  source_id: string;

  /** What was asked for. */
  revision: string;

  /** The commit every file is fetched at (what the hub reported for `revision` when asked). */
  commit: string;

  @ApiProperty({ enum: DOWNLOAD_STATUSES })
  status: DownloadStatus;

  @ApiProperty({ type: DownloadProgressDto })
  progress: DownloadProgressDto;

  @ApiProperty({ type: [String] })
  include: string[];

  @ApiProperty({ type: [DownloadFileDto] })
  files: DownloadFileDto[];

  /** Attempts made so far; each resumes from the bytes already stored. */
  attempts: number;

  @ApiProperty({ type: DownloadErrorDto, nullable: true })
  error: DownloadErrorDto | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  catalog_item_id: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  started_at: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at: string | null;
}

export class DownloadPageDto {
  @ApiProperty({ type: [DownloadResponseDto] })
  data: DownloadResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
