import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from 'src/common/swagger/api-problem-responses.decorator';
import { Auth } from 'src/modules/auth/decorators/auth.decorator';
import { CurrentPrincipal } from 'src/modules/auth/decorators/current-principal.decorator';
import type { Principal } from 'src/modules/auth/principal';
import {
  CreateWebhookDto,
  ListWebhooksQueryDto,
  UpdateWebhookDto,
  WebhookPageDto,
  WebhookResponseDto,
  WebhookWithSecretResponseDto,
} from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/**
 * Outbound webhooks of the caller's workspace. Admins manage them and read them (URLs often
 * carry tokens, and the delivery log shows what receivers answered), as on GitHub and Stripe.
 */
@ApiTags('webhooks')
@Auth('admin')
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a webhook; the answer is the only time its signing secret is shown',
    description:
      'Deliveries are POSTed with `Flightdeck-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. ' +
      'Private, loopback and link-local targets answer 422 `webhook_target_refused` unless allowed by configuration.',
  })
  @ApiCreatedResponse({ type: WebhookWithSecretResponseDto })
  @ApiProblemResponses(400, 409, 415, 422)
  createWebhook(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateWebhookDto,
  ): Promise<WebhookWithSecretResponseDto> {
    return this.webhooks.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the workspace's webhooks (a hint of each secret, never the secret)" })
  @ApiOkResponse({ type: WebhookPageDto })
  @ApiProblemResponses(422)
  listWebhooks(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhooksQueryDto,
  ): Promise<WebhookPageDto> {
    return this.webhooks.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a webhook' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblemResponses(400, 404)
  getWebhook(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebhookResponseDto> {
    return this.webhooks.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL, events, active flag or description of a webhook' })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblemResponses(400, 404, 415, 422)
  updateWebhook(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateWebhookDto,
  ): Promise<WebhookResponseDto> {
    return this.webhooks.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a webhook with its delivery log; pending deliveries stop' })
  @ApiNoContentResponse()
  @ApiProblemResponses(400, 404)
  deleteWebhook(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.webhooks.delete(principal, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Replace the signing secret at once; the answer is the only time the new one is shown' })
  @ApiOkResponse({ type: WebhookWithSecretResponseDto })
  @ApiProblemResponses(400, 404, 415)
  rotateWebhookSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebhookWithSecretResponseDto> {
    return this.webhooks.rotateSecret(principal, id);
  }
}
