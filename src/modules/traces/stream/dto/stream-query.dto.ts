import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** Narrowing and resume position of `GET /api/stream`. Filters only narrow the caller's workspace. */
export class StreamQueryDto {
  /** Only events of this project of the caller's workspace (another workspace's project: 404). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  /** Only events of this session of the caller's workspace (another workspace's session: 404). */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  session_id?: string;

  /**
   * Resume after this stream position (the `id:` of the last event received, `stream_seq`): the
   * events after it are sent first, then live ones. `Last-Event-ID` wins when both are sent.
   * Without either, the stream starts at the current head (live events only).
   */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, example: 18 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after_seq?: number;
}
