/**
 * Outbound webhooks of a workspace (part of the incidents module; see DESIGN.md). Routes:
 * `/v1/webhooks/*`. Deliveries are signed (HMAC-SHA256, `Flightdeck-Signature`), queued on the
 * `webhooks` Bull queue with exponential backoff, and logged attempt by attempt.
 *
 * What other modules use — import `WebhooksModule` and inject:
 *
 * - `WebhookPublisher.publish(workspaceId, eventType, data)` — one delivery to each active
 *   webhook of the workspace subscribed to `eventType` (`incident.opened`, `incident.reopened`,
 *   `incident.resolved`, `session.failed`, `example.ready`, `regression.finished`); the rows are
 *   stored before anything is queued. Wiring an event is one line in a listener, e.g.
 *   `incidentsEvents.onOpened((e) => void publisher.publish(e.workspaceId, 'incident.opened', { incident: e.incident }))`.
 * - `WebhookPublisher.hasSubscribers(workspaceId, eventType)` — skip building a costly payload.
 *
 * Wired here: `session.failed` (`SessionFailedListener`, on the sessions module's committed
 * appends), `incident.*` and `example.ready` (`DomainEventsListener`). `regression.finished` is
 * published by the regression runs themselves. It is a module of its own, beside IncidentsModule,
 * because it listens to incidents and examples alike.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExamplesModule } from 'src/modules/examples/examples.module';
import { IncidentsModule } from 'src/modules/incidents/incidents.module';
import { ModelOpsModule } from 'src/modules/modelops/modelops.module';
import { SessionsModule } from 'src/modules/sessions/sessions.module';
import { UsersModule } from 'src/modules/users/users.module';
import { QueueModule } from 'src/queue/queue.module';
import { QueueName } from 'src/queue/queue.constants';
import { processorProviders } from 'src/queue/queue-role';
import { WebhookDeliveryQueue } from './delivery/webhook-delivery.queue';
import { WebhookDeliveryRunner } from './delivery/webhook-delivery.runner';
import { WebhookSender } from './delivery/webhook-sender';
import { WebhooksProcessor } from './delivery/webhooks.processor';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEntity } from './entities/webhook.entity';
import { DomainEventsListener } from './domain-events.listener';
import { SessionFailedListener } from './session-failed.listener';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDeliveriesService } from './webhook-deliveries.service';
import { WebhookPublisher } from './webhook-publisher';
import { WebhookSecrets } from './webhook-secrets';
import { WebhookTargets } from './webhook-targets';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity, WebhookDeliveryAttemptEntity]),
    QueueModule.registerQueues(QueueName.Webhooks),
    UsersModule,
    SessionsModule,
    ModelOpsModule,
    IncidentsModule,
    ExamplesModule,
  ],
  controllers: [WebhooksController, WebhookDeliveriesController],
  providers: [
    WebhooksRepository,
    WebhookDeliveriesRepository,
    WebhookSecrets,
    WebhookTargets,
    WebhookSender,
    WebhookDeliveryQueue,
    WebhookPublisher,
    WebhooksService,
    WebhookDeliveriesService,
    WebhookDeliveryRunner,
    SessionFailedListener,
    DomainEventsListener,
    ...processorProviders(WebhooksProcessor),
  ],
  exports: [WebhookPublisher],
})
export class WebhooksModule {}
