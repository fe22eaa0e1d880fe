import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from 'src/common/pagination/page-query.dto';
import {
  DELIVERY_STATUSES,
  type DeliveryEventType,
  type DeliveryStatus,
  PING_EVENT,
  WEBHOOK_EVENT_TYPES,
} from '../webhooks.constants';

const DELIVERY_EVENT_TYPES = [...WEBHOOK_EVENT_TYPES, PING_EVENT];

export class ListWebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ enum: DELIVERY_EVENT_TYPES })
  @IsOptional()
  @IsIn(DELIVERY_EVENT_TYPES)
  event_type?: DeliveryEventType;
}

/** One POST of a delivery, as the delivery log shows it. */
export class WebhookDeliveryAttemptDto {
  /** 1-based over every run of the delivery (the `Flightdeck-Attempt` header). */
  attempt: number;

  /** 1, then one more per redelivery. */
  run: number;

  /** Where it was sent (the webhook's URL then). */
  url: string;

  /** The receiver's status code; null when no answer came (network error, timeout, refused target). */
  @ApiProperty({ type: Number, nullable: true })
  status_code: number | null;

  succeeded: boolean;

  duration_ms: number;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  /** The first 4 KB of the receiver's answer, at most. */
  @ApiProperty({ type: String, nullable: true })
  response_body_excerpt: string | null;

  /** When the next attempt is due after this failed one; null when none follows. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_retry_at: string | null;

  @ApiProperty({ format: 'date-time' })
  attempted_at: string;
}

/** One event for one webhook: its state and every attempt. */
export class WebhookDeliveryResponseDto {
  /** The `Flightdeck-Delivery` header: the same on every attempt and redelivery (dedupe on it). */
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  webhook_id: string;

  /** The body's `id`: the same in the deliveries of one event to several webhooks. */
  @ApiProperty({ format: 'uuid' })
  event_id: string;

  @ApiProperty({ enum: DELIVERY_EVENT_TYPES })
  event_type: DeliveryEventType;

  /** `pending` while attempts remain, then `succeeded` or `failed`. */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  attempt_count: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  next_attempt_at: string | null;

  @ApiProperty({ type: Number, nullable: true })
  last_status_code: number | null;

  @ApiProperty({ type: String, nullable: true })
  last_error: string | null;

  /** The JSON body sent: `{ id, type, created_at, workspace_id, data }`. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload: Record<string, unknown>;

  @ApiProperty({ type: [WebhookDeliveryAttemptDto] })
  attempts: WebhookDeliveryAttemptDto[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completed_at: string | null;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto] })
  data: WebhookDeliveryResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  next_cursor: string | null;
}
