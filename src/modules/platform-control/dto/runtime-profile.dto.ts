import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { RUNTIME_MODES, type RuntimeMode } from '../platform-control.constants';

export class UpdateRuntimeProfileDto {
  /** `offline` fails closed: nothing reaches a cloud provider or the model hub. */
  @ApiProperty({ enum: RUNTIME_MODES })
  @IsIn(RUNTIME_MODES)
  mode: RuntimeMode;
}

export class RuntimeProfileResponseDto {
  @ApiProperty({ enum: RUNTIME_MODES })
  mode: RuntimeMode;

  /** True when calls to cloud providers are allowed (the profile is online). */
  cloud_providers_allowed: boolean;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}
