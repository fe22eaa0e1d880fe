import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;

export class ChatMessageDto {
  @ApiProperty({ enum: CHAT_ROLES })
  @IsIn(CHAT_ROLES)
  role: (typeof CHAT_ROLES)[number];

  @IsString()
  @MaxLength(1_000_000)
  content: string;
}

class SamplingDto {
  /** A managed model of the active llm_inference binding (id or name); default: the binding's default. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  model?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 131072 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(131072)
  max_tokens?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 2 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  stop?: string[];

  /** Answer as Server-Sent Events: the provider's `data:` chunks, the usage chunk, then `data: [DONE]`. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean;
}

export class InferenceRequestDto extends SamplingDto {
  @ApiProperty({ type: [ChatMessageDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages: ChatMessageDto[];
}

export class GenerateRequestDto extends SamplingDto {
  @IsString()
  @Length(1, 1_000_000)
  prompt: string;

  /** An optional system message sent before the prompt. */
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  system?: string;
}

export class InferenceUsageDto {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export class InferenceChoiceMessageDto {
  role: string;

  @ApiProperty({ type: String, nullable: true })
  content: string | null;
}

export class InferenceChoiceDto {
  index: number;

  @ApiProperty({ type: InferenceChoiceMessageDto })
  message: InferenceChoiceMessageDto;

  @ApiProperty({ type: String, nullable: true })
  finish_reason: string | null;
}

/** An OpenAI chat completion; `model` is the managed model id. */
export class InferenceResponseDto {
  id: string;

  @ApiProperty({ example: 'chat.completion' })
  object: string;

  created: number;

  model: string;

  @ApiProperty({ type: [InferenceChoiceDto] })
  choices: InferenceChoiceDto[];

  @ApiProperty({ type: InferenceUsageDto, nullable: true })
  usage: InferenceUsageDto | null;
}

export class GenerateResponseDto {
  /** The managed model id. */
  model: string;

  output: string;

  @ApiProperty({ type: String, nullable: true })
  finish_reason: string | null;

  @ApiProperty({ type: InferenceUsageDto, nullable: true })
  usage: InferenceUsageDto | null;
}
