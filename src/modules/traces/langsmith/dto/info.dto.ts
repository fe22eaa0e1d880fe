import { ApiProperty } from '@nestjs/swagger';

/** How the SDKs batch runs. All six keys are always present (the Python SDK indexes them). */
export class BatchIngestConfigDto {
  /** Post batches to `/runs/multipart` (else `/runs/batch`). */
  @ApiProperty({ example: true })
  use_multipart_endpoint: boolean;

  /** Operations per batch. */
  @ApiProperty({ example: 100 })
  size_limit: number;

  /** Bytes per request body; a body past it is refused (413). A gzip body is measured as sent. */
  @ApiProperty({ example: 10485760 })
  size_limit_bytes: number;

  @ApiProperty({ example: 1000 })
  scale_up_qsize_trigger: number;

  @ApiProperty({ example: 16 })
  scale_up_nthreads_limit: number;

  @ApiProperty({ example: 4 })
  scale_down_nempty_trigger: number;
}

/** Optional features; only what this server implements is on. */
export class InstanceFlagsDto {
  /** Multipart bodies may be sent with `Content-Encoding: gzip`. */
  @ApiProperty({ example: true })
  gzip_body_enabled: boolean;

  /** zstd bodies are not accepted. */
  @ApiProperty({ example: false })
  zstd_compression_enabled: boolean;
}

/** `GET /api/v1/info`: what the LangSmith SDKs read before their first batch. */
export class LangsmithInfoDto {
  @ApiProperty({ example: '0.1.0' })
  version: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  license_expiration_time: string | null;

  @ApiProperty({ type: BatchIngestConfigDto })
  batch_ingest_config: BatchIngestConfigDto;

  @ApiProperty({ type: InstanceFlagsDto })
  instance_flags: InstanceFlagsDto;
}
