import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ModelResponseDto } from './model.dto';

export class CheckErrorDto {
  /** e.g. `unauthorized`, `unreachable`, `model_not_listed`, `file_missing`. */
  code: string;

  message: string;
}

export class ValidationResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  model_id: string;

  @ApiProperty({ enum: ['success', 'failure'] })
  status: 'success' | 'failure';

  /** Only the newest validation can be current, and only until what it checked changes. */
  is_current: boolean;

  /** What was checked and what was found. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  details: Record<string, unknown>;

  @ApiProperty({ type: CheckErrorDto, nullable: true })
  error: CheckErrorDto | null;

  duration_ms: number;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class ValidationPageDto {
  @ApiProperty({ type: [ValidationResponseDto] })
  data: ValidationResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

/** A validation run: its record and the model after it. */
export class ValidationResultDto {
  @ApiProperty({ type: ValidationResponseDto })
  validation: ValidationResponseDto;

  @ApiProperty({ type: ModelResponseDto })
  model: ModelResponseDto;
}

export class RunModelTestDto {
  /** What the test sends: the user message (llm) or the input text (embeddings). */
  @ApiPropertyOptional({ example: 'Reply with the single word: ok' })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  prompt?: string;

  /** Local models: the runtime to test on (see `test-runtimes`); the first one serving the model by default. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  runtime_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 512, default: 16 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(512)
  max_tokens?: number;
}

export class ModelTestResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  model_id: string;

  @ApiProperty({ enum: ['success', 'failure'] })
  status: 'success' | 'failure';

  /** `cloud`, or the local runtime the test ran on. */
  runtime_id: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  input: Record<string, unknown>;

  /** An excerpt of the answer (llm) or the vector's dimensions (embeddings). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  output: Record<string, unknown>;

  @ApiProperty({ type: CheckErrorDto, nullable: true })
  error: CheckErrorDto | null;

  latency_ms: number;

  @ApiProperty({ type: Number, nullable: true })
  input_tokens: number | null;

  @ApiProperty({ type: Number, nullable: true })
  output_tokens: number | null;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

export class ModelTestPageDto {
  @ApiProperty({ type: [ModelTestResponseDto] })
  data: ModelTestResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}

export class AdvertisedRuntimeModelDto {
  id: string;

  @ApiProperty({ type: String, nullable: true })
  owned_by: string | null;
}

/** A runtime a test of the model can run on. */
export class TestRuntimeDto {
  /** `cloud`, or the id of a local runtime (provider instance). */
  id: string;

  @ApiProperty({ enum: ['cloud', 'local'] })
  kind: 'cloud' | 'local';

  provider: string;

  display_name: string;

  base_url: string;

  /** The loaded-model slot of a local runtime (`loaded`, `empty`, ...); `n/a` for cloud. */
  slot_state: string;

  /** The managed model loaded in the slot. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  loaded_model_id: string | null;

  /** The id the runtime serves this model under. */
  @ApiProperty({ type: String, nullable: true })
  runtime_model_id: string | null;

  @ApiProperty({ type: [AdvertisedRuntimeModelDto] })
  advertised: AdvertisedRuntimeModelDto[];

  /** A test runs only on a runtime that serves this model now. */
  serving: boolean;
}

export class TestRuntimesResponseDto {
  @ApiProperty({ format: 'uuid' })
  model_id: string;

  @ApiProperty({ type: [TestRuntimeDto] })
  runtimes: TestRuntimeDto[];
}
