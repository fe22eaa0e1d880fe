import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  MAX_VECTOR_BATCH,
  MAX_VECTOR_DIMENSION,
  PROVIDER_ORIGINS,
  type ProviderOrigin,
} from '../platform-control.constants';

export const INDEX_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const INDEX_MESSAGE = 'index must start with a letter and hold letters, digits and underscores (at most 63)';

/** The provider an answer came from, as runtime payloads name it. */
export class RuntimeProviderDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  slug: string;

  family: string;

  @ApiProperty({ enum: PROVIDER_ORIGINS })
  provider_origin: ProviderOrigin;
}

export class CreateEmbeddingsDto {
  /** One text or a list of texts. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(100_000, { each: true })
  input: string[];

  /** A managed model of the active embeddings binding; default: the binding's default. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  model?: string;
}

export class EmbeddingDto {
  index: number;

  @ApiProperty({ type: [Number] })
  embedding: number[];
}

export class EmbeddingsUsageDto {
  prompt_tokens: number;
  total_tokens: number;
}

export class EmbeddingsResponseDto {
  /** The managed model id. */
  model: string;

  @ApiProperty({ type: RuntimeProviderDto })
  provider: RuntimeProviderDto;

  dimensions: number;

  @ApiProperty({ type: [EmbeddingDto] })
  data: EmbeddingDto[];

  @ApiProperty({ type: EmbeddingsUsageDto, nullable: true })
  usage: EmbeddingsUsageDto | null;
}

class IndexTargetDto {
  /** An index of the active vector_store binding; default: the binding's default. */
  @ApiPropertyOptional({ pattern: INDEX_NAME_PATTERN.source })
  @IsOptional()
  @Matches(INDEX_NAME_PATTERN, { message: INDEX_MESSAGE })
  index?: string;
}

export class EnsureIndexDto extends IndexTargetDto {
  /** Vector dimension; default: the dimension the active embeddings binding produces. */
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_VECTOR_DIMENSION })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VECTOR_DIMENSION)
  dimension?: number;
}

export class VectorDocumentInputDto {
  @IsString()
  @Length(1, 200)
  id: string;

  /** Embedded through the active embeddings binding when `vector` is absent. */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  text?: string;

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VECTOR_DIMENSION)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  vector?: number[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class UpsertDocumentsDto extends IndexTargetDto {
  @ApiProperty({ type: [VectorDocumentInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VECTOR_BATCH)
  @ValidateNested({ each: true })
  @Type(() => VectorDocumentInputDto)
  documents: VectorDocumentInputDto[];
}

export class QueryVectorsDto extends IndexTargetDto {
  /** Text to embed through the active embeddings binding (or give `vector`). */
  @IsOptional()
  @IsString()
  @Length(1, 100_000)
  query?: string;

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VECTOR_DIMENSION)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  vector?: number[];

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  top_k?: number;
}

export class DeleteDocumentsDto extends IndexTargetDto {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VECTOR_BATCH)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  ids: string[];
}

export class VectorIndexResponseDto {
  index: string;

  @ApiProperty({ type: RuntimeProviderDto })
  provider: RuntimeProviderDto;

  dimension: number;

  /** False when the index already existed. */
  created: boolean;
}

export class UpsertDocumentsResponseDto {
  index: string;

  @ApiProperty({ type: RuntimeProviderDto })
  provider: RuntimeProviderDto;

  upserted: number;

  /** How many documents were embedded from their text. */
  embedded: number;
}

export class VectorMatchDto {
  id: string;

  /** Cosine similarity (1: same direction). */
  score: number;

  @ApiProperty({ type: String, nullable: true })
  text: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;
}

export class QueryVectorsResponseDto {
  index: string;

  @ApiProperty({ type: RuntimeProviderDto })
  provider: RuntimeProviderDto;

  @ApiProperty({ type: [VectorMatchDto] })
  results: VectorMatchDto[];
}

export class DeleteDocumentsResponseDto {
  index: string;

  @ApiProperty({ type: RuntimeProviderDto })
  provider: RuntimeProviderDto;

  deleted: number;
}
