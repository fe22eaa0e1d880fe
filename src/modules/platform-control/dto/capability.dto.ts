import { ApiProperty } from '@nestjs/swagger';
import { CAPABILITIES, type Capability, PROVIDER_ORIGINS, type ProviderOrigin } from '../platform-control.constants';

export class CapabilityResponseDto {
  @ApiProperty({ enum: CAPABILITIES })
  key: Capability;

  display_name: string;

  description: string;

  /** A deployment needs a provider for it before it can be activated. */
  required: boolean;

  /** Keys of the provider families that can serve it. */
  @ApiProperty({ type: [String] })
  provider_families: string[];
}

export class ProviderFamilyResponseDto {
  @ApiProperty({ example: 'vllm_local' })
  key: string;

  display_name: string;

  description: string;

  /** Family-owned and inherited by every instance; changing locality means another family. */
  @ApiProperty({ enum: PROVIDER_ORIGINS })
  provider_origin: ProviderOrigin;

  /** The backend client that speaks to its instances. */
  @ApiProperty({ example: 'openai_compatible' })
  adapter: string;

  @ApiProperty({ enum: CAPABILITIES, isArray: true })
  capabilities: Capability[];

  /** False when the family lives in Flightdeck's own PostgreSQL (no endpoint URL). */
  requires_endpoint: boolean;
}
