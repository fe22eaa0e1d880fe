import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  ListWebhookDeliveriesQueryDto,
  WebhookDeliveryPageDto,
  WebhookDeliveryResponseDto,
} from './dto/webhook-delivery.dto';
import { WebhookDeliveriesService } from './webhook-deliveries.service';

/** A webhook's delivery log, test pings and redeliveries (admins, like the webhooks themselves). */
@ApiTags('webhooks')
@Auth('admin')
@Controller('v1/webhooks/:id')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Post('test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue a signed `ping` delivery to the webhook (active or not)',
    description: 'Answered before the ping is sent: follow it in the delivery log.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  @ApiProblemResponses(400, 404, 415)
  testWebhook(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.deliveries.ping(principal, id);
  }

  @Get('deliveries')
  @ApiOperation({
    summary: 'The delivery log: deliveries newest first, each with every attempt',
    description:
      'Each attempt has its number, status code, duration, error, next retry time and the first 4 KB of the answer.',
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblemResponses(400, 404, 422)
  listWebhookDeliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: ListWebhookDeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    return this.deliveries.list(principal, id, query);
  }

  @Get('deliveries/:deliveryId')
  @ApiOperation({ summary: 'Read one delivery with its attempts' })
  @ApiOkResponse({ type: WebhookDeliveryResponseDto })
  @ApiProblemResponses(400, 404)
  getWebhookDelivery(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.deliveries.get(principal, id, deliveryId);
  }

  @Post('deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a finished delivery again (same delivery id and body, a new run of attempts)',
    description: '409 `delivery_in_progress` while the delivery is still pending.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto })
  @ApiProblemResponses(400, 404, 409, 415)
  redeliverWebhookDelivery(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryResponseDto> {
    return this.deliveries.redeliver(principal, id, deliveryId);
  }
}
