import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhooks.constants';

const URL_RULES = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };
const URL_MESSAGE = 'url must be an http:// or https:// URL';

export class CreateWebhookDto {
  /**
   * Where deliveries are POSTed. Private, loopback, link-local and metadata addresses are refused
   * (422 `webhook_target_refused`) unless WEBHOOKS_ALLOW_PRIVATE_TARGETS.
   */
  @ApiProperty({ example: 'https://hooks.example.com/flightdeck', maxLength: 2000 })
  @IsUrl(URL_RULES, { message: URL_MESSAGE })
  @MaxLength(2000)
  url: string;

  /** The events to receive (at least one). */
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['incident.opened', 'session.failed'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events: WebhookEventType[];

  /** Inactive webhooks receive nothing but pings. */
  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

/** A partial update (PATCH): absent fields keep their value. The secret changes only by rotation. */
export class UpdateWebhookDto {
  @ApiPropertyOptional({ example: 'https://hooks.example.com/flightdeck', maxLength: 2000 })
  @IsOptional()
  @IsUrl(URL_RULES, { message: URL_MESSAGE })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each event must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: WebhookEventType[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  /** `null` clears it. */
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class ListWebhooksQueryDto extends PageQueryDto {
  /** Only active (`true`) or inactive (`false`) webhooks. */
  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

/** A webhook as read back: never its secret, only a hint of it. */
export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  workspace_id: string;

  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true })
  events: WebhookEventType[];

  active: boolean;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  /** The secret's prefix and last four characters, to tell which one a receiver holds. */
  @ApiProperty({ example: 'whsec_...Ab3x' })
  secret_hint: string;

  @ApiProperty({ format: 'date-time' })
  secret_rotated_at: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

/** The answer to a creation or a secret rotation: the only time the signing secret is shown. */
export class WebhookWithSecretResponseDto extends WebhookResponseDto {
  /** The signing secret (HMAC-SHA256 key of `Flightdeck-Signature`). Store it now: it is never shown again. */
  @ApiProperty({ example: 'whsec_Zm9vYmFy...' })
  secret: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookResponseDto] })
  data: WebhookResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
