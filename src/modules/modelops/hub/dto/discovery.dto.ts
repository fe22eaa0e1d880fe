import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MODEL_TASKS, type ModelTask } from '../../modelops.constants';

export const HUB_SORTS = ['downloads', 'likes', 'lastModified', 'trendingScore'] as const;

export class SearchHubModelsQueryDto {
  /** Free text, matched by the hub against repository ids. */
  @ApiPropertyOptional({ example: 'qwen2.5 instruct' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  query?: string;

  /** Our task (`llm` → text-generation, `embeddings` → feature-extraction). */
  @ApiPropertyOptional({ enum: MODEL_TASKS })
  @IsOptional()
  @IsIn(MODEL_TASKS)
  task?: ModelTask;

  /** The hub's own pipeline tag, when `task` is too coarse. */
  @ApiPropertyOptional({ example: 'text-generation' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/)
  pipeline_tag?: string;

  @ApiPropertyOptional({ enum: HUB_SORTS, default: 'downloads' })
  @IsOptional()
  @IsIn(HUB_SORTS)
  sort: (typeof HUB_SORTS)[number] = 'downloads';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;
}

export class GetHubModelQueryDto {
  /** Branch, tag or commit; the default branch when absent. */
  @ApiPropertyOptional({ example: 'main' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/)
  revision?: string;
}

export class HubModelDto {
  /** Repository id: what `POST /v1/modelops/downloads` takes as `source_id`. */
  @ApiProperty({ example: 'Qwen/Qwen2.5-0.5B-Instruct' })
  source_id: string;

  @ApiProperty({ type: String, nullable: true })
  pipeline_tag: string | null;

  @ApiProperty({ type: String, nullable: true })
  library_name: string | null;

  @ApiProperty({ type: [String] })
  tags: string[];

  @ApiProperty({ type: Number, nullable: true })
  downloads: number | null;

  @ApiProperty({ type: Number, nullable: true })
  likes: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_modified: string | null;

  /** Gated repositories need an accepted licence (and a token) to download. */
  gated: boolean;

  private: boolean;
}

export class HubModelListDto {
  @ApiProperty({ type: [HubModelDto] })
  data: HubModelDto[];
}

export class HubFileDto {
  path: string;

  size: number;

  /** SHA-256 of an LFS file, as the hub reports it; downloads are checked against it. */
  @ApiProperty({ type: String, nullable: true })
  sha256: string | null;

  /** Stored in git LFS (large files). */
  lfs: boolean;
}

export class HubModelDetailsDto extends HubModelDto {
  /** The commit the revision points at now; a download started now is pinned to it. */
  @ApiProperty({ example: '7ae557604adf67be50417f59c2c2f167def9a775' })
  commit: string;

  @ApiProperty({ type: [HubFileDto] })
  files: HubFileDto[];

  total_size: number;
}
