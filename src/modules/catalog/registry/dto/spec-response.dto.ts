import { ApiProperty } from '@nestjs/swagger';
import {
  ENTRY_STATUSES,
  type EntryStatus,
  MODEL_SELECTION_MODES,
  type ModelSelectionMode,
} from '../../catalog.constants';
import { ModelParametersDto } from './specs.dto';

export class ModelSelectionResponseDto {
  @ApiProperty({ enum: MODEL_SELECTION_MODES })
  mode: ModelSelectionMode;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  model_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  provider: string | null;

  @ApiProperty({ type: String, nullable: true })
  model: string | null;

  @ApiProperty({ type: ModelParametersDto })
  parameters: ModelParametersDto;
}

export class ToolPolicyResponseDto {
  @ApiProperty({ type: [String] })
  allowed_tools: string[];
}

export class WorkflowSettingsResponseDto {
  max_steps: number;

  step_timeout_seconds: number;

  run_timeout_seconds: number;

  max_retries: number;

  retry_backoff_seconds: number;

  parallel_tool_calls: boolean;
}

/** What every typed catalog entry carries besides its kind's spec. */
export class CatalogEntryFieldsDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  key: string;

  @ApiProperty({ enum: ['platform', 'user'] })
  classification: 'platform' | 'user';

  /** Null for platform entries (global). */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workspace_id: string | null;

  /** The version shown (the current one unless a version was asked for). */
  version: number;

  /** The entry's current version. */
  current_version: number;

  display_name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty({ enum: ENTRY_STATUSES })
  status: EntryStatus;

  /** Who wrote the version shown. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  version_created_by: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  /** When the version shown was written. */
  @ApiProperty({ type: String, format: 'date-time' })
  version_created_at: string;
}
